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
    ///
    /// Driven from the mask (`CROSS JOIN` keeps that order): the `mask_path` index finds the few masks of that path,
    /// each image is a primary-key lookup; O(log n) instead of walking every image of the root.
    public func imageListingMask(root: Int64, maskPath: String) throws -> (image: ImageRecord, palette: String)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.imageListingMaskSQL), arguments: [maskPath, root])
        else { return nil }
        return (try ImageRecord(row: row), row["mask_palette"])
    }

    /// The query of ``imageListingMask(root:maskPath:)`` (its plan is checked by a test).
    public static let imageListingMaskSQL = """
        SELECT image.*, mask.palette AS mask_palette FROM mask CROSS JOIN image ON image.id = mask.image_id
        WHERE mask.path = ? AND image.root_id = ?
        """

    /// An image by id with its dataset; nil when there is no such image.
    public func imageAndDataset(id: Int64) throws -> (image: ImageRecord, dataset: DatasetRecord)? {
        guard let image = try ImageRecord.fetchOne(db, key: id),
              let dataset = try DatasetRecord.fetchOne(db, key: image.datasetId) else { return nil }
        return (image, dataset)
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
