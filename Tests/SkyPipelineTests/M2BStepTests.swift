import Foundation
import GRDB
import SkyConcurrency
import SkyGeometry
import SkyImaging
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing

/// `m2b` over the masks the corpus lists: their registered palettes, palette mismatches, skipping bad masks.
@Suite struct M2BStepTests {
    /// An mmseg-style LoveDA layout: img_dir/N.png with ann_dir/N.png index masks (values 0-7), ingested.
    private func ingested(_ folder: TemporaryFolder, maskValues: [[UInt8]]) throws -> Corpus {
        for (number, values) in maskValues.enumerated() {
            var image = RasterImage(width: 8, height: 8, layout: .rgb)
            for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte * (number + 3)) }
            try FileManager.default.createDirectory(atPath: folder.path("seg/img_dir"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder.path("seg/ann_dir"), withIntermediateDirectories: true)
            try ImageEncoder.write(image, to: folder.path("seg/img_dir/\(number).png"))
            var mask = RasterImage(width: 8, height: 8, layout: .gray)
            mask.pixels = values
            try ImageEncoder.write(mask, to: folder.path("seg/ann_dir/\(number).png"))
        }
        let corpus = try folder.newCorpus()
        let summary = try DatasetIngest.run(IngestRequest(name: "loveda", root: folder.path("seg"), format: .segmentation,
                                                          palette: "loveda"), into: corpus)
        #expect(summary.masksAdded == maskValues.count)
        return corpus
    }

    /// Left half building (2), right half agricultural land (7), top row no-data (0).
    private let twoClasses: [UInt8] = (0..<64).map { $0 < 8 ? 0 : ($0 % 8 < 4 ? 2 : 7) }

    @Test func runsOverTheRegisteredMasksWithTheirPalette() throws {
        let folder = try TemporaryFolder("m2b-corpus")
        let corpus = try ingested(folder, maskValues: [twoClasses, twoClasses.map { $0 == 7 ? 4 : $0 }])
        let summary = try M2BStep().run(in: corpus)
        #expect(summary.masks == 2 && summary.stored == 2 && summary.boxes == 4 && summary.skipped.isEmpty)
        let classes = try corpus.pool.read { db in
            try String.fetchAll(db, sql: "SELECT class FROM object WHERE source = 'm2b' ORDER BY class")
        }
        #expect(classes == ["agricultural land", "building", "building", "water area"])
        // The same boxes as reading the file by hand with its palette.
        let byHand = try M2BStep().boxes(mask: folder.path("seg/ann_dir/0.png"), palette: try Palette.named("loveda"))
        #expect(byHand.regions.map(\.classValue) == [2, 7])
        let ids = try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM object ORDER BY id") }
        let again = try M2BStep().run(in: corpus)
        #expect(again.replaced == 0 && again.unchanged == 4 && again.boxes == 4, "a re-run keeps its own boxes")
        #expect(try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM object ORDER BY id") } == ids)
    }

    @Test func aMaskReadWithAnotherPaletteIsAnErrorNamingIt() throws {
        let folder = try TemporaryFolder("m2b-palette")
        let corpus = try ingested(folder, maskValues: [twoClasses])
        let mask = folder.path("seg/ann_dir/0.png")
        // The corpus registered it as LoveDA's: reading it as iSAID's (where 2 and 7 are other classes) is refused.
        let isaid = try Palette.named("isaid")
        let (regions, labels) = try M2BStep().boxes(mask: mask, palette: isaid)
        let error = #expect(throws: CorpusError.self) {
            try M2BStorage.storeAll([.init(storage: M2BStorage(maskPath: mask, palette: isaid), regions: regions,
                                           mask: labels)], in: corpus)
        }
        #expect(error?.description.contains("registered this mask with palette 'loveda'") == true)
        // Values beyond a palette's classes (Potsdam has 0-6; agricultural land here is 7) name the mask and the values.
        let potsdam = try Palette.named("potsdam")
        let unknown = #expect(throws: CorpusError.self) { _ = try M2BStep().boxes(mask: mask, palette: potsdam) }
        #expect(unknown?.description.contains("0.png") == true)
        #expect(unknown?.description.contains("7 (28 pixels)") == true)
        #expect(try M2BStep(ignoreUnknownValues: true).boxes(mask: mask, palette: potsdam).regions.count == 1)
    }

    @Test func aBadMaskStopsTheRunOrIsSkippedAndListed() throws {
        let folder = try TemporaryFolder("m2b-bad")
        let corpus = try ingested(folder, maskValues: [twoClasses, twoClasses])
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder.path("seg/ann_dir/1.png")))
        #expect(throws: (any Error).self) { try M2BStep().run(in: corpus) }
        #expect(try corpus.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object") } == 0)
        let summary = try M2BStep(skipInvalid: true).run(in: corpus)
        #expect(summary.stored == 1 && summary.skipped.map(\.path) == ["loveda:ann_dir/1.png"])
    }

    /// Masks are traced on several threads: the stored objects (ids and order) equal storing each mask by hand, one
    /// at a time, through its path; progress counts every mask once; the first bad mask in corpus order is the error.
    @Test func parallelTracingStoresWhatOneMaskAtATimeStores() throws {
        var patterns: [[UInt8]] = []
        for number in 0..<24 {
            var values = [UInt8](repeating: 0, count: 64)
            for pixel in 8..<64 { values[pixel] = UInt8(1 + (pixel / 8 + pixel % 8 + number) % 7) }
            patterns.append(values)
        }
        let parallel = try TemporaryFolder("m2b-parallel")
        let corpus = try ingested(parallel, maskValues: patterns)
        let calls = Locked<[[Int]]>([])
        let summary = try M2BStep().run(in: corpus) { done, total in calls.withLock { $0.append([done, total]) } }
        #expect(summary.masks == 24 && summary.stored == 24 && summary.skipped.isEmpty)
        #expect(calls.value.map { $0[0] }.sorted() == Array(1...24) && calls.value.allSatisfy { $0[1] == 24 })

        let byHand = try TemporaryFolder("m2b-by-hand")
        let reference = try ingested(byHand, maskValues: patterns)
        let loveda = try Palette.named("loveda")
        for entry in try reference.read({ try $0.masks(datasets: []) }) {  // corpus order
            let path = byHand.path("seg/" + entry.mask.path)
            let (regions, mask) = try M2BStep().boxes(mask: path, palette: loveda)
            _ = try M2BStorage(maskPath: path, palette: loveda).store(regions, of: mask, in: reference)
        }
        let query = "SELECT id, image_id, class, x, y, w, h FROM object WHERE source = 'm2b' ORDER BY id"
        let stored = try corpus.pool.read { db in try Row.fetchAll(db, sql: query) }
        #expect(stored.count == summary.boxes && stored.count > 24)
        #expect(stored == (try reference.pool.read { db in try Row.fetchAll(db, sql: query) }))

        for number in [7, 3] {
            try Data("not a png".utf8).write(to: URL(fileURLWithPath: parallel.path("seg/ann_dir/\(number).png")))
        }
        let error = #expect(throws: (any Error).self) { try M2BStep().run(in: corpus) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("ann_dir/3.png"), "the first bad mask in corpus order: \(message)")
        let skipped = try M2BStep(skipInvalid: true).run(in: corpus)
        #expect(skipped.skipped.map(\.path) == ["loveda:ann_dir/3.png", "loveda:ann_dir/7.png"])
    }
}
