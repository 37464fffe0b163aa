import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

@Suite("COCO JSON")
struct COCOReaderTests {
    struct RLECase: Decodable {
        var height: Int
        var width: Int
        var counts: String
        var runs: [Int]
        var bbox: [Double]
        var area: Int
    }

    struct RLEFixture: Decodable { var cases: [RLECase] }

    @Test("compressed RLE strings decode to pycocotools' runs and boxes (Scripts/make_coco_rle_fixtures.py)")
    func rleParity() throws {
        let fixture = try JSONDecoder().decode(RLEFixture.self, from: Fixtures.data("coco_rle.json"))
        #expect(fixture.cases.count == 45)
        for (index, item) in fixture.cases.enumerated() {
            let counts = try #require(COCORLE.decode(item.counts), "case \(index)")
            #expect(counts == item.runs, "case \(index)")
            let box = COCORLE.bounds(counts: counts, height: item.height, width: item.width)
            #expect([box.x, box.y, box.width, box.height] == item.bbox, "case \(index)")
            let mask = try #require(COCORLE.mask(counts: counts, height: item.height, width: item.width))
            #expect(mask.reduce(0) { $0 + Int($1) } == item.area, "case \(index)")
        }
    }

    @Test("a broken RLE string is refused")
    func brokenRLE() {
        #expect(COCORLE.decode("0f\u{01}") == nil)
    }

    static let json = """
        {"info": {"description": "annotations first, categories from 5, not contiguous"},
         "annotations": [
           {"id": 1, "image_id": 10, "category_id": 5, "bbox": [10, 20, 30, 40], "iscrowd": 0, "area": 1200},
           {"id": 2, "image_id": 10, "category_id": 9, "segmentation": [[0, 0, 20, 0, 20, 10, 0, 10]], "iscrowd": 0},
           {"id": 3, "image_id": 11, "category_id": 5, "segmentation": {"size": [4, 3], "counts": [5, 3, 4]}, "iscrowd": 1},
           {"id": 4, "image_id": 11, "category_id": 9, "segmentation": {"size": [7, 5], "counts": "S1"}, "bbox": [1, 1, 2, 2]},
           {"id": 5, "image_id": 11, "category_id": 9, "segmentation": [[1, 1, 3, 1, 3, 3], [5, 5, 6, 5, 6, 6]], "bbox": [1, 1, 5, 5]},
           {"id": 6, "image_id": 99, "category_id": 5, "bbox": [0, 0, 1, 1]},
           {"id": 7, "image_id": 10, "category_id": 5, "bbox": [90, 90, 30, 30]}
         ],
         "images": [
           {"id": 10, "file_name": "a.png", "width": 100, "height": 100},
           {"id": 11, "file_name": "b.png", "width": 3, "height": 4},
           {"id": 12, "file_name": "missing.png", "width": 8, "height": 8},
           {"id": 13, "file_name": "empty.png", "width": 8, "height": 8}
         ],
         "categories": [{"id": 5, "name": "small-vehicle"}, {"id": 9, "name": "plane \\u00e9"}]}
        """

    func sample() throws -> TempDataset {
        let data = try TempDataset("coco")
        try data.write("annotations/instances_train.json", Self.json)
        try data.image("train/a.png", width: 100, height: 100)
        try data.image("train/b.png", width: 3, height: 4)
        try data.image("train/empty.png", width: 8, height: 8)
        return data
    }

