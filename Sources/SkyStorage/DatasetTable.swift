import GRDB

/// A folder a dataset's files were read from (`dataset_root`).
public struct DatasetRoot: Sendable, Equatable {
    public var id: Int64
    public var datasetID: Int64
    /// The absolute path ("" for a dataset without files).
    public var path: String
}

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

    /// Inserts a dataset with its first root (`record.root`, or none); its id.
    @discardableResult
    public func insertDataset(_ record: DatasetRecord) throws -> Int64 {
        try DatasetRecord.checkName(record.name)
        var record = record
        try record.insert(db)
        let id = db.lastInsertedRowID
        _ = try root(dataset: id, path: record.root ?? "")
        return id
    }

    /// The id of a dataset's root at `path`, added when new.
    public func root(dataset: Int64, path: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO dataset_root (dataset_id, path) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       arguments: [dataset, path])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM dataset_root WHERE dataset_id = ? AND path = ?",
                                          arguments: [dataset, path]) else {
            throw CorpusError.schema("dataset_root row of dataset \(dataset) at \(path) vanished")
        }
        return id
    }

    /// Every root of a dataset, oldest first.
    public func roots(dataset: Int64) throws -> [DatasetRoot] {
        try Row.fetchAll(db, sql: "SELECT id, dataset_id, path FROM dataset_root WHERE dataset_id = ? ORDER BY id",
                         arguments: [dataset]).map { DatasetRoot(id: $0[0], datasetID: $0[1], path: $0[2]) }
    }

    /// Every root of every dataset, with its dataset.
    public func allRoots() throws -> [(dataset: DatasetRecord, root: DatasetRoot)] {
        var result: [(DatasetRecord, DatasetRoot)] = []
        for dataset in try allDatasets() {
            for root in try roots(dataset: dataset.id ?? 0) { result.append((dataset, root)) }
        }
        return result
    }

    /// Inserts an image row as given; its id.
    @discardableResult
    public func insertImage(_ record: ImageRecord) throws -> Int64 {
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

extension DatasetRecord {
    /// The longest dataset name, in characters.
    public static let maximumNameLength = 128

    /// Refuses names that cannot be used as a dataset name on the command line, in reports and in exports: empty,
    /// longer than ``maximumNameLength``, with control characters (a newline, a tab) or surrounding spaces.
    public static func checkName(_ name: String) throws {
        let problem: String? =
            if name.isEmpty { "is empty" }
            else if name.count > maximumNameLength { "is longer than \(maximumNameLength) characters" }
            else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
                "holds a control character (a newline or a tab, say)"
            }
            else if name.first!.isWhitespace || name.last!.isWhitespace { "starts or ends with a space" }
            else { nil }
        if let problem {
            throw CorpusError.invalidRequest("dataset name \(name.debugDescription) \(problem): give a short name such as "
                                             + "'dota' or 'rsicd-test'")
        }
    }
}
