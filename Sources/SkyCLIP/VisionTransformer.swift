import CSkyKernels
import Foundation

/// open_clip's `VisionTransformer` (class token pooling): patch convolution, class and positional embeddings,
/// `ln_pre`, residual blocks, `ln_post` on the class token, then `proj`.
struct VisionTransformer: Sendable {
    let width: Int, patch: Int, imageSize: Int, embedDim: Int
    let patchWeight: Weights
    let classEmbedding: [Float]
    let positional: [Float]
    let lnPre: LayerNorm
    let lnPost: LayerNorm
    let blocks: [TransformerBlock]
    let projection: Weights
    let engine: GEMMEngine
    /// The blocks' scratch buffers, kept from one batch to the next.
    let workspaces = TransformerWorkspaceCache()

    init(_ checkpoint: Checkpoint, width: Int, layers: Int, heads: Int, patch: Int, imageSize: Int, embedDim: Int,
         activation: Activation, engine: GEMMEngine = .standard) throws(CLIPError) {
        self.engine = engine
        self.width = width
        self.patch = patch
        self.imageSize = imageSize
        self.embedDim = embedDim
        let grid = imageSize / patch
        patchWeight = try checkpoint.weights("visual.conv1.weight", shape: [width, 3, patch, patch])
        classEmbedding = try checkpoint.floats("visual.class_embedding", shape: [width])
        positional = try checkpoint.floats("visual.positional_embedding", shape: [grid * grid + 1, width])
        lnPre = try LayerNorm(checkpoint, "visual.ln_pre", width: width)
        lnPost = try LayerNorm(checkpoint, "visual.ln_post", width: width)
        var blocks: [TransformerBlock] = []
        for index in 0..<layers {
            blocks.append(try TransformerBlock(checkpoint, "visual.transformer.resblocks.\(index)", width: width,
                                               heads: heads, activation: activation, engine: engine))
        }
        self.blocks = blocks
        projection = try checkpoint.weights("visual.proj", shape: [width, embedDim])
    }

    /// Embeds a batch of normalised images, `count × 3 × imageSize × imageSize`, into `count × embedDim`.
    func encode(_ pixels: [Float], count: Int) -> [Float] {
        let grid = imageSize / patch
        let tokens = grid * grid + 1
        let patchSize = 3 * patch * patch
        // im2col: one row per patch, in the conv weight's (channel, ky, kx) order; images split across workers.
        var columns = [Float](repeating: 0, count: count * grid * grid * patchSize)
        let plane = imageSize * imageSize
        guard count > 0, pixels.count >= count * 3 * plane else { return [] }
        pixels.withUnsafeBufferPointer { source in
            columns.withUnsafeMutableBufferPointer { target in
                let from = source.baseAddress!, to = target.baseAddress!
                Kernels.forEachChunk(of: count) { images in
                    for image in images {
                        for gy in 0..<grid {
                            for gx in 0..<grid {
                                var row = to + ((image * grid + gy) * grid + gx) * patchSize
                                for channel in 0..<3 {
                                    for ky in 0..<patch {
                                        let start = image * 3 * plane + channel * plane + (gy * patch + ky) * imageSize + gx * patch
                                        row.update(from: from + start, count: patch)
                                        row += patch
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let embedded = Linear(weight: patchWeight, bias: nil, in: patchSize, out: width, prepack: false, engine: engine)(columns, rows: count * grid * grid)
        var x = [Float](repeating: 0, count: count * tokens * width)
        for image in 0..<count {
            for token in 0..<tokens {
                let row = (image * tokens + token) * width
                for i in 0..<width {
                    let value = token == 0 ? classEmbedding[i] : embedded[((image * grid * grid) + token - 1) * width + i]
                    x[row + i] = value + positional[token * width + i]
                }
            }
        }
        x = lnPre(x, rows: count * tokens)
        runBlocks(blocks, on: &x, lengths: [Int](repeating: tokens, count: count), causal: false, cache: workspaces)
        var pooled = [Float](repeating: 0, count: count * width)
        for image in 0..<count {
            for i in 0..<width { pooled[image * width + i] = x[image * tokens * width + i] }
        }
        pooled = lnPost(pooled, rows: count)
        return project(pooled, rows: count, width: width, projection: projection, embedDim: embedDim, kernel: engine.weightKernel)
    }
}

/// Runs `blocks` in order over the packed rows of `x`, all of them sharing one workspace (from `cache` when
/// given, else made for this call).
func runBlocks(_ blocks: [TransformerBlock], on x: inout [Float], lengths: [Int], causal: Bool,
               cache: TransformerWorkspaceCache? = nil) {
    let rows = lengths.reduce(0, +)
    guard rows > 0, let first = blocks.first else { return }
    precondition(x.count >= rows * first.width, "x holds fewer than \(rows) rows of \(first.width)")
    let width = blocks.map(\.width).max()!, hidden = blocks.map(\.fc.outFeatures).max()!
    x.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        let run = { (workspace: TransformerWorkspace) in
            for block in blocks { block.run(base, lengths: lengths, causal: causal, workspace: workspace) }
        }
        if let cache {
            cache.with(rows: rows, width: width, hidden: hidden, run)
        } else {
            run(TransformerWorkspace(rows: rows, width: width, hidden: hidden))
        }
    }
}

/// `x @ P` for a bare projection parameter `P` of shape `[width, embedDim]`, on `kernel`.
func project(_ x: [Float], rows: Int, width: Int, projection: Weights, embedDim: Int, kernel: sky_gemm_kernel?) -> [Float] {
    var out = [Float](repeating: 0, count: rows * embedDim)
    guard rows > 0 else { return out }
    x.withUnsafeBufferPointer { a in
        out.withUnsafeMutableBufferPointer { o in
            Kernels.gemm(kernel, m: rows, n: embedDim, k: width, a: a.baseAddress!, lda: width, b: projection.pointer, ldb: embedDim,
                         c: o.baseAddress!, ldc: embedDim)
        }
    }
    return out
}
