import ArgumentParser
import Foundation
import SkyCLIP

/// How a checkpoint is read and run, shared by every command that loads a model.
struct EncoderFlags: ParsableArguments {
    @Option(help: "MLP activation: gelu or quickgelu. Default: quickgelu for OpenAI TorchScript archives and files named *quickgelu*, gelu for other state dicts (RemoteCLIP, open_clip ViT-B-32/RN50/ViT-L-14 configs).")
    var activation: Activation?

    @Option(help: "Vision heads, when the width is not 64 per head.")
    var visionHeads: Int?

    @Option(help: "Text heads, when the width is not 64 per head.")
    var textHeads: Int?

    @Option(help: "OpenBLAS threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Decode large JPEGs at reduced DCT scale before resizing (faster, not bit-exact with open_clip).")
    var fastJpeg = false

    @Option(help: "Arithmetic of the weight products: fp32, or bf16 on CPUs with AVX512-BF16 (faster, embeddings within cosine 0.999 of fp32; an error elsewhere).")
    var precision: Precision = .defaultValue

    func override() throws -> CLIPArchitecture.Override {
        var override = CLIPArchitecture.Override(visionHeads: visionHeads, textHeads: textHeads)
        if let activation { override.activation = activation }
        return override
    }

    /// The model of the checkpoint at `path`, with these settings.
    func load(_ path: String) throws -> (CLIPModel, Checkpoint) {
        if let threads { CLIPModel.setThreads(threads) }
        let checkpoint = try Checkpoint(path: path)
        return (try CLIPModel(checkpoint: checkpoint, override: try override(), precision: precision), checkpoint)
    }
}

/// Model options shared by `encode`, `embed`, `search` and `zero-shot`: a checkpoint, required, and its flags.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A CLIP checkpoint: .safetensors, open_clip/RemoteCLIP .pt or .bin, OpenAI TorchScript .pt.",
                               valueName: "path"))
    var model: String

    @OptionGroup var flags: EncoderFlags

    var fastJpeg: Bool { flags.fastJpeg }

    func load() throws -> (CLIPModel, Checkpoint) { try flags.load(model) }
}

/// `skycorpus encode`: embeddings of images or texts, printed.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print CLIP embeddings of images or texts (L2-normalised unless --raw).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("image"), help: "An image file (repeatable).")
    var images: [String] = []

    @Option(name: .customLong("text"), help: "A text (repeatable).")
    var texts: [String] = []

    @Option(help: "Items per forward pass.")
    var batchSize = 16

    @Flag(help: "Print the projections as the model outputs them, not normalised.")
    var raw = false

    struct Item: Encodable {
        var input: String
        var embedding: [Float]
    }

    struct Result: Encodable {
        var model: String
        var architecture: String
        var dimension: Int
        var logitScale: Float
        var items: [Item]
    }

    func validate() throws {
        guard images.isEmpty != texts.isEmpty else { throw ValidationError("give either --image or --text, not both or neither") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        let (model, _) = try modelOptions.load()
        var items: [Item] = []
        let progress = global.progress("encode")
        if !images.isEmpty {
            let preprocessor = CLIPPreprocessor(imageSize: model.architecture.imageSize, reducedJPEGDecode: modelOptions.fastJpeg)
            for start in stride(from: 0, to: images.count, by: batchSize) {
                let batch = Array(images[start ..< min(start + batchSize, images.count)])
                var pixels: [Float] = []
                for path in batch { pixels += try preprocessor.tensor(file: path) }
                let vectors = try model.encodeImages(pixels, count: batch.count)
                items += zip(batch, vectors).map { Item(input: $0, embedding: raw ? $1 : l2Normalized($1)) }
                progress.update(items.count, images.count)
            }
        } else {
            let tokenizer = try CLIPTokenizer()
            for start in stride(from: 0, to: texts.count, by: batchSize) {
                let batch = Array(texts[start ..< min(start + batchSize, texts.count)])
                let vectors = try model.encodeTokens(batch.map { tokenizer.tokenize($0, contextLength: model.architecture.contextLength) })
                items += zip(batch, vectors).map { Item(input: $0, embedding: raw ? $1 : l2Normalized($1)) }
                progress.update(items.count, texts.count)
            }
        }
        let result = Result(model: modelOptions.model, architecture: model.architecture.description,
                            dimension: model.embedDim, logitScale: model.logitScale, items: items)
        if global.json {
            try Output.json(result)
        } else {
            print("\(result.architecture), dimension \(result.dimension)")
            for item in items {
                let head = item.embedding.prefix(4).map { String(format: "%.5f", $0) }.joined(separator: " ")
                print("\(item.input): [\(head) ...]")
            }
        }
    }
}
