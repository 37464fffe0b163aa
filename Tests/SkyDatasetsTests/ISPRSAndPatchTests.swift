import Foundation
import GRDB
import Testing
import SkyGeometry
import SkyImaging
import SkyPipeline
import SkyStorage
@testable import SkyDatasets

@Suite("ISPRS Potsdam/Vaihingen tiles and patch cutting (Scripts/make_isprs_fixtures.py)")
struct ISPRSAndPatchTests {
    struct Window: Decodable {
        var window: [Int]
        var full: [String: Int]
        var eroded: [String: Int]
    }

    struct Tile: Decodable {
        var image: String
        var full: String
        var eroded: String
        var width: Int
        var height: Int
        var grids: [String: [Window]]
        var full_counts: [String: Int]
    }

    static let root = Bundle.module.url(forResource: "Fixtures/isprs", withExtension: nil)?.path ?? "/missing"

    func expected() throws -> [String: Tile] {
        try JSONDecoder().decode([String: Tile].self, from: try Fixtures.data("isprs/expected.json"))
    }

    /// Palette-index pixel counts of a label file.
    static func counts(_ path: String, palette: String = "potsdam") throws -> [String: Int] {
        let mask = try LabelMask.load(path: path, palette: try Palette.named(palette))
        var counts: [String: Int] = [:]
        for value in mask.values { counts[String(value), default: 0] += 1 }
        return counts
    }

    @Test("tiles pair with their full or eroded label tiles; IRRG, DSM and unlabelled tiles are not paired")
    func reader() throws {
        let tiles = try expected()
        for family in ["potsdam", "vaihingen"] {
            let root = Self.root + "/" + family
            let tile = try #require(tiles[family])
            #expect(DatasetFormat.detect(root: root)?.format == .isprs)
            #expect(ISPRSReader.family(root: root)?.rawValue == family)
            for labels in ISPRSLabels.allCases {
                let set = try ISPRSReader.read(root: root, options: ReadOptions(isprsLabels: labels))
                let image = try #require(set.images.first { $0.relativePath == tile.image })
                #expect(image.masks == [labels == .full ? tile.full : tile.eroded])
                #expect(image.width == tile.width && image.height == tile.height)
            }
            let full = try ISPRSReader.read(root: root)
            #expect(try Self.counts(root + "/" + tile.full) == tile.full_counts, "TIFF label decoded through the palette")
            if family == "potsdam" {
                #expect(full.images.map(\.relativePath) == ["2_Ortho_RGB/top_potsdam_2_10_RGB.tif", "2_Ortho_RGB/top_potsdam_2_11_RGB.tif"])
                #expect(full.report.imagesWithoutAnnotations == ["2_Ortho_RGB/top_potsdam_2_11_RGB.tif"])
            } else {
                #expect(full.images.count == 1)
            }
        }
    }

    @Test("windows as the iSAID devkit's split.py places them", arguments: ["32/24", "32/32"])
    func windows(grid: String) throws {
        let numbers = grid.split(separator: "/").compactMap { Int($0) }
        let patchGrid = PatchGrid(size: numbers[0], stride: numbers[1])
        for tile in try expected().values {
            let windows = patchGrid.windows(width: tile.width, height: tile.height)
            #expect(windows.map { [$0.x, $0.y, $0.width, $0.height] } == tile.grids[grid]?.map(\.window))
        }
        #expect(PatchGrid(size: 800, stride: 600).windows(width: 800, height: 5000).count == 1, "kept whole unless larger both ways")
        #expect(PatchGrid(size: 800, stride: 600).windows(width: 1300, height: 900).map(\.x) == [0, 500, 0, 500])
        #expect(PatchGrid(size: 10, stride: 11).problem != nil && PatchGrid(size: 8, stride: 8).problem != nil)
        #expect(PatchRequest(folder: "p").grid(for: .isaid) == PatchGrid(size: 800, stride: 600))
        #expect(PatchRequest(folder: "p").grid(for: .isprs) == PatchGrid(size: 512, stride: 512))
        #expect(PatchRequest(folder: "p", size: 256).grid(for: .isaid) == PatchGrid(size: 256, stride: 256))
        #expect(PatchRequest(folder: "p", stride: 900).grid(for: .isaid).problem != nil)
    }

    func corpus(_ folder: TempDataset) throws -> Corpus {
        try Corpus(path: folder.path("corpus.sqlite"), create: true)
    }

