import Foundation
import GRDB
import SkySchemas
import SkyTestSupport
import Testing
@testable import SkyStorage

/// The v3 migration: captions rebuilt with a 'zero-shot' source (ids and full-text index kept), image labels.
@Suite struct ImageLabelSchemaTests {
    @Test func aVersionTwoCorpusKeepsItsCaptionsAndSearchThroughTheLabelsMigration() throws {
        let folder = try TemporaryFolder("v2-labels")
        let path = folder.path("v2.sqlite")
        let sections = try CorpusMigrations.sections(of: try SkySchemas.text("corpus.sql"))
        let v3 = try #require(sections.firstIndex { $0.name == "v3-image-labels" })
        var v2 = DatabaseMigrator()
        for section in sections[..<v3] { v2.registerMigration(section.name) { db in try db.execute(sql: section.sql) } }
        let queue = try DatabaseQueue(path: path)
        try v2.migrate(queue)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO dataset (id, name, root) VALUES (1, 'ucm', '/data/ucm');
                INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, '/data/ucm');
                INSERT INTO image (id, dataset_id, root_id, path) VALUES (1, 1, 1, 'harbor/1.tif'), (2, 1, 1, 'beach/2.tif');
                INSERT INTO caption (id, image_id, text, source, rule) VALUES (7, 1, 'boats moored in a harbor', 'human', NULL),
                    (9, 2, 'waves on a sandy beach', 'b2c', 'rule-1');
                """)
        }
        try queue.close()
        let corpus = try Corpus(path: path, access: .readWrite)
        try corpus.pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, text, source, rule FROM caption ORDER BY id")
            #expect(rows.map { $0["id"] as Int64 } == [7, 9] && rows[1]["rule"] as String? == "rule-1")
            #expect(try Int64.fetchOne(db, sql: "SELECT rowid FROM caption_fts WHERE caption_fts MATCH 'harbor'") == 7)
            try db.execute(sql: "INSERT INTO caption (image_id, text, source, rule) VALUES (2, 'a satellite image of a beach.', 'zero-shot', 'm')")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM caption_fts WHERE caption_fts MATCH 'satellite'") == 1)
            try db.execute(sql: "DELETE FROM caption WHERE id = 7")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM caption_fts WHERE caption_fts MATCH 'harbor'") == 0)
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO caption (image_id, text, source) VALUES (1, 'x', 'made-up')")
            }
            #expect(try db.foreignKeyViolations().next() == nil)
        }
    }

    @Test func labelsAreStoredOncePerSourceModelAndRank() throws {
        let folder = try TemporaryFolder("labels")
        let corpus = try folder.newCorpus()
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "m", architecture: "a", checksum: String(repeating: "0", count: 64), dimension: 4))
        let image = try corpus.write { transaction -> Int64 in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "ucm", root: "/d"))
            let root = try transaction.root(dataset: dataset, path: "/d")
            _ = try transaction.registerImage(dataset: dataset, root: root, path: "a.png", split: nil, width: 1, height: 1, sha256: "x")
            return try #require(try transaction.image(root: root, path: "a.png")?.id)
        }
        let inserted = try corpus.write { transaction in
            [try transaction.insertImageLabel(NewImageLabel(imageID: image, className: "harbor", source: .groundTruth)),
             try transaction.insertImageLabel(NewImageLabel(imageID: image, className: "beach", source: .groundTruth)),
             try transaction.insertImageLabel(NewImageLabel(imageID: image, className: "harbor", score: 0.7, source: .zeroShot, modelID: model)),
             try transaction.insertImageLabel(NewImageLabel(imageID: image, className: "beach", score: 0.2, rank: 2, source: .zeroShot, modelID: model))]
        }
        #expect(inserted == [true, false, true, true])
        // A zero-shot label without its model, or ground truth with one, is refused by the schema.
        #expect(throws: (any Error).self) {
            try corpus.write { try $0.insertImageLabel(NewImageLabel(imageID: image, className: "x", rank: 3, source: .zeroShot)) }
        }
        let stats = try CorpusStats.read(from: corpus)
        #expect(stats.labelSources == ["ground-truth": 1, "zero-shot:m": 2])
        #expect(stats.imageClasses == ["harbor": 1])
        #expect(stats.datasets.first?.labels == 3)
        let exported = try ExportQuery.labels(in: corpus, selection: ExportSelection())
        #expect(exported.count == 1 && exported[0].labels.map(\.className) == ["harbor", "harbor", "beach"])
        #expect(exported[0].labels.map(\.model) == [nil, "m", "m"])
        #expect(try ExportQuery.labels(in: corpus, selection: ExportSelection(), labelSources: [.zeroShot])[0].labels.count == 2)
    }
}
