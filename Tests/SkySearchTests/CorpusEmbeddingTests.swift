import Foundation
import GRDB
import SkyCLIP
import SkyImaging
import SkyPipeline
import SkySearch
import SkyStorage
import SkyTestSupport
import Testing

/// `CorpusEmbedding` streams images (the next batch decoded while one is encoded): whatever the batch size, the
/// stored vectors are the encoder's, unreadable images are marked in their batch, and a re-run adds nothing.
@Suite struct CorpusEmbeddingTests {
    /// A corpus of 7 distinct PNGs and one file that is not an image.
    static func corpus(_ folder: TemporaryFolder) throws -> Corpus {
        try FileManager.default.createDirectory(atPath: folder.path("d"), withIntermediateDirectories: true)
        for index in 0..<7 {
            var image = RasterImage(width: 40, height: 30, layout: .rgb)
            for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte * (index + 3) / 5) }
            try ImageEncoder.write(image, to: folder.path("d/img\(index).png"))
        }
        let corpus = try Corpus(path: folder.path("corpus.sqlite"), create: true)
        _ = try ImageRegistration(dataset: "d", folder: folder.path("d"), split: "train").run(in: corpus)
        // Registered, then damaged on disk: embedding finds it unreadable.
        try folder.write("not a png", to: "d/img3.png")
        return corpus
    }

    @Test(arguments: [1, 3, 16])
    func everyBatchSizeStoresTheEncodersVectors(_ batchSize: Int) throws {
        let folder = try TemporaryFolder("embed-\(batchSize)")
        let corpus = try Self.corpus(folder)
        let encoder = try CLIPEncoder(modelPath: ChangeCLIPEndToEndTests.tinyModel)
        var reported: [Int] = []
        let step = CorpusEmbedding(model: encoder.model, checkpointPath: ChangeCLIPEndToEndTests.tinyModel,
                                   name: "tiny", kinds: [.image], batchSize: batchSize)
        let summary = try step.run(on: corpus) { _, done, total in
            #expect(total == 7)
            reported.append(done)
        }
        #expect(summary.embedded["images"] == 6 && summary.total["images"] == 6)
        #expect(summary.skippedImages.count == 1 && summary.skippedImages[0].path.hasSuffix("img3.png"))
        #expect((summary.seconds?["images"] ?? -1) >= 0)
        #expect(reported == reported.sorted() && reported.last == 7)
        let stored = try corpus.embeddings(model: summary.modelId, kind: .image)
        let paths = try corpus.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, path FROM image").map { ($0[0] as Int64, $0[1] as String) }
        }
        for (id, path) in paths where !path.hasSuffix("img3.png") {
            let expected = try encoder.encodeImages(files: [folder.path("d/\(path)")]).row(0)
            let vector = try #require(stored[id])
            #expect(zip(vector, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(path)")
        }
        let unreadable = try corpus.read { try $0.unreadableImageCount() }
        #expect(unreadable == 1)
        let again = try step.run(on: corpus)
        #expect(again.embedded["images"] == 0 && again.total["images"] == 6)
    }
}
