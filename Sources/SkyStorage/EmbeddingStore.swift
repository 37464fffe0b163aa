import Foundation
import GRDB

/// What an embedding belongs to (the `embedding.item_kind` column).
public enum EmbeddingItemKind: String, Sendable, Codable, CaseIterable {
    case image, caption, prompt
}

/// An encoder model as the corpus records it: embeddings are only comparable within one model.
public struct EncoderModelInfo: Sendable, Equatable, Codable {
    /// A unique, user-facing name (e.g. the checkpoint's file name).
    public var name: String
    /// The architecture description (e.g. `ViT-B/32 (embed 512, text 512x12, quickgelu)`).
    public var architecture: String
    /// SHA-256 of the checkpoint file, 64 hex digits.
    public var checksum: String
    /// Embedding width.
    public var dimension: Int
    /// The arithmetic that made the stored embeddings: the raw value of SkyCLIP's `Precision` (`fp32`, `bf16`),
    /// the `encoder_model.precision` column. A model holds embeddings of one precision.
    public var precision: String

    /// What corpora embedded before the column existed hold (the column's default): fp32, the only precision there was.
    public static let legacyPrecision = "fp32"

    /// A model description to register.
    public init(name: String, architecture: String, checksum: String, dimension: Int,
                precision: String = EncoderModelInfo.legacyPrecision) {
        self.name = name
        self.architecture = architecture
        self.checksum = checksum
        self.dimension = dimension
        self.precision = precision
    }
}

/// One corpus item that has no embedding yet for a model: an image file or a text.
public struct PendingEmbeddingItem: Sendable, Equatable {
    /// The image, caption or prompt id.
    public var id: Int64
    /// Which table the id belongs to.
    public var kind: EmbeddingItemKind
    /// The image's absolute path (dataset root + relative path), or the caption/prompt text.
    public var input: String
}

/// Why embeddings could not be registered or stored; nothing of the failing step was written.
public enum EmbeddingStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model name is taken by a different checkpoint or width.
    case modelConflict(name: String, stored: String, given: String)
    /// A vector has the wrong width or is not finite / all zero.
    case badVector(kind: EmbeddingItemKind, id: Int64, reason: String)
    /// No model of that name is registered.
    case unknownModel(name: String)
    /// The model holds embeddings of another precision: storing these would mix two sets of vectors.
    case precisionConflict(name: String, stored: String, given: String)

    public var description: String {
        switch self {
        case .modelConflict(let name, let stored, let given):
            "encoder model '\(name)' is registered for \(stored), not \(given)"
        case .badVector(let kind, let id, let reason):
            "embedding of \(kind.rawValue) \(id): \(reason); nothing was written"
        case .unknownModel(let name):
            "no encoder model '\(name)' in the corpus"
        case .precisionConflict(let name, let stored, let given):
            "encoder model '\(name)' holds \(stored) embeddings; \(given) ones would mix two precisions in one set "
                + "(one checkpoint's embeddings at two precisions are different vectors); nothing was written"
        }
    }
}

extension Corpus {
    /// Registers a model, or returns the id of the identical registration (same name, checksum, width); a
    /// different checkpoint under a registered name is refused.
    public func registerEncoder(_ info: EncoderModelInfo) throws -> Int64 {
        try write { try $0.registerEncoder(info) }
    }

    /// Registers a model whose embeddings are about to be stored at `info.precision`, in one transaction: as
    /// ``registerEncoder(_:)``, and a registered model holding embeddings of another precision is refused
    /// (``EmbeddingStoreError/precisionConflict(name:stored:given:)``); one without embeddings takes the precision.
    public func registerEmbeddingModel(_ info: EncoderModelInfo) throws -> Int64 {
        try write { transaction in
            let id = try transaction.registerEncoder(info)
            try transaction.claimPrecision(model: id, info: info)
            return id
        }
    }

    /// The registered model of that name, with its id.
    public func encoder(named name: String) throws -> (id: Int64, info: EncoderModelInfo)? {
        try readDB { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM encoder_model WHERE name = ?", arguments: [name]) else { return nil }
            return (row["id"], EncoderModelInfo(name: row["name"], architecture: row["architecture"],
                                                 checksum: row["checksum"], dimension: row["dimension"],
                                                 precision: row["precision"]))
        }
    }

    /// Items of a kind without an embedding for the model, in id order: what a resumed run still has to do.
    public func pendingEmbeddings(model: Int64, kind: EmbeddingItemKind) throws -> [PendingEmbeddingItem] {
        let missing = "NOT EXISTS (SELECT 1 FROM embedding e WHERE e.model_id = ? AND e.item_kind = ? AND e.item_id = x.id)"
        return try readDB { db in
            switch kind {
            case .image:
                let rows = try Row.fetchAll(db, sql: """
                    SELECT x.id, x.path, r.path AS root FROM image x JOIN dataset_root r ON r.id = x.root_id
                    WHERE \(missing) AND x.unreadable IS NULL ORDER BY x.id
                    """, arguments: [model, kind.rawValue])
                return rows.map { row in
                    let path: String = row["path"], root: String? = row["root"]
                    return PendingEmbeddingItem(id: row["id"], kind: kind, input: CorpusPaths.file(path, root: root))
                }
            case .caption, .prompt:
                let table = kind == .caption ? "caption" : "prompt"
                let rows = try Row.fetchAll(db, sql: "SELECT x.id, x.text FROM \(table) x WHERE \(missing) ORDER BY x.id",
                                            arguments: [model, kind.rawValue])
                return rows.map { PendingEmbeddingItem(id: $0["id"], kind: kind, input: $0["text"]) }
            }
        }
    }

