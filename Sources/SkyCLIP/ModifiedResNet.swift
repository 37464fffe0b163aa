import Foundation

/// A convolution (no bias in the checkpoint) with its inference-time BatchNorm folded in:
/// `w' = w·γ/√(var+ε)`, `b' = β − mean·γ/√(var+ε)`. Runs as im2col + one `sgemm` per image.
struct FoldedConv: Sendable {
    let weight: Weights
    let bias: [Float]
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int

    init(_ checkpoint: Checkpoint, conv: String, norm: String, in inChannels: Int, out outChannels: Int, kernel: Int,
         stride: Int = 1, padding: Int = 0) throws(CLIPError) {
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
        self.weight = Weights(weight)
        self.bias = bias
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    /// Convolves a batch laid out channel-major, `[channel][image][y][x]`, so that one GEMM covers every image;
    /// returns the output in the same layout and its side lengths.
    func callAsFunction(_ input: [Float], batch: Int, height: Int, width: Int, relu: Bool) -> (values: [Float], height: Int, width: Int) {
        let outH = (height + 2 * padding - kernel) / stride + 1
        let outW = (width + 2 * padding - kernel) / stride + 1
        let plane = outH * outW
        let spatial = batch * plane
        let depth = inChannels * kernel * kernel
        var output = [Float](repeating: 0, count: outChannels * spatial)
        output.withUnsafeMutableBufferPointer { out in
            for o in 0..<outChannels { (out.baseAddress! + o * spatial).update(repeating: bias[o], count: spatial) }
        }
        let direct = kernel == 1 && stride == 1 && padding == 0
        var columns: [Float] = []
        if !direct {
            columns = [Float](repeating: 0, count: depth * spatial)
            columns.withUnsafeMutableBufferPointer { col in
                input.withUnsafeBufferPointer { src in
                    for c in 0..<inChannels {
                      for image in 0..<batch {
                        let source = src.baseAddress! + (c * batch + image) * height * width
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                let row = col.baseAddress! + ((c * kernel + ky) * kernel + kx) * spatial + image * plane
                                // The output columns whose input column lies inside the image (the rest stay 0).
                                let firstX = max(0, -floorDivision(kx - padding, stride))
                                let lastX = min(outW, floorDivision(width - 1 + padding - kx, stride) + 1)
                                guard lastX > firstX else { continue }
                                for oy in 0..<outH {
                                    let iy = oy * stride + ky - padding
                                    guard iy >= 0 && iy < height else { continue }
                                    let line = source + iy * width
                                    let target = row + oy * outW
                                    if stride == 1 {
                                        (target + firstX).update(from: line + (firstX + kx - padding), count: lastX - firstX)
                                    } else {
                                        for ox in firstX..<lastX { target[ox] = line[ox * stride + kx - padding] }
                                    }
                                }
                            }
                        }
                      }
                    }
                }
            }
        }
        let source = direct ? input : columns
        source.withUnsafeBufferPointer { col in
            output.withUnsafeMutableBufferPointer { out in
                Kernels.gemm(m: outChannels, n: spatial, k: depth, a: weight.pointer, lda: depth, b: col.baseAddress!,
                             ldb: spatial, beta: 1, c: out.baseAddress!, ldc: spatial)
            }
        }
        if relu {
            output.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count { out[i] = max(out[i], 0) }
            }
        }
        return (output, outH, outW)
    }
}

/// ⌊a / b⌋ for b > 0 (Swift's `/` truncates toward zero).
@inline(__always)
func floorDivision(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}

/// `AvgPool2d(k)` (kernel = stride = k, floor) over a CHW image.
func averagePool(_ input: [Float], channels: Int, height: Int, width: Int, by k: Int) -> (values: [Float], height: Int, width: Int) {
    let outH = height / k, outW = width / k
    var output = [Float](repeating: 0, count: channels * outH * outW)
    let inverse = 1 / Float(k * k)
    for c in 0..<channels {
        for oy in 0..<outH {
            for ox in 0..<outW {
                var sum: Float = 0
                for dy in 0..<k {
                    let base = (c * height + oy * k + dy) * width + ox * k
                    for dx in 0..<k { sum += input[base + dx] }
                }
                output[(c * outH + oy) * outW + ox] = sum * inverse
            }
        }
    }
    return (output, outH, outW)
}

