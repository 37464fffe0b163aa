import ArgumentParser
import Foundation
import SkyIndex
import SkySearch
import SkyStorage

/// `skycorpus index`: the approximate (HNSW) index over a model's stored image embeddings.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build the approximate (HNSW) index that 'search' and 'serve' use for large corpora.",
        subcommands: [IndexBuild.self])
}

/// `skycorpus index build --model PATH`: builds and saves the HNSW graph beside the corpus.
struct IndexBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the HNSW index of a model's image embeddings and save it beside the corpus (CORPUS.index/).",
        discussion: "The index records a hash of the embeddings it was built from; 'search' and 'serve' refuse it "
            + "once the embeddings change (run this again). Exact search needs no index and is fast up to a few "
            + "hundred thousand images; the index answers in about a millisecond at millions.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The checkpoint the corpus was embedded with.", valueName: "path"))
    var model: String

    @Option(help: "The name the model was registered under by 'embed' (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "HNSW links per node (M).")
    var links = HNSWParameters().m

    @Option(help: "HNSW build beam (efConstruction).")
    var efConstruction = HNSWParameters().efConstruction

    func run() throws {
        let corpus = try global.openCorpus(.readOnly)
        let modelName = name ?? URL(fileURLWithPath: model).lastPathComponent
        let registered = try SearchEngine.registeredModel(in: corpus, modelPath: model, name: modelName)
        let file = CorpusIndex.indexFile(corpusPath: corpus.path, modelName: modelName)
        let started = Date()
        let reporter = global.progress("index build")
        let count = try CorpusIndex.build(corpus: corpus, model: registered.id, file: file,
                                          parameters: HNSWParameters(m: links, efConstruction: efConstruction),
                                          progress: { reporter.update($0, $1) })
        let seconds = Date().timeIntervalSince(started)
        if global.json {
            struct Summary: Encodable { var index: String; var images: Int; var precision: String; var seconds: Double }
            return try Output.json(Summary(index: file.path, images: count, precision: registered.info.precision, seconds: seconds))
        }
        print("index: \(count) image embeddings of '\(modelName)' (\(registered.info.precision)) in \(String(format: "%.1f", seconds)) s -> \(file.path)")
    }
}
