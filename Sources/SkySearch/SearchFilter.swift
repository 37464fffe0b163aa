import SkyStorage

/// Which corpus items a search may return. Every field narrows the result; the filter is applied inside the
/// search, so a selective filter still yields `k` results whenever `k` items pass.
public struct SearchFilter: Sendable, Codable, Equatable, Hashable {
    /// Only images of this dataset.
    public var dataset: String?
    /// Only images of this split (train, val, test, ...).
    public var split: String?
    /// Only images having at least one object of this class (the clean class name, as `stats` lists it).
    public var className: String?
    /// Image searches: only images having a caption of this source. Caption searches: only captions of it.
    public var captionSource: CaptionSource?
    /// Whether images marked as duplicates by dedup (and their captions) may be returned.
    public var includeDuplicates: Bool

    /// A filter; the default lets every image that is not a marked duplicate pass.
    public init(dataset: String? = nil, split: String? = nil, className: String? = nil,
                captionSource: CaptionSource? = nil, includeDuplicates: Bool = false) {
        self.dataset = dataset
        self.split = split
        self.className = className
        self.captionSource = captionSource
        self.includeDuplicates = includeDuplicates
    }
}

/// The limits a query must respect, defined once for the CLI and the server.
public enum SearchLimits {
    /// How many results one query may ask for.
    public static let topRange = 1...1000
    /// The default number of results.
    public static let defaultTop = 10

    /// Checks `top` against ``topRange``.
    public static func check(top: Int) throws(SearchError) {
        guard topRange.contains(top) else {
            throw .invalidInput("top-k \(top) is out of range: ask for \(topRange.lowerBound) to \(topRange.upperBound) results")
        }
    }
}

/// A retrieved caption: the caption, its image and the similarity to the query.
public struct CaptionHit: Sendable, Codable, Equatable {
    /// `caption.id`.
    public var captionId: Int64
    /// The image the caption belongs to.
    public var imageId: Int64
    /// The caption text.
    public var text: String
    /// Where the caption came from.
    public var source: CaptionSource
    /// Cosine similarity to the query.
    public var score: Float
}
