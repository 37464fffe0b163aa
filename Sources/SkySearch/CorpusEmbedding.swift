import Foundation
import SkyCLIP
import SkyConcurrency
import SkyHashing
import SkyStorage

/// Stores L2-normalised CLIP embeddings of the corpus's images, captions and prompts: the one embedding path of
/// `skycorpus embed` and `skycorpus build`. Each batch is one transaction, so an interrupted run keeps its batches
/// and a re-run embeds only what is missing; an image that cannot be decoded is marked unreadable in its batch.
///
/// Images stream: while the encoder runs on one batch, the next batch is read, decoded and preprocessed on another
/// thread, so decoding overlaps compute and memory holds two batches of tensors whatever the corpus size.
public struct CorpusEmbedding {
    /// Items per forward pass and per transaction when none is given.
    public static let defaultBatchSize = 16

    /// What a run did.
    public struct Summary: Codable, Sendable, Equatable {
        public var modelId: Int64
        public var name: String
        public var architecture: String
        public var checksum: String
        /// The arithmetic the embeddings were made with (`embed --precision`), recorded with the model.
        public var precision: Precision
        /// Items embedded now, and in the corpus after the run, by kind ("images", "captions", "prompts").
        public var embedded: [String: Int]
        public var total: [String: Int]
        /// Images that could not be read now (path and reason).
        public var skippedImages: [SkippedImage]
        /// Images not embedded because a step marked them unreadable before this run.
        public var markedUnreadable: Int
        /// Seconds spent per kind (reading, encoding and storing), so throughput is `embedded / seconds`.
        public var seconds: [String: Double]?
        /// Where the images' seconds went (nil when no images were embedded).
        public var imageStages: ImageStageSeconds?
    }

    /// The images' time split. Decoding runs on another thread while the encoder runs, so `decode` overlaps
    /// `encode`; `waiting` is the part of it the encoder did not hide (the encoding thread waited for a batch).
    public struct ImageStageSeconds: Codable, Sendable, Equatable {
        /// Reading, decoding and preprocessing the images into tensors (on the prefetch thread).
        public var decode: Double = 0
        /// The image tower.
        public var encode: Double = 0
        /// Writing each batch's embeddings (one transaction per batch).
        public var store: Double = 0
        /// Waiting for the next decoded batch.
        public var waiting: Double = 0
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
                                    checksum: try FileDigest.sha256(ofFile: checkpointPath), dimension: model.embedDim,
                                    precision: model.precision.rawValue)
        // A model's embeddings are of one precision: another one than it holds is refused before anything is encoded.
        let modelID = try corpus.registerEmbeddingModel(info)
        let tokenizer = try CLIPTokenizer()
        let preprocessor = CLIPPreprocessor(imageSize: model.architecture.imageSize, reducedJPEGDecode: fastJPEG)
        var embedded: [String: Int] = [:], total: [String: Int] = [:]
        var skipped: [SkippedImage] = []
        let markedUnreadable = kinds.contains(.image) ? try corpus.read { try $0.unreadableImageCount() } : 0
        var seconds: [String: Double] = [:]
        var stages: ImageStageSeconds?
        for kind in kinds {
            let started = Date()
            let pending = try corpus.pendingEmbeddings(model: modelID, kind: kind)
            let batches = stride(from: 0, to: pending.count, by: batchSize).map {
                Array(pending[$0 ..< min($0 + batchSize, pending.count)])
            }
            var done = 0, seen = 0
            if kind == .image {
                // Batch i + 1 is decoded on another thread while batch i is encoded.
                var split = ImageStageSeconds()
                var next = batches.first.map { batch in Prefetch { Self.prepare(batch, with: preprocessor) } }
                for index in batches.indices {
                    let waitStart = Date()
                    guard let prepared = next?.wait() else { break }
                    split.waiting += Date().timeIntervalSince(waitStart)
                    split.decode += prepared.seconds
                    next = index + 1 < batches.count
                        ? Prefetch { [batch = batches[index + 1]] in Self.prepare(batch, with: preprocessor) } : nil
                    skipped += prepared.skipped
                    let encodeStart = Date()
                    let vectors = prepared.items.isEmpty
                        ? [] : try model.encodeImages(prepared.pixels, count: prepared.items.count)
                    let storeStart = Date()
                    split.encode += storeStart.timeIntervalSince(encodeStart)
                    try corpus.storeEmbeddings(model: modelID, kind: kind, zip(prepared.items, vectors).map { ($0.id, $1) },
                                               unreadable: prepared.unreadable, precision: info.precision)
                    split.store += Date().timeIntervalSince(storeStart)
                    done += prepared.items.count
                    seen += batches[index].count
                    progress(kind, seen, pending.count)
                }
                if !batches.isEmpty { stages = split }
            } else {
                for batch in batches {
                    let vectors = try model.encodeTokens(batch.map {
                        tokenizer.tokenize($0.input, contextLength: model.architecture.contextLength)
                    })
                    try corpus.storeEmbeddings(model: modelID, kind: kind, zip(batch, vectors).map { ($0.id, $1) },
                                               unreadable: [], precision: info.precision)
                    done += batch.count
                    seen += batch.count
                    progress(kind, seen, pending.count)
                }
            }
            embedded[kind.rawValue + "s"] = done
            total[kind.rawValue + "s"] = try corpus.embeddingCount(model: modelID, kind: kind)
            seconds[kind.rawValue + "s"] = Date().timeIntervalSince(started)
        }
        return Summary(modelId: modelID, name: info.name, architecture: info.architecture, checksum: info.checksum,
                       precision: model.precision, embedded: embedded, total: total, skippedImages: skipped, markedUnreadable: markedUnreadable,
                       seconds: seconds, imageStages: stages)
    }

    /// One batch of images read and preprocessed: the readable ones with their tensors (one after the other), and
    /// the ones that cannot be read.
    struct PreparedImages: Sendable {
        var items: [PendingEmbeddingItem] = []
        var pixels: [Float] = []
        var skipped: [SkippedImage] = []
        var unreadable: [(id: Int64, reason: String)] = []
        /// Wall seconds the batch took to read and preprocess.
        var seconds: Double = 0
    }

    /// Reads and preprocesses a batch. An image that cannot be read (missing, an unsupported layout, corrupt) is
    /// skipped and listed; only files that exist are marked unreadable (a missing file may be an unmounted drive).
    static func prepare(_ batch: [PendingEmbeddingItem], with preprocessor: CLIPPreprocessor) -> PreparedImages {
        var prepared = PreparedImages()
        let started = Date()
        for item in batch {
            do {
                prepared.pixels += try preprocessor.tensor(file: item.input)
                prepared.items.append(item)
            } catch {
                prepared.skipped.append(SkippedImage(path: item.input, reason: "\(error)"))
                if FileManager.default.fileExists(atPath: item.input) {
                    prepared.unreadable.append((item.id, "\(error)"))
                }
            }
        }
        prepared.seconds = Date().timeIntervalSince(started)
        return prepared
    }
}

/// A value computed on another thread; `wait()` blocks until it is ready.
final class Prefetch<Value: Sendable>: Sendable {
    private let slot = Locked<Value?>(nil)
    private let group = DispatchGroup()

    /// Starts `work` on a global queue.
    init(_ work: @escaping @Sendable () -> Value) {
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async { [slot, group] in
            let value = work()
            slot.withLock { $0 = value }
            group.leave()
        }
    }

    /// The value, once computed.
    func wait() -> Value {
        group.wait()
        return slot.value!
    }
}
