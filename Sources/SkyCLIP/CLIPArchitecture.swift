import Foundation

/// The numbers that define a CLIP model, read from the state dict's shapes as open_clip's
/// `build_model_from_openai_state_dict` does, then adjusted by an explicit ``Override``.
public struct CLIPArchitecture: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The image tower's layout.
    public enum Vision: Sendable, Equatable, Codable {
        /// A vision transformer: width, layers, heads, patch size, input size.
        case transformer(width: Int, layers: Int, heads: Int, patchSize: Int, imageSize: Int)
        /// OpenAI's ModifiedResNet: blocks per stage, stem width, attention-pool heads, input size.
        case resnet(layers: [Int], width: Int, heads: Int, imageSize: Int)
    }

    /// The image tower.
    public var vision: Vision
    /// Shared embedding width (columns of `text_projection`).
    public var embedDim: Int
    /// Text transformer width, layers and heads.
    public var textWidth: Int, textLayers: Int, textHeads: Int
    /// Context length (rows of `positional_embedding`) and vocabulary size.
    public var contextLength: Int, vocabularySize: Int
    /// The MLP activation; the weights do not record it.
    public var activation: Activation

    /// The input image side in pixels.
    public var imageSize: Int {
        switch vision {
        case .transformer(_, _, _, _, let size), .resnet(_, _, _, let size): size
        }
    }

    /// A short name such as `ViT-B/32` or `RN50`, or a shape summary for other configurations.
    public var name: String {
        switch vision {
        case .transformer(let width, let layers, _, let patch, let size):
            let family = [(768, 12, "B"), (1024, 24, "L"), (1280, 32, "H"), (512, 12, "M")]
                .first { $0.0 == width && $0.1 == layers }?.2
            let base = family.map { "ViT-\($0)/\(patch)" } ?? "ViT-w\(width)-l\(layers)-p\(patch)"
            return size == 224 || family == nil ? base : "\(base)@\(size)"
        case .resnet(let layers, let width, _, _):
            let known = [[3, 4, 6, 3]: "RN50", [3, 4, 23, 3]: "RN101"]
            if width == 64, let name = known[layers] { return name }
            if layers == [4, 6, 10, 6] { return "RN50x4" }
            if layers == [6, 8, 18, 8] { return "RN50x16" }
            if layers == [3, 15, 36, 10] { return "RN50x64" }
            return "RN-w\(width)-\(layers.map(String.init).joined(separator: "-"))"
        }
    }

    public var description: String { "\(name) (embed \(embedDim), text \(textWidth)x\(textLayers), \(activation.rawValue))" }

    /// Values that replace what the shapes imply (head counts and the activation cannot be read from weights).
    public struct Override: Sendable, Equatable, Codable {
        /// Attention heads of the image tower (ViT blocks or the ResNet attention pool).
        public var visionHeads: Int?
        /// Attention heads of the text tower.
        public var textHeads: Int?
        /// The MLP activation.
        public var activation: Activation?
        /// An override; nil fields keep what the shapes imply.
        public init(visionHeads: Int? = nil, textHeads: Int? = nil, activation: Activation? = nil) {
            self.visionHeads = visionHeads
            self.textHeads = textHeads
            self.activation = activation
        }
    }

    /// Infers the architecture from a checkpoint. Heads default to width/64 as in OpenAI's models.
    ///
    /// The activation is not in the weights. The default follows how open_clip is used with each kind of file:
    /// OpenAI TorchScript archives run with QuickGELU (`build_model_from_openai_state_dict`); state dicts
    /// (RemoteCLIP and open_clip `.pt`/`.bin`/`.safetensors`) run with the named config they are loaded into,
    /// `ViT-B-32`, `RN50`, `ViT-L-14`, whose activation is `nn.GELU`, unless the file name says `quickgelu`.
    public init(inferringFrom checkpoint: Checkpoint, override: Override = Override()) throws(CLIPError) {
        let path = checkpoint.path
        func shape(_ name: String, rank: Int) throws(CLIPError) -> [Int] {
            guard let shape = checkpoint.shape(name) else {
                throw .missingTensor(path: path, name: name, expected: "a rank-\(rank) tensor")
            }
            guard shape.count == rank else {
                throw .missingTensor(path: path, name: name, expected: "a rank-\(rank) tensor, found shape \(shape)")
            }
            return shape
        }
        func countBlocks(_ prefix: String) -> Int {
            Set(checkpoint.tensors.keys.compactMap { key -> Int? in
                guard key.hasPrefix(prefix) else { return nil }
                return Int(key.dropFirst(prefix.count).prefix { $0 != "." })
            }).count
        }
        func squareSide(_ tokens: Int, _ what: String) throws(CLIPError) -> Int {
            let side = Int(Double(tokens - 1).squareRoot().rounded())
            guard side > 0, side * side + 1 == tokens else {
                throw .unsupportedArchitecture(path: path, reason: "\(what) has \(tokens) rows, not a square grid plus one")
            }
            return side
        }
        guard checkpoint.tensors.keys.contains(where: { $0.hasPrefix("visual.") }) else {
            throw .notACheckpoint(path: path, reason: "no visual.* tensors: not a CLIP state dict")
        }
        if checkpoint.shape("visual.proj") != nil {
            let conv = try shape("visual.conv1.weight", rank: 4)
            let positions = try shape("visual.positional_embedding", rank: 2)[0]
            let width = conv[0], patch = conv[3]
            let layers = countBlocks("visual.transformer.resblocks.")
            guard layers > 0 else { throw .missingTensor(path: path, name: "visual.transformer.resblocks.0.*", expected: "at least one block") }
            vision = .transformer(width: width, layers: layers, heads: override.visionHeads ?? max(1, width / 64),
                                  patchSize: patch, imageSize: patch * (try squareSide(positions, "visual.positional_embedding")))
        } else if checkpoint.shape("visual.attnpool.positional_embedding") != nil {
            let counts = (1...4).map { countBlocks("visual.layer\($0).") }
            guard counts.allSatisfy({ $0 > 0 }) else {
                throw .missingTensor(path: path, name: "visual.layer1..4", expected: "four ResNet stages, found block counts \(counts)")
            }
            let width = try shape("visual.layer1.0.conv1.weight", rank: 4)[0]
            let positions = try shape("visual.attnpool.positional_embedding", rank: 2)[0]
            let side = try squareSide(positions, "visual.attnpool.positional_embedding")
            vision = .resnet(layers: counts, width: width, heads: override.visionHeads ?? max(1, width * 32 / 64), imageSize: side * 32)
        } else {
            throw .missingTensor(path: path, name: "visual.proj or visual.attnpool.positional_embedding",
                                 expected: "a ViT or ModifiedResNet image tower")
        }
        embedDim = try shape("text_projection", rank: 2)[1]
        contextLength = try shape("positional_embedding", rank: 2)[0]
        vocabularySize = try shape("token_embedding.weight", rank: 2)[0]
        textWidth = try shape("ln_final.weight", rank: 1)[0]
        textLayers = countBlocks("transformer.resblocks.")
        guard textLayers > 0 else { throw .missingTensor(path: path, name: "transformer.resblocks.0.*", expected: "at least one text block") }
        textHeads = override.textHeads ?? max(1, textWidth / 64)
        guard contextLength > 0, vocabularySize > 0, textWidth > 0, embedDim > 0 else {
            throw .unsupportedArchitecture(path: path, reason: "empty text tower (context \(contextLength), vocabulary \(vocabularySize), width \(textWidth), embedding \(embedDim))")
        }
        if case .transformer(let width, _, _, let patch, let size) = vision, width <= 0 || patch <= 0 || size <= 0 {
            throw .unsupportedArchitecture(path: path, reason: "vision width \(width), patch \(patch), image size \(size)")
        }
        if case .resnet(_, let width, _, _) = vision, width < 2 || width % 2 != 0 {
            throw .unsupportedArchitecture(path: path, reason: "ResNet stem width \(width) must be even")
        }
        let quickByName = URL(fileURLWithPath: path).lastPathComponent.lowercased().contains("quickgelu")
        activation = override.activation ?? (checkpoint.format == .torchScript || quickByName ? .quickGELU : .gelu)
    }
}
