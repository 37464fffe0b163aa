import SkyDatasets
import SkyHashing

/// One of N disjoint parts of a corpus's images (`skycorpus build --shard K/N`): an image belongs to shard
/// `SHA-256(dataset name, NUL, relative path) mod N`, plus one. The key depends on nothing but the dataset and the
/// path, so shards never overlap, their union is the whole, and the same image lands in the same shard on any machine.
public struct ImageShard: Sendable, Hashable, Codable, CustomStringConvertible {
    /// K, 1-based.
    public var index: Int
    /// N.
    public var count: Int

    /// Shard `index` of `count`; an error unless 1 <= index <= count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else {
            throw PipelineError.badShard("\(index)/\(count): give K/N with 1 <= K <= N")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw PipelineError.badShard("'\(text)': give the shard as K/N, for example 3/8")
        }
        try self.init(index: k, count: n)
    }

    /// The 1-based shard of an image.
    public static func of(dataset: String, path: String, count: Int) -> Int {
        var digest = SHA256()
        digest.update(Array(dataset.utf8) + [0] + Array(path.utf8))
        // The first 8 bytes as a big-endian number, mod N: uniform enough for any N well below 2^32.
        let bytes = digest.finalize()
        let value = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % UInt64(count)) + 1
    }

    /// Whether the image at `path` of `dataset` is in this shard.
    public func contains(dataset: String, path: String) -> Bool {
        count == 1 || Self.of(dataset: dataset, path: path, count: count) == index
    }

    public var description: String { "\(index)/\(count)" }

    /// The filter a reader applies to keep only this shard's images of `dataset` (nil for a shard of one).
    public func filter(dataset: String) -> ImageFilter? {
        guard count > 1 else { return nil }
        return ImageFilter(name: "shard \(self) of \(dataset)") { [self] path in contains(dataset: dataset, path: path) }
    }
}

extension DatasetContents {
    /// The records whose image (for change pairs: the after image) `keep` accepts; the report is the whole read's.
    public func filtered(_ keep: (String) -> Bool) -> DatasetContents {
        switch self {
        case .detection(var set):
            set.images = set.images.filter { keep($0.relativePath) }
            return .detection(set)
        case .captions(var set):
            set.images = set.images.filter { keep($0.relativePath) }
            return .captions(set)
        case .segmentation(var set):
            set.images = set.images.filter { keep($0.relativePath) }
            return .segmentation(set)
        case .change(var set):
            set.pairs = set.pairs.filter { keep($0.after) }
            return .change(set)
        case .classification(var set):
            set.images = set.images.filter { keep($0.relativePath) }
            return .classification(set)
        }
    }

    /// The paths a build numbers the images by: a detection or change reader's `listing` (every image it listed,
    /// those of other shards and unreadable ones included, so each shard numbers alike), else ``imageOrder``.
    public var listedOrder: [String] {
        if case .detection(let set) = self, !set.listing.isEmpty { return set.listing }
        if case .change(let set) = self, !set.listing.isEmpty { return set.listing }
        return imageOrder
    }

    /// The image paths in the order an ingest meets them (a change pair: before, then after); repeats included.
    public var imageOrder: [String] {
        switch self {
        case .detection(let set): set.images.map(\.relativePath)
        case .captions(let set): set.images.map(\.relativePath)
        case .segmentation(let set): set.images.map(\.relativePath)
        case .change(let set): set.pairs.flatMap { [$0.before, $0.after] }
        case .classification(let set): set.images.map(\.relativePath)
        }
    }
}
