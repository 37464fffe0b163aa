import Foundation
import GRDB
import SkySchemas
import SkyStorage
import SkyTestSupport
import Testing

/// The schema in Schemas/corpus.sql applies through migrations, in WAL mode, with full-text search.
@Suite struct CorpusSchemaTests {
    @Test func migrationsCreateEveryTable() throws {
        let folder = try TemporaryFolder("schema")
        let corpus = try folder.newCorpus()
        #expect(try corpus.appliedMigrations().first == "v1-foundation")
        let tables = try corpus.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table in ["dataset", "image", "mask", "object", "caption", "caption_fts", "change_pair", "prompt",
                      "encoder_model", "embedding"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let mode = try corpus.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func reopeningAppliesNothingTwice() throws {
        let folder = try TemporaryFolder("reopen")
        let first = try folder.newCorpus().appliedMigrations()
        let second = try Corpus(path: folder.path("corpus.sqlite")).appliedMigrations()
        #expect(first == second)
    }

    @Test func openingAMissingCorpusWithoutCreateFails() throws {
        let folder = try TemporaryFolder("missing")
        let error = #expect(throws: CorpusError.self) { _ = try Corpus(path: folder.path("none.sqlite")) }
        #expect(error?.description.contains("skycorpus init") == true)
    }

    @Test func aFileThatIsNotACorpusIsNamedInTheError() throws {
        let folder = try TemporaryFolder("junk")
        try Data("not sqlite at all, just text".utf8).write(to: URL(fileURLWithPath: folder.path("junk.sqlite")))
        let error = #expect(throws: CorpusError.self) { _ = try Corpus(path: folder.path("junk.sqlite")) }
        #expect(error?.description.contains(folder.path("junk.sqlite")) == true)
        let missingFolder = #expect(throws: CorpusError.self) {
            _ = try Corpus(path: folder.path("no/such/folder/c.sqlite"), create: true)
        }
        #expect(missingFolder?.description.contains("no/such/folder/c.sqlite") == true)
    }

    @Test func captionTextIsSearchable() throws {
        let folder = try TemporaryFolder("fts")
        let corpus = try folder.newCorpus()
        try corpus.pool.write { db in
            var dataset = DatasetRecord(name: "d")
            try dataset.insert(db)
            try db.execute(sql: "INSERT INTO dataset_root (dataset_id, path) VALUES (?, ?)", arguments: [dataset.id, dataset.root ?? ""])
            let rootId = db.lastInsertedRowID
            var image = ImageRecord(datasetId: dataset.id!, rootId: rootId, path: "a.png")
            try image.insert(db)
            var first = CaptionRecord(imageId: image.id!, text: "Many planes are parked at the airport.", source: .human)
            try first.insert(db)
            var second = CaptionRecord(imageId: image.id!, text: "A ship in the harbour.", source: .b2c, rule: "center")
            try second.insert(db)
            try db.execute(sql: "DELETE FROM caption WHERE id = ?", arguments: [second.id])
        }
        let hits = try corpus.pool.read { db in
            try String.fetchAll(db, sql: "SELECT text FROM caption_fts WHERE caption_fts MATCH 'planes'")
        }
        #expect(hits == ["Many planes are parked at the airport."])
        let deleted = try corpus.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM caption_fts WHERE caption_fts MATCH 'harbour'")
        }
        #expect(deleted == 0)
    }

