import GRDB

/// One object as caption rules see it.
public struct StoredObject: Sendable, Equatable {
    public var className: String
    public var x: Double, y: Double, w: Double, h: Double
    public var source: ObjectSource
    public var difficult: Bool
    public var ignore: Bool
}

/// One image with its objects, as B2C reads them.
public struct ImageWithObjects: Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var width: Int?
    public var height: Int?
    public var objects: [StoredObject] = []
}

/// A change pair as change sentences need it.
public struct ChangePairRow: Sendable, Equatable {
    public var dataset: String
    /// The root of the pair's images, which its label paths are relative to ("" when none).
    public var root: String
    public var label: String?
    public var label2: String?
    public var before: String
    public var afterID: Int64
    public var after: String
    public var width: Int?
    public var height: Int?
}

/// Inserts captions of one source with one prepared statement (B2C writes millions).
public struct CaptionInserter {
    private let statement: Statement
    private let source: CaptionSource

    /// Prepares the insert of `source` captions in `transaction`.
    public init(_ transaction: CorpusTransaction, source: CaptionSource) throws {
        statement = try transaction.db.makeStatement(sql: "INSERT INTO caption (image_id, text, source, rule) VALUES (?, ?, ?, ?)")
        self.source = source
    }

    /// Inserts one caption with the rule that made it.
    public func insert(image: Int64, text: String, rule: String?) throws {
        // The four arguments always match the statement: skip GRDB's per-call check.
        statement.setUncheckedArguments([image, text, source.rawValue, rule])
        try statement.execute()
    }
}

/// What syncing one image's captions of a source did.
public struct CaptionSyncResult: Sendable, Equatable {
    /// Captions already stored exactly so (text, rule, order): left alone, ids kept.
    public var kept = 0
    /// Earlier captions removed because the new ones differ.
    public var removed = 0
    /// Captions inserted.
    public var inserted = 0

    public init(kept: Int = 0, removed: Int = 0, inserted: Int = 0) {
        self.kept = kept
        self.removed = removed
        self.inserted = inserted
    }

    public static func += (total: inout CaptionSyncResult, one: CaptionSyncResult) {
        total.kept += one.kept
        total.removed += one.removed
        total.inserted += one.inserted
    }
}

/// Makes an image's captions of one source what a step generated, touching them only where they differ: a
/// re-run that generates the same captions keeps their rows and ids (and so the embeddings that refer to them).
public struct CaptionSync {
    private let select: Statement
    private let delete: Statement
    private let inserter: CaptionInserter
    private let source: CaptionSource

    /// Prepares the statements for `source` in `transaction`.
    public init(_ transaction: CorpusTransaction, source: CaptionSource) throws {
        select = try transaction.db.makeStatement(
            sql: "SELECT text, rule FROM caption WHERE image_id = ? AND source = ? ORDER BY id")
        delete = try transaction.db.makeStatement(sql: "DELETE FROM caption WHERE image_id = ? AND source = ?")
        inserter = try CaptionInserter(transaction, source: source)
        self.source = source
    }

    /// Makes `captions` (text and rule, in order; none to remove them all) the image's captions of the source.
    @discardableResult
    public func sync(image: Int64, captions: [(text: String, rule: String?)]) throws -> CaptionSyncResult {
        let stored = try Row.fetchAll(select, arguments: [image, source.rawValue])
        let same = stored.count == captions.count
            && zip(stored, captions).allSatisfy { row, caption in
                (row[0] as String) == caption.text && (row[1] as String?) == caption.rule
            }
        if same { return CaptionSyncResult(kept: stored.count) }
        if !stored.isEmpty {
            try delete.execute(arguments: [image, source.rawValue])
        }
        for caption in captions { try inserter.insert(image: image, text: caption.text, rule: caption.rule) }
        return CaptionSyncResult(removed: stored.count, inserted: captions.count)
    }
}

/// The `caption` and `change_pair` tables' operations.
extension CorpusTransaction {
    /// Deletes the captions of `source` on images of a dataset; how many.
    public func deleteCaptions(source: CaptionSource, dataset: Int64) throws -> Int {
        try db.execute(sql: """
            DELETE FROM caption WHERE source = ? AND image_id IN (SELECT id FROM image WHERE dataset_id = ?)
            """, arguments: [source.rawValue, dataset])
        return changes
    }

    /// Calls `body` with each image of a dataset and its objects, by image id, streaming (bounded memory).
    public func forEachImageWithObjects(dataset: Int64, _ body: (ImageWithObjects) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT i.id, i.path, i.width, i.height, o.class, o.x, o.y, o.w, o.h, o.source, o.difficult, o.ignore
            FROM image i LEFT JOIN object o ON o.image_id = i.id
            WHERE i.dataset_id = ? ORDER BY i.id, o.id
            """, arguments: [dataset])
        var current: ImageWithObjects? = nil
        while let row = try rows.next() {
            let imageID: Int64 = row[0]
            if current?.id != imageID {
                if let current { try body(current) }
                current = ImageWithObjects(id: imageID, path: row[1], width: row[2], height: row[3])
            }
            guard let className: String = row[4] else { continue }
            current?.objects.append(StoredObject(
                className: className, x: row[5], y: row[6], w: row[7], h: row[8],
                source: ObjectSource(rawValue: row[9] as String? ?? "") ?? .annotation,
                difficult: (row[10] as Int64?) == 1, ignore: (row[11] as Int64?) == 1))
        }
        if let current { try body(current) }
    }

    /// The change pairs of a dataset, by pair id.
    public func changePairs(dataset: Int64) throws -> [ChangePairRow] {
        try Row.fetchAll(db, sql: """
            SELECT d.name, r.path, p.label_path, p.label2_path, a.path, b.id, b.path, b.width, b.height
            FROM change_pair p JOIN dataset d ON d.id = p.dataset_id
            JOIN image a ON a.id = p.before_image_id JOIN image b ON b.id = p.after_image_id
            JOIN dataset_root r ON r.id = b.root_id
            WHERE p.dataset_id = ? ORDER BY p.id
            """, arguments: [dataset]).map {
            ChangePairRow(dataset: $0[0], root: $0[1], label: $0[2], label2: $0[3], before: $0[4], afterID: $0[5],
                          after: $0[6], width: $0[7], height: $0[8])
        }
    }
}
