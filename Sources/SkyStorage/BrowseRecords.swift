import Foundation

/// An image as a browse list or a search result shows it: where it is and its first caption.
public struct BrowseImage: Codable, Sendable, Equatable {
    /// `image.id`.
    public var id: Int64
    /// The dataset's name.
    public var dataset: String
    /// train, val, test, ... or nil.
    public var split: String?
    /// The path relative to its dataset root.
    public var path: String
    /// Size in pixels, when known.
    public var width: Int?
    public var height: Int?
    /// The image dedup kept in its place, when it is a marked duplicate.
    public var duplicateOf: Int64?
    /// The first caption (human before B2C before others), if any.
    public var caption: String?
}

/// A rotated box as stored (`object.rotated`): centre, size and angle in degrees (OpenCV's convention).
public struct BrowseRotatedBox: Codable, Sendable, Equatable {
    public var cx: Double
    public var cy: Double
    public var w: Double
    public var h: Double
    public var angle: Double
}

/// An object of an image: class, axis-aligned box, and the rotated box and polygon when known.
public struct BrowseObject: Codable, Sendable, Equatable {
    public var id: Int64
    /// The clean class name.
    public var className: String
    /// The name as the dataset spells it.
    public var rawClass: String
    /// Left, top, width, height in pixels.
    public var box: [Double]
    public var rotated: BrowseRotatedBox?
    /// `[[x, y], ...]` in pixels.
    public var polygon: [[Double]]?
    public var source: ObjectSource
    public var difficult: Bool
}

/// A caption with where it came from and the rule that made it.
public struct BrowseCaption: Codable, Sendable, Equatable {
    public var id: Int64
    public var text: String
    public var source: CaptionSource
    public var rule: String?
}

/// A CLIP prompt of an image (or of its dataset, for a class it shows).
public struct BrowsePrompt: Codable, Sendable, Equatable {
    public var id: Int64
    public var templateSet: String
    public var className: String?
    public var text: String
}

/// A registered segmentation mask of an image.
public struct BrowseMask: Codable, Sendable, Equatable {
    /// Relative to the image's root (or absolute, when it was registered so).
    public var path: String
    /// The palette that decodes it (a file name under `Schemas/palettes/`).
    public var palette: String
}

/// A duplicate group from dedup: the kept image and the images marked as its duplicates.
public struct DuplicateGroup: Codable, Sendable, Equatable {
    /// One marked duplicate and its Hamming distance (p-Hash bits) to the kept image, when both are hashed.
    public struct Member: Codable, Sendable, Equatable {
        public var image: BrowseImage
        public var hamming: Int?
    }

    public var kept: BrowseImage
    public var duplicates: [Member]
}

/// An image's full record: what the detail view shows.
public struct ImageDetail: Codable, Sendable, Equatable {
    public var image: BrowseImage
    /// The 64-bit perceptual hash as 16 hex digits, when hashed.
    public var phash: String?
    /// Why the file cannot be decoded, when a step found out.
    public var unreadable: String?
    public var objects: [BrowseObject]
    public var captions: [BrowseCaption]
    public var prompts: [BrowsePrompt]
    public var masks: [BrowseMask]
    /// The group the image belongs to (as the kept image or as a duplicate), if dedup marked any.
    public var duplicateGroup: DuplicateGroup?
    /// Ids of the change pairs the image is part of.
    public var changePairs: [Int64]
}

/// A change pair: both images, whether it has a change mask, and its change sentences.
public struct ChangePairDetail: Codable, Sendable, Equatable {
    public var id: Int64
    public var dataset: String
    public var split: String?
    public var before: BrowseImage
    public var after: BrowseImage
    /// Whether a binary change mask is registered (served as the pair's mask).
    public var hasMask: Bool
    /// The change sentences (captions of source `change` on the after image).
    public var sentences: [String]
}

/// A page of a longer list.
public struct BrowsePage<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var items: [Item]
    /// How many items the whole list has.
    public var total: Int
    public var offset: Int
    public var limit: Int
}

/// A file the corpus names, with the roots of its dataset: whoever reads it checks it lies inside one of them.
public struct StoredFile: Sendable, Equatable {
    /// The absolute path (root + relative path, or the stored absolute path).
    public var path: String
    /// Every root of the file's dataset.
    public var roots: [String]
}

/// Limits of browse queries, defined once for the library and the server.
public enum BrowseLimits {
    /// Items one page may hold.
    public static let pageRange = 1...500
    /// The default page size.
    public static let defaultPage = 50

    /// Checks a page request.
    public static func check(offset: Int, limit: Int) throws(CorpusError) {
        guard offset >= 0 else { throw .invalidRequest("offset \(offset) is negative: give 0 or more") }
        guard pageRange.contains(limit) else {
            throw .invalidRequest("limit \(limit) is out of range: give \(pageRange.lowerBound) to \(pageRange.upperBound)")
        }
    }
}
