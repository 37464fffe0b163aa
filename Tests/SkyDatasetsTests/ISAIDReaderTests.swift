import Foundation
import Testing
import SkyGeometry
import SkyImaging
import SkyTestSupport
@testable import SkyDatasets

@Suite("iSAID instances: PNG pairs as the devkit converts them, and its JSON")
struct ISAIDReaderTests {
    struct Expected: Decodable {
        var id: Int
        var category: String
        var `class`: String
        var segmentation: [[Double]]
        var area: Int
        var bbox: [Double]
    }

    struct Reference: Decodable {
        var images: [String: [Expected]]
    }

    static let fixtureRoot = Bundle.module.url(forResource: "Fixtures/isaid", withExtension: nil)?.path ?? "/missing"

    func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: try Fixtures.data("isaid/expected.json"))
    }

    static func flat(_ points: [Point2D]) -> [Double] { points.flatMap { [$0.x, $0.y] } }

    /// A copy of the fixture: the masks (`pngs`), or the images with the devkit's JSON (`json`).
    func copy(pngs: Bool) throws -> TempDataset {
        let data = try TempDataset("isaid")
        let manager = FileManager.default
        for split in ["train", "val"] {
            try manager.createDirectory(atPath: data.path("\(split)/images"), withIntermediateDirectories: true)
            for name in DatasetFiles.list(Self.fixtureRoot + "/\(split)/images") where pngs || !name.contains("_instance_") {
                try manager.copyItem(atPath: Self.fixtureRoot + "/\(split)/images/\(name)", toPath: data.path("\(split)/images/\(name)"))
            }
            if !pngs {
                try manager.copyItem(atPath: Self.fixtureRoot + "/json/\(split)/Annotations", toPath: data.path("\(split)/Annotations"))
            }
        }
        return data
    }

    @Test("PNG pairs: classes, polygons (parts), boxes and areas equal the devkit's conversion (Scripts/make_isaid_fixtures.py)")
    func pngPairs() throws {
        let reference = try reference()
        let set = try ISAIDReader.read(root: Self.fixtureRoot)
        #expect(set.images.map(\.relativePath) == reference.images.keys.sorted())
        #expect(set.images.map(\.split) == ["train", "train", "val"])
        for image in set.images {
            let expected = try #require(reference.images[image.relativePath])
            #expect(image.objects.count == expected.count, "\(image.relativePath)")
            for (object, want) in zip(image.objects, expected) {
                #expect(object.rawClass == want.class)
                #expect(object.area == Double(want.area))
                #expect([object.box.x, object.box.y, object.box.width, object.box.height] == want.bbox)
                let rings = object.polygonParts ?? object.polygon.map { [$0] } ?? []
                #expect(rings.map(Self.flat) == want.segmentation, "\(image.relativePath) instance \(want.id)")
                #expect((object.polygonParts != nil) == (want.segmentation.count > 1))
            }
        }
        #expect(set.objectCount == 27)
        #expect(set.images.flatMap(\.objects).contains { $0.polygonParts?.count == 2 }, "the instance in two pieces")
    }

    @Test("12 random scenes of overlapping shapes (pieces, holes, diagonal touches): 340 instances equal the devkit's")
    func randomScenes() throws {
        let reference = try JSONDecoder().decode(Reference.self, from: try Fixtures.data("isaid/expected_random.json"))
        let set = try ISAIDReader.read(root: Self.fixtureRoot + "/random")
        #expect(set.images.map(\.relativePath) == reference.images.keys.sorted())
        var compared = 0
        for image in set.images {
            let expected = try #require(reference.images[image.relativePath])
            #expect(image.objects.map(\.rawClass) == expected.map(\.class), "\(image.relativePath)")
            #expect(image.objects.map { $0.area ?? -1 } == expected.map { Double($0.area) })
            #expect(image.objects.map { [$0.box.x, $0.box.y, $0.box.width, $0.box.height] } == expected.map(\.bbox))
            #expect(image.objects.map { ($0.polygonParts ?? $0.polygon.map { [$0] } ?? []).map(Self.flat) } == expected.map(\.segmentation))
            compared += expected.count
        }
        #expect(compared == 340)
    }

    @Test("the devkit's JSON gives the same classes, boxes and outlines")
    func json() throws {
        let reference = try reference()
        let data = try copy(pngs: false)
        #expect(DatasetFormat.detect(root: data.root)?.format == .isaid)
        let set = try ISAIDReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == reference.images.keys.sorted())
        for image in set.images {
            let expected = try #require(reference.images[image.relativePath])
            #expect(image.objects.map(\.rawClass) == expected.map(\.category))
            #expect(image.objects.map { [$0.box.x, $0.box.y, $0.box.width, $0.box.height] } == expected.map(\.bbox))
            #expect(image.objects.map { ($0.polygonParts ?? $0.polygon.map { [$0] } ?? []).map(Self.flat) } == expected.map(\.segmentation))
        }
    }

    @Test("detection: iSAID JSON is detected as isaid; the mask layout stays segmentation unless --format isaid")
    func detection() throws {
        let data = try copy(pngs: false)
        try FileManager.default.moveItem(atPath: data.path("train/Annotations/instancesonly_filtered_train.json"),
                                         toPath: data.path("train/Annotations/iSAID_train.json"))
        #expect(DatasetFormat.detect(root: data.root)?.format == .isaid)
        #expect(DatasetFormat.detect(root: Self.fixtureRoot)?.format == .segmentation)
        #expect(DatasetFormat(rawValue: "isaid") == .isaid)
    }

    @Test("bad input: a mask of the wrong size, an unknown colour, a lone mask; --skip-invalid counts them")
    func badInput() throws {
        let data = try copy(pngs: true)
        try data.image("train/images/P0102_instance_id_RGB.png", width: 10, height: 10)
        #expect {
            try ISAIDReader.read(root: data.root)
        } throws: { error in
            "\(error)".hasPrefix("train/images/P0102_instance_id_RGB.png: is 10x10 but its image is 44x36")
        }
        let skipped = try ISAIDReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.report.skipped == [.sizeMismatch: 1] && skipped.images.count == 2)

        let unknown = try copy(pngs: true)
        var raster = RasterImage(width: 48, height: 40, layout: .rgb, filledWith: 0)
        raster.pixels[0] = 9
        try FileBytes.write(try ImageEncoder.png(raster), to: unknown.path("train/images/P0101_instance_color_RGB.png"))
        #expect {
            try ISAIDReader.read(root: unknown.root)
        } throws: { error in
            "\(error)".hasPrefix("train/images/P0101_instance_color_RGB.png") && "\(error)".contains("(9, 0, 0)")
        }

        let lone = try copy(pngs: true)
        try FileManager.default.removeItem(atPath: lone.path("val/images/P0201_instance_color_RGB.png"))
        #expect {
            try ISAIDReader.read(root: lone.root)
        } throws: { error in
            "\(error)" == "val/images/P0201_instance_id_RGB.png: has no semantic colour mask beside it; iSAID instances "
                + "need both *_instance_id_RGB.png and *_instance_color_RGB.png"
        }
    }

    @Test("real iSAID samples: one object per instance id of a listed class; P0002 (no image) listed")
    func realData() throws {
        guard RealData.available else { return }
        let set = try ISAIDReader.read(root: RealData.path("isaid"))
        #expect(set.report.annotationsWithoutImage.contains("train/images/P0002_instance_id_RGB.png"))
        #expect(set.images.map(\.relativePath).contains("test/images/P0006.png"))
        // The devkit's conversion of the same masks (make_isaid_fixtures.reference_objects with OpenCV 5.1):
        // P0005 131 instances (99 large, 32 small vehicles, 155,383 pixels), P0003 59 (40, 18, 1 storage tank, 74,827).
        let expected: [String: (counts: [String: Int], pixels: Double)] = [
            "train/images/P0005.png": (["large_vehicle": 99, "small_vehicle": 32], 155_383),
            "val/images/P0003.png": (["large_vehicle": 40, "small_vehicle": 18, "storage_tank": 1], 74_827),
        ]
        for (path, want) in expected {
            let image = try #require(set.images.first { $0.relativePath == path })
            #expect(Dictionary(grouping: image.objects, by: \.rawClass).mapValues(\.count) == want.counts, "\(path)")
            #expect(image.objects.reduce(0) { $0 + ($1.area ?? 0) } == want.pixels, "\(path)")
        }
    }
}
