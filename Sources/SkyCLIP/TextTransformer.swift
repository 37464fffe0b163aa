import Foundation

/// open_clip's text tower: token and positional embeddings, causal residual blocks, `ln_final` and
/// `text_projection` at the end token (the position of the highest id, `argmax`).
///
/// Exact shortcut: with the causal mask, the output at position p depends only on tokens 0...p, so the tower
/// runs each sequence only up to its end token instead of all 77 positions (`shortcut: false` runs the full
/// context, to prove the equality).
struct TextTransformer: Sendable {
    let width: Int, contextLength: Int, vocabularySize: Int, embedDim: Int
    let tokenEmbedding: Weights
    let positional: [Float]
    let blocks: [TransformerBlock]
    let lnFinal: LayerNorm
    let projection: Weights
    let engine: GEMMEngine

    init(_ checkpoint: Checkpoint, architecture: CLIPArchitecture, engine: GEMMEngine = .standard) throws(CLIPError) {
        self.engine = engine
        width = architecture.textWidth
        contextLength = architecture.contextLength
        vocabularySize = architecture.vocabularySize
        embedDim = architecture.embedDim
        tokenEmbedding = try checkpoint.weights("token_embedding.weight", shape: [vocabularySize, width])
        positional = try checkpoint.floats("positional_embedding", shape: [contextLength, width])
        var blocks: [TransformerBlock] = []
        for index in 0..<architecture.textLayers {
            blocks.append(try TransformerBlock(checkpoint, "transformer.resblocks.\(index)", width: width,
                                               heads: architecture.textHeads, activation: architecture.activation,
                                               engine: engine))
        }
        self.blocks = blocks
        lnFinal = try LayerNorm(checkpoint, "ln_final", width: width)
        projection = try checkpoint.weights("text_projection", shape: [width, embedDim])
    }

    /// Embeds token sequences (each padded or cut to the context length) into `count × embedDim`.
    func encode(_ sequences: [[Int32]], shortcut: Bool = true) throws(CLIPError) -> [Float] {
        var lengths: [Int] = []
        var ends: [Int] = []
        for (index, sequence) in sequences.enumerated() {
            guard sequence.count == contextLength else {
                throw .badInput(what: "token sequence \(index)", reason: "\(sequence.count) tokens, the model takes exactly \(contextLength)")
            }
            if let bad = sequence.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
                throw .badInput(what: "token sequence \(index)", reason: "id \(bad) is outside the vocabulary of \(vocabularySize)")
            }
            // torch.argmax returns the first position of the maximum.
            var end = 0
            for position in 1..<sequence.count where sequence[position] > sequence[end] { end = position }
            ends.append(end)
            lengths.append(shortcut ? end + 1 : contextLength)
        }
        let rows = lengths.reduce(0, +)
        var x = [Float](repeating: 0, count: rows * width)
        var start = 0
        for (sequence, length) in zip(sequences, lengths) {
            for position in 0..<length {
                let token = Int(sequence[position])
                for i in 0..<width {
                    x[(start + position) * width + i] = tokenEmbedding[token * width + i] + positional[position * width + i]
                }
            }
            start += length
        }
        runBlocks(blocks, on: &x, lengths: lengths, causal: true)
        var pooled = [Float](repeating: 0, count: sequences.count * width)
        start = 0
        for (index, (end, length)) in zip(ends, lengths).enumerated() {
            for i in 0..<width { pooled[index * width + i] = x[(start + end) * width + i] }
            start += length
        }
        pooled = lnFinal(pooled, rows: sequences.count)
        return project(pooled, rows: sequences.count, width: width, projection: projection, embedDim: embedDim,
                       kernel: engine.weightKernel)
    }
}
