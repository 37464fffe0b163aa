import Foundation
import Testing
import SkyGeometry
import SkyText
@testable import SkyDatasets

@Suite("DIOR-R rotated boxes and HRSC2016's class tree")
struct RotatedBoxAndHRSCTests {
    func parse(_ xml: String, options: ReadOptions = ReadOptions()) throws -> [AnnotatedObject] {
        var collector = IssueCollector(options: options)
        return try VOCReader.parse(Data(xml.utf8), file: "Annotations/1.xml", collector: &collector).image.objects
    }

    static func dior(_ corners: [(Double, Double)]) -> String {
        let names = ["left_top", "right_top", "right_bottom", "left_bottom"]
        let fields = zip(names, corners).map { "<x_\($0)>\($1.0)</x_\($0)><y_\($0)>\($1.1)</y_\($0)>" }.joined()
        return "<annotation><object><type>robndbox</type><name>ship</name><robndbox>\(fields)</robndbox>"
            + "<angle>0</angle></object></annotation>"
    }

    @Test("DIOR-R corners give the polygon, the rotated box and the axis-aligned box")
    func axisAligned() throws {
        // DIOR-R's 00001.xml golffield: an axis-aligned box written as four corners.
        let object = try #require(try parse(Self.dior([(133, 237), (684, 237), (684, 672), (133, 672)])).first)
        #expect(object.rotated == RotatedBox(center: Point2D(x: 408.5, y: 454.5), width: 551, height: 435, angle: 0))
        #expect(object.polygon?.count == 4)
        #expect(object.box == AxisBox(x: 133, y: 237, width: 551, height: 435))
    }

    @Test("a turned DIOR-R box: centre, side lengths and the top edge's angle in degrees")
    func turned() throws {
        // A 10 x 4 box turned by 30 degrees about (50, 40).
        let c = cos(Double.pi / 6), s = sin(Double.pi / 6)
        let corners = [(-5.0, -2.0), (5, -2), (5, 2), (-5, 2)].map { (50 + $0 * c - $1 * s, 40 + $0 * s + $1 * c) }
        let object = try #require(try parse(Self.dior(corners)).first)
        let rotated = try #require(object.rotated)
        #expect(abs(rotated.center.x - 50) < 1e-9 && abs(rotated.center.y - 40) < 1e-9)
        #expect(abs(rotated.width - 10) < 1e-9 && abs(rotated.height - 4) < 1e-9)
        #expect(abs(rotated.angle - 30) < 1e-9)
        // The round trip through the corners of the rotated box gives the same polygon.
        let back = VOCReader.corners(cx: rotated.center.x, cy: rotated.center.y, width: rotated.width,
                                     height: rotated.height, radians: rotated.angle * .pi / 180)
        for (a, b) in zip(back, object.polygon ?? []) { #expect(abs(a.x - b.x) < 1e-9 && abs(a.y - b.y) < 1e-9) }
    }

    @Test("collapsed corners give no rotated box but keep the polygon")
    func collapsed() throws {
        let object = try #require(try parse(Self.dior([(5, 5), (5, 5), (9, 9), (5, 9)])).first)
        #expect(object.rotated == nil && object.polygon?.count == 4)
    }

    static func hrsc(_ ids: [String]) -> String {
        let objects = ids.map { id in
            "<HRSC_Object>\(id.isEmpty ? "" : "<Class_ID>\(id)</Class_ID>")<box_xmin>1</box_xmin><box_ymin>1</box_ymin>"
                + "<box_xmax>9</box_xmax><box_ymax>9</box_ymax></HRSC_Object>"
        }.joined(separator: "\n")
        return "<HRSC_Image><Img_FileName>100000001</Img_FileName><Img_FileFmt>bmp</Img_FileFmt><HRSC_Objects>\n"
            + objects + "\n</HRSC_Objects></HRSC_Image>"
    }

    @Test("Class_ID named at each level of the tree", arguments: [
        (HRSCClassLevel.ship, ["ship", "ship", "ship", "ship", "ship", "ship"]),
        (.category, ["ship", "aircraft carrier", "warcraft", "merchant ship", "submarine", "aircraft carrier"]),
        (.type, ["ship", "Nimitz", "Arleigh Burke", "Car carrier([]==[])", "submarine", "aircraft carrier"]),
    ])
    func levels(level: HRSCClassLevel, names: [String]) throws {
        let xml = Self.hrsc(["100000001", "100000005", "100000007", "100000020", "100000027", "100000002"])
        let objects = try parse(xml, options: ReadOptions(hrscClassLevel: level))
        #expect(objects.map(\.rawClass) == names)
    }

    @Test("an object without Class_ID is a ship; an unknown Class_ID names the file, line and object")
    func unknownClass() throws {
        #expect(try parse(Self.hrsc([""]), options: ReadOptions(hrscClassLevel: .type)).map(\.rawClass) == ["ship"])
        let xml = Self.hrsc(["100000005", "100000021"])
        #expect {
            try parse(xml)
        } throws: { error in
            let error = error as? DatasetError
            return error?.kind == .unknownClass && error?.file == "Annotations/1.xml"
                && error?.location == "line 3, HRSC_Object 2" && error?.problem.contains("100000021") == true
        }
        var collector = IssueCollector(options: ReadOptions(skipInvalid: true))
        let parsed = try VOCReader.parse(Data(xml.utf8), file: "Annotations/1.xml", collector: &collector)
        #expect(parsed.image.objects.count == 1 && collector.report.skipped[.unknownClass] == 1)
    }

    @Test("the tree: 31 classes, 26 types under the four categories, every name in Schemas/classes/hrsc.json")
    func tree() throws {
        let entries = HRSCClasses.entries
        #expect(entries.count == 31)
        #expect(entries.values.filter { $0.layer == 2 }.count == 26)
        #expect(Set(entries.values.filter { $0.layer == 1 }.map(\.name))
                == ["aircraft carrier", "warcraft", "merchant ship", "submarine"])
        for entry in entries.values where entry.layer == 2 {
            #expect(entries[entry.parent ?? 0]?.layer == 1, "\(entry.name)")
        }
        let table = try ClassTable.load()
        let family = try #require(table.families.first { $0.name == "hrsc" })
        for entry in entries.values { #expect(family.classes[entry.name] != nil, "\(entry.name)") }
        #expect(table.name(raw: "warcraft", dataset: "HRSC2016") == ClassName(singular: "warship", plural: "warships"))
    }
}
