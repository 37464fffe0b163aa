import CSkyKernels
import Foundation

/// A convolution (no bias in the checkpoint) with its inference-time BatchNorm folded in:
/// `w' = w·γ/√(var+ε)`, `b' = β − mean·γ/√(var+ε)`. A 1×1 stride-1 convolution is one GEMM on the channel-major
/// map; 3×3 stride-1 padding-1 convolutions run by Winograd F(2×2, 3×3); other kernels as chunked im2col + GEMM.
struct FoldedConv: Sendable {
    /// How the product is computed; each keeps only the weights it needs.
    enum Product: Sendable {
        /// `[out][in][ky][kx]`, the GEMM's A (1×1 directly, others after im2col).
        case gemm(Filters)
        case winograd(WinogradConvolution)
    }

    let product: Product
    let bias: [Float]
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int

    init(_ checkpoint: Checkpoint, conv: String, norm: String, in inChannels: Int, out outChannels: Int, kernel: Int,
         stride: Int = 1, padding: Int = 0, engine: GEMMEngine = .standard) throws(CLIPError) {
        var weight = try checkpoint.floats("\(conv).weight", shape: [outChannels, inChannels, kernel, kernel], releasing: true)
        let gamma = try checkpoint.floats("\(norm).weight", shape: [outChannels])
        let beta = try checkpoint.floats("\(norm).bias", shape: [outChannels])
        let mean = try checkpoint.floats("\(norm).running_mean", shape: [outChannels])
        let variance = try checkpoint.floats("\(norm).running_var", shape: [outChannels])
        var bias = [Float](repeating: 0, count: outChannels)
        let per = inChannels * kernel * kernel
        for o in 0..<outChannels {
            let scale = gamma[o] / (variance[o] + 1e-5).squareRoot()
            for i in 0..<per { weight[o * per + i] *= scale }
            bias[o] = beta[o] - mean[o] * scale
        }
        self.init(folded: weight, bias: bias, in: inChannels, out: outChannels, kernel: kernel, stride: stride, padding: padding,
                  engine: engine)
    }

