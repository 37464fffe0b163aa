import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

@Suite("COCO polygons and crowd RLE: pycocotools' area and box")
struct COCOPolygonTests {
    struct Expected: Decodable {
        var area: Int
        var bbox: [Double]
    }

    struct Fixture: Decodable {
        struct Image: Decodable {
            var id: Int
            var file_name: String
            var width: Int
            var height: Int
        }
        struct Coco: Decodable { var images: [Image] }
        var coco: Coco
        var expected: [String: Expected]
    }

    /// The fixture's COCO file with its images written beside it, read record by record.
    func readFixture(areas: Bool = true) throws -> (objects: [Int: AnnotatedObject], expected: [String: Expected]) {
        let bytes = try Fixtures.data("coco_polygons.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: bytes)
        let object = try JSONSerialization.jsonObject(with: bytes) as? [String: Any]
        let coco = try JSONSerialization.data(withJSONObject: try #require(object?["coco"]))
        let data = try TempDataset("coco")
        for image in fixture.coco.images {
            try data.image("images/\(image.file_name)", width: image.width, height: image.height)
        }
        try data.write("annotations/instances_train.json", String(decoding: coco, as: UTF8.self))
        var collector = IssueCollector(options: ReadOptions(segmentationAreas: areas))
        let images = try COCOReader.read(json: data.path("annotations/instances_train.json"),
                                         imageRoot: data.path("images"), root: data.root, split: nil,
                                         collector: &collector)
        // Annotation ids are 1... in file order, and each image keeps its annotations in that order.
        var byID: [Int: AnnotatedObject] = [:]
        let annotations = (object?["coco"] as? [String: Any])?["annotations"] as? [[String: Any]] ?? []
        var next: [String: Int] = [:]
        for annotation in annotations {
            let imageID = annotation["image_id"] as? Int ?? 0
            let name = fixture.coco.images.first { $0.id == imageID }?.file_name ?? ""
            let image = try #require(images.first { $0.relativePath == "images/\(name)" })
            let index = next[name, default: 0]
            next[name] = index + 1
            byID[annotation["id"] as? Int ?? 0] = image.objects[index]
        }
        return (byID, fixture.expected)
    }

    @Test("area and box equal pycocotools' for 180 polygons, multi-part polygons and crowd RLEs (Scripts/make_coco_polygon_fixtures.py)")
    func parity() throws {
        let (objects, expected) = try readFixture()
        #expect(expected.count == 180)
        var multiPart = 0, crowd = 0
        for (key, want) in expected.sorted(by: { Int($0.key)! < Int($1.key)! }) {
            let object = try #require(objects[Int(key)!], "annotation \(key)")
            #expect(object.area == Double(want.area), "annotation \(key): area")
            let box = object.box
            #expect([box.x, box.y, box.width, box.height] == want.bbox, "annotation \(key): box")
            if object.polygonParts != nil { multiPart += 1 }
            if object.ignore { crowd += 1 }
        }
        #expect(multiPart == 60 && crowd == 30)
    }

    @Test("without segmentationAreas polygons get no area but the same boxes; RLEs keep theirs")
    func areasOff() throws {
        let (objects, expected) = try readFixture(areas: false)
        for (key, want) in expected {
            let object = try #require(objects[Int(key)!])
            #expect(object.area == (object.ignore ? Double(want.area) : nil), "annotation \(key)")
            #expect([object.box.x, object.box.y, object.box.width, object.box.height] == want.bbox, "annotation \(key)")
        }
    }

    @Test("a multi-part polygon keeps every ring; a single one stays the polygon")
    func rings() throws {
        let (objects, _) = try readFixture()
        let single = try #require(objects[1])
        #expect(single.polygon != nil && single.polygonParts == nil)
        let parts = try #require(objects[4]?.polygonParts)
        #expect(parts.count >= 2 && objects[4]?.polygon == nil)
    }

    @Test("rasterising matches hand-checked cases: a pixel-aligned square, two overlapping squares, a repeated point")
    func handChecked() throws {
        // The square [1,1]-[4,4] covers pixels 1...3 in both directions (pycocotools: area 9, box [1,1,3,3]).
        let square = try #require(COCOMask.polygon([1, 1, 4, 1, 4, 4, 1, 4], height: 6, width: 6))
        #expect(COCOMask.area(square) == 9)
        #expect(COCORLE.bounds(counts: square, height: 6, width: 6) == AxisBox(x: 1, y: 1, width: 3, height: 3))
        let shifted = try #require(COCOMask.polygon([2, 2, 5, 2, 5, 5, 2, 5], height: 6, width: 6))
        #expect(COCOMask.area(COCOMask.union([square, shifted])) == 9 + 9 - 4)
        #expect(COCOMask.union([square]) == square)
        #expect(COCOMask.polygon([0, 0, 2e6, 0, 0, 3], height: 4, width: 4) == nil, "beyond the coordinate limit")
    }

    @Test("a polygon too far out is an error naming the annotation")
    func farPolygon() throws {
        let data = try TempDataset("coco")
        try data.image("images/a.png", width: 8, height: 8)
        try data.write("annotations/instances_train.json", """
            {"images": [{"id": 1, "file_name": "a.png", "width": 8, "height": 8}],
             "categories": [{"id": 1, "name": "ship"}],
             "annotations": [{"id": 41, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 5e7, 0, 0, 5]]}]}
            """)
        #expect {
            try COCOReader.read(root: data.root, options: ReadOptions(segmentationAreas: true))
        } throws: { error in
            let error = error as? DatasetError
            return error?.location == "annotation id 41" && error?.file == "annotations/instances_train.json"
        }
        let skipped = try COCOReader.read(root: data.root, options: ReadOptions(skipInvalid: true, segmentationAreas: true))
        #expect(skipped.report.skipped[.malformedRecord] == 1)
    }
}
