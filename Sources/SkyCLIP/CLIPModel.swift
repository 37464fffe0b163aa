import Foundation

/// A CLIP model run natively: both towers in float32 (or with bf16 weight products, `Precision.bf16`) on SkyCLIP's
/// own GEMM or OpenBLAS (`GEMMBackend`), weights used in place from the mapped checkpoint or converted at load.
public struct CLIPModel: Sendable {
    enum ImageTower: Sendable {
        case transformer(VisionTransformer)
        case resnet(ModifiedResNet)
    }

    /// The architecture in use.
    public let architecture: CLIPArchitecture
    /// `logit_scale` as stored (its exponential multiplies cosine similarities).
    public let logitScale: Float
    /// The arithmetic of the weight products.
    public var precision: Precision { engine.precision }
    let engine: GEMMEngine
    let imageTower: ImageTower
    let textTower: TextTransformer

    /// Builds the model from a checkpoint; every tensor the architecture needs must be present with its shape.
    /// `precision: .bf16` throws `CLIPError.unsupportedPrecision` on a CPU without AVX512-BF16.
    public init(checkpoint: Checkpoint, override: CLIPArchitecture.Override = .init(),
                precision: Precision = .defaultValue) throws(CLIPError) {
        try self.init(checkpoint: checkpoint, override: override, engine: try GEMMEngine.make(precision))
    }

    /// The model on an explicit engine (tests run the towers on each available kernel).
    init(checkpoint: Checkpoint, override: CLIPArchitecture.Override = .init(), engine: GEMMEngine) throws(CLIPError) {
        let architecture = try CLIPArchitecture(inferringFrom: checkpoint, override: override)
        self.architecture = architecture
        self.engine = engine
        switch architecture.vision {
        case .transformer(let width, let layers, let heads, let patch, let size):
            imageTower = .transformer(try VisionTransformer(checkpoint, width: width, layers: layers, heads: heads, patch: patch,
                                                            imageSize: size, embedDim: architecture.embedDim,
                                                            activation: architecture.activation, engine: engine))
        case .resnet(let layers, let width, let heads, let size):
            imageTower = .resnet(try ModifiedResNet(checkpoint, layers: layers, width: width, heads: heads, imageSize: size,
                                                    embedDim: architecture.embedDim, engine: engine))
        }
        textTower = try TextTransformer(checkpoint, architecture: architecture, engine: engine)
        // open_clip stores a 0-d tensor; some exports keep shape [1].
        let scaleShape = checkpoint.shape("logit_scale") == [1] ? [1] : []
        logitScale = try checkpoint.floats("logit_scale", shape: scaleShape)[0]
    }

    /// Opens a checkpoint file and builds the model.
    public init(path: String, override: CLIPArchitecture.Override = .init(), precision: Precision = .defaultValue) throws(CLIPError) {
        try self.init(checkpoint: try Checkpoint(path: path), override: override, precision: precision)
    }

    /// The embedding width.
    public var embedDim: Int { architecture.embedDim }

    /// Image embeddings (not normalised) for `count` images already preprocessed into
    /// `count × 3 × imageSize × imageSize` floats.
    public func encodeImages(_ pixels: [Float], count: Int) throws(CLIPError) -> [[Float]] {
        let side = architecture.imageSize
        guard count >= 0, pixels.count == count * 3 * side * side else {
            throw .badInput(what: "image batch", reason: "\(pixels.count) values for \(count) images of 3x\(side)x\(side)")
        }
        guard count > 0 else { return [] }
        let flat: [Float]
        switch imageTower {
        case .transformer(let tower): flat = tower.encode(pixels, count: count)
        case .resnet(let tower): flat = tower.encode(pixels, count: count)
        }
        return (0..<count).map { Array(flat[$0 * embedDim ..< ($0 + 1) * embedDim]) }
    }

    /// Text embeddings (not normalised) for token sequences of exactly the context length. `shortcut` stops
    /// each sequence at its end token, which the causal mask makes exact.
    public func encodeTokens(_ sequences: [[Int32]], shortcut: Bool = true) throws(CLIPError) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let flat = try textTower.encode(sequences, shortcut: shortcut)
        return (0..<sequences.count).map { Array(flat[$0 * embedDim ..< ($0 + 1) * embedDim]) }
    }

    /// Sets the number of OpenBLAS threads used by every model in the process.
    public static func setThreads(_ count: Int) { Kernels.setThreads(max(1, count)) }
}

/// L2-normalises a vector (zero vectors stay zero).
public func l2Normalized(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm > 0 ? vector.map { $0 / norm } : vector
}