    @Test("--patches: tiles and eroded labels cut once, masks registered per patch with the family's palette; a re-run writes nothing")
    func patches() throws {
        let tile = try #require(try expected()["potsdam"])
        let work = try TempDataset("work")
        let corpus = try corpus(work)
        let request = IngestRequest(name: "isprs-sample", root: Self.root + "/potsdam", format: nil,
                                    options: ReadOptions(isprsLabels: .eroded),
                                    patches: PatchRequest(folder: work.path("patches"), grid: PatchGrid(size: 32, stride: 24)))
        let first = try DatasetIngest.run(request, into: corpus)
        let windows = try #require(tile.grids["32/24"])
        #expect(first.format == "isprs")
        #expect(first.patches?.patchesWritten == windows.count * 2 + 1 && first.patches?.patchesPresent == 0)
        #expect(first.imagesAdded == windows.count + 1 && first.masksAdded == windows.count)
        for window in windows {
            let w = window.window
            let name = "top_potsdam_2_10_label_noBoundary_\(w[1])_\(w[1] + w[3])_\(w[0])_\(w[0] + w[2]).png"
            #expect(try Self.counts(work.path("patches/labels/" + name)) == window.eroded, "\(name)")
        }
        let palettes = try corpus.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT palette FROM mask") }
        #expect(palettes == ["potsdam"], "the family's palette when the dataset name names none")
        let roots = try corpus.pool.read { db in try String.fetchAll(db, sql: "SELECT path FROM dataset_root") }
        #expect(roots == [work.path("patches")])

        let again = try DatasetIngest.run(request, into: corpus)
        #expect(again.patches?.patchesWritten == 0 && again.patches?.patchesPresent == windows.count * 2 + 1)
        #expect(again.imagesAdded == 0 && again.masksAdded == 0)

        var inside = request
        inside.patches = PatchRequest(folder: Self.root + "/potsdam/patches")
        #expect(throws: CorpusError.self) { try DatasetIngest.run(inside, into: corpus) }
        var captions = request
        captions.format = .dota
        #expect(throws: CorpusError.self) { try DatasetIngest.run(captions, into: corpus) }
    }

    @Test("bad input: a label tile of another size names both files; --skip-invalid skips the tile")
    func badLabel() throws {
        let data = try TempDataset("potsdam")
        try FileManager.default.removeItem(atPath: data.root)
        try FileManager.default.copyItem(atPath: Self.root + "/potsdam", toPath: data.root)
        try data.image("5_Labels_all/top_potsdam_2_11_label.png", width: 21, height: 20)
        #expect {
            try ISPRSReader.read(root: data.root)
        } throws: { error in
            "\(error)" == "5_Labels_all/top_potsdam_2_11_label.png: is 21x20 but its tile 2_Ortho_RGB/top_potsdam_2_11_RGB.tif "
                + "is 20x20; a label tile must have its tile's size"
        }
        let skipped = try ISPRSReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.report.skipped == [.sizeMismatch: 1] && skipped.images.count == 1)
    }

    @Test("--patches: a label colour outside the ISPRS code stops the cut naming file and colour; --skip-invalid skips the tile")
    func unknownColour() throws {
        let data = try TempDataset("potsdam")
        try FileManager.default.removeItem(atPath: data.root)
        try FileManager.default.copyItem(atPath: Self.root + "/potsdam", toPath: data.root)
        var label = RasterImage(width: 20, height: 20, layout: .rgb, filledWith: 255)
        label.pixels[3 * (20 * 2 + 5) + 1] = 7
        try FileBytes.write(try ImageEncoder.png(label), to: data.path("5_Labels_all/top_potsdam_2_11_label.png"))
        let work = try TempDataset("work")
        let corpus = try corpus(work)
        var request = IngestRequest(name: "potsdam", root: data.root, format: .isprs,
                                    patches: PatchRequest(folder: work.path("patches"), grid: PatchGrid(size: 32, stride: 32)))
        #expect {
            try DatasetIngest.run(request, into: corpus)
        } throws: { error in
            "\(error)".hasPrefix("5_Labels_all/top_potsdam_2_11_label.png") && "\(error)".contains("(255, 7, 255)")
        }
        #expect(!FileManager.default.fileExists(atPath: work.path("patches/labels/top_potsdam_2_11_label.png")))
        request.options.skipInvalid = true
        let summary = try DatasetIngest.run(request, into: corpus)
        #expect(summary.problems == ["malformed record": 1] && summary.masksAdded == 6)
    }

    @Test("iSAID --patches: the devkit's split (32 x 32, overlap 8) then its conversion, patch by patch")
    func isaidPatches() throws {
        struct Expected: Decodable {
            struct Object: Decodable {
                var `class`: String
                var area: Int
                var bbox: [Double]
                var segmentation: [[Double]]
            }
            var images: [String: [Object]]
        }
        let reference = try JSONDecoder().decode(Expected.self, from: try Fixtures.data("isaid/expected_patches.json"))
        let work = try TempDataset("work")
        let corpus = try corpus(work)
        let root = ISAIDReaderTests.fixtureRoot
        let summary = try DatasetIngest.run(IngestRequest(name: "isaid", root: root, format: .isaid,
                                                          patches: PatchRequest(folder: work.path("patches"),
                                                                                grid: PatchGrid(size: 32, stride: 24))),
                                            into: corpus)
        #expect(summary.patches?.imagesCut == 3 && summary.imagesAdded == reference.images.count)
        let set = try ISAIDReader.read(root: work.path("patches"))
        #expect(set.images.map(\.relativePath) == reference.images.keys.sorted())
        for image in set.images {
            let want = try #require(reference.images[image.relativePath])
            #expect(image.objects.map(\.rawClass) == want.map(\.class), "\(image.relativePath)")
            #expect(image.objects.map { $0.area ?? -1 } == want.map { Double($0.area) })
            #expect(image.objects.map { [$0.box.x, $0.box.y, $0.box.width, $0.box.height] } == want.map(\.bbox))
            #expect(image.objects.map { ($0.polygonParts ?? $0.polygon.map { [$0] } ?? []).map(ISAIDReaderTests.flat) }
                    == want.map(\.segmentation))
        }
        #expect(summary.objectsAdded == reference.images.values.reduce(0) { $0 + $1.count })
    }
}
