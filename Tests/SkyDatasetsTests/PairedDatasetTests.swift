import Foundation
import Testing
@testable import SkyDatasets

@Suite("Captions, change pairs, segmentation")
struct PairedDatasetTests {
    @Test("Karpathy JSON, COCO-caption JSON and caption lines")
    func captions() throws {
        let data = try TempDataset("rsicd")
        try data.image("RSICD_images/airport_1.jpg", width: 224, height: 224)
        try data.write("dataset_rsicd.json", """
            {"images": [{"filename": "airport_1.jpg", "imgid": 0, "split": "train",
              "sentences": [{"raw": "many planes are parked .", "tokens": ["many"]}, {"raw": "  an airport . "}]},
             {"filename": "beach_2.jpg", "split": "test", "sentences": [{"raw": "waves on a beach ."}, {"raw": ""}]}],
             "dataset": "rsicd"}
            """)
        #expect(DatasetFormat.detect(root: data.root)?.format == .captions)
        let set = try CaptionReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["RSICD_images/airport_1.jpg", "beach_2.jpg"])
        #expect(set.images[0].captions == ["many planes are parked .", "an airport ."])
        #expect(set.images[0].split == "train" && set.images[0].width == 224)
        #expect(set.images[1].captions == ["waves on a beach ."] && set.images[1].width == nil)
        #expect(set.report.annotationsWithoutImage == ["beach_2.jpg"])

        #expect(DatasetFormat.detect(root: data.path("dataset_rsicd.json"))?.format == .captions)
        #expect(try CaptionReader.read(root: data.path("dataset_rsicd.json")).captionCount == 3)

        let coco = try TempDataset("coco-captions")
        try coco.write("captions_val2017.json", """
            {"images": [{"id": 7, "file_name": "a.jpg", "width": 10, "height": 12}],
             "annotations": [{"id": 1, "image_id": 7, "caption": "one"}, {"id": 2, "image_id": 7, "caption": "two"}]}
            """)
        let cocoSet = try CaptionReader.read(root: coco.root)
        #expect(cocoSet.images.first?.captions == ["one", "two"] && cocoSet.images.first?.split == "val")
        #expect(cocoSet.images.first?.width == 10)

