import GRDB

/// A registered mask of an image.
public struct MaskRow: Sendable, Equatable {
    public var imageID: Int64
    /// Relative to ``root``, the image's root.
    public var path: String
    public var palette: String
    public var root: String
}

/// The `mask` and `object` tables' operations for M2B.
extension CorpusTransaction {
    /// The image under a root that lists `maskPath` (relative to that root) as its mask, with the mask's palette.
    public func imageListingMask(root: Int64, maskPath: String) throws -> (image: ImageRecord, palette: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT image.*, mask.palette AS mask_palette FROM image JOIN mask ON mask.image_id = image.id
            WHERE image.root_id = ? AND mask.path = ?
            """, arguments: [root, maskPath]) else { return nil }
        return (try ImageRecord(row: row), row["mask_palette"])
    }

    /// Every registered mask of the given datasets (all when empty), with its dataset, by dataset name and id.
    public func masks(datasets: [String]) throws -> [(dataset: String, mask: MaskRow)] {
        try self.datasets(named: datasets).flatMap { dataset in
            try masks(dataset: dataset.id ?? 0).map { (dataset: dataset.name, mask: $0) }
        }
    }

    /// Registers a mask of an image (nothing when it is registered already).
    public func addMask(image: Int64, path: String, palette: String) throws {
        try db.execute(sql: "INSERT INTO mask (image_id, path, palette) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       arguments: [image, path, palette])
    }

    /// The masks of a dataset's images, by image id and path.
    public func masks(dataset: Int64) throws -> [MaskRow] {
        try Row.fetchAll(db, sql: """
            SELECT m.image_id, m.path, m.palette, r.path FROM mask m JOIN image i ON i.id = m.image_id
            JOIN dataset_root r ON r.id = i.root_id
            WHERE i.dataset_id = ? ORDER BY m.image_id, m.path
            """, arguments: [dataset]).map { MaskRow(imageID: $0[0], path: $0[1], palette: $0[2], root: $0[3]) }
    }

    /// Deletes an image's objects of one source; how many.
    public func deleteObjects(image: Int64, source: ObjectSource) throws -> Int {
        try db.execute(sql: "DELETE FROM object WHERE image_id = ? AND source = ?", arguments: [image, source.rawValue])
        return changes
    }

    /// Makes `objects` the image's objects of `source`, touching rows only where they differ: a re-run that finds
    /// the same objects (same values, same order) keeps their rows and ids. How many were kept and removed.
    @discardableResult
    public func replaceObjects(image: Int64, source: ObjectSource,
                               with objects: [NewObject]) throws -> (kept: Int, removed: Int) {
        let select = "SELECT " + NewObject.storedColumns + " FROM object WHERE image_id = ? AND source = ? ORDER BY id"
        let stored = try Row.fetchAll(db.cachedStatement(sql: select), arguments: [image, source.rawValue])
        let same = stored.count == objects.count
            && zip(stored, objects).allSatisfy { row, object in Array(row.databaseValues) == object.databaseValues }
        if same { return (stored.count, 0) }
        let removed = stored.isEmpty ? 0 : try deleteObjects(image: image, source: source)
        for object in objects { try insertObject(object) }
        return (0, removed)
    }

    /// Inserts an object.
    public func insertObject(_ object: NewObject) throws {
        try db.cachedStatement(sql: NewObject.insertSQL).execute(arguments: object.insertArguments)
    }
}
