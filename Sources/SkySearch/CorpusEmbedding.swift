import Foundation
import SkyCLIP
import SkyHashing
import SkyStorage

/// Stores L2-normalised CLIP embeddings of the corpus's images, captions and prompts: the one embedding path of
/// `skycorpus embed` and `skycorpus build`. Each batch is one transaction, so an interrupted run keeps its batches
/// and a re-run embeds only what is missing; an image that cannot be decoded is marked unreadable in its batch.
public struct CorpusEmbedding {
    /// Items per forward pass and per transaction when none is given.
    public static let defaultBatchSize = 16

    /// What a run did.
    public struct Summary: Codable, Sendable, Equatable {
        public var modelId: Int64
        public var name: String
        public var architecture: String
        public var checksum: String
        /// Items embedded now, and in the corpus after the run, by kind ("images", "captions", "prompts").
        public var embedded: [String: Int]
        public var total: [String: Int]
        /// Images that could not be read now (path and reason).
        public var skippedImages: [SkippedImage]
        /// Images not embedded because a step marked them unreadable before this run.
        public var markedUnreadable: Int
    }

    /// An image left out, with the reason.
    public struct SkippedImage: Codable, Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    public var model: CLIPModel
    /// The checkpoint file (its SHA-256 registers the model).
    public var checkpointPath: String
    /// The registered name (default: the checkpoint's file name).
    public var name: String?
    public var kinds: [EmbeddingItemKind]
    public var batchSize: Int
    /// Decode large JPEGs at reduced DCT scale (faster, not bit-exact with open_clip).
    public var fastJPEG: Bool

    public init(model: CLIPModel, checkpointPath: String, name: String? = nil,
                kinds: [EmbeddingItemKind] = EmbeddingItemKind.allCases, batchSize: Int = CorpusEmbedding.defaultBatchSize,
                fastJPEG: Bool = false) {
        self.model = model
        self.checkpointPath = checkpointPath
        self.name = name
        self.kinds = kinds
        self.batchSize = batchSize
        self.fastJPEG = fastJPEG
    }

    /// Embeds what the corpus lacks; `progress(kind, done, total)` after every batch.
    public func run(on corpus: Corpus, progress: (EmbeddingItemKind, Int, Int) -> Void = { _, _, _ in }) throws -> Summary {
        guard batchSize > 0 else { throw CorpusError.invalidRequest("embedding batch size \(batchSize): give at least 1") }
        let info = EncoderModelInfo(name: name ?? URL(fileURLWithPath: checkpointPath).lastPathComponent,
                                    architecture: model.architecture.description,
                                    checksum: try FileDigest.sha256(ofFile: checkpointPath), dimension: model.embedDim)
        let modelID = try corpus.registerEncoder(info)
        let tokenizer = try CLIPTokenizer()
        let preprocessor = CLIPPreprocessor(imageSize: model.architecture.imageSize, reducedJPEGDecode: fastJPEG)
        var embedded: [String: Int] = [:], total: [String: Int] = [:]
        var skipped: [SkippedImage] = []
        let markedUnreadable = kinds.contains(.image) ? try corpus.read { try $0.unreadableImageCount() } : 0
        for kind in kinds {
            let pending = try corpus.pendingEmbeddings(model: modelID, kind: kind)
            var done = 0
            for start in stride(from: 0, to: pending.count, by: batchSize) {
                var batch = Array(pending[start ..< min(start + batchSize, pending.count)])
                let vectors: [[Float]]
                var unreadable: [(id: Int64, reason: String)] = []
                if kind == .image {
                    // An image that cannot be read (missing, an unsupported layout, corrupt) is skipped and listed.
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
                    vectors = try model.encodeTokens(batch.map {
                        tokenizer.tokenize($0.input, contextLength: model.architecture.contextLength)
                    })
                }
                try corpus.storeEmbeddings(model: modelID, kind: kind, zip(batch, vectors).map { ($0.id, $1) },
                                           unreadable: unreadable)
                done += batch.count
                progress(kind, min(pending.count, start + batchSize), pending.count)
            }
            embedded[kind.rawValue + "s"] = done
            total[kind.rawValue + "s"] = try corpus.embeddingCount(model: modelID, kind: kind)
        }
        return Summary(modelId: modelID, name: info.name, architecture: info.architecture, checksum: info.checksum,
                       embedded: embedded, total: total, skippedImages: skipped, markedUnreadable: markedUnreadable)
    }
}