/// One anti-aliased Bottleneck: 1×1, 3×3, AvgPool(stride) when strided, 1×1 (expansion 4), plus the identity or
/// an AvgPool + 1×1 + BN downsample, then ReLU.
struct Bottleneck: Sendable {
    let conv1: FoldedConv, conv2: FoldedConv, conv3: FoldedConv
    let downsample: FoldedConv?
    let stride: Int

    init(_ checkpoint: Checkpoint, _ prefix: String, inplanes: Int, planes: Int, stride: Int) throws(CLIPError) {
        conv1 = try FoldedConv(checkpoint, conv: "\(prefix).conv1", norm: "\(prefix).bn1", in: inplanes, out: planes, kernel: 1)
        conv2 = try FoldedConv(checkpoint, conv: "\(prefix).conv2", norm: "\(prefix).bn2", in: planes, out: planes, kernel: 3, padding: 1)
        conv3 = try FoldedConv(checkpoint, conv: "\(prefix).conv3", norm: "\(prefix).bn3", in: planes, out: planes * 4, kernel: 1)
        if stride > 1 || inplanes != planes * 4 {
            downsample = try FoldedConv(checkpoint, conv: "\(prefix).downsample.0", norm: "\(prefix).downsample.1",
                                        in: inplanes, out: planes * 4, kernel: 1)
        } else {
            downsample = nil
        }
        self.stride = stride
    }

    /// Runs the block on a channel-major batch (`[channel][image][y][x]`).
    func callAsFunction(_ x: [Float], batch: Int, height: Int, width: Int) -> (values: [Float], height: Int, width: Int) {
        var (out, h, w) = conv1(x, batch: batch, height: height, width: width, relu: true)
        (out, h, w) = conv2(out, batch: batch, height: h, width: w, relu: true)
        if stride > 1 { (out, h, w) = averagePool(out, channels: conv2.outChannels * batch, height: h, width: w, by: stride) }
        (out, h, w) = conv3(out, batch: batch, height: h, width: w, relu: false)
        var identity = x
        if let downsample {
            var (ih, iw) = (height, width)
            if stride > 1 { (identity, ih, iw) = averagePool(x, channels: downsample.inChannels * batch, height: ih, width: iw, by: stride) }
            identity = downsample(identity, batch: batch, height: ih, width: iw, relu: false).values
        }
        for i in out.indices { out[i] = max(out[i] + identity[i], 0) }
        return (out, h, w)
    }
}

/// OpenAI's ModifiedResNet image tower: three-conv stem, anti-aliased bottleneck stages, attention pooling
/// (query = the mean token, separate q/k/v projections, `c_proj` to the embedding).
struct ModifiedResNet: Sendable {
    let stem: [FoldedConv]
    let stages: [[Bottleneck]]
    let imageSize: Int, embed: Int, heads: Int, outputDim: Int
    let attnPositional: [Float]
    let q: Linear, k: Linear, v: Linear, c: Linear

    init(_ checkpoint: Checkpoint, layers: [Int], width: Int, heads: Int, imageSize: Int, embedDim: Int) throws(CLIPError) {
        stem = [
            try FoldedConv(checkpoint, conv: "visual.conv1", norm: "visual.bn1", in: 3, out: width / 2, kernel: 3, stride: 2, padding: 1),
            try FoldedConv(checkpoint, conv: "visual.conv2", norm: "visual.bn2", in: width / 2, out: width / 2, kernel: 3, padding: 1),
            try FoldedConv(checkpoint, conv: "visual.conv3", norm: "visual.bn3", in: width / 2, out: width, kernel: 3, padding: 1),
        ]
        var inplanes = width
        var stages: [[Bottleneck]] = []
        for (index, blocks) in layers.enumerated() {
            let planes = width << index
            var stage: [Bottleneck] = []
            for block in 0..<blocks {
                stage.append(try Bottleneck(checkpoint, "visual.layer\(index + 1).\(block)", inplanes: inplanes, planes: planes,
                                            stride: block == 0 && index > 0 ? 2 : 1))
                inplanes = planes * 4
            }
            stages.append(stage)
        }
        self.stages = stages
        embed = width * 32
        self.heads = heads
        self.imageSize = imageSize
        let side = imageSize / 32
        attnPositional = try checkpoint.floats("visual.attnpool.positional_embedding", shape: [side * side + 1, embed])
        q = try Linear(checkpoint, "visual.attnpool.q_proj", in: embed, out: embed)
        k = try Linear(checkpoint, "visual.attnpool.k_proj", in: embed, out: embed)
        v = try Linear(checkpoint, "visual.attnpool.v_proj", in: embed, out: embed)
        c = try Linear(checkpoint, "visual.attnpool.c_proj", in: embed, out: embedDim)
        outputDim = embedDim
        guard heads > 0, embed % heads == 0 else {
            throw .unsupportedArchitecture(path: checkpoint.path, reason: "attention pool width \(embed) does not split into \(heads) heads")
        }
    }

