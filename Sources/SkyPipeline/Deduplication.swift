import Foundation
import SkyStorage
import SkyHashing
import SkyImaging

/// A dataset split whose images must stay and must not leak into training data (a benchmark test set).
public struct ProtectedSplit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The dataset name.
    public var dataset: String
    /// The split name (test, val, ...).
    public var split: String

    /// A protected split of a dataset.
    public init(dataset: String, split: String) {
        self.dataset = dataset
        self.split = split
    }

    /// Parses `DATASET:SPLIT` (the split is after the last colon).
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            throw CorpusError.invalidRequest("'\(text)': give a protected split as DATASET:SPLIT, for example RSICD:test")
        }
        dataset = String(text[..<colon])
        split = String(text[text.index(after: colon)...])
    }

    public var description: String { "\(dataset):\(split)" }
}

/// The dedup step: hashes what the corpus lacks (imagehash phash, exact mode), finds every pair within
/// the threshold, groups them, keeps one image per group and points the others' `duplicate_of` at it.
///
/// The keeper of a group is, in order: an image of a protected split, the dataset of higher priority,
/// the smaller path, the smaller dataset name, the smaller id. Images of protected splits are never
/// marked. Hashing happens before the transaction; every write (new hashes, all `duplicate_of`) is one
/// transaction, and a re-run hashes only images added since and gives the same marks.
public struct Deduplication: Sendable {
    /// RemoteCLIP's threshold: images within 2 bits are duplicates.
    public static let defaultThreshold = 2
    /// The thresholds a 64-bit hash allows.
    public static let thresholdRange = 0...64

    /// Bits within which two images are duplicates.
    public var threshold: Int
    /// Splits whose images are kept and whose near-duplicates in other splits are reported as leakage.
    public var protected: [ProtectedSplit]
    /// The hasher for images without a stored hash.
    public var hasher: PerceptualHasher
    /// Whether images marked unreadable by an earlier step are hashed again (their mark is cleared when they
    /// decode now); by default they are skipped and listed in ``Summary/skippedUnreadable``.
    public var retryUnreadable = false
    /// What links two images: p-Hashes (the default), embeddings, or both.
    public var criterion: DedupCriterion = .phash
    /// The model and cosine for `criterion` embedding or both.
    public var embedding: EmbeddingCriterion?

    /// A dedup step; the hasher defaults to imagehash phash in exact mode, the hash the corpus stores.
    public init(threshold: Int = Deduplication.defaultThreshold, protected: [ProtectedSplit] = [],
                hasher: PerceptualHasher = PerceptualHasher(kind: .phash, mode: .exact), retryUnreadable: Bool = false,
                criterion: DedupCriterion = .phash, embedding: EmbeddingCriterion? = nil) {
        self.threshold = threshold
        self.protected = protected
        self.hasher = hasher
        self.retryUnreadable = retryUnreadable
        self.criterion = criterion
        self.embedding = embedding
    }

    /// What a run did.
    public struct Summary: Codable, Sendable, Equatable {
        /// Images in the corpus.
        public var images: Int
        /// Images hashed by this run.
        public var hashed: Int
        /// Images whose hash was already stored.
        public var alreadyHashed: Int
        /// Images that could not be read or decoded by this run, with the reason; they are marked unreadable in the
        /// corpus and take no part in the grouping.
        public var failed: [ImageRegistration.SkippedFile]
        /// Images not hashed because an earlier step marked them unreadable, with the stored reason.
        public var skippedUnreadable: [ImageRegistration.SkippedFile] = []
        /// Pairs within the threshold.
        public var pairs: Int
        /// Duplicate groups (connected components of the pairs).
        public var groups: Int
        /// Images marked `duplicate_of` another.
        public var duplicates: Int
        /// Of those, images within the threshold of a protected image.
        public var leaked: Int
        /// What linked the images.
        public var criterion: DedupCriterion = .phash
        /// Images with a stored embedding of the model (criterion embedding or both).
        public var embedded: Int = 0
    }

