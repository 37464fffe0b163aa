import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

/// `ReadOptions.keep` for the formats with one annotation file for many images (COCO JSON, caption files), VOC XML
/// and change pairs: another shard's records are walked over, not built (their malformed records do not fail the
/// read, their headers are not read), the kept images are as in a whole read, and every shard lists alike.
@Suite("Shards skip other images' annotations")
struct ShardSkipTests {
    /// Keeps the images whose path ends in 1 or 3 before the extension.
    private let keepOdd = ImageFilter(name: "odd") { path in
        let stem = path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? "") } ?? ""
        return stem.hasSuffix("1") || stem.hasSuffix("3")
    }

    private func options(_ keep: ImageFilter?, skipInvalid: Bool = false) -> ReadOptions {
        var options = ReadOptions(skipInvalid: skipInvalid)
        options.keep = keep
        return options
    }

    /// Four COCO images; image 2's only annotation has a malformed bbox (a whole read fails on it), image 4's a
    /// polygon; `annotationsFirst` writes `annotations` before `images` (records wait for their image).
    private func coco(annotationsFirst: Bool) throws -> TempDataset {
        let data = try TempDataset("coco-keep")
        for number in 1...4 { try data.image("images/train/img\(number).png", width: 40, height: 30) }
        let images = (1...4).map { #"{"id": \#($0), "file_name": "img\#($0).png", "width": 40, "height": 30}"# }
        let annotations = [
            #"{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 8], "iscrowd": 0}"#,
            #"{"id": 2, "bbox": "broken", "image_id": 2, "category_id": 1}"#,
            #"{"id": 3, "image_id": 2, "category_id": 1, "bbox": [1, 2, 3, "x"]}"#,
            #"{"id": 4, "image_id": 3, "category_id": 2, "bbox": [5, 5, 50, 50], "iscrowd": 1}"#,
            #"{"id": 5, "image_id": 4, "category_id": 2, "segmentation": [[1, 1, 9, 1, 9, 9]]}"#,
        ]
        let parts = [#""images": [\#(images.joined(separator: ","))]"#,
                     #""annotations": [\#(annotations.joined(separator: ","))]"#]
        let categories = #""categories": [{"id": 1, "name": "plane"}, {"id": 2, "name": "ship"}]"#
        try data.write("annotations/instances_train.json",
                       "{" + (annotationsFirst ? parts.reversed() : parts).joined(separator: ",") + "," + categories + "}")
        // A split with no images is still a COCO file (skybench generate writes one for small sets).
        try data.write("annotations/instances_val.json", #"{"images": [], "annotations": [], "categories": []}"#)
        return data
    }

    @Test("COCO: other images' annotations are not built; kept images as in a whole read; listing alike",
          arguments: [false, true])
    func cocoSkipsOtherImages(annotationsFirst: Bool) throws {
        let data = try coco(annotationsFirst: annotationsFirst)
        #expect(throws: DatasetError.self) { try COCOReader.read(root: data.root) }
        let whole = try COCOReader.read(root: data.root, options: options(nil, skipInvalid: true))
        let kept = try COCOReader.read(root: data.root, options: options(keepOdd))
        #expect(kept.images.map(\.relativePath) == ["images/train/img1.png", "images/train/img3.png"])
        #expect(kept.images == whole.images.filter { keepOdd.keeps($0.relativePath) })
        #expect(kept.images.map(\.objects.count) == [1, 1] && kept.images[1].objects[0].ignore)
        #expect(kept.listing == whole.listing && kept.listing.count == 4)
        let odd = keepOdd
        let even = try COCOReader.read(root: data.root, options: options(ImageFilter(name: "even") { !odd.keeps($0) },
                                                                          skipInvalid: true))
        #expect(even.images == whole.images.filter { !keepOdd.keeps($0.relativePath) })
        #expect(even.report.skipped.values.reduce(0, +) == 2, "image 2's bad records are its own shard's to report")
    }

    @Test("An empty COCO split file reads as no images, not as a file of another format")
    func emptyCOCOFile() throws {
        let data = try TempDataset("coco-empty")
        try data.write("annotations/instances_val.json", #"{"images": [], "annotations": [], "categories": []}"#)
        #expect(try COCOReader.read(root: data.root).images.isEmpty)
        try data.write("annotations/instances_val.json", #"{"annotations": []}"#)
        #expect(throws: DatasetError.self) { try COCOReader.read(root: data.root) }
    }

    @Test("Captions: other images' sentences are not parsed nor their headers read; listing alike")
    func captionsSkipOtherImages() throws {
        let data = try TempDataset("captions-keep")
        for number in [1, 3] { try data.image("images/c\(number).png", width: 16, height: 12) }
        // Image 2 is not an image: the whole read fails on its header, the odd shard never reads it.
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: data.path("images/c2.png")))
        let records = (1...4).map { number in
            #"{"filename": "c\#(number).png", "filepath": "images", "split": "\#(number == 3 ? "test" : "train")", "# +
                #""sentences": [{"raw": " a plane \#(number) "}, {"raw": "two \#(number)"}]}"#
        }
        try data.write("dataset_x.json", #"{"images": [\#(records.joined(separator: ","))]}"#)
        #expect(throws: DatasetError.self) { try CaptionReader.read(root: data.root) }
        let whole = try CaptionReader.read(root: data.root, options: options(nil, skipInvalid: true))
        let kept = try CaptionReader.read(root: data.root, options: options(keepOdd))
        // Every image is listed in every shard (c4 is named but absent: listed under its name, not on disk).
        #expect(kept.images.map(\.relativePath) == (1...4).map { "images/c\($0).png" })
        #expect(whole.images.map(\.relativePath) == kept.images.map(\.relativePath))
        #expect(kept.images.filter { keepOdd.keeps($0.relativePath) } == whole.images.filter { keepOdd.keeps($0.relativePath) })
        #expect(kept.images[2].captions == ["a plane 3", "two 3"] && kept.images[2].split == "test")
        #expect(kept.images[2].width == 16 && kept.images[1].captions.isEmpty && kept.images[1].width == nil)
        #expect(kept.images[3].onDisk == false && kept.images[3].split == "train" && kept.images[3].captions.isEmpty)
        #expect(whole.images[3].captions == ["a plane 4", "two 4"])
    }

    @Test("VOC: other images' XML is not parsed; kept images as in a whole read; listing alike")
    func vocSkipsOtherImages() throws {
        let data = try TempDataset("voc-keep")
        for number in 1...4 { try data.image("JPEGImages/v\(number).jpg", width: 50, height: 40) }
        func xml(_ name: String, _ box: String) -> String {
            "<annotation><filename>\(name)</filename><size><width>50</width><height>40</height></size>"
                + "<object><name>ship</name><bndbox>\(box)</bndbox></object></annotation>"
        }
        try data.write("Annotations/v1.xml", xml("v1.jpg", "<xmin>1</xmin><ymin>2</ymin><xmax>11</xmax><ymax>12</ymax>"))
        try data.write("Annotations/v2.xml", xml("v2.jpg", "<xmin>x</xmin><ymin>2</ymin><xmax>11</xmax><ymax>12</ymax>"))
        // v3's XML names v4's image and v4's names v3's: the names count, not the XML files' stems.
        try data.write("Annotations/v3.xml", xml(" v4.jpg ", "<xmin>3</xmin><ymin>3</ymin><xmax>13</xmax><ymax>13</ymax>"))
        try data.write("Annotations/v4.xml", xml("v3.jpg", "<xmin>4</xmin><ymin>4</ymin><xmax>14</xmax><ymax>14</ymax>"))
        #expect(throws: DatasetError.self) { try VOCReader.read(root: data.root) }
        let whole = try VOCReader.read(root: data.root, options: options(nil, skipInvalid: true))
        let kept = try VOCReader.read(root: data.root, options: options(keepOdd))
        #expect(kept.images.map(\.relativePath) == ["JPEGImages/v1.jpg", "JPEGImages/v3.jpg"])
        #expect(kept.images == whole.images.filter { keepOdd.keeps($0.relativePath) })
        #expect(kept.images[1].objects.first?.box == AxisBox(x: 4, y: 4, width: 10, height: 10))
        #expect(kept.listing == whole.listing && kept.listing.count == 4)
    }

    @Test("VOC's quick look settles only plain file names")
    func vocQuickName() {
        func look(_ text: String) -> VOCQuickName { VOCQuickName.of(Array(text.utf8)) }
        #expect(look("<annotation><filename>\n a.jpg\t</filename></annotation>") == .named("a.jpg"))
        #expect(look("<annotation><folder>x</folder><filenames>b</filenames></annotation>") == .absent)
        #expect(look("<annotation><filename></filename></annotation>") == .absent)
        for unsettled in ["<HRSC_Image><Img_FileName>a</Img_FileName></HRSC_Image>",
                          "<annotation><filename>a&amp;b.jpg</filename></annotation>",
                          "<annotation><filename><![CDATA[a.jpg]]></filename></annotation>",
                          "<annotation><filename kind=\"x\">a.jpg</filename></annotation>",
                          "<annotation><filename>a.jpg</filename><filename>b.jpg</filename></annotation>",
                          "<annotation><filename>caf\u{E9}.jpg</filename></annotation>",
                          "<annotation><filename>a.jpg</annotation>"] {
            #expect(look(unsettled) == .unknown, "\(unsettled)")
        }
        #expect(VOCQuickName.of([0xFF, 0xFE, 0x3C, 0x00]) == .unknown, "UTF-16")
    }

    @Test("Change pairs go to a shard as a pair: another shard's pairs are listed, their headers not read")
    func changePairsSkipOtherPairs() throws {
        let data = try TempDataset("change-keep")
        for number in 1...4 {
            try data.image("A/p\(number).png", width: 8, height: 8)
            try data.image("label/p\(number).png", width: 8, height: 8)
        }
        for number in [1, 3, 4] { try data.image("B/p\(number).png", width: 8, height: 8) }
        try data.image("B/p2.png", width: 9, height: 8)  // sizes differ: a whole read fails on pair 2
        #expect(throws: DatasetError.self) { try ChangeReader.read(root: data.root) }
        let whole = try ChangeReader.read(root: data.root, options: options(nil, skipInvalid: true))
        let kept = try ChangeReader.read(root: data.root, options: options(keepOdd))
        #expect(kept.pairs.map(\.after) == ["B/p1.png", "B/p3.png"])
        #expect(kept.pairs == whole.pairs.filter { keepOdd.keeps($0.after) })
        let listed = (1...4).flatMap { ["A/p\($0).png", "B/p\($0).png"] }
        #expect(kept.listing == listed && whole.listing == listed, "pair 2 stays listed in every shard")
    }
}