    /// Images per pass: larger GEMMs for the late stages, while the im2col buffers (3×3 convs at 112×112) stay
    /// a small working set next to the weights.
    static let imagesPerPass = 4

    /// Embeds a batch of normalised images, `count × 3 × imageSize × imageSize`.
    func encode(_ pixels: [Float], count: Int) -> [Float] {
        let plane = 3 * imageSize * imageSize
        var result: [Float] = []
        result.reserveCapacity(count * outputDim)
        for start in stride(from: 0, to: count, by: Self.imagesPerPass) {
            let chunk = min(Self.imagesPerPass, count - start)
            result += encodePass(Array(pixels[start * plane ..< (start + chunk) * plane]), count: chunk)
        }
        return result
    }

    private func encodePass(_ pixels: [Float], count: Int) -> [Float] {
        let area = imageSize * imageSize
        // Channel-major batch layout, [channel][image][y][x], so each convolution is one GEMM for all images.
        var x = [Float](repeating: 0, count: pixels.count)
        for image in 0..<count {
            for channel in 0..<3 {
                let from = (image * 3 + channel) * area, to = (channel * count + image) * area
                x.replaceSubrange(to ..< to + area, with: pixels[from ..< from + area])
            }
        }
        var (h, w) = (imageSize, imageSize)
        for conv in stem { (x, h, w) = conv(x, batch: count, height: h, width: w, relu: true) }
        (x, h, w) = averagePool(x, channels: stem[2].outChannels * count, height: h, width: w, by: 2)
        for stage in stages {
            for block in stage { (x, h, w) = block(x, batch: count, height: h, width: w) }
        }
        var result = [Float](repeating: 0, count: count * outputDim)
        for image in 0..<count {
            let pooled = attentionPool(x, image: image, batch: count, spatial: h * w)
            for i in 0..<outputDim { result[image * outputDim + i] = pooled[i] }
        }
        return result
    }

    /// Attention pooling of one image of a channel-major batch: the mean token is the query.
    private func attentionPool(_ x: [Float], image: Int, batch: Int, spatial: Int) -> [Float] {
        let tokens = spatial + 1
        var sequence = [Float](repeating: 0, count: tokens * embed)
        for channel in 0..<embed {
            var sum: Float = 0
            for p in 0..<spatial {
                let value = x[(channel * batch + image) * spatial + p]
                sequence[(p + 1) * embed + channel] = value
                sum += value
            }
            sequence[channel] = sum / Float(spatial)
        }
        for i in sequence.indices { sequence[i] += attnPositional[i] }
        let query = q(Array(sequence[0..<embed]), rows: 1)
        let keys = k(sequence, rows: tokens)
        let values = v(sequence, rows: tokens)
        let headWidth = embed / heads
        let scale = 1 / Float(headWidth).squareRoot()
        var context = [Float](repeating: 0, count: embed)
        var scores = [Float](repeating: 0, count: tokens)
        query.withUnsafeBufferPointer { qp in
            keys.withUnsafeBufferPointer { kp in
                values.withUnsafeBufferPointer { vp in
                    scores.withUnsafeMutableBufferPointer { sp in
                        context.withUnsafeMutableBufferPointer { cp in
                            for head in 0..<heads {
                                let offset = head * headWidth
                                // scores = q·Kᵀ (1 × tokens), softmax, context = scores·V (1 × headWidth).
                                Kernels.gemm(transB: true, m: 1, n: tokens, k: headWidth, alpha: scale, a: qp.baseAddress! + offset,
                                             lda: embed, b: kp.baseAddress! + offset, ldb: embed, c: sp.baseAddress!, ldc: tokens)
                                Kernels.softmax(sp.baseAddress!, count: tokens)
                                Kernels.gemm(m: 1, n: headWidth, k: tokens, a: sp.baseAddress!, lda: tokens, b: vp.baseAddress! + offset,
                                             ldb: embed, c: cp.baseAddress! + offset, ldc: embed)
                            }
                        }
                    }
                }
            }
        }
        return c(context, rows: 1)
    }
}
