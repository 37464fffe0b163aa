import GRDB

/// The `dataset` table's operations.
extension CorpusTransaction {
    /// The dataset of that name, or nil.
    public func dataset(named name: String) throws -> DatasetRecord? {
        try DatasetRecord.named(name, in: db)
    }

    /// The dataset of that name; ``CorpusError/unknownDataset(name:)`` when absent.
    public func requireDataset(_ name: String) throws -> DatasetRecord {
        try DatasetRecord.require(name, in: db)
    }

    /// Every dataset, by name.
    public func allDatasets() throws -> [DatasetRecord] {
        try DatasetRecord.order(Column("name")).fetchAll(db)
    }

    /// The requested datasets (all when none are named, each once), each checked to exist.
    public func datasets(named requested: [String]) throws -> [DatasetRecord] {
        if requested.isEmpty { return try allDatasets() }
        var seen = Set<String>()
        return try requested.filter { seen.insert($0).inserted }.map { try requireDataset($0) }
    }

    /// Inserts a dataset; its id.
    @discardableResult
    public func insertDataset(_ record: DatasetRecord) throws -> Int64 {
        var record = record
        try record.insert(db)
        return db.lastInsertedRowID
    }

    /// Deletes a dataset and, through the foreign keys, everything under it.
    public func deleteDataset(id: Int64) throws {
        try db.execute(sql: "DELETE FROM dataset WHERE id = ?", arguments: [id])
    }

    /// Number of images of a dataset.
    public func imageCount(dataset id: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM image WHERE dataset_id = ?", arguments: [id]) ?? 0
    }
}
