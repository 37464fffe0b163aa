import Foundation

/// Scratch buffers for running transformer blocks over up to `rows` packed rows.
///
/// One workspace serves every block of one encode call: before it, each block allocated (and the kernel
/// page-faulted and zeroed) seven fresh arrays, up to 4.9 MB each for a ViT-B/32 batch of 8, in every layer.
/// Used by one encode call at a time (`TransformerWorkspaceCache` hands it on to the next call).
final class TransformerWorkspace {
    /// The row capacity, and the widest model and hidden widths the buffers hold.
    let rows: Int, width: Int, hiddenWidth: Int
    /// `rows × width`: a LayerNorm's output, then `c_proj`'s product.
    let normed: UnsafeMutablePointer<Float>
    /// `rows × 3·width`: the packed q, k, v rows, then the out-projection's product.
    let qkv: UnsafeMutablePointer<Float>
    /// `rows × width`: the attention output, heads side by side.
    let context: UnsafeMutablePointer<Float>
    /// `rows × hidden`: the MLP's hidden activations.
    let hidden: UnsafeMutablePointer<Float>
    private let sizes: [Int]

    init(rows: Int, width: Int, hidden: Int) {
        self.rows = rows
        self.width = width
        hiddenWidth = hidden
        sizes = [rows * width, rows * 3 * width, rows * width, rows * hidden].map { max($0, 1) }
        // Zero-filled, so no path can read an uninitialised float.
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            return pointer
        }
        normed = buffer(sizes[0])
        qkv = buffer(sizes[1])
        context = buffer(sizes[2])
        self.hidden = buffer(sizes[3])
    }

    deinit {
        for (pointer, count) in zip([normed, qkv, context, hidden], sizes) {
            pointer.deinitialize(count: count)
            pointer.deallocate()
        }
    }
}

extension LayerNorm {
    /// Normalises `rows` rows of `input` into `output` with `TransformerKernels.layerNormRow` (lane-wise sums,
    /// so not bit-identical to `callAsFunction`), the rows split across the worker threads. With `residual`,
    /// each row first gets `input[r] += residual[r]` (the residual add fused into the pass that reads the row).
    func normalize(_ input: UnsafeMutablePointer<Float>, rows: Int, adding residual: UnsafePointer<Float>? = nil,
                   into output: UnsafeMutablePointer<Float>) {
        let width = weight.count
        weight.withUnsafeBufferPointer { weight in
            bias.withUnsafeBufferPointer { bias in
                let w = weight.baseAddress!, b = bias.baseAddress!
                Kernels.forEachChunk(of: rows, minimumChunk: 16) { range in
                    for r in range {
                        let row = input + r * width
                        if let residual {
                            let add = residual + r * width
                            for i in 0..<width { row[i] += add[i] }
                        }
                        TransformerKernels.layerNormRow(row, width: width, weight: w, bias: b, eps: eps, into: output + r * width)
                    }
                }
            }
        }
    }
}

extension Linear {
    /// `out = x·Wᵀ + b` for `rows` rows between caller buffers (same arithmetic as `apply(_:rows:into:)`: the
    /// bias is written first and the product added by sgemm with beta 1).
    func apply(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        if let bias {
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows { (out + r * outFeatures).update(from: b.baseAddress!, count: outFeatures) }
            }
        }
        product(x, lda: inFeatures, rows: rows, beta: bias == nil ? 0 : 1, into: out)
    }
}

enum TransformerResidual {
    /// `x += y` over `count` floats, split across the worker threads (elementwise, so the same values).
    static func add(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.forEachChunk(of: count, minimumChunk: 16_384) { range in
            for i in range { x[i] += y[i] }
        }
    }
}

/// Keeps the last workspace of a tower for its next encode call.
///
/// A fresh workspace per call cost its pages anew each time: glibc returns the freed block (ViT-B/32, batch 8:
/// 11 MB at the top of the heap) to the kernel, and the next call page-faults and zeroes all of it again (about
/// 1,700 more page faults per call than the per-layer arrays before, measured with `perf stat`). Holding one
/// workspace keeps it mapped. Concurrent callers each get their own: one takes the cached workspace, the others
/// make new ones, and the last to finish is kept.
final class TransformerWorkspaceCache: @unchecked Sendable {
    // `cached` is only touched under `lock`; a workspace handed out is used by one caller until given back.
    private let lock = NSLock()
    private var cached: TransformerWorkspace?

    /// Runs `body` with a workspace of at least the given size: the cached one if it is large enough.
    func with<Result>(rows: Int, width: Int, hidden: Int, _ body: (TransformerWorkspace) -> Result) -> Result {
        let reused: TransformerWorkspace? = lock.withLock {
            guard let candidate = cached, candidate.rows >= rows, candidate.width >= width, candidate.hiddenWidth >= hidden
            else { return nil }
            cached = nil
            return candidate
        }
        let workspace = reused ?? TransformerWorkspace(rows: rows, width: width, hidden: hidden)
        defer { lock.withLock { cached = workspace } }
        return body(workspace)
    }
}
