import Foundation
import GRDB

/// Images and their captions as a retrieval benchmark sees them: caption `t` belongs to image `captionImage[t]`.
public struct RetrievalSet: Sendable, Equatable {
    /// Image ids, in path order.
    public var imageIds: [Int64]
    /// Caption ids, grouped by image.
    public var captionIds: [Int64]
    /// For each caption, the index of its image in `imageIds`.
    public var captionImage: [Int]
}

extension Corpus {
    /// Every stored vector of a kind for a model, by item id; `dataset` and `split` restrict images and captions
    /// to those of a dataset (and split). `includeDuplicates: false` leaves out images marked `duplicate_of` another
    /// (and their captions and prompts); dataset-level prompts stay.
    public func embeddings(model: Int64, kind: EmbeddingItemKind, dataset: String? = nil,
                           split: String? = nil, includeDuplicates: Bool = true) throws -> [Int64: [Float]] {
        try readDB { db in
            var sql = "SELECT e.item_id, e.vector FROM embedding e"
            var conditions = ["e.model_id = ?", "e.item_kind = ?"]
            var arguments: [any DatabaseValueConvertible] = [model, kind.rawValue]
            if dataset != nil || split != nil || !includeDuplicates {
                switch kind {
                case .image: sql += " JOIN image i ON i.id = e.item_id"
                case .caption: sql += " JOIN caption c ON c.id = e.item_id JOIN image i ON i.id = c.image_id"
                case .prompt where dataset == nil && split == nil:
                    sql += " JOIN prompt p ON p.id = e.item_id LEFT JOIN image i ON i.id = p.image_id"
                case .prompt: sql += " JOIN prompt p ON p.id = e.item_id JOIN image i ON i.id = p.image_id"
                }
                if !includeDuplicates { conditions.append("i.duplicate_of IS NULL") }
                if let dataset {
                    let record = try DatasetRecord.require(dataset, in: db)
                    conditions.append("i.dataset_id = ?")
                    arguments.append(record.id)
                }
                if let split {
                    conditions.append("i.split = ?")
                    arguments.append(split)
                }
            }
            sql += " WHERE " + conditions.joined(separator: " AND ")
            var vectors: [Int64: [Float]] = [:]
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                vectors[row[0]] = Corpus.floats(row[1])
            }
            return vectors
        }
    }

    /// The images of a dataset (and split) that have captions of `source`, with those captions.
    public func retrievalSet(dataset: String, split: String?, source: CaptionSource = .human) throws -> RetrievalSet {
        try readDB { db in
            let record = try DatasetRecord.require(dataset, in: db)
            var sql = """
                SELECT i.id AS image_id, c.id AS caption_id FROM caption c JOIN image i ON i.id = c.image_id
                WHERE i.dataset_id = ? AND c.source = ?
                """
            var arguments: [any DatabaseValueConvertible] = [record.id, source.rawValue]
            if let split {
                sql += " AND i.split = ?"
                arguments.append(split)
            }
            sql += " ORDER BY i.path, c.id"
            var set = RetrievalSet(imageIds: [], captionIds: [], captionImage: [])
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                let imageId: Int64 = row["image_id"]
                if set.imageIds.last != imageId { set.imageIds.append(imageId) }
                set.captionIds.append(row["caption_id"])
                set.captionImage.append(set.imageIds.count - 1)
            }
            return set
        }
    }

    /// The stored vectors of the given items for a model, by item id (items without one are absent): a batch's
    /// worth at a time, so a caller streaming a large dataset never holds all of its vectors.
    public func embeddings(model: Int64, kind: EmbeddingItemKind, ids: [Int64]) throws -> [Int64: [Float]] {
        try readDB { db in
            var vectors: [Int64: [Float]] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min(ids.count, $0 + 500)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ", ")
                let arguments: [any DatabaseValueConvertible] = [model, kind.rawValue] + chunk
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT item_id, vector FROM embedding WHERE model_id = ? AND item_kind = ? AND item_id IN (\(marks))
                    """, arguments: StatementArguments(arguments))
                while let row = try rows.next() { vectors[row[0]] = Corpus.floats(row[1]) }
            }
            return vectors
        }
    }

    /// Absolute file paths (dataset root + relative path) of images by id.
    public func imagePaths(_ ids: [Int64]) throws -> [Int64: String] {
        try readDB { db in
            var paths: [Int64: String] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min(ids.count, $0 + 500)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: """
                    SELECT i.id, r.path, i.path FROM image i JOIN dataset_root r ON r.id = i.root_id WHERE i.id IN (\(marks))
                    """, arguments: StatementArguments(chunk)) {
                    let root: String? = row[1]
                    let path: String = row[2]
                    paths[row[0]] = CorpusPaths.file(path, root: root)
                }
            }
            return paths
        }
    }
}