    /// One removed image: which image it duplicates and at what distance.
    public struct Removal: Codable, Sendable, Equatable {
        /// `leakage` when the removed image is within the threshold of a protected image, else `duplicate`.
        public var kind: DuplicateKind
        /// The image kept (`image.id`).
        public var keptId: Int64
        /// The image kept, as `dataset:path`.
        public var kept: String
        /// The image marked (`image.id`).
        public var removedId: Int64
        /// The image marked, as `dataset:path`.
        public var removed: String
        /// Hamming distance between the two hashes (nil when one of them has no hash).
        public var distance: Int?
        /// Cosine similarity of the two embeddings (dedup by embedding or both; nil when one has no embedding).
        public var cosine: Float?
    }

    /// The outcome: the summary and every removal, ordered by kept then removed image.
    public struct Outcome: Sendable {
        /// Counts and failures.
        public var summary: Summary
        /// Every marked image with the image it duplicates.
        public var removals: [Removal]
    }

    /// Runs the step on `corpus`; `progress(done, total)` reports hashing.
    public func run(in corpus: Corpus, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        guard Self.thresholdRange.contains(threshold) else {
            throw CorpusError.invalidRequest("dedup threshold \(threshold): give a Hamming distance from "
                + "\(Self.thresholdRange.lowerBound) to \(Self.thresholdRange.upperBound)")
        }
        if criterion.usesEmbeddings && embedding == nil {
            throw CorpusError.invalidRequest("dedup by \(criterion.rawValue) needs the embedding model and its minimum cosine")
        }
        var images = try corpus.read { try $0.hashedImages() }
        try checkProtected(images, corpus: corpus)
        var hashing = HashingOutcome()
        if criterion.usesHashes { hashing = hashMissing(&images, progress: progress) }
        var pairs: [Pair: DedupPair] = [:]
        if criterion.usesHashes {
            let hashed = images.indices.filter { images[$0].phash != nil }
            let bits = hashed.map { UInt64(bitPattern: images[$0].phash!) }
            for pair in NearDuplicateIndex(bits: bits).pairs(within: threshold) {
                let key = Pair(hashed[pair.first], hashed[pair.second])
                pairs[key] = DedupPair(first: key.first, second: key.second, hamming: pair.distance)
            }
        }
        var vectors = StoredVectors(ids: [], values: [], dimension: 0)
        var rowOfImage: [Int: Int] = [:]
        if criterion.usesEmbeddings, let embedding {
            let found = try embedding.pairs(in: corpus)
            vectors = found.vectors
            let indexOfId = Dictionary(uniqueKeysWithValues: images.indices.map { (images[$0].id, $0) })
            for (row, id) in vectors.ids.enumerated() { if let index = indexOfId[id] { rowOfImage[index] = row } }
            for pair in found.pairs {
                guard let a = indexOfId[pair.firstID], let b = indexOfId[pair.secondID] else { continue }
                let key = Pair(a, b)
                pairs[key, default: DedupPair(first: key.first, second: key.second)].cosine = pair.score
            }
        }
        let measure: (Int, Int) -> (hamming: Int?, cosine: Float?) = { a, b in
            var hamming: Int? = nil
            if let left = images[a].phash, let right = images[b].phash { hamming = (left ^ right).nonzeroBitCount }
            var cosine: Float? = nil
            if let left = rowOfImage[a], let right = rowOfImage[b] {
                let d = vectors.dimension
                cosine = (0..<d).reduce(Float(0)) { $0 + vectors.values[left * d + $1] * vectors.values[right * d + $1] }
            }
            return (hamming, cosine)
        }
        let changePairs = try corpus.read { try $0.changePairImages() }.map { [$0.before, $0.after].sorted() }
        let ordered = pairs.values.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
        let plan = DedupPlan(images: images, pairs: ordered, protected: Set(protected), unlinked: Set(changePairs),
                             measure: measure)
        try corpus.write { transaction in
            try transaction.storeHashes(hashing.newHashes)
            try transaction.markUnreadable(hashing.unreadable)
            try transaction.replaceDuplicateMarks(plan.removals.map { ($0.keptId, $0.removedId) })
        }
        var summary = Summary(
            images: images.count, hashed: hashing.newHashes.count,
            alreadyHashed: criterion.usesHashes ? images.count - hashing.attempted - hashing.skippedUnreadable.count : 0,
            failed: hashing.failed, skippedUnreadable: hashing.skippedUnreadable, pairs: plan.pairCount,
            groups: plan.groupCount, duplicates: plan.removals.count,
            leaked: plan.removals.filter { $0.kind == .leakage }.count)
        summary.criterion = criterion
        summary.embedded = rowOfImage.count
        return Outcome(summary: summary, removals: plan.removals)
    }

