import Foundation
import GRDB
import SkyHashing
import SkyImaging
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing

/// add-images: idempotent, one transaction, clear errors.
@Suite struct ImageRegistrationTests {
    struct Interrupted: Error {}

    @Test func registersPathsSizesAndHashesOnce() throws {
        let folder = try TemporaryFolder("register")
        try folder.writeImages(5, in: "data/train", width: 20, height: 10)
        let corpus = try folder.newCorpus()
        let first = try ImageRegistration(dataset: "demo", folder: folder.path("data/train"), split: "train").run(in: corpus)
        #expect(first.found == 5 && first.added == 5 && first.alreadyPresent == 0)
        let again = try ImageRegistration(dataset: "demo", folder: folder.path("data/train"), split: "train").run(in: corpus)
        #expect(again.added == 0 && again.alreadyPresent == 5)
        let images = try corpus.pool.read { db in try ImageRecord.order(Column("path")).fetchAll(db) }
        #expect(images.count == 5)
        #expect(images.first?.path == "img000.png")
        #expect(images.allSatisfy { $0.width == 20 && $0.height == 10 && $0.split == "train" })
        #expect(Set(images.compactMap(\.contentHash)).count == 5)
        #expect(images.allSatisfy { $0.contentHash?.count == 64 })
    }

