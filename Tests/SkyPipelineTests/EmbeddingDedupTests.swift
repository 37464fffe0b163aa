import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyImaging
import Testing

/// Dedup by stored embeddings: pairs above a cosine that p-Hash cannot see (a flipped copy is about 30 bits away),
/// with the same keeper, protection and leakage rules as p-Hash dedup.
@Suite("dedup by embedding")
struct EmbeddingDedupTests {
    static let dimension = 8

    /// Images t0..t5 (train) and b0 (bench, test); their files differ (distinct p-Hashes), their embeddings put t1
    /// next to t0 (cosine ~0.99), t3 next to t2 (~0.97), and t5 next to the protected b0 (~0.995).
    static func makeCorpus(_ folder: TemporaryFolder) throws -> (Corpus, Int64, [String: Int64]) {
        let train = folder.url.appendingPathComponent("train"), bench = folder.url.appendingPathComponent("bench")
        for (directory, names) in [(train, (0...5).map { "t\($0).png" }), (bench, ["b0.png"])] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (offset, name) in names.enumerated() {
                var image = RasterImage(width: 32, height: 32, layout: .gray)
                var random = SplitMix64(seed: UInt64(offset * 31 + name.count * 7 + (directory == bench ? 1000 : 0)))
                for index in image.pixels.indices { image.pixels[index] = UInt8(truncatingIfNeeded: random.next()) }
                try ImageEncoder.write(image, to: directory.appendingPathComponent(name).path)
            }
        }
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "train", folder: train.path, split: "train").run(in: corpus)
        _ = try ImageRegistration(dataset: "bench", folder: bench.path, split: "test").run(in: corpus)
        let ids = try corpus.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT path, id FROM image").map {
                (String(($0["path"] as String).dropLast(4)), $0["id"] as Int64)
            })
        }
        func basis(_ axis: Int, _ bend: Float = 0, toward other: Int = 7) -> [Float] {
            var vector = [Float](repeating: 0, count: dimension)
            vector[axis] = 1
            vector[other] = bend
            return vector
        }
        let vectors: [String: [Float]] = [
            "t0": basis(0), "t1": basis(0, 0.14),          // cosine 0.990
            "t2": basis(1), "t3": basis(1, 0.25),          // cosine 0.970
            "t4": basis(2), "t5": basis(3, 0.1, toward: 6), "b0": basis(3),  // t5 ~ b0: 0.995
        ]
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "m", architecture: "test", checksum: "x", dimension: dimension))
        try corpus.storeEmbeddings(model: model, kind: .image, vectors.map { (ids[$0.key]!, $0.value) })
        return (corpus, model, ids)
    }

    static func marks(_ corpus: Corpus) throws -> [String: String] {
        try corpus.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                SELECT a.path AS removed, b.path AS kept FROM image a JOIN image b ON b.id = a.duplicate_of
                """).map { ($0["removed"] as String, $0["kept"] as String) })
        }
    }

    @Test("embedding pairs above the cosine are marked, leakage into a protected split reported, re-run idempotent")
    func marksByCosine() throws {
        let folder = try TemporaryFolder("embedding-dedup")
        let (corpus, model, ids) = try Self.makeCorpus(folder)
        let protected = [ProtectedSplit(dataset: "bench", split: "test")]
        // p-Hash alone sees nothing: the files are unrelated noise.
        let byHash = try Deduplication(threshold: 2, protected: protected).run(in: corpus)
        #expect(byHash.summary.duplicates == 0)
        let step = Deduplication(protected: protected, criterion: .embedding,
                                 embedding: EmbeddingCriterion(model: model, minCosine: 0.98))
        let outcome = try step.run(in: corpus)
        #expect(outcome.summary.embedded == 7 && outcome.summary.pairs == 2 && outcome.summary.hashed == 0)
        #expect(try Self.marks(corpus) == ["t1.png": "t0.png", "t5.png": "b0.png"])
        let leak = try #require(outcome.removals.first { $0.removedId == ids["t5"] })
        #expect(leak.kind == .leakage && leak.keptId == ids["b0"])
        #expect(abs((leak.cosine ?? 0) - 1 / (1.01 as Float).squareRoot()) < 1e-4)
        #expect(leak.distance != nil)  // both images were hashed by the p-Hash run: the report gives both measures
        // A lower cosine also links t3 to t2; a re-run with the same settings changes nothing.
        let wider = Deduplication(protected: protected, criterion: .embedding, embedding: EmbeddingCriterion(model: model, minCosine: 0.96))
        #expect(try wider.run(in: corpus).summary.duplicates == 3)
        let before = try Self.marks(corpus)
        #expect(try wider.run(in: corpus).removals.count == 3)
        #expect(try Self.marks(corpus) == before && before["t3.png"] == "t2.png")
        // The report carries the cosine column.
        let report = folder.path("dups.csv")
        try DedupReport.write(try wider.run(in: corpus).removals, to: report)
        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "kind,kept_id,kept,removed_id,removed,distance,cosine" && lines.count == 4)
    }

    @Test("both: the union of p-Hash and embedding pairs; embedding without a model is refused")
    func unionAndRefusals() throws {
        let folder = try TemporaryFolder("embedding-dedup-both")
        let (corpus, model, _) = try Self.makeCorpus(folder)
        // An exact file copy (p-Hash distance 0) without an embedding of its own.
        try FileManager.default.copyItem(atPath: folder.path("train/t4.png"), toPath: folder.path("train/t4_copy.png"))
        _ = try ImageRegistration(dataset: "train", folder: folder.path("train"), split: "train").run(in: corpus)
        let both = try Deduplication(threshold: 2, criterion: .both, embedding: EmbeddingCriterion(model: model, minCosine: 0.98))
            .run(in: corpus)
        #expect(try Self.marks(corpus) == ["t1.png": "t0.png", "t4_copy.png": "t4.png", "t5.png": "b0.png"])
        let copy = try #require(both.removals.first { $0.removed.hasSuffix("t4_copy.png") })
        #expect(copy.distance == 0 && copy.cosine == nil)
        #expect(throws: CorpusError.self) { try Deduplication(criterion: .embedding).run(in: corpus) }
        #expect(throws: CorpusError.self) {
            try Deduplication(criterion: .embedding, embedding: EmbeddingCriterion(model: model, minCosine: 0.2)).run(in: corpus)
        }
    }
}
