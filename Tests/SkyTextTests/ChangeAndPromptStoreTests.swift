import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyImaging
import Testing
@testable import SkyText

/// Change sentences and prompts in the corpus: one transaction, re-runs replace, bad input writes nothing.
@Suite struct ChangeAndPromptStoreTests {
    /// A corpus whose dataset `cd` has four pairs: two changed blobs, an empty label, no label, and a
    /// SECOND-style pair (label1 low vegetation -> label2 building); the labels are written as gray PNGs.
    static func makeCorpus() throws -> (Corpus, URL) {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("skytext-change-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("label"), withIntermediateDirectories: true)
        func writeLabel(_ name: String, _ fill: (Int, Int) -> UInt8) throws {
            var image = RasterImage(width: 64, height: 64, layout: .gray)
            for y in 0..<64 { for x in 0..<64 { image.pixels[y * 64 + x] = fill(x, y) } }
            try ImageEncoder.write(image, to: folder.appendingPathComponent("label/\(name)").path)
        }
        try writeLabel("two.png") { x, y in (x < 10 && y < 10) || (x > 50 && y > 50) ? 255 : 0 }
        try writeLabel("empty.png") { _, _ in 0 }
        try writeLabel("l1.png") { x, y in x >= 20 && x < 40 && y >= 20 && y < 40 ? 3 : 0 }
        try writeLabel("l2.png") { x, y in x >= 20 && x < 40 && y >= 20 && y < 40 ? 5 : 0 }
        let corpus = try Corpus(path: folder.appendingPathComponent("corpus.sqlite").path, create: true)
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO dataset (id, name, root) VALUES (1, 'cd', ?)", arguments: [folder.path])
            try db.execute(sql: "INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, ?)", arguments: [folder.path])
            for id in 1...8 {
                try db.execute(sql: "INSERT INTO image (id, dataset_id, root_id, path, width, height) VALUES (?, 1, 1, ?, 64, 64)",
                               arguments: [id, "\(id % 2 == 1 ? "A" : "B")/\(id).png"])
            }
            try db.execute(sql: """
                INSERT INTO change_pair (dataset_id, before_image_id, after_image_id, label_path, label2_path) VALUES
                (1, 1, 2, 'label/two.png', NULL), (1, 3, 4, 'label/empty.png', NULL), (1, 5, 6, NULL, NULL),
                (1, 7, 8, 'label/l1.png', 'label/l2.png')
                """)
        }
        return (corpus, folder)
    }

    static func changeStore(seed: UInt64 = 0) throws -> ChangeSentenceStore {
        ChangeSentenceStore(generator: try ChangeSentenceGenerator(phrasings: try ChangePhrasings.standard()),
                            naming: RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard(), table: .standard),
                            seed: seed)
    }

    static func rows(_ corpus: Corpus, _ sql: String) throws -> [String] {
        try corpus.pool.read { db in try String.fetchAll(db, sql: sql) }
    }

    @Test func changeSentencesAreStoredOnTheAfterImageAndReplaced() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        var seen: [ChangeSentenceStore.PairSentences] = []
        let summary = try Self.changeStore().run(on: corpus, datasets: ["cd"], dryRun: false, each: { seen.append($0) })
        #expect(summary.pairs == 4 && summary.pairsWithoutLabel == 1 && summary.unchangedPairs == 1)
        #expect(summary.sentences == 15 && summary.replaced == 0)
        let two = try #require(seen.first { $0.label == "label/two.png" })
        #expect(two.sentences.contains { $0.rule == .count && $0.text.split(separator: " ").contains("two") })
        #expect(two.sentences.contains { $0.text.contains("in the top left corner") && $0.text.contains("in the bottom right corner") })
        let semantic = try #require(seen.first { $0.label == "label/l1.png" }?.sentences.first { $0.rule == .semantic })
        #expect(semantic.text.hasPrefix("low vegetation ") && semantic.text.hasSuffix(" buildings in the center"), "\(semantic.text)")
        let stored = try Self.rows(corpus, "SELECT image_id || '|' || rule FROM caption WHERE source = 'change' ORDER BY id")
        #expect(stored.count == 15)
        #expect(Set(stored.map { $0.split(separator: "|")[0] }) == ["2", "4", "8"])
        #expect(stored.filter { $0.hasPrefix("4|") }.allSatisfy { $0.hasSuffix("|nochange") })

        let ids = try Self.rows(corpus, "SELECT id FROM caption ORDER BY id")
        let again = try Self.changeStore().run(on: corpus, datasets: [], dryRun: false)
        #expect(again.replaced == 0 && again.unchanged == 15 && again.sentences == 15)
        #expect(try Self.rows(corpus, "SELECT id FROM caption ORDER BY id") == ids)
        // Another seed replaces the sentences that differ, and only those.
        let reseeded = try Self.changeStore(seed: 99).run(on: corpus, datasets: [], dryRun: false)
        #expect(reseeded.replaced + reseeded.unchanged == 15 && reseeded.replaced > 0)
        #expect(try Self.rows(corpus, "SELECT count(*) FROM caption") == ["15"])
    }

    @Test func aBadLabelWritesNothing() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.changeStore().run(on: corpus, datasets: ["cd"], dryRun: false)
        let before = try Self.rows(corpus, "SELECT id || text FROM caption ORDER BY id")
        try Data("not a png".utf8).write(to: folder.appendingPathComponent("label/empty.png"))
        let error = #expect(throws: (any Error).self) {
            try Self.changeStore(seed: 3).run(on: corpus, datasets: ["cd"], dryRun: false)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("label/empty.png"))
        #expect(try Self.rows(corpus, "SELECT id || text FROM caption ORDER BY id") == before)
    }

    @Test func promptsAreStoredAndReplaced() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = PromptStore(templates: try PromptTemplateSet.named("clip-imagenet-best7"))
        let first = try store.storeClassPrompts(classes: ["airport", "bare land"], dataset: "cd", in: corpus)
        #expect(first.inserted == 14 && first.removed == 0)
        let again = try store.storeClassPrompts(classes: ["airport"], dataset: "cd", in: corpus)
        #expect(again.inserted == 7 && again.removed == 14)
        _ = try store.storeClassPrompts(classes: ["river"], dataset: nil, in: corpus)
        #expect(try Self.rows(corpus, "SELECT count(*) FROM prompt") == ["14"])
        #expect(try Self.rows(corpus, "SELECT text FROM prompt WHERE class = 'airport' ORDER BY id LIMIT 1") == ["itap of an airport."])
        #expect(throws: CorpusError.self) { try store.storeClassPrompts(classes: ["x"], dataset: "nope", in: corpus) }
    }

    @Test func perImagePromptsFollowTheMaskClasses() throws {
        let (corpus, folder) = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The SECOND label1 of image 7 holds class 3 (low vegetation): register it as the image's mask.
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO mask (image_id, path, palette) VALUES (7, 'label/l1.png', 'second'), (8, 'label/empty.png', 'second')")
        }
        let store = PromptStore(templates: try PromptTemplateSet.named("segclip"))
        let summary = try store.storeImagePrompts(dataset: "cd", in: corpus)
        #expect(summary.images == 1 && summary.inserted == 1)
        #expect(try Self.rows(corpus, "SELECT image_id || '|' || class || '|' || text FROM prompt")
                == ["7|low vegetation|a photo with low vegetation."])
        #expect(try store.storeImagePrompts(dataset: "cd", in: corpus).removed == 1)
    }
}