    /// What ``storeHashes(in:progress:)`` did.
    public struct HashSummary: Codable, Sendable, Equatable {
        /// Images in the corpus, images hashed now, images whose hash was already stored.
        public var images: Int
        public var hashed: Int
        public var alreadyHashed: Int
        /// Images that could not be decoded now (marked unreadable), and images marked unreadable earlier.
        public var failed: [ImageRegistration.SkippedFile]
        public var skippedUnreadable: [ImageRegistration.SkippedFile]
    }

    /// The hashing half of ``run(in:progress:)`` alone: hashes the images that lack a p-Hash and stores the hashes
    /// and unreadable marks in one transaction, marking no duplicate. What a shard of a build does, so that dedup
    /// after the merge groups the whole corpus without decoding an image again.
    public func storeHashes(in corpus: Corpus, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws
        -> HashSummary {
        var images = try corpus.read { try $0.hashedImages() }
        let hashing = hashMissing(&images, progress: progress)
        try corpus.write { transaction in
            try transaction.storeHashes(hashing.newHashes)
            try transaction.markUnreadable(hashing.unreadable)
        }
        return HashSummary(images: images.count, hashed: hashing.newHashes.count,
                           alreadyHashed: images.count - hashing.attempted - hashing.skippedUnreadable.count,
                           failed: hashing.failed, skippedUnreadable: hashing.skippedUnreadable)
    }

    /// An unordered pair of image indices, smaller first.
    struct Pair: Hashable {
        var first: Int
        var second: Int
        init(_ a: Int, _ b: Int) { (first, second) = a < b ? (a, b) : (b, a) }
    }

    struct HashingOutcome {
        var newHashes: [(id: Int64, phash: Int64)] = []
        var failed: [ImageRegistration.SkippedFile] = []
        var unreadable: [(id: Int64, reason: String?)] = []
        var skippedUnreadable: [ImageRegistration.SkippedFile] = []
        var attempted = 0
    }

    /// Hashes what lacks a hash, outside the transaction (files only; the corpus is not touched yet). Images marked
    /// unreadable are skipped unless retried: a truncated file stays truncated until someone replaces it.
    private func hashMissing(_ images: inout [DedupImage], progress: @escaping @Sendable (Int, Int) -> Void) -> HashingOutcome {
        var outcome = HashingOutcome()
        outcome.skippedUnreadable = images.filter { $0.phash == nil && $0.unreadable != nil && !retryUnreadable }
            .map { ImageRegistration.SkippedFile(path: $0.label, reason: $0.unreadable ?? "") }
        let missing = images.indices.filter {
            images[$0].phash == nil && (images[$0].unreadable == nil || retryUnreadable)
        }
        outcome.attempted = missing.count
        let results = hasher.hash(files: missing.map { images[$0].filePath }, progress: progress)
        for (position, result) in zip(missing, results) {
            switch result {
            case .success(let hash):
                images[position].phash = Int64(bitPattern: hash.bits)
                outcome.newHashes.append((images[position].id, Int64(bitPattern: hash.bits)))
            case .failure(let error):
                outcome.failed.append(.init(path: images[position].label, reason: "\(error)"))
                // A missing file (an unmounted drive) is not a broken one: only files that exist are marked.
                if FileManager.default.fileExists(atPath: images[position].filePath) {
                    outcome.unreadable.append((images[position].id, "\(error)"))
                }
            }
        }
        return outcome
    }

    /// Every protected dataset must exist and its split must hold images, or the request is a typo.
    private func checkProtected(_ images: [DedupImage], corpus: Corpus) throws {
        for split in protected {
            _ = try corpus.read { try $0.requireDataset(split.dataset) }
            if !images.contains(where: { $0.dataset == split.dataset && $0.split == split.split }) {
                throw CorpusError.invalidRequest(
                    "protected split \(split): dataset '\(split.dataset)' has no images in split '\(split.split)'; "
                        + "'skycorpus stats' lists the splits")
            }
        }
    }
}

/// An image as dedup sees it.
typealias DedupImage = HashedImageRow
