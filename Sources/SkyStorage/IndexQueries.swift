import Foundation
import GRDB

/// Every stored vector of one kind for one model, as one contiguous row-major matrix ordered by item id: the
/// layout an in-memory index holds, read through a cursor so that no per-row array is ever kept.
public struct StoredVectors: Sendable, Equatable {
    /// Item ids (image, caption or prompt ids), ascending.
    public var ids: [Int64]
    /// `ids.count * dimension` floats, row `r` for `ids[r]`.
    public var values: [Float]
    /// The vector length (0 when there are no rows).
    public var dimension: Int

    /// Rows as given: `values.count` must be `ids.count * dimension`.
    public init(ids: [Int64] = [], values: [Float] = [], dimension: Int = 0) {
        self.ids = ids
        self.values = values
        self.dimension = dimension
    }
}

/// What a search filter needs to know about each indexed image, one entry per row (compact at millions of rows).
public struct ImageFacets: Sendable, Equatable {
    /// Dataset names; `dataset[r]` indexes this array.
    public var datasetNames: [String]
    /// Split names; `split[r]` indexes this array, -1 when the image has no split.
    public var splitNames: [String]
    /// Per row: the dataset of the image.
    public var dataset: [Int32]
    /// Per row: the split of the image, or -1.
    public var split: [Int32]
    /// Per row: whether dedup marked the image as a duplicate of another.
    public var duplicate: [Bool]
}

/// A stored caption as a caption search returns it.
public struct CaptionSummary: Sendable, Equatable, Codable {
    public var id: Int64
    public var imageId: Int64
    public var text: String
    public var source: CaptionSource
}

extension Corpus {
    /// The stored vectors of `kind` for `model`, ordered by item id. Vectors of one model have one dimension; a
    /// blob of another length is reported as a damaged corpus.
    public func storedVectors(model: Int64, kind: EmbeddingItemKind) throws -> StoredVectors {
        var result = StoredVectors()
        try streamStoredVectors(model: model, kind: kind, batchRows: 65_536, start: { ids, dimension in
            result.ids = ids
            result.dimension = dimension
            result.values.reserveCapacity(ids.count * dimension)
        }, batch: { _, values in result.values.append(contentsOf: values) })
        return result
    }

