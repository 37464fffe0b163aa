import CSkyKernels
import Foundation

/// One pre-norm residual attention block (`x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`), as in open_clip's
/// `ResidualAttentionBlock` with `nn.MultiheadAttention` (packed `in_proj`, q scaled by head_dim^-0.5).
struct TransformerBlock: Sendable {
    let width: Int
    let heads: Int
    let ln1: LayerNorm
    let ln2: LayerNorm
    let inProj: Linear
    let outProj: Linear
    let fc: Linear
    let proj: Linear
    let activation: Activation
    /// The kernel of the attention products (activations times activations: float32 at every precision).
    let attentionKernel: sky_gemm_kernel?

    init(_ checkpoint: Checkpoint, _ prefix: String, width: Int, heads: Int, activation: Activation,
         engine: GEMMEngine = .standard) throws(CLIPError) {
        guard heads > 0, width % heads == 0 else {
            throw .unsupportedArchitecture(path: checkpoint.path, reason: "\(prefix): width \(width) does not split into \(heads) heads")
        }
        self.width = width
        self.heads = heads
        self.activation = activation
        attentionKernel = engine.kernel
        ln1 = try LayerNorm(checkpoint, "\(prefix).ln_1", width: width)
        ln2 = try LayerNorm(checkpoint, "\(prefix).ln_2", width: width)
        inProj = Linear(weight: try checkpoint.weights("\(prefix).attn.in_proj_weight", shape: [3 * width, width]),
                        bias: try checkpoint.floats("\(prefix).attn.in_proj_bias", shape: [3 * width]),
                        in: width, out: 3 * width, engine: engine)
        outProj = try Linear(checkpoint, "\(prefix).attn.out_proj", in: width, out: width, engine: engine)
        guard let hidden = checkpoint.shape("\(prefix).mlp.c_fc.weight")?.first else {
            throw .missingTensor(path: checkpoint.path, name: "\(prefix).mlp.c_fc.weight", expected: "shape [mlp width, \(width)]")
        }
        fc = try Linear(checkpoint, "\(prefix).mlp.c_fc", in: width, out: hidden, engine: engine)
        proj = try Linear(checkpoint, "\(prefix).mlp.c_proj", in: hidden, out: width, engine: engine)
    }

    /// Runs the block over packed sequences: `x` holds `lengths.reduce(0,+)` rows, sequence after sequence.
    /// With `causal`, position i attends to positions 0...i only.
    func callAsFunction(_ x: inout [Float], lengths: [Int], causal: Bool) {
        let rows = lengths.reduce(0, +)
        precondition(x.count >= rows * width, "x holds fewer than \(rows) rows of \(width)")
        guard rows > 0 else { return }
        let workspace = TransformerWorkspace(rows: rows, width: width, hidden: fc.outFeatures)
        x.withUnsafeMutableBufferPointer { run($0.baseAddress!, lengths: lengths, causal: causal, workspace: workspace) }
    }

    /// The block on caller buffers: `x` (`lengths.reduce(0,+)` rows of `width`) is updated in place, every
    /// intermediate lives in `workspace`, which the towers make once and pass to all their blocks.
    func run(_ x: UnsafeMutablePointer<Float>, lengths: [Int], causal: Bool, workspace: TransformerWorkspace) {
        let rows = lengths.reduce(0, +)
        guard rows > 0 else { return }
        precondition(rows <= workspace.rows && width <= workspace.width && fc.outFeatures <= workspace.hiddenWidth,
                     "workspace too small for this block")
        ln1.normalize(x, rows: rows, into: workspace.normed)
        inProj.apply(workspace.normed, rows: rows, into: workspace.qkv)
        attend(packed: workspace.qkv, into: workspace.context, lengths: lengths, causal: causal)
        // q, k, v are spent: their buffer takes the out-projection, which ln_2's pass adds to x as it reads it.
        outProj.apply(workspace.context, rows: rows, into: workspace.qkv)
        ln2.normalize(x, rows: rows, adding: workspace.qkv, into: workspace.normed)
        mlpHidden(workspace.normed, rows: rows, into: workspace.hidden)
        proj.apply(workspace.hidden, rows: rows, into: workspace.normed)
        TransformerResidual.add(workspace.normed, into: x, count: rows * width)
    }

    /// `activation(c_fc(x))`: the product without the bias, then one vectorised pass that adds the bias and
    /// applies GELU (rational erf) or QuickGELU (polynomial exp).
    private func mlpHidden(_ x: UnsafePointer<Float>, rows: Int, into hidden: UnsafeMutablePointer<Float>) {
        let width = fc.outFeatures
        fc.product(x, lda: fc.inFeatures, rows: rows, beta: 0, into: hidden)
        let activate = { (bias: UnsafePointer<Float>?) in
            switch activation {
            case .gelu: TransformerKernels.biasGELU(hidden, rows: rows, width: width, bias: bias)
            case .quickGELU: TransformerKernels.biasQuickGELU(hidden, rows: rows, width: width, bias: bias)
            }
        }
        if let bias = fc.bias {
            bias.withUnsafeBufferPointer { activate($0.baseAddress) }
        } else {
            activate(nil)
        }
    }

    /// Scaled dot-product attention of every (sequence, head) pair: `packed` holds the q, k, v rows
    /// (`3 · width` per row), `context` receives each head's output in its column slice. The pairs are
    /// independent, so they are split across the worker threads, each with its own scores buffer; every pair
    /// runs the same small GEMMs and softmax as one after another, so the values are the same.
    private func attend(packed: UnsafePointer<Float>, into context: UnsafeMutablePointer<Float>, lengths: [Int], causal: Bool) {
        let headWidth = width / heads
        let scale = 1 / Float(headWidth).squareRoot()
        let longest = lengths.max() ?? 0
        var starts: [Int] = []
        var start = 0
        for length in lengths {
            starts.append(start)
            start += length
        }
        Kernels.forEachChunk(of: lengths.count * heads) { pairs in
            var scores = [Float](repeating: 0, count: longest * longest)
            scores.withUnsafeMutableBufferPointer { buffer in
                let s = buffer.baseAddress!
                for pair in pairs {
                    let sequence = pair / heads, head = pair % heads
                    let length = lengths[sequence]
                    let base = packed + starts[sequence] * 3 * width
                    let q = base + head * headWidth
                    let k = base + width + head * headWidth
                    let v = base + 2 * width + head * headWidth
                    Kernels.gemm(attentionKernel, transB: true, m: length, n: length, k: headWidth, alpha: scale,
                                 a: q, lda: 3 * width, b: k, ldb: 3 * width, c: s, ldc: length)
                    for i in 0..<length {
                        let row = s + i * length
                        let valid = causal ? i + 1 : length
                        TransformerKernels.softmax(row, count: valid)
                        for j in valid..<length { row[j] = 0 }
                    }
                    Kernels.gemm(attentionKernel, m: length, n: headWidth, k: length, a: s, lda: length,
                                 b: v, ldb: 3 * width, c: context + starts[sequence] * width + head * headWidth, ldc: width)
                }
            }
        }
    }
}
