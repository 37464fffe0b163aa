/// The kinds of problem a dataset reader finds, counted in the ``ReadReport``.
public enum IssueKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// A line, element or record that does not have the expected shape.
    case malformedRecord = "malformed record"
    /// A class id with no name in the class list (YOLO, COCO, AU-AIR).
    case unknownClass = "unknown class"
    /// An image whose header cannot be read (not PNG/JPEG, damaged).
    case unreadableImage = "unreadable image"
    /// Two images or an image and its mask/label that should have the same size and do not.
    case sizeMismatch = "size mismatch"
    /// A whole annotation file that cannot be read or parsed.
    case unreadableFile = "unreadable file"

    public static func < (lhs: IssueKind, rhs: IssueKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A bad piece of input: which file, where in it, and what was expected.
public struct DatasetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind, for counting.
    public var kind: IssueKind
    /// The file, as the reader was given it (absolute or relative to the dataset root).
    public var file: String
    /// Where in the file: `line 12`, `object 3`, `annotation id 17`; nil for the whole file.
    public var location: String?
    /// What was wrong and what was expected.
    public var problem: String
    /// Whether skipping invalid records would have gone past it (a bad record, not a bad layout).
    public var skippable = false

    public init(_ kind: IssueKind, file: String, location: String? = nil, _ problem: String) {
        self.kind = kind
        self.file = file
        self.location = location
        self.problem = problem
    }

    /// `FILE:LOCATION: PROBLEM`.
    public var description: String {
        if let location { return "\(file): \(location): \(problem)" }
        return "\(file): \(problem)"
    }

    /// A malformed line of a text format (1-based line numbers).
    static func line(_ number: Int, of file: String, _ problem: String) -> DatasetError {
        DatasetError(.malformedRecord, file: file, location: "line \(number)", problem)
    }
}

/// What a reader found besides the records it returns: problems skipped, boxes repaired, files unmatched.
public struct ReadReport: Sendable, Hashable, Codable {
    /// Invalid records skipped (only with `skipInvalid`), by kind.
    public var skipped: [IssueKind: Int] = [:]
    /// The first skipped problems, for the summary (at most ``messageLimit``).
    public var messages: [String] = []
    /// Boxes that reached outside the image and were clipped to it.
    public var clippedBoxes = 0
    /// Boxes with no area (after clipping) that were dropped.
    public var degenerateBoxes = 0
    /// Annotation files or records whose image was not found (relative paths); their objects are not returned.
    public var annotationsWithoutImage: [String] = []
    /// Images found with no annotation file or record (relative paths); returned with no objects.
    public var imagesWithoutAnnotations: [String] = []
    /// Change pairs without a change label (relative path of the first image).
    public var pairsWithoutLabel: [String] = []
    /// Label/mask files read, annotation records read.
    public var filesRead = 0
    /// Objects, masks, captions or pairs returned.
    public var recordsRead = 0

    /// How many skipped problems keep their message.
    public static let messageLimit = 20

    public init() {}

    /// Total problems skipped.
    public var skippedTotal: Int { skipped.values.reduce(0, +) }

    /// Adds another report's counts and lists to this one.
    public mutating func merge(_ other: ReadReport) {
        for (kind, count) in other.skipped { skipped[kind, default: 0] += count }
        messages.append(contentsOf: other.messages.prefix(max(0, Self.messageLimit - messages.count)))
        clippedBoxes += other.clippedBoxes
        degenerateBoxes += other.degenerateBoxes
        annotationsWithoutImage += other.annotationsWithoutImage
        imagesWithoutAnnotations += other.imagesWithoutAnnotations
        pairsWithoutLabel += other.pairsWithoutLabel
        filesRead += other.filesRead
        recordsRead += other.recordsRead
    }
}

/// A predicate on image paths (relative to the dataset root) that a reader applies while reading, named so that two
/// filters compare by name (`shard 3/8 of dota`).
public struct ImageFilter: Sendable, Hashable {
    /// What the filter keeps, for equality and messages.
    public let name: String
    /// Whether the image at a relative path is kept.
    public let keeps: @Sendable (String) -> Bool

    public init(name: String, keeps: @escaping @Sendable (String) -> Bool) {
        self.name = name
        self.keeps = keeps
    }

    /// The same filter for a reader of the subfolder `folder`, whose paths lack the `folder/` prefix.
    public func below(_ folder: String) -> ImageFilter {
        ImageFilter(name: name) { [keeps] path in keeps(folder + "/" + path) }
    }

    public static func == (a: ImageFilter, b: ImageFilter) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// How a reader treats bad input.
public struct ReadOptions: Sendable, Hashable {
    /// Skip invalid records and count them instead of stopping at the first.
    public var skipInvalid: Bool
    /// Read only this split (when the layout has splits), or label every image with it (when it has none).
    public var split: String?

    /// The level of HRSC2016's class tree that objects are named at (ship, category or type).
    public var hrscClassLevel: HRSCClassLevel

    /// Whether COCO polygon segmentations are rasterised for their area as pycocotools computes it
    /// (`AnnotatedObject.area`); a few microseconds per polygon, so off unless asked for. RLE areas and the
    /// boxes of polygons without a `bbox` are computed either way.
    public var segmentationAreas: Bool

    /// ISPRS Potsdam/Vaihingen: the full label tiles or the eroded-boundary ones.
    public var isprsLabels: ISPRSLabels

    /// The images the caller keeps (a shard's own), by path relative to the root; nil keeps all. A detection
    /// reader leaves the others out as early as it can: it reads neither their headers nor (DOTA, YOLO) their
    /// label files, and its `listing` still names them, so every shard numbers the images alike.
    public var keep: ImageFilter?

    public init(skipInvalid: Bool = false, split: String? = nil, hrscClassLevel: HRSCClassLevel = .ship,
                segmentationAreas: Bool = false, isprsLabels: ISPRSLabels = .full, keep: ImageFilter? = nil) {
        self.keep = keep
        self.isprsLabels = isprsLabels
        self.skipInvalid = skipInvalid
        self.split = split
        self.hrscClassLevel = hrscClassLevel
        self.segmentationAreas = segmentationAreas
    }
}

/// Collects problems while reading: throws the first one, or counts them when skipping is allowed.
public struct IssueCollector: Sendable {
    /// The options in force.
    public let options: ReadOptions
    /// What has been found so far.
    public var report = ReadReport()

    public init(options: ReadOptions) {
        self.options = options
    }

    /// Records `error`: throws it unless `skipInvalid`, else counts it and keeps its message.
    public mutating func invalid(_ error: DatasetError) throws(DatasetError) {
        guard options.skipInvalid else {
            var error = error
            error.skippable = true
            throw error
        }
        report.skipped[error.kind, default: 0] += 1
        if report.messages.count < ReadReport.messageLimit { report.messages.append(error.description) }
    }
}
