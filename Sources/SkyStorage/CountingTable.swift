import Foundation
import GRDB

/// One image of a counting set: the counted class, its true count, the candidate captions (one per count from the
/// set's minimum; the true one at `count - minimum`).
public struct CountingItem: Sendable, Equatable, Codable {
    public var imageId: Int64
    /// The image's path relative to its root, and on this machine.
    public var path: String
    public var absolutePath: String
    public var className: String
    public var count: Int
    public var captions: [String]

    public init(imageId: Int64, path: String, absolutePath: String, className: String, count: Int, captions: [String]) {
        self.imageId = imageId
        self.path = path
        self.absolutePath = absolutePath
        self.className = className
        self.count = count
        self.captions = captions
    }
}

/// A stored counting set.
public struct CountingSetRecord: Sendable, Equatable {
    public var name: String
    public var dataset: String
    public var minimum: Int
    public var maximum: Int
    public var template: String
    public var items: [CountingItem]
}

/// The `counting_set` and `counting_item` tables' operations.
extension CorpusTransaction {
    /// Stores a counting set, replacing one of the same name; the number of items.
    public func replaceCountingSet(name: String, dataset: Int64, minimum: Int, maximum: Int, template: String,
                                   items: [CountingItem]) throws {
        try db.execute(sql: "DELETE FROM counting_set WHERE name = ?", arguments: [name])
        try db.execute(sql: """
            INSERT INTO counting_set (name, dataset_id, min_count, max_count, template) VALUES (?, ?, ?, ?, ?)
            """, arguments: [name, dataset, minimum, maximum, template])
        let set = db.lastInsertedRowID
        let statement = try db.makeStatement(sql: """
            INSERT INTO counting_item (set_id, image_id, class, count, captions) VALUES (?, ?, ?, ?, ?)
            """)
        let encoder = JSONEncoder()
        for item in items {
            let captions = String(decoding: try encoder.encode(item.captions), as: UTF8.self)
            try statement.execute(arguments: [set, item.imageId, item.className, item.count, captions])
        }
    }

    /// The counting set of that name with its items (image path order); nil when there is none.
    public func countingSet(named name: String) throws -> CountingSetRecord? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT s.id, d.name, s.min_count, s.max_count, s.template FROM counting_set s JOIN dataset d ON d.id = s.dataset_id
            WHERE s.name = ?
            """, arguments: [name]) else { return nil }
        let decoder = JSONDecoder()
        let items = try Row.fetchAll(db, sql: """
            SELECT c.image_id, r.path, i.path, c.class, c.count, c.captions FROM counting_item c JOIN image i ON i.id = c.image_id
            JOIN dataset_root r ON r.id = i.root_id WHERE c.set_id = ? ORDER BY i.path, i.id
            """, arguments: [row[0] as Int64]).map { item in
            let path: String = item[2]
            return CountingItem(imageId: item[0], path: path, absolutePath: CorpusPaths.file(path, root: item[1]),
                                className: item[3], count: item[4],
                                captions: try decoder.decode([String].self, from: Data((item[5] as String).utf8)))
        }
        return CountingSetRecord(name: name, dataset: row[1], minimum: row[2], maximum: row[3], template: row[4], items: items)
    }

    /// How many objects the images of a dataset have.
    public func objectCount(dataset: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object o JOIN image i ON i.id = o.image_id WHERE i.dataset_id = ?",
                         arguments: [dataset]) ?? 0
    }
}