    @Test func checkConstraintsRejectUnknownSources() throws {
        let folder = try TemporaryFolder("check")
        let corpus = try folder.newCorpus()
        #expect(throws: DatabaseError.self) {
            try corpus.pool.write { db in
                var dataset = DatasetRecord(name: "d")
                try dataset.insert(db)
                try db.execute(sql: "INSERT INTO dataset_root (dataset_id, path) VALUES (?, ?)", arguments: [dataset.id, dataset.root ?? ""])
                let rootId = db.lastInsertedRowID
                var image = ImageRecord(datasetId: dataset.id!, rootId: rootId, path: "a.png")
                try image.insert(db)
                try db.execute(sql: "INSERT INTO caption (image_id, text, source) VALUES (?, 'x', 'made-up')",
                               arguments: [image.id])
            }
        }
        #expect(try CorpusStats.read(from: corpus).totalImages == 0)
    }

    @Test func migrationSectionsParse() throws {
        let sections = try CorpusMigrations.sections(of: """
            -- header comment
            -- migration: a
            CREATE TABLE t (x);
            -- migration: b
            CREATE TABLE u (y);
            """)
        #expect(sections.map(\.name) == ["a", "b"])
        #expect(sections[1].sql.contains("CREATE TABLE u"))
        #expect(throws: CorpusError.self) { _ = try CorpusMigrations.sections(of: "-- migration: a\n-- migration: a\n") }
        #expect(throws: CorpusError.self) { _ = try CorpusMigrations.sections(of: "CREATE TABLE t (x);") }
    }

    @Test func anOlderCorpusIsRefusedByReadersAndMigratedByWriters() throws {
        let folder = try TemporaryFolder("old")
        let path = folder.path("old.sqlite")
        let sections = try CorpusMigrations.sections(of: try SkySchemas.text("corpus.sql"))
        // A corpus made by an earlier build, with all but the last migration applied (none when there is one).
        var earlier = DatabaseMigrator()
        for section in sections.dropLast() {
            earlier.registerMigration(section.name) { db in try db.execute(sql: section.sql) }
        }
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS keep (x)") }
        try earlier.migrate(DatabaseQueue(path: path))
        let error = #expect(throws: CorpusError.self) { _ = try Corpus(path: path, access: .readOnly) }
        #expect(error?.description.contains("skycorpus init") == true)
        #expect(error?.description.contains(sections[sections.count - 1].name) == true)
        let corpus = try Corpus(path: path, access: .readWrite)
        #expect(try corpus.appliedMigrations() == sections.map(\.name))
        #expect(try Corpus(path: path, access: .readOnly).appliedMigrations() == sections.map(\.name))
    }

    @Test func aReadOnlyCorpusRefusesWrites() throws {
        let folder = try TemporaryFolder("ro")
        _ = try folder.newCorpus()
        let corpus = try Corpus(path: folder.path("corpus.sqlite"), access: .readOnly)
        #expect(throws: CorpusError.readOnly(path: corpus.path)) {
            try corpus.write { try $0.insertDataset(DatasetRecord(name: "x")) }
        }
    }

    @Test func aVersionOneCorpusKeepsItsRowsThroughTheRootsMigration() throws {
        let folder = try TemporaryFolder("v1")
        let path = folder.path("v1.sqlite")
        let sections = try CorpusMigrations.sections(of: try SkySchemas.text("corpus.sql"))
        let first = try #require(sections.first { $0.name == "v1-foundation" })
        var v1 = DatabaseMigrator()
        v1.registerMigration(first.name) { db in try db.execute(sql: first.sql) }
        let queue = try DatabaseQueue(path: path)
        try v1.migrate(queue)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO dataset (id, name, root) VALUES (1, 'dota', '/data/dota'), (2, 'bare', NULL);
                INSERT INTO image (id, dataset_id, path, split, width, height, phash) VALUES
                    (1, 1, 'images/P1.png', 'train', 64, 48, 42), (2, 1, 'images/P2.png', 'test', 64, 48, NULL),
                    (3, 2, 'x.png', NULL, NULL, NULL, NULL);
                UPDATE image SET duplicate_of = 1 WHERE id = 2;
                INSERT INTO object (image_id, class, raw_class, x, y, w, h, source) VALUES (1, 'ship', 'ship', 1, 2, 3, 4, 'annotation');
                INSERT INTO caption (image_id, text, source) VALUES (1, 'a ship in a harbor', 'human');
                INSERT INTO change_pair (dataset_id, before_image_id, after_image_id) VALUES (1, 1, 2);
                """)
        }
        try queue.close()
        let corpus = try Corpus(path: path, access: .readWrite)
        try corpus.pool.read { db in
            let images = try Row.fetchAll(db, sql: """
                SELECT i.id, r.path AS root, i.path, i.split, i.phash, i.duplicate_of FROM image i
                JOIN dataset_root r ON r.id = i.root_id ORDER BY i.id
                """)
            #expect(images.map { $0["root"] as String } == ["/data/dota", "/data/dota", ""])
            #expect(images.map { $0["path"] as String } == ["images/P1.png", "images/P2.png", "x.png"])
            #expect(images[0]["phash"] as Int64? == 42 && images[1]["duplicate_of"] as Int64? == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object WHERE image_id = 1") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM caption_fts WHERE caption_fts MATCH 'harbor'") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_pair") == 1)
            #expect(try db.foreignKeyViolations().next() == nil)
        }
    }
}

extension TemporaryFolder {
    func newCorpus() throws -> Corpus { try Corpus(path: path("corpus.sqlite"), create: true) }
}
