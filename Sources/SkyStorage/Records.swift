import GRDB

/// A row of `dataset`.
public struct DatasetRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "dataset"
    public var id: Int64?
    public var name: String
    public var root: String?
    public var format: String?
    public var priority: Int

    public init(id: Int64? = nil, name: String, root: String? = nil, format: String? = nil, priority: Int = 0) {
        self.id = id
        self.name = name
        self.root = root
        self.format = format
        self.priority = priority
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey { case id, name, root, format, priority }

    /// The dataset of that name, or nil.
    public static func named(_ name: String, in db: Database) throws -> DatasetRecord? {
        try DatasetRecord.filter(Column("name") == name).fetchOne(db)
    }

    /// The dataset of that name; ``CorpusError/unknownDataset(name:)`` when absent.
    public static func require(_ name: String, in db: Database) throws -> DatasetRecord {
        guard let dataset = try named(name, in: db) else { throw CorpusError.unknownDataset(name: name) }
        return dataset
    }
}

/// A row of `image`.
public struct ImageRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "image"
    public var id: Int64?
    public var datasetId: Int64
    /// The root (`dataset_root.id`) the path is relative to.
    public var rootId: Int64
    public var path: String
    public var split: String?
    public var width: Int?
    public var height: Int?
    public var contentHash: String?
    public var phash: Int64?
    public var duplicateOf: Int64?
    /// Why the file cannot be decoded, when a step found out; nil when readable or not yet known.
    public var unreadable: String?

    public init(id: Int64? = nil, datasetId: Int64, rootId: Int64, path: String, split: String? = nil, width: Int? = nil,
                height: Int? = nil, contentHash: String? = nil, phash: Int64? = nil, duplicateOf: Int64? = nil,
                unreadable: String? = nil) {
        self.id = id
        self.datasetId = datasetId
        self.rootId = rootId
        self.path = path
        self.split = split
        self.width = width
        self.height = height
        self.contentHash = contentHash
        self.phash = phash
        self.duplicateOf = duplicateOf
        self.unreadable = unreadable
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, path, split, width, height, phash, unreadable
        case datasetId = "dataset_id"
        case rootId = "root_id"
        case contentHash = "content_hash"
        case duplicateOf = "duplicate_of"
    }
}

/// A row of `caption`.
public struct CaptionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "caption"
    public var id: Int64?
    public var imageId: Int64
    public var text: String
    /// Where the caption came from.
    public var source: CaptionSource
    public var rule: String?

    public init(id: Int64? = nil, imageId: Int64, text: String, source: CaptionSource, rule: String? = nil) {
        self.id = id
        self.imageId = imageId
        self.text = text
        self.source = source
        self.rule = rule
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, text, source, rule
        case imageId = "image_id"
    }
}
