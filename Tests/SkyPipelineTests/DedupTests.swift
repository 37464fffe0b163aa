import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyHashing
import SkyImaging
import Testing

/// Writes a textured RGB image whose look is fixed by `seed` (distinct seeds: far-apart p-Hashes).
private func writeTexture(seed: UInt64, to path: String, width: Int = 48, height: Int = 40, brighten: Int = 0) throws {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var image = RasterImage(width: width, height: height, layout: .rgb)
    // Coarse 8x8 cells of random grey levels: a strong low-frequency pattern per seed.
    var cells = [Int](repeating: 0, count: 64)
    for index in cells.indices {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        cells[index] = Int(state % 200)
    }
    for y in 0..<height {
        for x in 0..<width {
            let value = min(255, cells[(y * 8 / height) * 8 + x * 8 / width] + brighten)
            for channel in 0..<3 { image.pixels[(y * width + x) * 3 + channel] = UInt8(value) }
        }
    }
    try ImageEncoder.write(image, to: path)
}

@Suite("dedup step")
struct DedupTests {
    /// Two datasets: "train" (priority 0) and "bench" (priority 0, split test), with planted copies.
    private func makeCorpus(_ folder: TemporaryFolder) throws -> Corpus {
        let train = folder.url.appendingPathComponent("train"), bench = folder.url.appendingPathComponent("bench")
        try FileManager.default.createDirectory(at: train, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bench, withIntermediateDirectories: true)
        for seed in 1...6 { try writeTexture(seed: UInt64(seed), to: train.appendingPathComponent("t\(seed).png").path) }
        try writeTexture(seed: 1, to: train.appendingPathComponent("t1_copy.png").path)            // duplicate of t1
        try writeTexture(seed: 2, to: train.appendingPathComponent("a2_bright.png").path, brighten: 3)  // near t2
        try writeTexture(seed: 9, to: bench.appendingPathComponent("b9.png").path)
        try writeTexture(seed: 9, to: train.appendingPathComponent("leak9.png").path)              // leaks b9
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "train", folder: train.path, split: "train").run(in: corpus)
        _ = try ImageRegistration(dataset: "bench", folder: bench.path, split: "test").run(in: corpus)
        return corpus
    }

    private func marks(_ corpus: Corpus) throws -> [String: String] {
        try corpus.pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.path AS removed, b.path AS kept FROM image a JOIN image b ON b.id = a.duplicate_of
                """)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["removed"] as String, $0["kept"] as String) })
        }
    }

    @Test("stores imagehash phashes, marks duplicates and leakage, and a re-run changes nothing")
    func marksAndIdempotence() throws {
        let folder = try TemporaryFolder("dedup")
        let corpus = try makeCorpus(folder)
        let step = Deduplication(threshold: 2, protected: [ProtectedSplit(dataset: "bench", split: "test")])
        let first = try step.run(in: corpus)
        #expect(first.summary.images == 10 && first.summary.hashed == 10 && first.summary.failed.isEmpty)
        let expectedMarks = ["t1_copy.png": "t1.png", "leak9.png": "b9.png"]
        let marked = try marks(corpus)
        // t1 < t1_copy by path; the protected b9 is kept over the training copy.
        #expect(marked["t1_copy.png"] == expectedMarks["t1_copy.png"])
        #expect(marked["leak9.png"] == expectedMarks["leak9.png"])
        #expect(first.removals.filter { $0.kind == .leakage }.map(\.removed) == ["train:leak9.png"])
        #expect(first.summary.leaked == 1)
        // Stored hashes are the library's exact phash.
        let stored = try corpus.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT phash FROM image WHERE path = 't3.png'")
        }
        let direct = try PerceptualHasher().hash(file: folder.path("train/t3.png"))
        #expect(stored.map { UInt64(bitPattern: $0) } == direct.bits)

        let second = try step.run(in: corpus)
        #expect(second.summary.hashed == 0 && second.summary.alreadyHashed == 10)
        #expect(try marks(corpus) == marked)
        #expect(second.removals == first.removals)
    }

    @Test("a higher dataset priority keeps its image; the threshold widens groups")
    func priorityAndThreshold() throws {
        let folder = try TemporaryFolder("dedup-priority")
        let corpus = try makeCorpus(folder)
        try corpus.pool.write { db in try db.execute(sql: "UPDATE dataset SET priority = 5 WHERE name = 'train'") }
        _ = try Deduplication(threshold: 2).run(in: corpus)
        // Without protection, train's higher priority keeps leak9 over bench's b9.
        #expect(try marks(corpus)["b9.png"] == "leak9.png")
        let bright = try PerceptualHasher().hash(file: folder.path("train/a2_bright.png"))
        let original = try PerceptualHasher().hash(file: folder.path("train/t2.png"))
        let distance = bright.distance(to: original)
        let wide = try Deduplication(threshold: max(distance, 2)).run(in: corpus)
        #expect(try marks(corpus)["t2.png"] == "a2_bright.png", "a2_bright < t2 by path at distance \(distance)")
        #expect(wide.summary.hashed == 0)
    }

    @Test("an image that cannot be decoded is listed and skipped; the run goes on")
    func badImageIsSkipped() throws {
        let folder = try TemporaryFolder("dedup-bad")
        let corpus = try makeCorpus(folder)
        // Damage a registered file after registration.
        try FileBytes.write(Array("not an image".utf8), to: folder.path("train/t4.png"))
        let outcome = try Deduplication().run(in: corpus)
        #expect(outcome.summary.failed.map(\.path) == ["train:t4.png"])
        #expect(outcome.summary.failed.first?.reason.contains("t4.png") == true)
        #expect(outcome.summary.hashed == 9)
        #expect(try marks(corpus)["t1_copy.png"] == "t1.png")
        let unhashed = try corpus.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM image WHERE phash IS NULL") }
        #expect(unhashed == 1)
    }

    @Test("an unknown protected split is refused before anything is written")
    func unknownProtectedSplit() throws {
        let folder = try TemporaryFolder("dedup-unknown")
        let corpus = try makeCorpus(folder)
        #expect(throws: CorpusError.self) {
            try Deduplication(protected: [ProtectedSplit(dataset: "bench", split: "val")]).run(in: corpus)
        }
        #expect(throws: CorpusError.self) { try ProtectedSplit(parsing: "nosplit") }
        #expect(try ProtectedSplit(parsing: "RSICD:test") == ProtectedSplit(dataset: "RSICD", split: "test"))
        let hashed = try corpus.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM image WHERE phash IS NOT NULL") }
        #expect(hashed == 0)
    }

    @Test("the report is written as CSV or JSON")
    func report() throws {
        let folder = try TemporaryFolder("dedup-report")
        let corpus = try makeCorpus(folder)
        let outcome = try Deduplication(protected: [ProtectedSplit(dataset: "bench", split: "test")]).run(in: corpus)
        try DedupReport.write(outcome.removals, to: folder.path("r.csv"))
        let csv = try String(contentsOfFile: folder.path("r.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("kind,kept_id,kept,removed_id,removed,distance\n"))
        #expect(csv.contains(",bench:b9.png,") && csv.contains(",train:leak9.png,0\n"))
        try DedupReport.write(outcome.removals, to: folder.path("r.json"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.url.appendingPathComponent("r.json")))
        #expect((json as? [[String: Any]])?.count == outcome.removals.count)
    }

    @Test("a re-run after new images hashes only those; two protected copies both stay")
    func incrementalAndProtectedPairs() throws {
        let folder = try TemporaryFolder("dedup-incremental")
        let corpus = try makeCorpus(folder)
        let protected = [ProtectedSplit(dataset: "bench", split: "test"), ProtectedSplit(dataset: "other", split: "test")]
        _ = try Deduplication(protected: [protected[0]]).run(in: corpus)
        // A second benchmark holds another copy of b9, and training gains a new copy of t3.
        let other = folder.url.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try writeTexture(seed: 9, to: other.appendingPathComponent("o9.png").path)
        try writeTexture(seed: 3, to: folder.path("train/t3_again.png"))
        _ = try ImageRegistration(dataset: "other", folder: other.path, split: "test").run(in: corpus)
        _ = try ImageRegistration(dataset: "train", folder: folder.path("train"), split: "train").run(in: corpus)
        let rerun = try Deduplication(protected: protected).run(in: corpus)
        #expect(rerun.summary.hashed == 2 && rerun.summary.alreadyHashed == 10)
        let marked = try marks(corpus)
        #expect(marked["t3_again.png"] == "t3.png")
        #expect(marked["o9.png"] == nil && marked["b9.png"] == nil, "protected images are never marked")
        #expect(marked["leak9.png"] == "b9.png")
    }

    @Test("the two times of a change pair are never marked as each other's duplicate")
    func changePairsStayLinkedOnlyAsPairs() throws {
        let folder = try TemporaryFolder("dedup-change")
        let root = folder.url.appendingPathComponent("levir")
        for sub in ["A", "B"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // A pair without change: B is A, slightly brighter. A third copy elsewhere is a true duplicate.
        try writeTexture(seed: 4, to: root.appendingPathComponent("A/p1.png").path)
        try writeTexture(seed: 4, to: root.appendingPathComponent("B/p1.png").path, brighten: 2)
        try writeTexture(seed: 4, to: root.appendingPathComponent("copy.png").path)
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "levir", folder: root.path).run(in: corpus)
        try corpus.pool.write { db in
            try db.execute(sql: """
                INSERT INTO change_pair (dataset_id, before_image_id, after_image_id)
                SELECT a.dataset_id, a.id, b.id FROM image a, image b WHERE a.path = 'A/p1.png' AND b.path = 'B/p1.png'
                """)
        }
        _ = try Deduplication(threshold: 2).run(in: corpus)
        let marked = try marks(corpus)
        #expect(marked["B/p1.png"] == nil, "the after image of a no-change pair is not a duplicate of its before image")
        #expect(marked["copy.png"] == "A/p1.png")
    }
}
