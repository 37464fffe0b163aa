import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import Testing
@testable import SkyCLIP

/// Corpus embedding storage: model registration, normalised vectors, resume and refusal of conflicts.
@Suite struct EmbeddingStoreTests {
    func makeCorpus(images: [String], captions: [String]) throws -> (Corpus, [Int64]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skyclip-\(UUID().uuidString).sqlite").path
        let corpus = try Corpus(path: path, create: true)
        let ids: [Int64] = try corpus.pool.write { db in
            var dataset = DatasetRecord(name: "rsicd", root: realData.appendingPathComponent("captions/rsicd_images").path)
            try dataset.insert(db)
            try db.execute(sql: "INSERT INTO dataset_root (dataset_id, path) VALUES (?, ?)", arguments: [dataset.id, dataset.root ?? ""])
            let rootId = db.lastInsertedRowID
            var ids: [Int64] = []
            for name in images {
                var image = ImageRecord(datasetId: dataset.id!, rootId: rootId, path: name)
                try image.insert(db)
                ids.append(image.id!)
            }
            for text in captions {
                var caption = CaptionRecord(imageId: ids[0], text: text, source: .human)
                try caption.insert(db)
            }
            return ids
        }
        return (corpus, ids)
    }

    @Test func registerStoreAndResume() throws {
        let (corpus, ids) = try makeCorpus(images: ["a.jpg", "b.jpg", "c.jpg"], captions: ["one", "two"])
        let info = EncoderModelInfo(name: "m", architecture: "test", checksum: String(repeating: "a", count: 64), dimension: 3)
        let model = try corpus.registerEncoder(info)
        #expect(try corpus.registerEncoder(info) == model)
        var other = info
        other.checksum = String(repeating: "b", count: 64)
        #expect(throws: EmbeddingStoreError.self) { try corpus.registerEncoder(other) }

        let pending = try corpus.pendingEmbeddings(model: model, kind: .image)
        #expect(pending.map(\.id) == ids)
        #expect(pending[0].input.hasSuffix("captions/rsicd_images/a.jpg"))
        try corpus.storeEmbeddings(model: model, kind: .image, [(ids[0], [3, 0, 4])])
        #expect(try corpus.embedding(model: model, kind: .image, id: ids[0]) == [0.6, 0, 0.8])
        // A resumed run sees only what is left; storing again replaces, never duplicates.
        #expect(try corpus.pendingEmbeddings(model: model, kind: .image).map(\.id) == Array(ids.dropFirst()))
        try corpus.storeEmbeddings(model: model, kind: .image, [(ids[0], [0, 2, 0])])
        #expect(try corpus.embeddingCount(model: model, kind: .image) == 1)
        #expect(try corpus.embedding(model: model, kind: .image, id: ids[0]) == [0, 1, 0])
        #expect(try corpus.pendingEmbeddings(model: model, kind: .caption).map(\.input) == ["one", "two"])

        // A bad vector anywhere in a batch writes nothing of that batch.
        #expect(throws: EmbeddingStoreError.self) {
            try corpus.storeEmbeddings(model: model, kind: .image, [(ids[1], [1, 1, 1]), (ids[2], [1, 1])])
        }
        #expect(throws: EmbeddingStoreError.self) {
            try corpus.storeEmbeddings(model: model, kind: .image, [(ids[1], [0, 0, 0])])
        }
        #expect(try corpus.embeddingCount(model: model, kind: .image) == 1)
    }

    /// Real RSICD JPEGs embedded with a fixture model, stored, and read back equal to the normalised output.
    @Test(.enabled(if: hasRealData, "needs ../shared/realdata"))
    func embedsRealImages() throws {
        let files = ["airport_17.jpg", "stadium_1.jpg"]
        let (corpus, ids) = try makeCorpus(images: files, captions: [])
        let fixture = try ModelFixture("vit-quickgelu")
        let clip = try CLIPModel(path: fixture.path("pt"), override: fixture.override)
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "vit", architecture: clip.architecture.description,
                                                                checksum: String(repeating: "c", count: 64), dimension: clip.embedDim))
        let pending = try corpus.pendingEmbeddings(model: model, kind: .image)
        let preprocessor = CLIPPreprocessor(imageSize: clip.architecture.imageSize)
        var pixels: [Float] = []
        for item in pending { pixels += try preprocessor.tensor(file: item.input) }
        let vectors = try clip.encodeImages(pixels, count: pending.count)
        try corpus.storeEmbeddings(model: model, kind: .image, zip(pending, vectors).map { ($0.id, $1) })
        for (id, vector) in zip(ids, vectors) {
            let stored = try #require(try corpus.embedding(model: model, kind: .image, id: id))
            let expected = l2Normalized(vector)
            #expect(zip(stored, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        }
        #expect(try corpus.pendingEmbeddings(model: model, kind: .image).isEmpty)
    }
}
