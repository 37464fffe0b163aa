import GRDB

/// An object row to insert (the `object` table).
public struct NewObject: Sendable {
    public var imageID: Int64
    /// The clean class name and the dataset's own spelling.
    public var className: String
    public var rawClass: String
    /// The axis-aligned box in pixels.
    public var x: Double, y: Double, w: Double, h: Double
    /// The rotated box and polygon as JSON text, when known.
    public var rotatedJSON: String?
    public var polygonJSON: String?
    /// Every ring of a multi-part outline as JSON `[[[x, y], ...], ...]`, when the object has several.
    public var polygonPartsJSON: String?
    /// The segmentation's area in pixels, when the format gives or implies one.
    public var area: Double?
    public var source: ObjectSource
    public var difficult: Bool
    public var ignore: Bool
    public var truncated: Bool

    public init(imageID: Int64, className: String, rawClass: String, x: Double, y: Double, w: Double, h: Double,
                rotatedJSON: String? = nil, polygonJSON: String? = nil, source: ObjectSource,
                difficult: Bool = false, ignore: Bool = false, truncated: Bool = false,
                polygonPartsJSON: String? = nil, area: Double? = nil) {
        self.polygonPartsJSON = polygonPartsJSON
        self.area = area
        self.imageID = imageID
        self.className = className
        self.rawClass = rawClass
        self.x = x
        self.y = y
        self.w = w
        self.h = h
        self.rotatedJSON = rotatedJSON
        self.polygonJSON = polygonJSON
        self.source = source
        self.difficult = difficult
        self.ignore = ignore
        self.truncated = truncated
    }
}

extension NewObject {
    /// The one insert of an object row, for the prepared ingest statement and the single insert alike.
    static let insertSQL = """
        INSERT INTO object(image_id, class, raw_class, x, y, w, h, rotated, polygon, source, difficult, ignore, truncated,
                           polygon_parts, area)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The row's values in ``insertSQL``'s order.
    var insertArguments: StatementArguments { StatementArguments(databaseValues) }

    /// The row's values as stored, in ``insertSQL``'s order (the order ``storedColumns`` reads them back in).
    var databaseValues: [DatabaseValue] {
        [imageID.databaseValue, className.databaseValue, rawClass.databaseValue, x.databaseValue, y.databaseValue,
         w.databaseValue, h.databaseValue, rotatedJSON.databaseValue, polygonJSON.databaseValue,
         source.rawValue.databaseValue, difficult.databaseValue, ignore.databaseValue, truncated.databaseValue,
         polygonPartsJSON.databaseValue, area.databaseValue]
    }

    /// The columns ``insertSQL`` writes, to read a stored object back for comparison.
    static let storedColumns =
        "image_id, class, raw_class, x, y, w, h, rotated, polygon, source, difficult, ignore, truncated, polygon_parts, area"
}

/// The prepared statements an ingest runs for every record, inside one transaction.
///
/// Bound once and executed per row: GRDB's per-call temporary bindings cost more than SQLite's insert here.
public struct IngestStatements {
    let transaction: CorpusTransaction
    private let insertImage: Statement
    private let findImage: Statement
    private let storedSplit: Statement
    private let fillImage: Statement
    private let countObjects: Statement
    private let countCaptions: Statement
    private let countMasks: Statement
    private let insertObject: Statement
    private let insertCaption: Statement
    private let insertMask: Statement
    private let insertPair: Statement

    /// Prepares the statements in `transaction`.
    public init(_ transaction: CorpusTransaction) throws {
        self.transaction = transaction
        let db = transaction.db
        insertImage = try db.makeStatement(sql: """
            INSERT INTO image(dataset_id, root_id, path, split, width, height) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(dataset_id, root_id, path) DO NOTHING
            """)
        findImage = try db.makeStatement(sql: "SELECT id FROM image WHERE dataset_id = ? AND root_id = ? AND path = ?")
        storedSplit = try db.makeStatement(sql: "SELECT split FROM image WHERE id = ?")
        fillImage = try db.makeStatement(sql: """
            UPDATE image SET split = COALESCE(split, ?), width = COALESCE(width, ?), height = COALESCE(height, ?)
            WHERE id = ?
            """)
        countObjects = try db.makeStatement(sql: "SELECT COUNT(*) FROM object WHERE image_id = ? AND source = 'annotation'")
        countCaptions = try db.makeStatement(sql: "SELECT COUNT(*) FROM caption WHERE image_id = ? AND source = 'human'")
        countMasks = try db.makeStatement(sql: "SELECT COUNT(*) FROM mask WHERE image_id = ?")
        insertObject = try db.makeStatement(sql: NewObject.insertSQL)
        insertCaption = try db.makeStatement(sql: "INSERT INTO caption(image_id, text, source) VALUES (?, ?, ?)")
        insertMask = try db.makeStatement(sql: """
            INSERT INTO mask(image_id, path, palette) VALUES (?, ?, ?) ON CONFLICT(image_id, path) DO NOTHING
            """)
        insertPair = try db.makeStatement(sql: """
            INSERT INTO change_pair(dataset_id, before_image_id, after_image_id, label_path, label2_path, split)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(before_image_id, after_image_id) DO NOTHING
            """)
    }

    /// Inserts an image unless the root has one at `path`; the new id, or nil when it was present.
    public func insertImage(dataset: Int64, root: Int64, path: String, split: String?, width: Int?,
                            height: Int?) throws -> Int64? {
        try insertImage.execute(arguments: [dataset, root, path, split, width, height])
        return transaction.changes > 0 ? transaction.db.lastInsertedRowID : nil
    }

    /// The id of the image at `path` under a root of a dataset.
    public func imageID(dataset: Int64, root: Int64, path: String) throws -> Int64? {
        try Int64.fetchOne(findImage, arguments: [dataset, root, path])
    }

    /// The stored split of an image.
    public func split(ofImage id: Int64) throws -> String? {
        try String.fetchOne(storedSplit, arguments: [id])
    }

    /// Fills a missing split, width or height; stored values are kept.
    public func fillMissing(image id: Int64, split: String?, width: Int?, height: Int?) throws {
        try fillImage.execute(arguments: [split, width, height, id])
    }

    /// How many annotation objects, human captions or masks an image has.
    public func annotationObjectCount(image id: Int64) throws -> Int { try Int.fetchOne(countObjects, arguments: [id]) ?? 0 }
    public func humanCaptionCount(image id: Int64) throws -> Int { try Int.fetchOne(countCaptions, arguments: [id]) ?? 0 }
    public func maskCount(image id: Int64) throws -> Int { try Int.fetchOne(countMasks, arguments: [id]) ?? 0 }

    /// Inserts an object.
    public func insert(_ object: NewObject) throws {
        insertObject.setUncheckedArguments(object.insertArguments)
        try insertObject.execute()
    }

    /// Inserts a caption.
    public func insertCaption(image id: Int64, text: String, source: CaptionSource) throws {
        try insertCaption.execute(arguments: [id, text, source.rawValue])
    }

    /// Registers a mask of an image; false when it was registered already.
    public func insertMask(image id: Int64, path: String, palette: String) throws -> Bool {
        try insertMask.execute(arguments: [id, path, palette])
        return transaction.changes > 0
    }

    /// Registers a change pair; false when it was registered already.
    public func insertPair(dataset: Int64, before: Int64, after: Int64, label: String?, label2: String?,
                           split: String?) throws -> Bool {
        try insertPair.execute(arguments: [dataset, before, after, label, label2, split])
        return transaction.changes > 0
    }
}
