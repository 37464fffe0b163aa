import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

/// `ReadOptions.keep` (a shard's images): a detection reader leaves the other images out before reading their
/// headers or (DOTA, YOLO) their labels, keeps the same objects for its own, and lists every image alike.
@Suite("Reading only the kept images")
struct ImageFilterTests {
    private let keepOdd = ImageFilter(name: "odd") { path in path.hasSuffix("1.png") || path.hasSuffix("3.png") }

    /// Four images; image 2's label file is not DOTA and image 4's file is not an image: reading either fails.
    private func dota() throws -> TempDataset {
        let data = try TempDataset("dota-keep")
        for number in 1...3 { try data.image("images/P000\(number).png", width: 100, height: 80) }
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: data.path("images/P0004.png")))
        try data.write("labelTxt/P0001.txt", "10 10 30 10 30 20 10 20 plane 0\n")
        try data.write("labelTxt/P0002.txt", "this is no label line\n")
        try data.write("labelTxt/P0003.txt", "90 70 120 70 120 90 90 90 ship 0\n")
        try data.write("labelTxt/P0004.txt", "1 1 9 1 9 9 1 9 harbor 0\n")
        return data
    }

    @Test("DOTA: other images' labels and headers are not read; kept images as in a whole read; listing alike")
    func dotaSkipsOtherImages() throws {
        let data = try dota()
        var options = ReadOptions()
        options.keep = keepOdd
        let kept = try DOTAReader.read(root: data.root, options: options)
        #expect(kept.images.map(\.relativePath) == ["images/P0001.png", "images/P0003.png"])
        #expect(kept.listing == ["images/P0001.png", "images/P0002.png", "images/P0003.png", "images/P0004.png"])
        #expect(kept.images[1].objects.first?.box == AxisBox(x: 90, y: 70, width: 10, height: 10))
        #expect(kept.report.clippedBoxes == 1)
        // The whole read fails on image 2's labels: the filtered read never parsed them.
        #expect(throws: DatasetError.self) { try DOTAReader.read(root: data.root) }
        let whole = try DOTAReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(whole.listing == kept.listing, "unreadable images stay listed, so shards number images alike")
        #expect(whole.images.filter { keepOdd.keeps($0.relativePath) } == kept.images)
        let odd = keepOdd
        let even = ImageFilter(name: "even") { !odd.keeps($0) }
        #expect(throws: DatasetError.self) { try DOTAReader.read(root: data.root, options: ReadOptions(keep: even)) }
    }

    @Test("YOLO: other images are listed without reading their header or labels")
    func yoloSkipsOtherImages() throws {
        let data = try TempDataset("yolo-keep")
        try data.write("classes.txt", "plane\n")
        try data.image("images/a1.png", width: 200, height: 100)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: data.path("images/b2.png")))
        try data.write("labels/a1.txt", "0 0.5 0.5 0.2 0.4\n")
        try data.write("labels/b2.txt", "0 0.5 0.5 0.2 0.4\n")
        var options = ReadOptions()
        options.keep = keepOdd
        let set = try YOLOReader.read(root: data.root, options: options)
        #expect(set.images.map(\.relativePath) == ["images/a1.png"] && set.listing == ["images/a1.png", "images/b2.png"])
        #expect(set.images[0].objects.first?.box == AxisBox(x: 80, y: 30, width: 40, height: 40))
        #expect(throws: DatasetError.self) { try YOLOReader.read(root: data.root) }
    }

    @Test("A filter for a subfolder's reader sees the full path; filters compare by name")
    func belowAndEquality() {
        let below = keepOdd.below("aircraft")
        #expect(below.keeps("x1.png") && !below.keeps("x2.png"))
        let prefixed = ImageFilter(name: "aircraft only") { $0.hasPrefix("aircraft/") }.below("aircraft")
        #expect(prefixed.keeps("anything.png"))
        #expect(ImageFilter(name: "odd") { _ in false } == keepOdd)
    }
}
