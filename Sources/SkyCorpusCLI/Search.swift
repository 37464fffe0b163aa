import ArgumentParser
import Foundation
import SkyPipeline
import SkyStorage
import SkyIndex
import SkySearch

/// `skycorpus search`: text -> images, image -> images and image -> captions over the corpus's stored embeddings,
/// through the same index code the server uses.
struct Search: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        abstract: "Find the corpus images (or captions) closest to a text or an image (embeddings from 'skycorpus embed').",
        discussion: "Give a query text, or --image PATH (an image file) or --image-id ID (a corpus image). --captions "
            + "lists the closest stored captions instead of images. Images marked as duplicates by 'skycorpus dedup' "
            + "are left out unless --include-duplicates. With an index saved by 'skycorpus index build' the search "
            + "goes through it (checked against the stored embeddings), else it is exact; --exact forces exact.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "The query text.")
    var query: String?

    @Option(help: ArgumentHelp("Search with this image file instead of a text.", valueName: "path"))
    var image: String?

    @Option(help: ArgumentHelp("Search with this corpus image (its stored embedding) instead of a text.", valueName: "id"))
    var imageId: Int64?

    @Flag(help: "List the closest stored captions (needs caption embeddings: 'embed --captions').")
    var captions = false

    @Option(help: "The name the model was registered under by 'embed' (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "Only images of this dataset.")
    var dataset: String?

    @Option(help: "Only images of this split.")
    var split: String?

    @Option(name: .customLong("class"), help: "Only images having an object of this class.")
    var className: String?

    @Option(help: "Only images with a caption of this source (with --captions: only captions of it).")
    var source: CaptionSource?

    @Option(help: "How many results to list.")
    var top = SearchLimits.defaultTop

    @Flag(help: "List images marked as duplicates too.")
    var includeDuplicates = false

    @Flag(help: "Search exactly even when a saved index exists.")
    var exact = false

    @Option(help: ArgumentHelp("The HNSW search beam when the saved index is used (larger: higher recall, slower; "
                               + "default \(ApproximateIndex.defaultEfSearch), \(ApproximateIndex.largeGraphEfSearch) from \(ApproximateIndex.largeGraphCount) vectors).", valueName: "n"))
    var ef: Int?

    func validate() throws {
        guard SearchLimits.topRange.contains(top) else {
            throw ValidationError("--top \(top): give \(SearchLimits.topRange.lowerBound) to \(SearchLimits.topRange.upperBound)")
        }
        if let ef, !ApproximateIndex.efSearchRange.contains(ef) {
            throw ValidationError("--ef \(ef): give \(ApproximateIndex.efSearchRange.lowerBound) to \(ApproximateIndex.efSearchRange.upperBound)")
        }
        let queries = [query != nil, image != nil, imageId != nil].filter { $0 }.count
        guard queries == 1 else { throw ValidationError("give exactly one query: a text, --image PATH or --image-id ID") }
        if captions && query != nil { throw ValidationError("--captions searches with an image: give --image or --image-id") }
    }

    func run() throws {
        let corpus = try global.openCorpus(.readOnly)
        let (model, _) = try modelOptions.load()
        let engine = try SearchEngine(corpus: corpus, encoder: CLIPEncoder(model: model, reducedJPEGDecode: modelOptions.fastJpeg),
                                      modelPath: modelOptions.model, name: name, mode: exact ? .exact : .auto,
                                      efSearch: ef)
        if let note = engine.precisionNote, !global.quiet { Output.note("search: " + note) }
        let filter = SearchFilter(dataset: dataset, split: split, className: className, captionSource: source,
                                  includeDuplicates: includeDuplicates)
        if captions {
            let hits = if let image { try engine.imageToCaptions(file: image, k: top, filter: filter) }
                       else { try engine.imageToCaptions(imageId: imageId!, k: top, filter: filter) }
            if global.json { return try Output.json(hits) }
            for hit in hits { print(String(format: "%.4f  ", hit.score) + "\(hit.imageId)  [\(hit.source.rawValue)] \(hit.text)") }
            return
        }
        let hits = if let image { try engine.imageToImages(file: image, k: top, filter: filter) }
                   else if let imageId { try engine.imageToImages(imageId: imageId, k: top, filter: filter) }
                   else { try engine.textToImages(query!, k: top, filter: filter) }
        if global.json { return try Output.json(hits) }
        for hit in hits { print(String(format: "%.4f  ", hit.score) + hit.path) }
    }

    func hint(for error: Error) -> String? {
        if let error = error as? SearchError, "\(error)".contains("index build") { return "or pass --exact" }
        return CommandError.generalHint(for: error)
    }
}

/// The id of the model registered for this checkpoint; the checkpoint must be the one that was embedded.
func registeredModel(in corpus: Corpus, options: ModelOptions, name: String?) throws -> Int64 {
    try SearchEngine.registeredModel(in: corpus, modelPath: options.model,
                                     name: name ?? URL(fileURLWithPath: options.model).lastPathComponent).id
}
