import ArgumentParser
import Foundation
import SkyPipeline
import SkyStorage
import SkySearch

/// `skycorpus search TEXT --model PATH`: text-to-image retrieval over the corpus's stored image embeddings.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the corpus images closest to a text query (CLIP embeddings stored by 'skycorpus embed').",
        discussion: "Images marked as duplicates by 'skycorpus dedup' are left out unless --include-duplicates is given.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "The query text.")
    var query: String

    @Option(help: "The name the model was registered under by 'embed' (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "Only images of this dataset.")
    var dataset: String?

    @Option(help: "How many images to list.")
    var top = 10

    @Flag(help: "List images marked as duplicates too.")
    var includeDuplicates = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let corpus = try global.openCorpus(.readOnly)
        let modelID = try registeredModel(in: corpus, options: modelOptions, name: name)
        let (model, _) = try modelOptions.load()
        let encoder = try CLIPEncoder(model: model)
        let hits = try CorpusSearch.images(in: corpus, model: modelID, query: encoder.encodeTexts([query]).row(0),
                                           dataset: dataset, top: top, includeDuplicates: includeDuplicates)
        if global.json {
            try Output.json(hits)
        } else {
            for hit in hits { print(String(format: "%.4f  ", hit.score) + hit.path) }
        }
    }
}

/// The id of the model registered for this checkpoint; the checkpoint must be the one that was embedded.
func registeredModel(in corpus: Corpus, options: ModelOptions, name: String?) throws -> Int64 {
    let modelName = name ?? URL(fileURLWithPath: options.model).lastPathComponent
    guard let (id, info) = try corpus.encoder(named: modelName) else {
        throw CommandError("no embeddings for model '\(modelName)' in the corpus; run 'skycorpus embed --model \(options.model)' first")
    }
    let checksum = try Embed.sha256(ofFile: options.model)
    guard checksum == info.checksum else {
        throw CommandError("\(options.model) is not the checkpoint embedded as '\(modelName)' (SHA-256 differs)")
    }
    return id
}
