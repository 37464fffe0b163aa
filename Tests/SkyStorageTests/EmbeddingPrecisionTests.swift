import Foundation
import GRDB
import SkySchemas
import SkyStorage
import SkyTestSupport
import Testing

/// `encoder_model.precision` (migration v7-embedding-precision): which arithmetic made a model's stored
/// embeddings. A model holds one precision; old corpora read as fp32; stats show it.
@Suite struct EmbeddingPrecisionTests {
    static func info(_ precision: String, name: String = "m") -> EncoderModelInfo {
        EncoderModelInfo(name: name, architecture: "test", checksum: String(repeating: "a", count: 64), dimension: 3,
                         precision: precision)
    }

    /// A corpus with one image, for vectors to belong to.
    static func corpus(_ folder: TemporaryFolder) throws -> (Corpus, Int64) {
        let corpus = try Corpus(path: folder.path("c.sqlite"), access: .create)
        let id = try corpus.write { transaction in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "d"))
            let root = try transaction.root(dataset: dataset, path: "/data")
            return try transaction.insertImage(ImageRecord(datasetId: dataset, rootId: root, path: "a.png"))
        }
        return (corpus, id)
    }

    @Test func aModelHoldsOnePrecisionAndRerunsAreIdempotent() throws {
        let folder = try TemporaryFolder("precision-rule")
        let (corpus, image) = try Self.corpus(folder)
        let model = try corpus.registerEmbeddingModel(Self.info("fp32"))
        try corpus.storeEmbeddings(model: model, kind: .image, [(image, [1, 2, 3])], precision: "fp32")
        // The same precision again: the same model, nothing changes.
        #expect(try corpus.registerEmbeddingModel(Self.info("fp32")) == model)
        // Another precision while the model holds embeddings: refused, and nothing was changed.
        #expect(throws: EmbeddingStoreError.precisionConflict(name: "m", stored: "fp32", given: "bf16")) {
            try corpus.registerEmbeddingModel(Self.info("bf16"))
        }
        #expect(throws: EmbeddingStoreError.precisionConflict(name: "m", stored: "fp32", given: "bf16")) {
            try corpus.storeEmbeddings(model: model, kind: .image, [(image, [3, 2, 1])], precision: "bf16")
        }
        #expect(try corpus.encoder(named: "m")?.info.precision == "fp32")
        #expect(try corpus.embedding(model: model, kind: .image, id: image)?.first.map { abs($0 - 1 / Float(14).squareRoot()) < 1e-6 } == true)
        let message = "\(EmbeddingStoreError.precisionConflict(name: "m", stored: "fp32", given: "bf16"))"
        #expect(message.contains("'m' holds fp32 embeddings") && message.contains("nothing was written"))
        // Another name keeps the bf16 embeddings as a separate set.
        let other = try corpus.registerEmbeddingModel(Self.info("bf16", name: "m-bf16"))
        try corpus.storeEmbeddings(model: other, kind: .image, [(image, [3, 2, 1])], precision: "bf16")
        let stats = try CorpusStats.read(from: corpus).embeddings
        #expect(stats.map(\.model) == ["m", "m-bf16"] && stats.map(\.precision) == ["fp32", "bf16"])
        #expect(stats.map { $0.items["image"] } == [1, 1] && stats.allSatisfy { $0.dimension == 3 })
    }

    /// A model registered without embeddings (zero-shot labelling registers its model too) has nothing to mix:
    /// the first embeddings stored decide its precision.
    @Test func aModelWithoutEmbeddingsTakesThePrecision() throws {
        let folder = try TemporaryFolder("precision-empty")
        let (corpus, image) = try Self.corpus(folder)
        let model = try corpus.registerEncoder(Self.info("fp32"))
        #expect(try corpus.registerEmbeddingModel(Self.info("bf16")) == model)
        #expect(try corpus.encoder(named: "m")?.info.precision == "bf16")
        try corpus.storeEmbeddings(model: model, kind: .image, [(image, [1, 0, 0])], precision: "bf16")
        #expect(try CorpusStats.read(from: corpus).embeddings.first?.precision == "bf16")
    }

    /// A corpus embedded before the column existed migrates with its rows, and its embeddings read as fp32.
    @Test func anOldCorpusReadsAsFP32() throws {
        let folder = try TemporaryFolder("precision-old")
        let path = folder.path("old.sqlite")
        let sections = try CorpusMigrations.sections(of: try SkySchemas.text("corpus.sql"))
        let index = try #require(sections.firstIndex { $0.name == "v7-embedding-precision" })
        var earlier = DatabaseMigrator()
        for section in sections[..<index] { earlier.registerMigration(section.name) { db in try db.execute(sql: section.sql) } }
        let queue = try DatabaseQueue(path: path)
        try earlier.migrate(queue)
        try queue.write { db in
            #expect(try !db.columns(in: "encoder_model").contains { $0.name == "precision" })
            try db.execute(sql: """
                INSERT INTO dataset (id, name) VALUES (1, 'd');
                INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, '/data');
                INSERT INTO image (id, dataset_id, root_id, path) VALUES (1, 1, 1, 'a.png');
                INSERT INTO encoder_model (id, name, architecture, checksum, dimension) VALUES (1, 'old', 'ViT', 'c', 2);
                INSERT INTO embedding (model_id, item_kind, item_id, vector) VALUES (1, 'image', 1, x'0000803F00000000');
                """)
        }
        try queue.close()
        let corpus = try Corpus(path: path, access: .readWrite)
        #expect(try corpus.appliedMigrations() == sections.map(\.name))
        #expect(try corpus.encoder(named: "old")?.info.precision == "fp32")
        #expect(try corpus.embedding(model: 1, kind: .image, id: 1) == [1, 0])
        // Embeddings stored before the change counter existed get one (v8-embedding-changes), so a saved index can
        // record it.
        #expect(try corpus.embeddingChangeStamp(model: 1, kind: .image)?.hasSuffix(":0") == true)
        #expect(try corpus.embeddingChangeStamp(model: 1, kind: .caption) == nil)
        let stats = try CorpusStats.read(from: corpus).embeddings
        #expect(stats.map(\.model) == ["old"] && stats.map(\.precision) == ["fp32"] && stats.map(\.items) == [["image": 1]])
        // Adding fp32 embeddings to it is a re-run; bf16 ones are refused.
        let info = EncoderModelInfo(name: "old", architecture: "ViT", checksum: "c", dimension: 2)
        #expect(try corpus.registerEmbeddingModel(info) == 1)
        var bf16 = info
        bf16.precision = "bf16"
        #expect(throws: EmbeddingStoreError.precisionConflict(name: "old", stored: "fp32", given: "bf16")) {
            try corpus.registerEmbeddingModel(bf16)
        }
    }
}
