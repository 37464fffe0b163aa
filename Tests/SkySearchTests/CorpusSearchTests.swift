import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyImaging
import SkySearch
import Testing

/// Search and retrieval evaluation over embeddings stored in a corpus, with the random-weight test model.
@Suite struct CorpusSearchTests {
    /// A corpus with 4 distinct images in dataset "d" (split test), two human captions each, embedded by the model.
    func embeddedCorpus(_ folder: URL) throws -> (Corpus, Int64, CLIPEncoder) {
        let images = folder.appendingPathComponent("d")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for index in 0..<4 {
            var image = RasterImage(width: 48, height: 36, layout: .rgb)
            for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: (byte / 3 % 48) * (index * 40 + 5)) }
            try ImageEncoder.write(image, to: images.appendingPathComponent("img\(index).png").path)
        }
        let corpus = try Corpus(path: folder.appendingPathComponent("c.sqlite").path, create: true)
        _ = try ImageRegistration(dataset: "d", folder: images.path, split: "test").run(in: corpus)
        try corpus.pool.write { db in
            for (index, id) in try Int64.fetchAll(db, sql: "SELECT id FROM image ORDER BY path").enumerated() {
                for text in ["picture number \(index)", "another view of scene \(index)"] {
                    var caption = CaptionRecord(imageId: id, text: text, source: .human)
                    try caption.insert(db)
                }
            }
        }
        let encoder = try CLIPEncoder(modelPath: ChangeCLIPEndToEndTests.tinyModel)
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "tiny", architecture: "test", checksum: "x",
                                                                dimension: encoder.model.embedDim))
        let set = try corpus.retrievalSet(dataset: "d", split: "test")
        let paths = try corpus.imagePaths(set.imageIds)
        let imageVectors = try encoder.encodeImages(files: set.imageIds.map { paths[$0]! })
        try corpus.storeEmbeddings(model: model, kind: .image, set.imageIds.enumerated().map { ($1, imageVectors.row($0)) })
        let texts = try corpus.pool.read { db in try String.fetchAll(db, sql: "SELECT text FROM caption ORDER BY id") }
        let textVectors = try encoder.encodeTexts(texts)
        try corpus.storeEmbeddings(model: model, kind: .caption, set.captionIds.enumerated().map { ($1, textVectors.row($0)) })
        return (corpus, model, encoder)
    }

    @Test func searchRanksStoredImagesByCosine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-search-\(getpid())-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (corpus, model, encoder) = try embeddedCorpus(folder)
        let query = try encoder.encodeTexts(["picture number 2"]).row(0)
        let hits = try CorpusSearch.images(in: corpus, model: model, query: query, top: 3)
        #expect(hits.count == 3)
        #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        #expect(hits.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        // The top score is the largest cosine over all stored images, computed here directly.
        let all = try corpus.embeddings(model: model, kind: .image)
        let best = all.values.map { zip($0, query).map { $0 * $1 }.reduce(0, +) }.max()!
        #expect(abs(hits[0].score - best) < 1e-5)
        #expect(try CorpusSearch.images(in: corpus, model: model, query: query, dataset: "d", top: 10).count == 4)
    }

    @Test func searchLeavesOutDuplicatesUnlessAsked() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-dups-\(getpid())-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (corpus, model, encoder) = try embeddedCorpus(folder)
        let ids = try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM image ORDER BY path") }
        // Dedup marked images 1 and 3 as copies of image 0.
        try corpus.pool.write { db in
            try db.execute(sql: "UPDATE image SET duplicate_of = ? WHERE id IN (?, ?)", arguments: [ids[0], ids[1], ids[3]])
        }
        let query = try encoder.encodeTexts(["picture number 1"]).row(0)
        let hits = try CorpusSearch.images(in: corpus, model: model, query: query, top: 10)
        #expect(Set(hits.map(\.imageId)) == [ids[0], ids[2]])
        let all = try CorpusSearch.images(in: corpus, model: model, query: query, top: 10, includeDuplicates: true)
        #expect(all.count == 4)
        // Retrieval evaluation keeps every image of the benchmark.
        #expect(try CorpusSearch.evaluate(in: corpus, model: model, dataset: "d", split: "test").images == 4)
    }

    @Test func evaluationUsesEveryCaptionAndRefusesMissingEmbeddings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-eval-\(getpid())-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (corpus, model, _) = try embeddedCorpus(folder)
        let (result, images, captions) = try CorpusSearch.evaluate(in: corpus, model: model, dataset: "d", split: "test")
        #expect(images == 4 && captions == 8)
        #expect(result.textToImage[10] == 1 && result.imageToText[10] == 1)  // 4 images: every rank is within 10
        #expect(result.textToImage[1]! >= 0 && result.textToImage[1]! <= 1)
        try corpus.pool.write { db in try db.execute(sql: "DELETE FROM embedding WHERE item_kind = 'caption' AND item_id = 3") }
        #expect(throws: SearchError.self) { _ = try CorpusSearch.evaluate(in: corpus, model: model, dataset: "d", split: "test") }
        #expect(throws: SearchError.self) { _ = try CorpusSearch.evaluate(in: corpus, model: model, dataset: "d", split: "train") }
    }
}