    @Test func registersTIFFs() throws {
        // UCM-captions' layout: 8-bit RGB, uncompressed, one strip (here 6x4, little-endian).
        let bytes = TestTIFF.uncompressed(width: 6, height: 4, channels: 3, pixels: (0..<72).map { UInt8($0 % 251) })
        let folder = try TemporaryFolder("tiff")
        try FileManager.default.createDirectory(atPath: folder.path("ucm"), withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path("ucm/agricultural00.tif")))
        let corpus = try folder.newCorpus()
        let summary = try ImageRegistration(dataset: "ucm", folder: folder.path("ucm")).run(in: corpus)
        #expect(summary.added == 1 && summary.skipped.isEmpty)
        let image = try #require(try corpus.pool.read { db in try ImageRecord.fetchOne(db) })
        #expect(image.path == "agricultural00.tif" && image.width == 6 && image.height == 4)
    }

    @Test func subfoldersOfTheRootKeepTheirPrefix() throws {
        let folder = try TemporaryFolder("prefix")
        try folder.writeImages(2, in: "root")
        try folder.writeImages(3, in: "root/val")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "d", folder: folder.path("root")).run(in: corpus)
        let summary = try ImageRegistration(dataset: "d", folder: folder.path("root/val"), split: "val").run(in: corpus)
        #expect(summary.added == 0 && summary.alreadyPresent == 3)
        let paths = try corpus.pool.read { db in try String.fetchAll(db, sql: "SELECT path FROM image ORDER BY path") }
        #expect(paths == ["img000.png", "img001.png", "val/img000.png", "val/img001.png", "val/img002.png"])
        // A folder outside the dataset's root becomes a second root of it, its paths relative to that root.
        try folder.writeImages(1, in: "elsewhere")
        let elsewhere = try ImageRegistration(dataset: "d", folder: folder.path("elsewhere")).run(in: corpus)
        #expect(elsewhere.added == 1)
        let roots = try corpus.read { try $0.roots(dataset: $0.requireDataset("d").id!) }
        #expect(roots.map(\.path) == [folder.path("root"), folder.path("elsewhere")])
        // Its parent folder reaches the same files again: they are the images already registered.
        let parent = try ImageRegistration(dataset: "d", folder: folder.path("")).run(in: corpus)
        #expect(parent.added == 0 && parent.alreadyPresent == parent.found)
    }

    @Test func aFailureMidwayLeavesTheCorpusUnchanged() throws {
        let folder = try TemporaryFolder("midway")
        try folder.writeImages(3, in: "before")
        try folder.writeImages(6, in: "after")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "kept", folder: folder.path("before")).run(in: corpus)
        let before = try CorpusStats.read(from: corpus)
        var rowsWritten = 0
        #expect(throws: Interrupted.self) {
            _ = try ImageRegistration(dataset: "new", folder: folder.path("after")).run(in: corpus) { done, _ in
                rowsWritten = done
                if done == 4 { throw Interrupted() }
            }
        }
        #expect(rowsWritten == 4)
        #expect(try CorpusStats.read(from: corpus) == before)
        #expect(try corpus.pool.read { db in try DatasetRecord.named("new", in: db) } == nil)
    }

    @Test func aBadImageStopsTheStepAndNamesTheFile() throws {
        let folder = try TemporaryFolder("bad")
        try folder.writeImages(4, in: "mixed")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.path("mixed/img002b.png")))
        let corpus = try folder.newCorpus()
        let error = #expect(throws: PipelineError.self) {
            _ = try ImageRegistration(dataset: "m", folder: folder.path("mixed")).run(in: corpus)
        }
        #expect(error?.description.contains("img002b.png") == true)
        #expect(error?.description.contains("nothing was written") == true)
        #expect(try CorpusStats.read(from: corpus).totalImages == 0)
        let skipping = try ImageRegistration(dataset: "m", folder: folder.path("mixed"), skipInvalid: true).run(in: corpus)
        #expect(skipping.added == 4)
        #expect(skipping.skipped.map(\.path) == ["img002b.png"])
    }

    @Test func largeImagesAreVerifiedABandAtATimeAndCutOnesRefused() throws {
        // 4096 x 4096 gray: past ImageDecoder.streamingMinimumPixels, so the band path runs (the TIFF read from its
        // file as libtiff asks, the PNG inflated a band at a time); the facts equal the whole file's.
        let side = 4096
        #expect(side * side >= ImageDecoder.streamingMinimumPixels)
        var image = RasterImage(width: side, height: side, layout: .gray)
        for index in image.pixels.indices { image.pixels[index] = UInt8(truncatingIfNeeded: index / side * 3 + index % side) }
        let tiff = TestTIFF.uncompressed(width: side, height: side, pixels: image.pixels)
        let png = try ImageEncoder.png(image, compressionLevel: 1)
        let folder = try TemporaryFolder("large")
        try folder.write(Data(tiff), to: "whole/large.tif")
        try folder.write(Data(png), to: "whole/large.png")
        let corpus = try folder.newCorpus()
        let summary = try ImageRegistration(dataset: "large", folder: folder.path("whole")).run(in: corpus)
        #expect(summary.added == 2 && summary.skipped.isEmpty)
        let images = try corpus.pool.read { db in try ImageRecord.order(Column("path")).fetchAll(db) }
        #expect(images.map(\.path) == ["large.png", "large.tif"])
        #expect(images.allSatisfy { $0.width == side && $0.height == side })
        #expect(images.map(\.contentHash) == [SHA256.hex(of: png), SHA256.hex(of: tiff)])
        // Cut short with the header intact (the pixels' last rows lost): refused naming the file, or skipped.
        for (name, bytes) in [("cut.tif", Array(tiff.prefix(tiff.count - side * 10))), ("cut.png", Array(png.prefix(png.count / 2)))] {
            let path = try folder.write(Data(bytes), to: "cut-\(name)/\(name)")
            let error = #expect(throws: PipelineError.self) {
                _ = try ImageRegistration(dataset: "cut", folder: folder.path("cut-\(name)")).run(in: corpus)
            }
            #expect(error?.description.contains(path) == true, "\(String(describing: error))")
            let skipping = try ImageRegistration(dataset: "cut", folder: folder.path("cut-\(name)"), skipInvalid: true)
                .run(in: corpus)
            #expect(skipping.added == 0 && skipping.skipped.map(\.path) == [name])
        }
        #expect(try CorpusStats.read(from: corpus).totalImages == 2)
    }

    @Test func statsCountPerDatasetAndSplit() throws {
        let folder = try TemporaryFolder("stats")
        try folder.writeImages(3, in: "a/train")
        try folder.writeImages(2, in: "a/test")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "a", folder: folder.path("a")).run(in: corpus)
        try corpus.pool.write { db in
            try db.execute(sql: "UPDATE image SET split = 'test' WHERE path LIKE 'test/%'")
            try db.execute(sql: """
                INSERT INTO object (image_id, class, raw_class, x, y, w, h, source)
                SELECT id, 'ship', 'ship', 0, 0, 1, 1, 'annotation' FROM image
                """)
            try db.execute(sql: "INSERT INTO caption (image_id, text, source) SELECT id, 'x', 'human' FROM image LIMIT 2")
        }
        let stats = try CorpusStats.read(from: corpus)
        #expect(stats.totalImages == 5 && stats.totalObjects == 5 && stats.totalCaptions == 2)
        #expect(stats.datasets.first?.splits == ["": 3, "test": 2])
        #expect(stats.classes == ["ship": 5])
        #expect(stats.captionSources == ["human": 2])
    }
}