    /// The stored vectors of `kind` for `model` a batch at a time, in one read transaction, so that a caller never
    /// holds more than `batchRows` rows of them: `start(ids, dimension)` first, with every item id (ascending) and
    /// the vector length (0 when there are none), then `batch(firstRow, values)` for consecutive rows in id order,
    /// `values` row-major with at most `batchRows` rows. A blob of another length than the first is reported as a
    /// damaged corpus.
    public func streamStoredVectors(model: Int64, kind: EmbeddingItemKind, batchRows: Int,
                                    start: ([Int64], Int) throws -> Void,
                                    batch: (Int, [Float]) throws -> Void) throws {
        guard batchRows >= 1 else { throw CorpusError.invalidRequest("a batch of vectors needs at least one row, got \(batchRows)") }
        try readDB { db in
            let arguments: StatementArguments = [model, kind.rawValue]
            let ids = try Int64.fetchAll(db, sql: """
                SELECT item_id FROM embedding WHERE model_id = ? AND item_kind = ? ORDER BY item_id
                """, arguments: arguments)
            let bytes = try Int.fetchOne(db, sql: """
                SELECT length(vector) FROM embedding WHERE model_id = ? AND item_kind = ? ORDER BY item_id LIMIT 1
                """, arguments: arguments) ?? 0
            let dimension = bytes / MemoryLayout<Float>.size
            try start(ids, dimension)
            guard !ids.isEmpty else { return }
            var values: [Float] = []
            values.reserveCapacity(min(batchRows, ids.count) * dimension)
            var row = 0, first = 0
            let rows = try Row.fetchCursor(db, sql: """
                SELECT item_id, vector FROM embedding WHERE model_id = ? AND item_kind = ? ORDER BY item_id
                """, arguments: arguments)
            while let next = try rows.next() {
                let id: Int64 = next[0]
                let blob: Data = next[1]
                guard row < ids.count, ids[row] == id else {
                    throw CorpusError.invalidRequest("\(path): the \(kind.rawValue) embeddings changed while being read")
                }
                guard blob.count == bytes, bytes % MemoryLayout<Float>.size == 0 else {
                    throw CorpusError.invalidRequest("\(path): the \(kind.rawValue) embedding of item \(id) has \(blob.count) "
                        + "bytes, the first \(bytes): the corpus is damaged; re-run 'skycorpus embed'")
                }
                blob.withUnsafeBytes { raw in
                    for index in 0..<dimension {
                        values.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(
                            fromByteOffset: index * 4, as: UInt32.self))))
                    }
                }
                row += 1
                if row - first == batchRows || row == ids.count {
                    try batch(first, values)
                    values.removeAll(keepingCapacity: true)
                    first = row
                }
            }
            guard row == ids.count else {
                throw CorpusError.invalidRequest("\(path): the \(kind.rawValue) embeddings changed while being read")
            }
        }
    }

    /// A stamp of the stored `kind` embeddings of `model` that changes with every insert, update or delete of one
    /// ("TOKEN:CHANGES", from the counter the `embedding_changes` triggers keep): one row read, where checking the
    /// vectors themselves reads them all. Nil when the model has never had embeddings of `kind`.
    public func embeddingChangeStamp(model: Int64, kind: EmbeddingItemKind) throws -> String? {
        try readDB { db in
            try Row.fetchOne(db, sql: "SELECT token, changes FROM embedding_changes WHERE model_id = ? AND item_kind = ?",
                             arguments: [model, kind.rawValue]).map { row -> String in
                let token: String = row[0], changes: Int64 = row[1]
                return "\(token):\(changes)"
            }
        }
    }

    /// Dataset, split and duplicate mark of each image in `ids` (which must exist), in the order of `ids`.
    public func imageFacets(_ ids: [Int64]) throws -> ImageFacets {
        try readDB { db in
            var facets = ImageFacets(datasetNames: [], splitNames: [], dataset: [], split: [], duplicate: [])
            var datasetIndex: [Int64: Int32] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, name FROM dataset ORDER BY id") {
                datasetIndex[row[0]] = Int32(facets.datasetNames.count)
                facets.datasetNames.append(row[1])
            }
            var splitIndex: [String: Int32] = [:]
            var byId: [Int64: (Int32, Int32, Bool)] = [:]
            byId.reserveCapacity(ids.count)
            let rows = try Row.fetchCursor(db, sql: "SELECT id, dataset_id, split, duplicate_of IS NOT NULL FROM image")
            while let row = try rows.next() {
                let split: String? = row[2]
                var splitNumber: Int32 = -1
                if let split {
                    if let known = splitIndex[split] {
                        splitNumber = known
                    } else {
                        splitNumber = Int32(facets.splitNames.count)
                        splitIndex[split] = splitNumber
                        facets.splitNames.append(split)
                    }
                }
                byId[row[0]] = (datasetIndex[row[1]] ?? -1, splitNumber, row[3])
            }
            facets.dataset.reserveCapacity(ids.count)
            facets.split.reserveCapacity(ids.count)
            facets.duplicate.reserveCapacity(ids.count)
            for id in ids {
                guard let (dataset, split, duplicate) = byId[id] else {
                    throw CorpusError.invalidRequest("\(path): an embedding names image \(id), which is not in the corpus")
                }
                facets.dataset.append(dataset)
                facets.split.append(split)
                facets.duplicate.append(duplicate)
            }
            return facets
        }
    }

    /// Ids of the images having at least one object of `className` (the clean class name), ascending.
    public func imageIds(withObjectClass className: String) throws -> [Int64] {
        try readDB { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT image_id FROM object WHERE class = ? ORDER BY image_id",
                               arguments: [className])
        }
    }

    /// Ids of the images having at least one caption of `source`, ascending.
    public func imageIds(withCaptionSource source: CaptionSource) throws -> [Int64] {
        try readDB { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT image_id FROM caption WHERE source = ? ORDER BY image_id",
                               arguments: [source.rawValue])
        }
    }

    /// For each caption id, its image id and source, in the order of `ids` (which must exist).
    public func captionFacets(_ ids: [Int64]) throws -> (images: [Int64], sources: [CaptionSource]) {
        try readDB { db in
            var byId: [Int64: (Int64, CaptionSource)] = [:]
            byId.reserveCapacity(ids.count)
            let rows = try Row.fetchCursor(db, sql: "SELECT id, image_id, source FROM caption")
            while let row = try rows.next() {
                let source: String = row[2]
                byId[row[0]] = (row[1], CaptionSource(rawValue: source) ?? .human)
            }
            var images: [Int64] = [], sources: [CaptionSource] = []
            images.reserveCapacity(ids.count)
            sources.reserveCapacity(ids.count)
            for id in ids {
                guard let (image, source) = byId[id] else {
                    throw CorpusError.invalidRequest("\(path): an embedding names caption \(id), which is not in the corpus")
                }
                images.append(image)
                sources.append(source)
            }
            return (images, sources)
        }
    }

    /// The captions with these ids, by id (unknown ids are absent).
    public func captionSummaries(_ ids: [Int64]) throws -> [Int64: CaptionSummary] {
        try readDB { db in
            var result: [Int64: CaptionSummary] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = chunk.map { _ in "?" }.joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT id, image_id, text, source FROM caption WHERE id IN (\(marks))",
                                            arguments: StatementArguments(chunk)) {
                    let source: String = row[3]
                    guard let known = CaptionSource(rawValue: source) else { continue }
                    result[row[0]] = CaptionSummary(id: row[0], imageId: row[1], text: row[2], source: known)
                }
            }
            return result
        }
    }

    /// The names of the registered encoder models, in registration order.
    public func encoderNames() throws -> [String] {
        try readDB { db in try String.fetchAll(db, sql: "SELECT name FROM encoder_model ORDER BY id") }
    }

    /// The id of the image at `path` (relative to its root) in `dataset`, if any.
    public func imageId(dataset: String, path: String) throws -> Int64? {
        try readDB { db in
            try Int64.fetchOne(db, sql: """
                SELECT i.id FROM image i JOIN dataset d ON d.id = i.dataset_id WHERE d.name = ? AND i.path = ?
                """, arguments: [dataset, path])
        }
    }
}