    /// A convolution from already folded weights, `[out][in][kernel][kernel]`, and bias; `winograd: false` keeps
    /// a 3×3 stride-1 convolution on im2col (the tests compare the two).
    init(folded weight: [Float], bias: [Float], in inChannels: Int, out outChannels: Int, kernel: Int, stride: Int = 1,
         padding: Int = 0, winograd: Bool = true, engine: GEMMEngine = .standard) {
        precondition(weight.count == outChannels * inChannels * kernel * kernel && bias.count == outChannels)
        if winograd && kernel == 3 && stride == 1 && padding == 1 {
            product = .winograd(WinogradConvolution(weight: weight, in: inChannels, out: outChannels, kernel: engine.weightKernel))
        } else {
            product = .gemm(Filters(Weights(weight), rows: outChannels, depth: inChannels * kernel * kernel,
                                    kernel: engine.weightKernel))
        }
        self.bias = bias
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// `output = conv(input) [+ output when accumulating] [+ bias] [then ReLU]`, written over `output`
    /// (channel-major, `outChannels × batch × outH × outW`), which must not overlap `input`.
    @discardableResult
    func apply(_ input: FeatureMap, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false, bias: [Float]?,
               relu: Bool, workspace: ResNetWorkspace) -> FeatureMap {
        precondition(input.channels == inChannels)
        let (outH, outW) = outputSize(height: input.height, width: input.width)
        let result = FeatureMap(base: output, channels: outChannels, batch: input.batch, height: outH, width: outW)
        switch product {
        case .winograd(let winograd):
            // Bias, accumulation and ReLU are part of its output transform.
            winograd.apply(input, into: output, accumulate: accumulate, bias: bias, relu: relu, workspace: workspace)
            return result
        case .gemm(let filters) where kernel == 1 && stride == 1 && padding == 0:
            filters.multiply(n: input.spatial, b: input.base, ldb: input.spatial, beta: accumulate ? 1 : 0, c: output,
                             ldc: result.spatial)
        case .gemm(let weight):
            im2colProduct(input, weight: weight, into: result, accumulate: accumulate, workspace: workspace)
        }
        if bias != nil || relu { addBias(bias, relu: relu, to: result) }
        return result
    }

    /// Runs the product over chunks of output rows whose im2col columns fit the scratch buffer, one GEMM each.
    private func im2colProduct(_ input: FeatureMap, weight: Filters, into result: FeatureMap, accumulate: Bool, workspace: ResNetWorkspace) {
        let depth = inChannels * kernel * kernel
        let outW = result.width, rows = result.batch * result.height
        let rowsPerChunk = max(1, min(rows, workspace.scratchCapacity / (depth * outW)))
        precondition(rowsPerChunk * depth * outW <= workspace.scratchCapacity, "scratch too small for one output row")
        for first in Swift.stride(from: 0, to: rows, by: rowsPerChunk) {
            let chunk = first ..< min(first + rowsPerChunk, rows)
            let columns = chunk.count * outW
            im2col(input, rows: chunk, outHeight: result.height, outWidth: outW, into: workspace.scratch)
            weight.multiply(n: columns, b: workspace.scratch, ldb: columns, beta: accumulate ? 1 : 0, c: result.base + first * outW,
                            ldc: result.spatial)
        }
    }

    /// Writes the im2col columns of output rows `rows` (numbered `image · outHeight + oy`) as a
    /// `depth × (rows.count · outWidth)` matrix, zeros where the kernel overlaps the padding. The `depth` rows are
    /// split across the worker threads (disjoint writes, so the result does not depend on the split).
    func im2col(_ input: FeatureMap, rows: Range<Int>, outHeight: Int, outWidth: Int, into columns: UnsafeMutablePointer<Float>) {
        let depth = inChannels * kernel * kernel
        let length = rows.count * outWidth
        let (height, width, batch) = (input.height, input.width, input.batch)
        let (kernel, stride, padding) = (self.kernel, self.stride, self.padding)
        Kernels.forEachChunk(of: depth, minimumChunk: 4) { range in
            for q in range {
                let c = q / (kernel * kernel), ky = q / kernel % kernel, kx = q % kernel
                // The output columns whose input column lies inside the image.
                let firstX = min(outWidth, max(0, -floorDivision(kx - padding, stride)))
                let lastX = max(firstX, min(outWidth, floorDivision(width - 1 + padding - kx, stride) + 1))
                var target = columns + q * length
                for row in rows {
                    let image = row / outHeight, oy = row % outHeight
                    let iy = oy * stride + ky - padding
                    if iy < 0 || iy >= height || lastX == firstX {
                        target.update(repeating: 0, count: outWidth)
                    } else {
                        let line = input.base + ((c * batch + image) * height + iy) * width
                        if firstX > 0 { target.update(repeating: 0, count: firstX) }
                        if stride == 1 {
                            (target + firstX).update(from: line + (firstX + kx - padding), count: lastX - firstX)
                        } else {
                            for ox in firstX..<lastX { target[ox] = line[ox * stride + kx - padding] }
                        }
                        if lastX < outWidth { (target + lastX).update(repeating: 0, count: outWidth - lastX) }
                    }
                    target += outWidth
                }
            }
        }
    }

    /// `map[o] += bias[o]` and/or ReLU, the channels split across the worker threads.
    private func addBias(_ bias: [Float]?, relu: Bool, to map: FeatureMap) {
        let spatial = map.spatial
        let base = map.base
        bias.withOptionalBuffer { bias in
            Kernels.forEachChunk(of: map.channels, minimumChunk: max(1, 16_384 / max(spatial, 1))) { channels in
                for o in channels {
                    let row = base + o * spatial
                    let b = bias?[o] ?? 0
                    if relu {
                        for i in 0..<spatial { row[i] = max(row[i] + b, 0) }
                    } else {
                        for i in 0..<spatial { row[i] += b }
                    }
                }
            }
        }
    }
}

extension Optional where Wrapped == [Float] {
    /// Runs `body` with the array's buffer, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        switch self {
        case .some(let array): array.withUnsafeBufferPointer { body($0) }
        case .none: body(nil)
        }
    }
}

/// ⌊a / b⌋ for b > 0 (Swift's `/` truncates toward zero).
@inline(__always)
func floorDivision(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}

/// `AvgPool2d(k)` (kernel = stride = k, floor) of every plane of `input` into `output`, the planes split across the
/// worker threads. Returns the pooled map.
@discardableResult
func averagePool(_ input: FeatureMap, by k: Int, into output: UnsafeMutablePointer<Float>) -> FeatureMap {
    let outH = input.height / k, outW = input.width / k
    let result = FeatureMap(base: output, channels: input.channels, batch: input.batch, height: outH, width: outW)
    let inverse = 1 / Float(k * k)
    let (height, width) = (input.height, input.width)
    let source = input.base
    Kernels.forEachChunk(of: input.channels * input.batch, minimumChunk: max(1, 16_384 / max(height * width, 1))) { planes in
        for plane in planes {
            let from = source + plane * height * width, to = output + plane * outH * outW
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var sum: Float = 0
                    for dy in 0..<k {
                        let line = from + (oy * k + dy) * width + ox * k
                        for dx in 0..<k { sum += line[dx] }
                    }
                    to[oy * outW + ox] = sum * inverse
                }
            }
        }
    }
    return result
}
