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

    /// A dedup step; the hasher defaults to imagehash phash in exact mode, the hash the corpus stores.
    public init(threshold: Int = Deduplication.defaultThreshold, protected: [ProtectedSplit] = [],
                hasher: PerceptualHasher = PerceptualHasher(kind: .phash, mode: .exact), retryUnreadable: Bool = false) {
        self.threshold = threshold
        self.protected = protected
        self.hasher = hasher
        self.retryUnreadable = retryUnreadable
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
        /// Hamming distance between the two hashes.
        public var distance: Int
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
        var images = try corpus.read { try $0.hashedImages() }
        try checkProtected(images, corpus: corpus)
        // Hash what lacks a hash, outside the transaction (files only; the corpus is not touched yet). Images marked
        // unreadable are skipped unless retried: a truncated file stays truncated until someone replaces it.
        let skippedUnreadable = images.filter { $0.phash == nil && $0.unreadable != nil && !retryUnreadable }
            .map { ImageRegistration.SkippedFile(path: $0.label, reason: $0.unreadable ?? "") }
        let missing = images.indices.filter {
            images[$0].phash == nil && (images[$0].unreadable == nil || retryUnreadable)
        }
        let results = hasher.hash(files: missing.map { images[$0].filePath }, progress: progress)
        var newHashes: [(id: Int64, hash: Hash64)] = []
        var failed: [ImageRegistration.SkippedFile] = []
        var unreadable: [(id: Int64, reason: String?)] = []
        for (position, result) in zip(missing, results) {
            switch result {
            case .success(let hash):
                images[position].phash = Int64(bitPattern: hash.bits)
                newHashes.append((images[position].id, hash))
            case .failure(let error):
                failed.append(.init(path: images[position].label, reason: "\(error)"))
                // A missing file (an unmounted drive) is not a broken one: only files that exist are marked.
                if FileManager.default.fileExists(atPath: images[position].filePath) {
                    unreadable.append((images[position].id, "\(error)"))
                }
            }
        }
        let hashed = images.filter { $0.phash != nil }
        let changePairs = try corpus.read { try $0.changePairImages() }.map { [$0.before, $0.after].sorted() }
        let plan = DedupPlan(images: hashed, threshold: threshold, protected: Set(protected), unlinked: Set(changePairs))
        try corpus.write { transaction in
            try transaction.storeHashes(newHashes.map { ($0.id, Int64(bitPattern: $0.hash.bits)) })
            try transaction.markUnreadable(unreadable)
            try transaction.replaceDuplicateMarks(plan.removals.map { ($0.keptId, $0.removedId) })
        }
        let summary = Summary(
            images: images.count, hashed: newHashes.count,
            alreadyHashed: images.count - missing.count - skippedUnreadable.count,
            failed: failed, skippedUnreadable: skippedUnreadable, pairs: plan.pairCount, groups: plan.groupCount, duplicates: plan.removals.count,
            leaked: plan.removals.filter { $0.kind == .leakage }.count)
        return Outcome(summary: summary, removals: plan.removals)
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
