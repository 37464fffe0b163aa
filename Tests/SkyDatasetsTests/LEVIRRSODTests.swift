import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

@Suite("LEVIR and RSOD as distributed")
struct LEVIRRSODTests {
    func levir() throws -> TempDataset {
        let data = try TempDataset("LEVIR")
        try data.image("imageWithLabel/10001.jpg", width: 80, height: 60)
        try data.write("imageWithLabel/10001.txt", "1 10 12 30 40\n2 50 5 79 20\r\n\n3 0 0 90 70\n")
        try data.image("imageWithLabel/10002.jpg", width: 80, height: 60)
        try data.write("imageWithLabel/10003.txt", "1 1 1 5 5\n")
        return data
    }

    @Test("LEVIR: imageWithLabel/ pairs, class ids 1-3, boxes clipped, missing pairs reported")
    func readsLEVIR() throws {
        let data = try levir()
        #expect(DatasetFormat.detect(root: data.root)?.format == .levir)
        let set = try LEVIRReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["imageWithLabel/10001.jpg", "imageWithLabel/10002.jpg"])
        let objects = set.images[0].objects
        #expect(objects.map(\.rawClass) == ["1", "2", "3"])
        #expect(objects[0].box == AxisBox(x: 10, y: 12, width: 20, height: 28))
        #expect(objects[2].box == AxisBox(x: 0, y: 0, width: 80, height: 60), "clipped to the 80x60 image")
        #expect(set.report.clippedBoxes == 1)
        #expect(set.report.annotationsWithoutImage == ["imageWithLabel/10003.txt"])
        #expect(set.report.imagesWithoutAnnotations == ["imageWithLabel/10002.jpg"])
        #expect(try DatasetFormat.levir.read(root: data.root).report.recordsRead == set.report.recordsRead)
    }

    @Test("LEVIR: malformed lines and unknown classes name the file and line; skip-invalid counts them",
          arguments: [("1 10 12 30", IssueKind.malformedRecord, "4 fields"),
                      ("x 10 12 30 40", .malformedRecord, "not an integer"),
                      ("7 10 12 30 40", .unknownClass, "class 7"),
                      ("2 10 1y 30 40", .malformedRecord, "'1y' is not a number")])
    func badLEVIR(line: String, kind: IssueKind, words: String) throws {
        let data = try levir()
        try data.write("imageWithLabel/10001.txt", "1 10 12 30 40\n\(line)\n")
        #expect {
            try LEVIRReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.file == "imageWithLabel/10001.txt" && error?.location == "line 2" && error?.kind == kind
                && error?.problem.contains(words) == true
        }
        let skipped = try LEVIRReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.report.skipped[kind] == 1)
        #expect(skipped.images[0].objects.count == 1)
    }

    @Test("LEVIR: a root without imageWithLabel/ or image-label pairs is refused")
    func notLEVIR() throws {
        let data = try TempDataset("empty")
        try data.image("a.jpg", width: 4, height: 4)
        #expect(throws: DatasetError.self) { try LEVIRReader.read(root: data.root) }
    }

    /// RSOD with text labels only for aircraft and playground, XML for oiltank.
    func rsod() throws -> TempDataset {
        let data = try TempDataset("RSOD")
        try data.image("aircraft/JPEGImages/aircraft_1.jpg", width: 60, height: 50)
        try data.image("aircraft/JPEGImages/aircraft_2.jpg", width: 60, height: 50)
        try data.write("aircraft/Annotation/labels/aircraft_1.txt",
                       "aircraft_1.jpg\taircraft\t1\t2\t11\t12\naircraft_1.jpg\taircraft\t40\t30\t70\t45\n")
        try data.write("aircraft/Annotation/labels/aircraft_2.txt", "aircraft_2.jpg\taircraft\t5\t5\t9\t9\n")
        try data.image("playground/JPEGImages/playground_1.jpg", width: 60, height: 50)
        try data.write("playground/Annotation/labels/playground_1.txt", "playground_1.jpg\tplayground\t3\t4\t30\t40\n")
        try data.image("oiltank/JPEGImages/oiltank_1.jpg", width: 60, height: 50)
        try data.write("oiltank/Annotation/labels/oiltank_1.txt", "oiltank_1.jpg\toiltank\t1\t1\t2\t2\n")
        try data.write("oiltank/Annotation/xml/oiltank_1.xml", """
            <annotation><filename>oiltank_1.jpg</filename><size><width>60</width><height>50</height></size>
            <object><name>oiltank</name><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object>
            <object><name>oiltank</name><bndbox><xmin>20</xmin><ymin>20</ymin><xmax>29</xmax><ymax>29</ymax></bndbox></object>
            </annotation>
            """)
        return data
    }

    @Test("RSOD: class folders, text labels where there is no XML, XML preferred where there is")
    func readsRSOD() throws {
        let data = try rsod()
        #expect(DatasetFormat.detect(root: data.root)?.format == .rsod)
        let set = try RSODReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["aircraft/JPEGImages/aircraft_1.jpg", "aircraft/JPEGImages/aircraft_2.jpg",
                                                   "oiltank/JPEGImages/oiltank_1.jpg", "playground/JPEGImages/playground_1.jpg"])
        #expect(set.countsByClass == ["aircraft": 3, "oiltank": 2, "playground": 1])
        #expect(set.images[0].objects[1].box == AxisBox(x: 40, y: 30, width: 20, height: 15), "clipped to 60 wide")
        #expect(set.images[2].objects[0].difficult, "read from the XML, not the text label")
        #expect(set.images.allSatisfy { $0.width == 60 && $0.height == 50 })
        let one = try RSODReader.read(root: data.path("aircraft"))
        #expect(one.images.map(\.relativePath) == ["JPEGImages/aircraft_1.jpg", "JPEGImages/aircraft_2.jpg"])
    }

    @Test("RSOD: a bad text line names the file from the RSOD root and its line",
          arguments: [("aircraft_1.jpg\tairplane\t1\t2\t11\t12", IssueKind.unknownClass, "'airplane'"),
                      ("aircraft_1.jpg\taircraft\t1\t2\t11", .malformedRecord, "5 fields"),
                      ("aircraft_1.jpg\taircraft\t1\t2\tA\t12", .malformedRecord, "'A' is not a number")])
    func badRSOD(line: String, kind: IssueKind, words: String) throws {
        let data = try rsod()
        try data.write("aircraft/Annotation/labels/aircraft_2.txt", "aircraft_2.jpg\taircraft\t5\t5\t9\t9\n\(line)\n")
        #expect {
            try RSODReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.file == "aircraft/Annotation/labels/aircraft_2.txt" && error?.location == "line 2"
                && error?.kind == kind && error?.problem.contains(words) == true
        }
        let skipped = try RSODReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.report.skipped[kind] == 1)
        #expect(skipped.report.messages.first?.hasPrefix("aircraft/Annotation/labels/aircraft_2.txt: line 2:") == true)
        #expect(skipped.countsByClass["aircraft"] == 3)
    }

    @Test("RSOD: a class folder without its label files lists its images as unannotated")
    func missingLabels() throws {
        let data = try rsod()
        try FileManager.default.removeItem(atPath: data.path("aircraft/Annotation/labels/aircraft_2.txt"))
        let set = try RSODReader.read(root: data.root)
        #expect(set.report.imagesWithoutAnnotations == ["aircraft/JPEGImages/aircraft_2.jpg"])
    }
}
