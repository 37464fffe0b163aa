import Foundation
import GRDB
import SkyStorage
import SkyTestSupport
import Testing

/// `embedding_changes` (migration v8-embedding-changes): the stamp of a model's stored embeddings of one kind moves
/// with every write of one of them, whatever the statement, and with nothing else; corpora made apart never share
/// a stamp. (A saved index trusts an equal stamp without reading the vectors, so a missed write would serve a stale
/// index.)
@Suite struct EmbeddingStampTests {
    static func info(_ name: String) -> EncoderModelInfo {
        EncoderModelInfo(name: name, architecture: "test", checksum: String(repeating: "a", count: 64), dimension: 3)
    }

    /// A corpus with two images, and two registered models.
    static func corpus(_ folder: TemporaryFolder) throws -> (Corpus, [Int64], Int64, Int64) {
        let (corpus, image) = try EmbeddingPrecisionTests.corpus(folder)
        let other = try corpus.write { transaction in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "e"))
            let root = try transaction.root(dataset: dataset, path: "/data2")
            return try transaction.insertImage(ImageRecord(datasetId: dataset, rootId: root, path: "b.png"))
        }
        return (corpus, [image, other], try corpus.registerEncoder(Self.info("m")), try corpus.registerEncoder(Self.info("n")))
    }

    @Test func everyWriteOfAModelsEmbeddingsMovesItsStampAndNothingElseDoes() throws {
        let folder = try TemporaryFolder("stamp")
        let (corpus, images, model, second) = try Self.corpus(folder)
        #expect(try corpus.embeddingChangeStamp(model: model, kind: .image) == nil)
        try corpus.storeEmbeddings(model: model, kind: .image, [(images[0], [1, 2, 3]), (images[1], [3, 2, 1])])
        let first = try #require(try corpus.embeddingChangeStamp(model: model, kind: .image))
        // Reads, and writes of another model or another kind, leave it alone.
        _ = try corpus.storedVectors(model: model, kind: .image)
        try corpus.storeEmbeddings(model: second, kind: .image, [(images[0], [1, 1, 1])])
        try corpus.storeEmbeddings(model: model, kind: .prompt, [(7, [1, 0, 0])])
        #expect(try corpus.embeddingChangeStamp(model: model, kind: .image) == first)
        // Storing a vector again (INSERT OR REPLACE), even the same one, moves it, keeping the token.
        var seen = [first]
        for vector: [Float] in [[1, 2, 3], [0, 0, 1]] {
            try corpus.storeEmbeddings(model: model, kind: .image, [(images[0], vector)])
            let stamp = try #require(try corpus.embeddingChangeStamp(model: model, kind: .image))
            #expect(!seen.contains(stamp) && stamp.prefix(17) == first.prefix(17))
            seen.append(stamp)
        }
        // An UPDATE or DELETE by any SQLite client, and removing the model (a cascade), move it too.
        try corpus.pool.write { db in
            try db.execute(sql: "UPDATE embedding SET vector = vector WHERE model_id = ? AND item_kind = 'image'", arguments: [model])
        }
        let updated = try #require(try corpus.embeddingChangeStamp(model: model, kind: .image))
        #expect(!seen.contains(updated))
        seen.append(updated)
        try corpus.pool.write { db in
            try db.execute(sql: "DELETE FROM embedding WHERE model_id = ? AND item_id = ?", arguments: [model, images[1]])
        }
        let deleted = try #require(try corpus.embeddingChangeStamp(model: model, kind: .image))
        #expect(!seen.contains(deleted))
        seen.append(deleted)
        let secondStamp = try corpus.embeddingChangeStamp(model: second, kind: .image)
        try corpus.pool.write { db in try db.execute(sql: "DELETE FROM encoder_model WHERE id = ?", arguments: [model]) }
        #expect(try !seen.contains(#require(try corpus.embeddingChangeStamp(model: model, kind: .image))))
        #expect(try corpus.embeddingChangeStamp(model: second, kind: .image) == secondStamp)
    }

    @Test func corporaMadeApartHaveOtherStampsForTheSameRows() throws {
        var stamps: [String] = []
        for name in ["stamp-a", "stamp-b"] {
            let folder = try TemporaryFolder(name)
            let (corpus, images, model, _) = try Self.corpus(folder)
            try corpus.storeEmbeddings(model: model, kind: .image, [(images[0], [1, 2, 3]), (images[1], [3, 2, 1])])
            stamps.append(try #require(try corpus.embeddingChangeStamp(model: model, kind: .image)))
        }
        #expect(stamps[0] != stamps[1] && stamps[0].hasSuffix(stamps[1].split(separator: ":").last.map { ":\($0)" } ?? "?"))
    }
}
