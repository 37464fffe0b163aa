import GRDB

/// An image as dedup and hashing see it: identity, ranking facts and its stored hash.
public struct HashedImageRow: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var dataset: String
    public var priority: Int
    public var root: String?
    public var path: String
    public var split: String?
    public var phash: Int64?
    /// Why a step found the file cannot be decoded (nil: readable or not yet known).
    public var unreadable: String?

    public init(id: Int64, dataset: String, priority: Int, root: String?, path: String, split: String?, phash: Int64?,
                unreadable: String? = nil) {
        self.id = id
        self.dataset = dataset
        self.priority = priority
        self.root = root
        self.path = path
        self.split = split
        self.phash = phash
        self.unreadable = unreadable
    }

    public init(row: Row) {
        id = row["id"]
        dataset = row["dataset"]
        priority = row["priority"]
        root = row["root"]
        path = row["path"]
        split = row["split"]
        phash = row["phash"]
        unreadable = row["unreadable"]
    }

    /// `dataset:path`, how reports name the image.
    public var label: String { "\(dataset):\(path)" }

    /// The file on disk: the path under the dataset root.
    public var filePath: String { CorpusPaths.file(path, root: root) }
}

/// The `image` table's operations.
extension CorpusTransaction {
    /// Registers an image file found on disk unless the dataset has one at `path`; true when it was added.
    public func registerImage(dataset: Int64, root: Int64, path: String, split: String?, width: Int, height: Int,
                              sha256: String) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO image (dataset_id, root_id, path, split, width, height, content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dataset_id, root_id, path) DO NOTHING
            """)
        try statement.execute(arguments: [dataset, root, path, split, width, height, sha256])
        return changes > 0
    }

    /// The image at a path relative to a root.
    public func image(root: Int64, path: String) throws -> ImageRecord? {
        try ImageRecord.filter(Column("root_id") == root && Column("path") == path).fetchOne(db)
    }

    /// Images of a dataset by file name (the last path component), for attaching annotations found elsewhere.
    public func imagesByFileName(dataset: Int64) throws -> [String: [Int64]] {
        var names: [String: [Int64]] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT id, path FROM image WHERE dataset_id = ? ORDER BY id",
                                       arguments: [dataset])
        while let row = try rows.next() {
            let path: String = row[1]
            names[String(path.split(separator: "/").last ?? Substring(path)), default: []].append(row[0])
        }
        return names
    }

    /// Records why an image cannot be decoded (nil: it can); exports leave such images out.
    public func markUnreadable(_ marks: [(id: Int64, reason: String?)]) throws {
        let statement = try db.makeStatement(sql: "UPDATE image SET unreadable = ? WHERE id = ?")
        for (id, reason) in marks { try statement.execute(arguments: [reason, id]) }
    }

    /// How many images of the corpus are marked unreadable.
    public func unreadableImageCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image WHERE unreadable IS NOT NULL") ?? 0
    }

    /// Every image with its dataset's name, priority and root, its stored hash and unreadable mark, by id.
    public func hashedImages() throws -> [HashedImageRow] {
        try HashedImageRow.fetchAll(db, sql: """
            SELECT image.id, dataset.name AS dataset, dataset.priority, dataset_root.path AS root, image.path, image.split,
                   image.phash, image.unreadable
            FROM image JOIN dataset ON dataset.id = image.dataset_id JOIN dataset_root ON dataset_root.id = image.root_id
            ORDER BY image.id
            """)
    }

    /// Stores perceptual hashes; a hashed file decoded, so any unreadable mark of the image is cleared.
    public func storeHashes(_ hashes: [(id: Int64, phash: Int64)]) throws {
        let store = try db.makeStatement(sql: "UPDATE image SET phash = ?, unreadable = NULL WHERE id = ?")
        for (id, hash) in hashes { try store.execute(arguments: [hash, id]) }
    }

    /// Replaces every duplicate mark of the corpus by `marks` (removed image -> kept image).
    public func replaceDuplicateMarks(_ marks: [(kept: Int64, removed: Int64)]) throws {
        try db.execute(sql: "UPDATE image SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL")
        let mark = try db.makeStatement(sql: "UPDATE image SET duplicate_of = ? WHERE id = ?")
        for (kept, removed) in marks { try mark.execute(arguments: [kept, removed]) }
    }

    /// The (before, after) image ids of every change pair.
    public func changePairImages() throws -> [(before: Int64, after: Int64)] {
        try Row.fetchAll(db, sql: "SELECT before_image_id, after_image_id FROM change_pair")
            .map { (before: $0[0] as Int64, after: $0[1] as Int64) }
    }
}