    /// Stores L2-normalised copies of the vectors as float32 little-endian blobs, all in one transaction;
    /// storing an item again replaces its vector, so a re-run is idempotent. `unreadable` (images only) marks the
    /// images of the batch whose file could not be decoded, with the decoder's reason, in the same transaction;
    /// an image stored with a vector decoded, so its mark is cleared. `precision`, when given, must be the model's
    /// (checked in the same transaction, so a concurrent run at another precision cannot slip vectors in).
    public func storeEmbeddings(model: Int64, kind: EmbeddingItemKind, _ vectors: [(id: Int64, vector: [Float])],
                                unreadable: [(id: Int64, reason: String)] = [], precision: String? = nil) throws {
        let dimension: Int = try readDB { db in
            guard let width = try Int.fetchOne(db, sql: "SELECT dimension FROM encoder_model WHERE id = ?", arguments: [model]) else {
                throw EmbeddingStoreError.unknownModel(name: "#\(model)")
            }
            return width
        }
        var blobs: [(Int64, Data)] = []
        for (id, vector) in vectors {
            guard vector.count == dimension else {
                throw EmbeddingStoreError.badVector(kind: kind, id: id, reason: "\(vector.count) values, the model has \(dimension)")
            }
            guard vector.allSatisfy(\.isFinite) else {
                throw EmbeddingStoreError.badVector(kind: kind, id: id, reason: "not finite")
            }
            let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { throw EmbeddingStoreError.badVector(kind: kind, id: id, reason: "all zero") }
            var blob = Data(capacity: dimension * 4)
            for value in vector { withUnsafeBytes(of: (value / norm).bitPattern.littleEndian) { blob.append(contentsOf: $0) } }
            blobs.append((id, blob))
        }
        try writeDB { db in
            if let precision, let row = try Row.fetchOne(db, sql: "SELECT name, precision FROM encoder_model WHERE id = ?",
                                                          arguments: [model]) {
                let stored: String = row["precision"]
                guard stored == precision else {
                    throw EmbeddingStoreError.precisionConflict(name: row["name"], stored: stored, given: precision)
                }
            }
            for (id, blob) in blobs {
                try db.execute(sql: "INSERT OR REPLACE INTO embedding (model_id, item_kind, item_id, vector) VALUES (?, ?, ?, ?)",
                               arguments: [model, kind.rawValue, id, blob])
            }
            guard kind == .image else { return }
            let transaction = CorpusTransaction(db: db)
            try transaction.markUnreadable(unreadable.map { (id: $0.id, reason: Optional($0.reason)) }
                                           + blobs.map { (id: $0.0, reason: nil) })
        }
    }

    /// The stored (normalised) vector of one item, or nil.
    public func embedding(model: Int64, kind: EmbeddingItemKind, id: Int64) throws -> [Float]? {
        try readDB { db in
            guard let blob = try Data.fetchOne(db, sql: "SELECT vector FROM embedding WHERE model_id = ? AND item_kind = ? AND item_id = ?",
                                               arguments: [model, kind.rawValue, id]) else { return nil }
            return Self.floats(blob)
        }
    }

    /// How many items of a kind have an embedding for the model.
    public func embeddingCount(model: Int64, kind: EmbeddingItemKind) throws -> Int {
        try readDB { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embedding WHERE model_id = ? AND item_kind = ?",
                             arguments: [model, kind.rawValue]) ?? 0
        }
    }

    /// Decodes a float32 little-endian blob.
    public static func floats(_ blob: Data) -> [Float] {
        var values = [Float](repeating: 0, count: blob.count / 4)
        blob.withUnsafeBytes { raw in
            for index in values.indices {
                values[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
        }
        return values
    }
}

extension CorpusTransaction {
    /// Registers a model inside a step's transaction, or returns the id of the identical registration (same name,
    /// checksum, width); a different checkpoint under a registered name is refused.
    public func registerEncoder(_ info: EncoderModelInfo) throws -> Int64 {
        if let row = try Row.fetchOne(db, sql: "SELECT id, checksum, dimension FROM encoder_model WHERE name = ?",
                                      arguments: [info.name]) {
            let checksum: String = row["checksum"], dimension: Int = row["dimension"]
            guard checksum == info.checksum, dimension == info.dimension else {
                throw EmbeddingStoreError.modelConflict(name: info.name, stored: "checksum \(checksum.prefix(12))…, dimension \(dimension)",
                                                        given: "checksum \(info.checksum.prefix(12))…, dimension \(info.dimension)")
            }
            return row["id"]
        }
        try db.execute(sql: "INSERT INTO encoder_model (name, architecture, checksum, dimension, precision) VALUES (?, ?, ?, ?, ?)",
                       arguments: [info.name, info.architecture, info.checksum, info.dimension, info.precision])
        return db.lastInsertedRowID
    }

    /// Makes `info.precision` the precision of the registered model `model` when it holds no embeddings; refuses
    /// (``EmbeddingStoreError/precisionConflict(name:stored:given:)``) when it holds embeddings of another one.
    public func claimPrecision(model: Int64, info: EncoderModelInfo) throws {
        let stored = try String.fetchOne(db, sql: "SELECT precision FROM encoder_model WHERE id = ?", arguments: [model])
        guard let stored, stored != info.precision else { return }
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM embedding WHERE model_id = ?)", arguments: [model]) == true {
            throw EmbeddingStoreError.precisionConflict(name: info.name, stored: stored, given: info.precision)
        }
        try db.execute(sql: "UPDATE encoder_model SET precision = ? WHERE id = ?", arguments: [info.precision, model])
    }
}