    @Test("boxes, polygons, RLE, iscrowd, late categories, missing images")
    func readsCOCO() throws {
        let data = try sample()
        let set = try COCOReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["train/a.png", "train/b.png", "train/empty.png"])
        #expect(set.images.allSatisfy { $0.split == "train" })
        let a = set.images[0], b = set.images[1]
        #expect(a.objects.map(\.rawClass) == ["small-vehicle", "plane é", "small-vehicle"])
        #expect(a.objects[0].box == AxisBox(x: 10, y: 20, width: 30, height: 40))
        #expect(a.objects[1].box == AxisBox(x: 0, y: 0, width: 20, height: 10), "box from the polygon")
        #expect(a.objects[1].polygon?.count == 4)
        #expect(a.objects[2].box == AxisBox(x: 90, y: 90, width: 10, height: 10), "clipped")
        // Uncompressed RLE 4x3: 5 zeros, 3 ones (pixels 5..7 column-major: x=1 rows 1..3), 4 zeros.
        #expect(b.objects[0].box == AxisBox(x: 1, y: 1, width: 1, height: 3))
        #expect(b.objects[0].ignore, "iscrowd")
        #expect(b.objects[1].box == AxisBox(x: 1, y: 1, width: 2, height: 2), "bbox wins over RLE")
        #expect(b.objects[2].polygon == nil, "multi-part polygons keep only the box")
        #expect(set.report.annotationsWithoutImage == ["annotations/instances_train.json: image_id 99", "train/missing.png"])
        #expect(set.report.imagesWithoutAnnotations == ["train/empty.png"])
        #expect(set.report.clippedBoxes == 2)
        #expect(DatasetFormat.detect(root: data.root)?.format == .coco)
        #expect(try COCOReader.read(root: data.root, options: ReadOptions(split: "val")).images.isEmpty)
        #expect(try COCOReader.read(root: data.root, options: ReadOptions(split: "train")).images.count == 3)
    }

    @Test("an unknown category names the annotation id")
    func unknownCategory() throws {
        let data = try sample()
        try data.write("annotations/instances_train.json", Self.json.replacingOccurrences(of: "\"id\": 4, \"image_id\": 11, \"category_id\": 9", with: "\"id\": 4, \"image_id\": 11, \"category_id\": 3"))
        #expect {
            try COCOReader.read(root: data.root)
        } throws: { error in
            (error as? DatasetError)?.location == "annotation id 4" && (error as? DatasetError)?.kind == .unknownClass
        }
        let set = try COCOReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(set.report.skipped == [.unknownClass: 1])
    }

    @Test("malformed boxes and polygons name the annotation and what was expected", arguments: [
        ("\"bbox\": [10, 20, 30]", "found 3 values"), ("\"bbox\": [10, \"20\", 30, 40]", "found 4 values"),
        ("\"bbox\": \"10 20 30 40\"", "found not an array"),
        ("\"segmentation\": [[1, 2, 3, 4]]", "at least 3 points"), ("\"iscrowd\": 0", "expected a 'bbox' or a 'segmentation'"),
    ])
    func malformedShapes(member: String, message: String) throws {
        let data = try sample()
        let json = Self.json.replacingOccurrences(of: "\"bbox\": [10, 20, 30, 40], \"iscrowd\": 0", with: member)
        try data.write("annotations/instances_train.json", json)
        #expect {
            try COCOReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.location == "annotation id 1" && error?.problem.contains(message) == true
        }
    }

    @Test("truncated JSON is an error with a line number")
    func truncated() throws {
        let data = try sample()
        try data.write("annotations/instances_train.json", String(Self.json.prefix(300)))
        #expect {
            try COCOReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.file == "annotations/instances_train.json" && error?.location?.hasPrefix("line ") == true
        }
    }

    @Test("the scanner parses escapes, numbers and nesting like JSONSerialization")
    func scannerMatchesFoundation() throws {
        let text = #"{"a": [1, -2.5, 3e2, true, false, null, "x\"y\n\u0041\ud83d\ude00"], "b": {"c": []}, "d": 12345678901234567}"#
        let value = try JSONScanner.scan(Array(text.utf8), file: "t.json") { scanner throws(DatasetError) in
            try scanner.parseValue()
        }
        let array = try #require(value["a"]?.array)
        #expect(array[0] == .number(1) && array[1] == .number(-2.5) && array[2] == .number(300))
        #expect(array[3] == .bool(true) && array[5] == .null)
        #expect(array[6].string == "x\"y\nA😀")
        #expect(value["b"]?["c"]?.array == [])
        #expect(value["d"]?.double == 12345678901234567)
    }
}
