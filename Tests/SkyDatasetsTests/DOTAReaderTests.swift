import Testing
import SkyGeometry
@testable import SkyDatasets

@Suite("DOTA labelTxt")
struct DOTAReaderTests {
    func sample() throws -> TempDataset {
        let data = try TempDataset("dota")
        try data.image("images/P0001.png", width: 100, height: 80)
        try data.image("images/P0002.png", width: 50, height: 50)
        try data.image("images/P0003.png", width: 40, height: 40)
        try data.write("labelTxt/P0001.txt", """
            imagesource:GoogleEarth
            gsd:0.146343590398
            10 10 30 10 30 20 10 20 small-vehicle 0
            20.5 5 60 5 60 40 20.5 40 plane 1
            90 70 120 70 120 90 90 90 ship 2
            5 5 5 5 5 30 5 30 small-vehicle 2

            """)
        try data.write("labelTxt/P0002.txt", "1 1 9 1 9 9 1 9 harbor\r\n")
        try data.write("labelTxt/P0099.txt", "1 1 9 1 9 9 1 9 harbor 0\n")
        return data
    }

    @Test("headers, difficulty, polygons, clipping and degenerate boxes")
    func readsLabels() throws {
        let data = try sample()
        let set = try DOTAReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["images/P0001.png", "images/P0002.png", "images/P0003.png"])
        let first = set.images[0]
        #expect(first.width == 100 && first.height == 80)
        #expect(first.objects.map(\.rawClass) == ["small-vehicle", "plane", "ship"])
        #expect(first.objects[0].box == AxisBox(x: 10, y: 10, width: 20, height: 10))
        #expect(first.objects[0].polygon?.count == 4)
        #expect(first.objects[1].difficult && !first.objects[1].ignore)
        #expect(first.objects[1].box == AxisBox(x: 20.5, y: 5, width: 39.5, height: 35))
        #expect(first.objects[2].ignore)
        #expect(first.objects[2].box == AxisBox(x: 90, y: 70, width: 10, height: 10), "clipped to the 100x80 image")
        #expect(set.images[1].objects.map(\.rawClass) == ["harbor"], "a CRLF line without difficulty reads as 0")
        #expect(set.report.clippedBoxes == 1)
        #expect(set.report.degenerateBoxes == 1)
        #expect(set.report.annotationsWithoutImage == ["labelTxt/P0099.txt"])
        #expect(set.report.imagesWithoutAnnotations == ["images/P0003.png"])
        #expect(set.objectCount == 4)
    }

    @Test("a malformed line stops the read with the file and line, or is counted with skipInvalid")
    func malformedLine() throws {
        let data = try sample()
        try data.write("labelTxt/P0002.txt", "imagesource:GF\n1 1 9 1 9 x 1 9 harbor 0\n1 1 9 1 9 9 1 9 harbor 0\n")
        #expect {
            try DOTAReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.file == "labelTxt/P0002.txt" && error?.location == "line 2" && error?.kind == .malformedRecord
                && error?.problem.contains("corner 3") == true
        }
        let set = try DOTAReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(set.report.skipped == [.malformedRecord: 1])
        #expect(set.report.messages.first?.hasPrefix("labelTxt/P0002.txt: line 2:") == true)
        #expect(set.images[1].objects.count == 1)
    }

    @Test("a bad difficulty and a short line are errors", arguments: [
        "1 1 9 1 9 9 1 9 harbor 7", "1 1 9 1 9 9 harbor 0", "1 1 9 1 9 9 1 9 harbor 0 extra",
    ])
    func badLines(line: String) throws {
        let data = try sample()
        try data.write("labelTxt/P0002.txt", line + "\n")
        #expect(throws: DatasetError.self) { try DOTAReader.read(root: data.root) }
    }

    @Test("split folders give the split, and --split filters")
    func splits() throws {
        let data = try TempDataset("dota")
        try data.image("train/images/A.png", width: 20, height: 20)
        try data.write("train/labelTxt/A.txt", "1 1 5 1 5 5 1 5 plane 0\n")
        try data.image("val/images/B.png", width: 20, height: 20)
        try data.write("val/labelTxt/B.txt", "1 1 5 1 5 5 1 5 ship 0\n")
        let all = try DOTAReader.read(root: data.root)
        #expect(all.images.map(\.split) == ["train", "val"])
        let val = try DOTAReader.read(root: data.root, options: ReadOptions(split: "val"))
        #expect(val.images.map(\.relativePath) == ["val/images/B.png"])
        #expect(DatasetFormat.detect(root: data.root)?.format == .dota)
    }
}