        let lines = try TempDataset("lines")
        try lines.write("rsitmd_test_caps.txt", "a\nb\nc\n")
        try lines.write("rsitmd_test_filename.txt", "x.tif\nx.tif\ny.tif\n")
        let lineSet = try CaptionReader.read(root: lines.root)
        #expect(lineSet.images.map(\.captions) == [["a", "b"], ["c"]])
        try lines.write("rsitmd_test_filename.txt", "x.tif\n")
        #expect {
            try CaptionReader.read(root: lines.root)
        } throws: { error in
            (error as? DatasetError)?.file == "rsitmd_test_caps.txt" && "\(error)".contains("3 captions")
        }
    }

    @Test("change pairs: split folders, SECOND's two labels, an unlabeled pair, a size mismatch")
    func change() throws {
        let data = try TempDataset("cd")
        for split in ["train", "test"] {
            try data.image("\(split)/A/1.png", width: 16, height: 16)
            try data.image("\(split)/B/1.png", width: 16, height: 16)
            try data.image("\(split)/label/1.png", width: 16, height: 16)
        }
        try data.image("test/A/2.png", width: 16, height: 16)
        try data.image("test/B/2.png", width: 16, height: 16)
        try data.image("test/A/3.png", width: 16, height: 16)
        #expect(DatasetFormat.detect(root: data.root)?.format == .change)
        let set = try ChangeReader.read(root: data.root)
        #expect(set.pairs.map(\.before) == ["test/A/1.png", "test/A/2.png", "train/A/1.png"])
        #expect(set.pairs.map(\.split) == ["test", "test", "train"])
        #expect(set.pairs[1].label == nil)
        #expect(set.report.pairsWithoutLabel == ["test/A/2.png"])
        #expect(set.report.annotationsWithoutImage == ["test/A/3.png"])

        try data.image("test/B/2.png", width: 16, height: 15)
        #expect {
            try ChangeReader.read(root: data.root)
        } throws: { error in
            (error as? DatasetError)?.kind == .sizeMismatch && (error as? DatasetError)?.file == "test/A/2.png"
        }
        let skipped = try ChangeReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.pairs.count == 2 && skipped.report.skipped == [.sizeMismatch: 1])

        let listed = try TempDataset("changeclip")
        for name in ["a", "b"] {
            for folder in ["A", "B", "label"] { try listed.image("\(folder)/\(name).png", width: 8, height: 8) }
        }
        try listed.write("train.txt", "A/a.png  B/a.png  label/a.png\n")
        try listed.write("README.txt", "b.png is a tile\n")
        let listedSet = try ChangeReader.read(root: listed.root)
        #expect(listedSet.pairs.map(\.split) == ["train", nil], "ChangeCLIP's two-space lists; README.txt is no list")

        let second = try TempDataset("second")
        for folder in ["im1", "im2", "label1", "label2"] { try second.image("train/\(folder)/00001.png", width: 8, height: 8) }
        let secondSet = try ChangeReader.read(root: second.root)
        #expect(secondSet.pairs.first?.label == "train/label1/00001.png")
        #expect(secondSet.pairs.first?.label2 == "train/label2/00001.png")
    }

    @Test("segmentation: mmseg folders with splits, LoveDA's own layout, iSAID masks, a mask of the wrong size")
    func segmentation() throws {
        let data = try TempDataset("potsdam")
        try data.image("img_dir/train/a.png", width: 8, height: 8)
        try data.image("ann_dir/train/a.png", width: 8, height: 8)
        try data.image("img_dir/val/b.png", width: 8, height: 8)
        try data.image("ann_dir/val/b.png", width: 8, height: 8)
        #expect(DatasetFormat.detect(root: data.root)?.format == .segmentation)
        let set = try SegmentationReader.read(root: data.root)
        #expect(set.images.map(\.masks) == [["ann_dir/train/a.png"], ["ann_dir/val/b.png"]])
        #expect(set.images.map(\.split) == ["train", "val"])
        try data.image("ann_dir/val/b.png", width: 8, height: 7)
        #expect(throws: DatasetError.self) { try SegmentationReader.read(root: data.root) }

        let loveda = try TempDataset("loveda")
        try loveda.image("Train/Urban/images_png/1.png", width: 8, height: 8)
        try loveda.image("Train/Urban/masks_png/1.png", width: 8, height: 8)
        try loveda.image("Val/Rural/images_png/2.png", width: 8, height: 8)
        try loveda.image("Val/Rural/masks_png/2.png", width: 8, height: 8)
        let lovedaSet = try SegmentationReader.read(root: loveda.root)
        #expect(lovedaSet.images.map(\.split) == ["train", "val"])
        #expect(lovedaSet.maskCount == 2)

        let isaid = try TempDataset("isaid")
        try isaid.image("train/images/P1.png", width: 8, height: 8)
        try isaid.image("train/images/P1_instance_color_RGB.png", width: 8, height: 8)
        try isaid.image("train/images/P1_instance_id_RGB.png", width: 8, height: 8)
        let isaidSet = try SegmentationReader.read(root: isaid.root)
        #expect(isaidSet.images.map(\.masks) == [["train/images/P1_instance_color_RGB.png"]])

        let released = try TempDataset("isaid-release")
        try released.image("val/images/P2.png", width: 8, height: 8)
        try released.image("val/Semantic_masks/images/P2_instance_color_RGB.png", width: 8, height: 8)
        try released.image("val/Instance_masks/images/P2_instance_id_RGB.png", width: 8, height: 8)
        let releasedSet = try SegmentationReader.read(root: released.root)
        #expect(releasedSet.images.map(\.masks) == [["val/Semantic_masks/images/P2_instance_color_RGB.png"]])
        #expect(releasedSet.images.first?.split == "val")
    }
}
