import ArgumentParser
import Foundation
import SkyCLIP
import SkyPipeline
import SkyStorage
import SkyHashing

/// `skycorpus embed`: stores normalised CLIP embeddings of images, captions and prompts in the corpus.
struct Embed: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        abstract: "Store L2-normalised CLIP embeddings of images, captions and prompts in the corpus.",
        discussion: """
            The model is registered by name (default: the checkpoint's file name), architecture and SHA-256. \
            Each batch is written in one transaction, so an interrupted run keeps its finished batches and a \
            re-run embeds only what is missing. A different checkpoint under a registered name is refused. \
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
    var batchSize = 16

    struct Summary: Encodable {
        var modelId: Int64
        var name: String
        var architecture: String
        var checksum: String
        var embedded: [String: Int]
        var total: [String: Int]
        var skippedImages: [SkippedImage]
        /// Images not embedded because a step marked them unreadable before this run.
        var markedUnreadable: Int
    }

    struct SkippedImage: Encodable {
        var path: String
        var reason: String
    }

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
        let info = EncoderModelInfo(name: name ?? URL(fileURLWithPath: modelOptions.model).lastPathComponent,
                                    architecture: model.architecture.description,
                                    checksum: try FileDigest.sha256(ofFile: modelOptions.model), dimension: model.embedDim)
        let modelID = try corpus.registerEncoder(info)
        let tokenizer = try CLIPTokenizer()
        let preprocessor = CLIPPreprocessor(imageSize: model.architecture.imageSize, reducedJPEGDecode: modelOptions.fastJpeg)
        var embedded: [String: Int] = [:], total: [String: Int] = [:]
        var skipped: [SkippedImage] = []
        let markedUnreadable = kinds.contains(.image) ? try corpus.read { try $0.unreadableImageCount() } : 0
        for kind in kinds {
            let pending = try corpus.pendingEmbeddings(model: modelID, kind: kind)
            let progress = global.progress("embed \(kind.rawValue)s")
            var done = 0
            for start in stride(from: 0, to: pending.count, by: batchSize) {
                var batch = Array(pending[start ..< min(start + batchSize, pending.count)])
                let vectors: [[Float]]
                var unreadable: [(id: Int64, reason: String)] = []
                if kind == .image {
                    // An image that cannot be read (missing, an unsupported TIFF or BMP layout, corrupt) is skipped and listed, not fatal.
                    var pixels: [Float] = []
                    var readable: [PendingEmbeddingItem] = []
                    for item in batch {
                        do {
                            pixels += try preprocessor.tensor(file: item.input)
                            readable.append(item)
                        } catch {
                            skipped.append(SkippedImage(path: item.input, reason: "\(error)"))
                            // A missing file (an unmounted drive) is not a broken one: only files that exist are marked.
                            if FileManager.default.fileExists(atPath: item.input) { unreadable.append((item.id, "\(error)")) }
                        }
                    }
                    batch = readable
                    vectors = batch.isEmpty ? [] : try model.encodeImages(pixels, count: batch.count)
                } else {
                    vectors = try model.encodeTokens(batch.map { tokenizer.tokenize($0.input, contextLength: model.architecture.contextLength) })
                }
                try corpus.storeEmbeddings(model: modelID, kind: kind, zip(batch, vectors).map { ($0.id, $1) },
                                           unreadable: unreadable)
                done += batch.count
                progress.update(min(pending.count, start + batchSize), pending.count)
            }
            embedded[kind.rawValue + "s"] = done
            total[kind.rawValue + "s"] = try corpus.embeddingCount(model: modelID, kind: kind)
        }
        let summary = Summary(modelId: modelID, name: info.name, architecture: info.architecture, checksum: info.checksum,
                              embedded: embedded, total: total, skippedImages: skipped,
                              markedUnreadable: markedUnreadable)
        if global.json {
            try Output.json(summary)
        } else {
            let parts = kinds.map { "\(embedded[$0.rawValue + "s"] ?? 0) new \($0.rawValue)s (\(total[$0.rawValue + "s"] ?? 0) in all)" }
            print("\(info.name) [\(info.architecture)]: " + parts.joined(separator: ", "))
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
        return CommandError.generalHint(for: error)
    }
}
