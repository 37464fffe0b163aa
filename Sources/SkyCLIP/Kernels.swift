import CSkyBLAS
import CSkyKernels
import Foundation

/// Float32 building blocks; every matrix product goes through `gemm`, which runs one of SkyCLIP's own kernels
/// or OpenBLAS `cblas_sgemm`, as the model's `GEMMEngine` decided.
enum Kernels {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major, with explicit leading dimensions, on `kernel`
    /// (nil: OpenBLAS).
    @inline(__always)
    static func gemm(_ kernel: sky_gemm_kernel?, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                     alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if let kernel {
            return ownGEMM(kernel, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                           b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: gemmThreads)
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Workers for one product: OpenBLAS's thread count (lowered to 1 inside `BLASThreads` sections).
    static var gemmThreads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of OpenBLAS threads (the benchmark matches torch's thread count with it).
    static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// Runs `body` over `0..<count` split into contiguous chunks, one per OpenBLAS thread, concurrently.
    ///
    /// Every index is handled once, by the same arithmetic as a serial loop, so results are bit-identical to
    /// it; counts below two chunks of `minimumChunk` run inline, where a dispatch would cost more than it saves.
    static func forEachChunk(of count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = min(Int(openblas_get_num_threads()), count / max(1, minimumChunk))
        guard workers > 1 else { return body(0..<count) }
        // The chunks are disjoint and `concurrentPerform` returns only when all are done, so sharing the
        // non-Sendable body (and the buffers it captures) across the workers is race-free.
        nonisolated(unsafe) let shared = body
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            shared(count * worker / workers ..< count * (worker + 1) / workers)
        }
    }

    /// `x += y` elementwise (residual connections), split across the worker threads.
    static func add(_ y: [Float], into x: inout [Float]) {
        let count = min(x.count, y.count)
        y.withUnsafeBufferPointer { source in
            x.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                forEachChunk(of: count, minimumChunk: 16_384) { range in
                    for i in range { to[i] += from[i] }
                }
            }
        }
    }

    /// Softmax of each row in place (`count` valid entries, the rest of the row is ignored).
    @inline(__always)
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count where row[i] > maximum { maximum = row[i] }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(row[i] - maximum)
            row[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { row[i] *= inverse }
    }
}

/// The MLP activation: open_clip's `nn.GELU` (exact erf) or OpenAI's QuickGELU, `x·σ(1.702x)`.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case gelu
    case quickGELU = "quickgelu"

    /// Applies the activation in place, split across the worker threads (elementwise, so bit-identical).
    func apply(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        Kernels.forEachChunk(of: values.count, minimumChunk: 8_192) { range in
            switch self {
            case .gelu:
                for i in range {
                    let x = base[i]
                    base[i] = 0.5 * x * (1 + erff(x * 0.70710678118654752))
                }
            case .quickGELU:
                for i in range {
                    let x = base[i]
                    base[i] = x / (1 + expf(-1.702 * x))
                }
            }
        }
    }
}

/// `y = x·Wᵀ + b` for a row-major batch of rows (torch `nn.Linear` weight layout `[out, in]`).
struct Linear: Sendable {
    let weight: Weights
    let bias: [Float]?
    let inFeatures: Int
    let outFeatures: Int
    /// The kernel of this layer's products (the engine's weight kernel).
    let kernel: sky_gemm_kernel?
    /// The weight in that kernel's panel order (float32 or bf16 pairs), when an own kernel runs (see `PackedWeights`).
    let packed: LazyPacked<PackedWeights>?

    init(_ checkpoint: Checkpoint, _ prefix: String, in inFeatures: Int, out outFeatures: Int, bias hasBias: Bool = true,
         engine: GEMMEngine) throws(CLIPError) {
        self.init(weight: try checkpoint.weights("\(prefix).weight", shape: [outFeatures, inFeatures]),
                  bias: hasBias ? try checkpoint.floats("\(prefix).bias", shape: [outFeatures]) : nil,
                  in: inFeatures, out: outFeatures, engine: engine)
    }

    /// `prepack: false` for a layer used once (its packing would cost what the product's own packing does).
    init(weight: Weights, bias: [Float]?, in inFeatures: Int, out outFeatures: Int, prepack: Bool = true, engine: GEMMEngine) {
        self.weight = weight
        self.bias = bias
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        kernel = engine.weightKernel
        packed = prepack ? PackedWeights.make(weight, columns: outFeatures, depth: inFeatures, kernel: engine.weightKernel) : nil
    }

    func callAsFunction(_ x: [Float], rows: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * outFeatures)
        apply(x, rows: rows, into: &out)
        return out
    }

    func apply(_ x: [Float], rows: Int, into out: inout [Float]) {
        guard rows > 0 else { return }
        out.withUnsafeMutableBufferPointer { o in
            if let bias {
                for r in 0..<rows { (o.baseAddress! + r * outFeatures).update(from: bias, count: outFeatures) }
            }
            x.withUnsafeBufferPointer { a in
                product(a.baseAddress!, lda: inFeatures, rows: rows, beta: bias == nil ? 0 : 1, into: o.baseAddress!)
            }
        }
    }
}

/// LayerNorm over the last dimension (eps 1e-5), computed in float32 as open_clip does.
struct LayerNorm: Sendable {
    let weight: [Float]
    let bias: [Float]
    let eps: Float = 1e-5

    init(_ checkpoint: Checkpoint, _ prefix: String, width: Int) throws(CLIPError) {
        weight = try checkpoint.floats("\(prefix).weight", shape: [width])
        bias = try checkpoint.floats("\(prefix).bias", shape: [width])
    }

    /// Normalises `rows` rows of `x` into a new buffer, the rows split across the worker threads.
    func callAsFunction(_ x: [Float], rows: Int) -> [Float] {
        let width = weight.count
        var out = [Float](repeating: 0, count: rows * width)
        guard rows > 0 else { return out }
        x.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                Kernels.forEachChunk(of: rows, minimumChunk: 16) { range in normalize(rows: range, of: input, into: output) }
            }
        }
        return out
    }

    private func normalize(rows: Range<Int>, of input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let width = weight.count
        weight.withUnsafeBufferPointer { weight in
            bias.withUnsafeBufferPointer { bias in
                for r in rows {
                    let row = input.baseAddress! + r * width
                    var mean: Float = 0
                    for i in 0..<width { mean += row[i] }
                    mean /= Float(width)
                    var variance: Float = 0
                    for i in 0..<width { let d = row[i] - mean; variance += d * d }
                    variance /= Float(width)
                    let scale = 1 / (variance + eps).squareRoot()
                    let target = output.baseAddress! + r * width
                    for i in 0..<width { target[i] = (row[i] - mean) * scale * weight[i] + bias[i] }
                }
            }
        }
    }
}
