import ArgumentParser
import Foundation
import SkyCLIP
import SkyPipeline
import SkyStorage
import SkyHashing
import SkySearch

/// `skycorpus embed`: stores normalised CLIP embeddings of images, captions and prompts in the corpus.
struct Embed: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        abstract: "Store L2-normalised CLIP embeddings of images, captions and prompts in the corpus.",
        discussion: """
            The model is registered by name (default: the checkpoint's file name), architecture and SHA-256. \
            Each batch is written in one transaction, so an interrupted run keeps its finished batches and a \
            re-run embeds only what is missing. A different checkpoint under a registered name is refused, and so \
            is another --precision than the name's embeddings were made with (they would be a different set of \
            vectors: register them under another --name). \
            An image that cannot be decoded is listed and marked unreadable in the corpus in its batch's \
            transaction (exports leave it out); later runs skip marked images and count them once.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "What to embed: a comma-separated list of images, captions, prompts.")
    var what = "images,captions,prompts"

    @Option(help: "The name the model is registered under (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "Items per forward pass and per transaction.")
    var batchSize = CorpusEmbedding.defaultBatchSize

    func kinds() throws -> [EmbeddingItemKind] {
        try what.split(separator: ",").map { word in
            let trimmed = word.trimmingCharacters(in: .whitespaces).lowercased()
            let singular = trimmed.hasSuffix("s") ? String(trimmed.dropLast()) : trimmed
            guard let kind = EmbeddingItemKind(rawValue: singular) else {
                throw ValidationError("--what takes images, captions and prompts, not \(word)")
            }
            return kind
        }
    }

    func run() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        let kinds = try kinds()
        let corpus = try global.openCorpus()
        let (model, _) = try modelOptions.load()
        let step = CorpusEmbedding(model: model, checkpointPath: modelOptions.model, name: name, kinds: kinds,
                                   batchSize: batchSize, fastJPEG: modelOptions.fastJpeg)
        var reporters: [EmbeddingItemKind: ProgressReporter] = [:]
        let summary = try step.run(on: corpus) { kind, done, total in
            if reporters[kind] == nil { reporters[kind] = global.progress("embed \(kind.rawValue)s") }
            reporters[kind]?.update(done, total)
        }
        let info = (name: summary.name, architecture: summary.architecture)
        let embedded = summary.embedded, total = summary.total
        let skipped = summary.skippedImages, markedUnreadable = summary.markedUnreadable
        if global.json {
            try Output.json(summary)
        } else {
            let parts = kinds.map { kind -> String in
                let key = kind.rawValue + "s"
                let new = embedded[key] ?? 0, seconds = summary.seconds?[key] ?? 0
                let rate = new > 0 && seconds > 0 ? String(format: ", %.1f/s", Double(new) / seconds) : ""
                return "\(new) new \(key) (\(total[key] ?? 0) in all\(rate))"
            }
            print("\(info.name) [\(info.architecture), \(summary.precision.rawValue)]: " + parts.joined(separator: ", "))
            if let stages = summary.imageStages {
                print(String(format: "images: decode+preprocess %.1f s (on another thread, overlapping), encode %.1f s, "
                             + "store %.1f s, waited for decoding %.1f s", stages.decode, stages.encode, stages.store,
                             stages.waiting))
            }
        }
        if !skipped.isEmpty {
            Output.note("embed: skipped \(skipped.count) images that cannot be read, now marked unreadable (first: \(skipped[0].reason))")
        }
        if markedUnreadable > 0 {
            Output.note("embed: skipped \(markedUnreadable) images marked unreadable earlier ('skycorpus stats' counts them per dataset)")
        }
    }

    /// SHA-256 of a file, read in 4 MiB chunks.
    func hint(for error: Error) -> String? {
        if case EmbeddingStoreError.modelConflict = error { return "pass another --name, or the checkpoint registered under it" }
        if case EmbeddingStoreError.precisionConflict(_, let stored, let given) = error {
            return "pass --precision \(stored) to add to them, or another --name to keep the \(given) embeddings as a separate set"
        }
        return CommandError.generalHint(for: error)
    }
}
