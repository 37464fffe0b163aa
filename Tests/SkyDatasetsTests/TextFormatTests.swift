import Foundation
import Testing
import SkyGeometry
@testable import SkyDatasets

@Suite("YOLO, VisDrone, NWPU, CARPK, AU-AIR, Stanford Drone")
struct TextFormatTests {
    @Test("YOLO boxes and polygons scale by the header size; a class past the names is an error")
    func yolo() throws {
        let data = try TempDataset("yolo")
        try data.write("classes.txt", "plane\nship\n")
        try data.image("images/a.png", width: 200, height: 100)
        try data.write("labels/a.txt", "0 0.5 0.5 0.2 0.4\n1 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n\n")
        #expect(DatasetFormat.detect(root: data.root)?.format == .yolo)
        let set = try YOLOReader.read(root: data.root)
        let objects = try #require(set.images.first?.objects)
        #expect(objects.map(\.rawClass) == ["plane", "ship"])
        #expect(objects[0].box == AxisBox(x: 80, y: 30, width: 40, height: 40))
        #expect(abs(objects[1].box.x - 20) < 1e-9 && abs(objects[1].box.width - 40) < 1e-9)
        #expect(abs(objects[1].box.height - 20) < 1e-9 && objects[1].polygon?.count == 4)
        try data.write("labels/a.txt", "0 0.5 0.5 0.2 0.4\n2 0.5 0.5 0.2 0.4\n")
        #expect {
            try YOLOReader.read(root: data.root)
        } throws: { error in
            (error as? DatasetError)?.kind == .unknownClass && (error as? DatasetError)?.location == "line 2"
        }
    }

    @Test("YOLO boxes that pass an edge by float round-off are clipped but not counted as clipped boxes")
    func yoloRoundOff() throws {
        let data = try TempDataset("yolo-round")
        try data.write("classes.txt", "plane\n")
        try data.image("images/a.png", width: 640, height: 100)
        // (0.532 - 0.936 / 2) * 640 + 0.936 * 640 = 640.0000000000001: round-off, not a box past the edge.
        try data.write("labels/a.txt", "0 0.532 0.5 0.936 0.2\n0 0.9 0.5 0.4 0.2\n")
        let set = try YOLOReader.read(root: data.root)
        let objects = try #require(set.images.first?.objects)
        #expect(objects.count == 2 && set.report.clippedBoxes == 1, "only the box 0.1 of the width past the edge")
        #expect(objects[0].box.maxX <= 640 && abs(objects[0].box.x - 40.96) < 1e-9)
        #expect(abs(objects[1].box.x - 448) < 1e-9 && objects[1].box.maxX == 640 && abs(objects[1].box.height - 20) < 1e-9)
        #expect(BoxRepair.roundOffTolerance == 1e-6)
    }

    @Test("YOLO names from data.yaml in each of its spellings", arguments: [
        "names: [plane, 'ship']\n", "names:\n  - plane\n  - ship\n", "nc: 2\nnames:\n  0: plane\n  1: ship\ntrain: x\n",
    ])
    func yoloYAML(yaml: String) throws {
        let data = try TempDataset("yolo")
        try data.write("data.yaml", yaml)
        #expect(try YOLOReader.classNames(root: data.root) == ["plane", "ship"])
    }

    @Test("VisDrone ignored regions, others, truncation and trailing commas")
    func visdrone() throws {
        let data = try TempDataset("visdrone")
        try data.image("VisDrone2019-DET-train/images/0001.jpg", width: 100, height: 100)
        try data.write("VisDrone2019-DET-train/annotations/0001.txt", """
            10,20,30,40,1,4,0,0
            0,0,50,50,0,0,0,0
            5,5,10,10,1,11,1,2,
            60,60,10,10,1,1,2,0
            """)
        #expect(DatasetFormat.detect(root: data.root)?.format == .visdrone)
        let set = try VisDroneReader.read(root: data.root)
        let objects = try #require(set.images.first?.objects)
        #expect(set.images.first?.split == "train")
        #expect(objects.map(\.rawClass) == ["4", "0", "11", "1"])
        #expect(objects.map(\.ignore) == [false, true, true, false])
        #expect(objects.map(\.truncated) == [false, false, true, true])
        #expect(DatasetFormat.detect(root: data.path("VisDrone2019-DET-train"))?.format == .visdrone)
        try data.write("VisDrone2019-DET-train/annotations/0001.txt", "10,20,30,40,1,12,0,0\n")
        #expect(throws: DatasetError.self) { try VisDroneReader.read(root: data.root) }
    }

    @Test("NWPU VHR-10 ground truth with negative images")
    func nwpu() throws {
        let data = try TempDataset("nwpu")
        try data.image("positive image set/001.jpg", width: 100, height: 100)
        try data.image("negative image set/001.jpg", width: 50, height: 50)
        try data.write("ground truth/001.txt", "(10,20),(30,45),1\n(50, 50),(70,60),10\n\n")
        #expect(DatasetFormat.detect(root: data.root)?.format == .nwpu)
        let set = try NWPUReader.read(root: data.root)
        #expect(set.images.count == 2)
        #expect(set.countsByClass == ["1": 1, "10": 1])
        #expect(set.images[1].objects[0].box == AxisBox(x: 10, y: 20, width: 20, height: 25))
    }

    @Test("CARPK devkit with split lists")
    func carpk() throws {
        let data = try TempDataset("carpk")
        try data.image("data/Images/a.png", width: 100, height: 100)
        try data.image("data/Images/b.png", width: 100, height: 100)
        try data.write("data/Annotations/a.txt", "1 2 11 12 1\n20 20 30 30 1\n")
        try data.write("data/Annotations/b.txt", "1 2 11 12 1\n")
        try data.write("data/ImageSets/train.txt", "a\n")
        try data.write("data/ImageSets/test.txt", "b\n")
        #expect(DatasetFormat.detect(root: data.root)?.format == .carpk)
        let set = try CARPKReader.read(root: data.root, options: ReadOptions(split: "train"))
        #expect(set.images.map(\.relativePath) == ["data/Images/a.png"])
        #expect(set.images[0].split == "train" && set.objectCount == 2)
    }

    @Test("AU-AIR annotations.json with its 'image_width:' key")
    func auair() throws {
        let data = try TempDataset("auair")
        try data.image("images/frame_1.jpg", width: 64, height: 48)
        try data.write("annotations.json", """
            {"annotations": [{"image_name": "frame_1.jpg", "image_width:": 64, "image_height": 48, "time": {"year": 2019},
              "bbox": [{"top": 4, "left": 2, "height": 10, "width": 20, "class": 1}, {"top": 1, "left": 1, "height": 2, "width": 2, "class": 0}]},
              {"image_name": "frame_2.jpg", "image_width:": 64, "image_height": 48, "bbox": []}],
             "categories": ["Human", "Car", "Truck", "Van", "Motorbike", "Bicycle", "Bus", "Trailer"]}
            """)
        #expect(DatasetFormat.detect(root: data.root)?.format == .auair)
        let set = try AUAIRReader.read(root: data.root)
        #expect(set.images.count == 1 && set.images[0].width == 64)
        #expect(set.images[0].objects.map(\.rawClass) == ["Car", "Human"])
        #expect(set.images[0].objects[0].box == AxisBox(x: 2, y: 4, width: 20, height: 10))
        #expect(set.report.annotationsWithoutImage == ["frame_2.jpg"])
    }

    @Test("Stanford Drone: lost objects skipped, only extracted frames kept")
    func sdd() throws {
        let data = try TempDataset("sdd")
        try data.image("frames/bookstore/video0/00010.jpg", width: 100, height: 100)
        try data.write("annotations/bookstore/video0/annotations.txt", """
            0 10 10 20 30 10 0 0 0 "Biker"
            1 50 50 60 60 10 1 0 0 "Pedestrian"
            2 5 5 9 9 10 0 1 1 "Pedestrian"
            0 10 10 20 30 11 0 0 0 "Biker"
            """)
        #expect(DatasetFormat.detect(root: data.root)?.format == .sdd)
        let set = try StanfordDroneReader.read(root: data.root)
        #expect(set.images.count == 1)
        #expect(set.images[0].objects.map(\.rawClass) == ["Biker", "Pedestrian"])
        #expect(set.images[0].objects[1].difficult)
    }
}
