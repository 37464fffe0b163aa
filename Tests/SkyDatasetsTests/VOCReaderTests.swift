import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

@Suite("VOC, DIOR-R and HRSC XML")
struct VOCReaderTests {
    static let dior = """
        <annotation>
          <filename>00001.jpg</filename>
          <size><width>80</width><height>60</height><depth>3</depth></size>
          <object><name>Expressway-Service-area</name><pose>Unspecified</pose><truncated>1</truncated><difficult>0</difficult>
            <bndbox><xmin>5</xmin><ymin>6</ymin><xmax>25</xmax><ymax>30</ymax></bndbox></object>
          <object><name>baseballfield</name><difficult>1</difficult>
            <bndbox><xmin>50</xmin><ymin>40</ymin><xmax>95</xmax><ymax>59</ymax></bndbox></object>
        </annotation>
        """

    func sample() throws -> TempDataset {
        let data = try TempDataset("dior")
        try data.image("JPEGImages-trainval/00001.jpg", width: 80, height: 60)
        try data.image("JPEGImages-test/00002.jpg", width: 40, height: 40)
        try data.image("JPEGImages-test/00003.jpg", width: 40, height: 40)
        try data.write("Annotations/00001.xml", Self.dior)
        try data.write("Annotations/00002.xml", """
            <annotation><filename>00002.jpg</filename>
            <object><name>windmill</name><robndbox><x_left_top>2</x_left_top><y_left_top>2</y_left_top>
            <x_right_top>12</x_right_top><y_right_top>4</y_right_top><x_right_bottom>10</x_right_bottom>
            <y_right_bottom>14</y_right_bottom><x_left_bottom>0</x_left_bottom><y_left_bottom>12</y_left_bottom></robndbox>
            </object></annotation>
            """)
        try data.write("Annotations/00004.xml", Self.dior.replacingOccurrences(of: "00001.jpg", with: "00004.jpg"))
        try data.write("ImageSets/Main/train.txt", "00001\n")
        try data.write("ImageSets/Main/test.txt", "00002\n00003\n00004\n")
        return data
    }

    @Test("VOC boxes, flags, sizes, rotated corners, split lists")
    func readsVOC() throws {
        let data = try sample()
        let set = try VOCReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["JPEGImages-test/00002.jpg", "JPEGImages-test/00003.jpg",
                                                   "JPEGImages-trainval/00001.jpg"])
        let first = set.images[2]
        #expect(first.split == "train" && first.width == 80 && first.height == 60)
        #expect(first.objects[0].rawClass == "Expressway-Service-area" && first.objects[0].truncated)
        #expect(first.objects[0].box == AxisBox(x: 5, y: 6, width: 20, height: 24))
        #expect(first.objects[1].difficult)
        #expect(first.objects[1].box == AxisBox(x: 50, y: 40, width: 30, height: 19), "clipped to 80 wide")
        let rotated = set.images[0]
        #expect(rotated.width == 40, "size from the header when the XML has none")
        #expect(rotated.objects[0].polygon?.count == 4)
        #expect(rotated.objects[0].box == AxisBox(x: 0, y: 2, width: 12, height: 12))
        #expect(set.report.annotationsWithoutImage == ["Annotations/00004.xml"])
        #expect(set.report.imagesWithoutAnnotations == ["JPEGImages-test/00003.jpg"])
        let test = try VOCReader.read(root: data.root, options: ReadOptions(split: "test"))
        #expect(test.images.map(\.relativePath) == ["JPEGImages-test/00002.jpg", "JPEGImages-test/00003.jpg"])
        #expect(DatasetFormat.detect(root: data.root)?.format == .voc)
    }

    @Test("a non-number coordinate names the file, line and object")
    func badCoordinate() throws {
        let data = try sample()
        try data.write("Annotations/00001.xml", Self.dior.replacingOccurrences(of: "<xmax>95</xmax>", with: "<xmax>9x5</xmax>"))
        #expect {
            try VOCReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.file == "Annotations/00001.xml" && error?.location == "line 7, object 2"
                && error?.problem.contains("<xmax>") == true
        }
        try data.write("Annotations/00001.xml", "<annotation><object><name>x</name>")
        #expect(throws: DatasetError.self) { try VOCReader.read(root: data.root) }
    }

    @Test("roLabelImg robndbox (radians) becomes a rotated box in degrees")
    func roLabelImg() throws {
        var collector = IssueCollector(options: ReadOptions())
        let xml = """
            <annotation><object><name>ship</name><robndbox><cx>50</cx><cy>40</cy><w>20</w><h>10</h>
            <angle>1.5707963267948966</angle></robndbox></object></annotation>
            """
        let parsed = try VOCReader.parse(Data(xml.utf8), file: "a.xml", collector: &collector)
        let object = try #require(parsed.image.objects.first)
        #expect(abs((object.rotated?.angle ?? 0) - 90) < 1e-9)
        #expect(abs(object.box.width - 10) < 1e-9 && abs(object.box.height - 20) < 1e-9)
    }

    @Test("RSOD: one VOC folder per class with Annotation/xml/")
    func rsod() throws {
        let data = try TempDataset("rsod")
        for (folder, name) in [("aircraft", "aircraft_1"), ("oiltank", "oiltank_1")] {
            try data.image("\(folder)/JPEGImages/\(name).jpg", width: 50, height: 50)
            try data.write("\(folder)/Annotation/labels/\(name).txt", "\(name)\t\(folder)\t1\t1\t9\t9\n")
            try data.write("\(folder)/Annotation/xml/\(name).xml", """
                <annotation><filename>\(name).jpg</filename><size><width>50</width><height>50</height></size>
                <object><name>\(folder)</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object>
                </annotation>
                """)
        }
        let set = try VOCReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["aircraft/JPEGImages/aircraft_1.jpg", "oiltank/JPEGImages/oiltank_1.jpg"])
        #expect(set.countsByClass == ["aircraft": 1, "oiltank": 1])
        #expect(DatasetFormat.detect(root: data.root)?.format == .rsod)
    }

    @Test("HRSC2016 XML with mbox rotated boxes")
    func hrsc() throws {
        let data = try TempDataset("hrsc")
        try data.image("AllImages/100000001.png", width: 100, height: 100)
        try data.write("Annotations/100000001.xml", """
            <HRSC_Image><Img_ID>100000001</Img_ID><Img_FileName>100000001</Img_FileName><Img_FileFmt>bmp</Img_FileFmt>
            <Img_SizeWidth>100</Img_SizeWidth><Img_SizeHeight>100</Img_SizeHeight>
            <HRSC_Objects><HRSC_Object><Class_ID>100000005</Class_ID><difficult>0</difficult><truncated>0</truncated>
            <box_xmin>10</box_xmin><box_ymin>20</box_ymin><box_xmax>60</box_xmax><box_ymax>40</box_ymax>
            <mbox_cx>35</mbox_cx><mbox_cy>30</mbox_cy><mbox_w>50</mbox_w><mbox_h>20</mbox_h><mbox_ang>0</mbox_ang>
            </HRSC_Object></HRSC_Objects></HRSC_Image>
            """)
        #expect(DatasetFormat.detect(root: data.root)?.format == .hrsc)
        let set = try VOCReader.read(root: data.root)
        let object = try #require(set.images.first?.objects.first)
        #expect(object.rawClass == "ship")
        #expect(object.box == AxisBox(x: 10, y: 20, width: 50, height: 20))
        #expect(object.rotated == RotatedBox(center: Point2D(x: 35, y: 30), width: 50, height: 20, angle: 0))
    }
}
