import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import Testing
@testable import SkyText

/// B2C in the corpus: one transaction per run, re-runs replace, dry runs write nothing.
@Suite struct CaptionStoreTests {
    struct Failure: Error {}

    /// A corpus with two datasets: `dota` (3 images: objects, no objects, no size) and `loveda` (areas).
    static func makeCorpus() throws -> (Corpus, URL) {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("skytext-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let corpus = try Corpus(path: folder.appendingPathComponent("corpus.sqlite").path, create: true)
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO dataset (id, name) VALUES (1, 'dota'), (2, 'loveda')")
            try db.execute(sql: "INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, ''), (2, 2, '')")
            try db.execute(sql: """
                INSERT INTO image (id, dataset_id, root_id, path, width, height) VALUES
                (1, 1, 1, 'P0001.png', 1000, 1000), (2, 1, 1, 'P0002.png', 800, 600), (3, 1, 1, 'P0003.png', NULL, NULL),
                (4, 2, 2, 'tile.png', 1024, 1024)
                """)
            let objects: [(Int, String, Double, Double, String, Int, Int)] = [
                (1, "ship", 480, 480, "annotation", 0, 0), (1, "ship", 10, 10, "annotation", 0, 0),
                (1, "harbor", 900, 900, "annotation", 1, 0), (1, "person", 500, 500, "annotation", 0, 1),
                (3, "bus", 5, 5, "annotation", 0, 0),
                (4, "water", 100, 100, "m2b", 0, 0), (4, "forest", 500, 500, "m2b", 0, 0),
                (4, "forest", 900, 900, "m2b", 0, 0),
            ]
            for (image, name, x, y, source, difficult, ignore) in objects {
                try db.execute(sql: """
                    INSERT INTO object (image_id, class, raw_class, x, y, w, h, source, difficult, ignore)
                    VALUES (?, ?, ?, ?, ?, 20, 20, ?, ?, ?)
                    """, arguments: [image, name, name, x, y, source, difficult, ignore])
            }
            try db.execute(sql: "INSERT INTO caption (image_id, text, source) VALUES (1, 'A human caption.', 'human')")
        }
        return (corpus, folder)
    }

    static func store(seed: UInt64 = 1) throws -> B2CCaptionStore {
        let phrasings = try CaptionPhrasings.standard()
        return B2CCaptionStore(generator: try B2CGenerator(phrasings: phrasings),
                               naming: RuleBasedClassNaming(phrasings: phrasings), seed: seed)
    }

    static func captions(_ corpus: Corpus) throws -> [String] {
        try corpus.pool.read { db in
            try String.fetchAll(db, sql: "SELECT image_id || '|' || source || '|' || IFNULL(rule, '') || '|' || text FROM caption ORDER BY id")
        }
    }

    @Test func storesReplacesAndStaysIdempotent() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.store()
        let first = try store.run(on: corpus, datasets: [], dryRun: false)
        #expect(first.datasets == ["dota", "loveda"])
        #expect(first.images == 4 && first.imagesCaptioned == 3 && first.captions == 15 && first.replaced == 0)
        let stored = try Self.captions(corpus)
        #expect(stored.count == 16)
        #expect(stored.filter { $0.hasPrefix("2|") }.isEmpty)  // no objects, no captions
        #expect(stored.filter { $0.contains("|b2c|") }.allSatisfy { line in
            ["|center|", "|edge|", "|count|"].contains { line.contains($0) }
        })
        #expect(!stored.contains { $0.contains("person") || $0.contains("people") })  // ignored
        // Image 3 has no size: count captions only.
        #expect(stored.filter { $0.hasPrefix("3|") }.allSatisfy { $0.contains("|count|") })
        let fts = try corpus.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM caption_fts WHERE caption_fts MATCH 'forest'")
        }
        #expect((fts ?? 0) >= 1)

        let ids = try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM caption ORDER BY id") }
        let again = try store.run(on: corpus, datasets: [], dryRun: false)
        // The same seed generates the same captions: every row stays, ids included (embeddings refer to them).
        #expect(again.replaced == 0 && again.unchanged == 15 && again.captions == 15)
        let restored = try Self.captions(corpus)
        #expect(restored.sorted() == stored.sorted())
        #expect(try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM caption ORDER BY id") } == ids)

        // Another seed over one dataset replaces only that dataset's B2C captions.
        let reseeded = try Self.store(seed: 99).run(on: corpus, datasets: ["loveda"], dryRun: false)
        #expect(reseeded.replaced + reseeded.unchanged == 5 && reseeded.replaced > 0 && reseeded.datasets == ["loveda"])
        let after = try Self.captions(corpus)
        #expect(after.filter { !$0.hasPrefix("4|") }.sorted() == restored.filter { !$0.hasPrefix("4|") }.sorted())
        #expect(after.contains("1|human||A human caption."))
    }

    @Test func dryRunWritesNothing() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        var seen: [B2CImageCaptions] = []
        let summary = try Self.store().run(on: corpus, datasets: ["dota"], dryRun: true, each: { seen.append($0) })
        #expect(summary.dryRun && summary.captions == 10)
        #expect(seen.map(\.path) == ["P0001.png", "P0003.png"])
        #expect(try Self.captions(corpus).count == 1)
    }

    @Test func failuresLeaveTheCorpusUnchanged() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.store()
        _ = try store.run(on: corpus, datasets: ["dota"], dryRun: false)
        let before = try Self.captions(corpus)
        #expect(throws: CorpusError.self) { try store.run(on: corpus, datasets: ["dota", "nope"], dryRun: false) }
        var calls = 0
        #expect(throws: Failure.self) {
            try Self.store(seed: 5).run(on: corpus, datasets: [], dryRun: false, each: { _ in
                calls += 1
                if calls == 2 { throw Failure() }
            })
        }
        #expect(try Self.captions(corpus) == before)
    }
}
