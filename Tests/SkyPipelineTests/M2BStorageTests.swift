import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyGeometry
import Testing

/// M2B objects land on the mask's image, replace the previous run's, and a bad mask writes nothing.
@Suite struct M2BStorageTests {
    private func setUp(_ folder: TemporaryFolder) throws -> Corpus {
        let corpus = try folder.newCorpus()
        try corpus.pool.write { db in
            // The root is the images' folder; the masks sit beside it, as LoveDA's ann_dir beside img_dir.
            var dataset = DatasetRecord(name: "loveda", root: folder.path("img_dir"))
            try dataset.insert(db)
            try db.execute(sql: "INSERT INTO dataset_root (dataset_id, path) VALUES (?, ?)", arguments: [dataset.id, dataset.root ?? ""])
            let rootId = db.lastInsertedRowID
            var image = ImageRecord(datasetId: dataset.id!, rootId: rootId, path: "0.png", width: 6, height: 4)
            try image.insert(db)
        }
        return corpus
    }

    private func mask() throws -> LabelMask {
        try LabelMask(width: 6, height: 4, values: [
            1, 1, 2, 2, 1, 1,
            1, 1, 2, 2, 1, 3,
            1, 1, 1, 1, 1, 3,
            3, 1, 1, 1, 1, 1,
        ])
    }

    private func objects(_ corpus: Corpus) throws -> [Row] {
        try corpus.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT class, raw_class, x, y, w, h, source, rotated FROM object ORDER BY id")
        }
    }

    @Test func storesBoxesOnTheImageAndReplacesThemOnRerun() throws {
        let folder = try TemporaryFolder("m2b")
        let corpus = try setUp(folder)
        let palette = try Palette.named("loveda")
        let regions = M2B.boxes(in: try mask(), options: M2BOptions(ignoredClasses: [0, 1], rotated: true))
        #expect(regions.map(\.classValue) == [2, 3, 3])
        let storage = M2BStorage(maskPath: folder.path("ann_dir/0.png"), palette: palette,
                                 imagePath: folder.path("img_dir/0.png"))
        let first = try storage.store(regions, of: try mask(), in: corpus)
        #expect(first.inserted == 3 && first.removed == 0 && first.image == "0.png")
        let stored = try objects(corpus)
        #expect(stored.count == 3)
        #expect(stored[0]["raw_class"] as String == "building")
        #expect(stored[0]["source"] as String == "m2b")
        #expect([stored[0]["x"], stored[0]["y"], stored[0]["w"], stored[0]["h"]] as [Double] == [2, 0, 2, 2])
        #expect((stored[0]["rotated"] as String?)?.contains("\"angle\"") == true)

        // The mask is now registered: a re-run needs no image path and gives the same objects.
        let ids = try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM object ORDER BY id") }
        let again = try M2BStorage(maskPath: folder.path("ann_dir/0.png"), palette: palette)
            .store(regions, of: try mask(), in: corpus)
        #expect(again.removed == 0 && again.unchanged == 3 && again.inserted == 3)
        #expect(try objects(corpus) == stored)
        #expect(try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM object ORDER BY id") } == ids)
        // Different regions replace the image's earlier m2b objects.
        let fewer = Array(regions.prefix(1))
        let replaced = try M2BStorage(maskPath: folder.path("ann_dir/0.png"), palette: palette)
            .store(fewer, of: try mask(), in: corpus)
        #expect(replaced.removed == 3 && replaced.unchanged == 0 && replaced.inserted == 1)
        #expect(try objects(corpus).count == 1)
        let masks = try corpus.pool.read { db in try String.fetchAll(db, sql: "SELECT path FROM mask") }
        #expect(masks == ["../ann_dir/0.png"])
    }

    @Test func aMaskOfTheWrongSizeOrWithoutImageWritesNothing() throws {
        let folder = try TemporaryFolder("m2b-bad")
        let corpus = try setUp(folder)
        let palette = try Palette.named("loveda")
        let small = LabelMask(width: 3, height: 3, filledWith: 2)
        let error = #expect(throws: CorpusError.self) {
            try M2BStorage(maskPath: folder.path("ann_dir/0.png"), palette: palette, imagePath: folder.path("img_dir/0.png"))
                .store(M2B.boxes(in: small), of: small, in: corpus)
        }
        #expect(error?.description.contains("3x3") == true)
        #expect(throws: CorpusError.self) {
            try M2BStorage(maskPath: folder.path("ann_dir/1.png"), palette: palette).store([], of: small, in: corpus)
        }
        #expect(try objects(corpus).isEmpty)
        #expect(try corpus.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mask") } == 0)
    }

    @Test func severalMasksGoInOneTransaction() throws {
        let folder = try TemporaryFolder("m2b-batch")
        let corpus = try setUp(folder)
        let palette = try Palette.named("loveda")
        let good = M2BStorage.Item(
            storage: M2BStorage(maskPath: folder.path("ann_dir/0.png"), palette: palette,
                                imagePath: folder.path("img_dir/0.png")),
            regions: M2B.boxes(in: try mask()), mask: try mask())
        let small = LabelMask(width: 2, height: 2, filledWith: 3)
        let bad = M2BStorage.Item(storage: M2BStorage(maskPath: folder.path("ann_dir/9.png"), palette: palette),
                                  regions: M2B.boxes(in: small), mask: small)
        #expect(throws: CorpusError.self) { try M2BStorage.storeAll([good, bad], in: corpus) }
        #expect(try objects(corpus).isEmpty)
        let summaries = try M2BStorage.storeAll([good], in: corpus)
        #expect(summaries.map(\.inserted) == [M2B.boxes(in: try mask()).count])
    }
}
