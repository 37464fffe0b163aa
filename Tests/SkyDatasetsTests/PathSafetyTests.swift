import Foundation
import Testing
@testable import SkyDatasets

/// Paths that come from data never lead out of the dataset root (issue #15): every place a reader takes a path
/// from an annotation, caption or list file, and symbolic links among listed files.
@Suite("Path safety")
struct PathSafetyTests {
    /// A dataset root with a secret image beside it (`../outside/secret.jpg`).
    static func dataset(_ name: String) throws -> TempDataset {
        let data = try TempDataset(name)
        try data.image("../outside/secret.jpg", width: 8, height: 8)
        try data.image("../outside/secret.png", width: 8, height: 8)
        return data
    }

    static func link(_ data: TempDataset, _ relative: String, to destination: String) throws {
        let path = data.path(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination)
    }

    /// Whether `error` is a refused path naming this file, location and path.
    static func refused(_ error: any Error, file: String, location: String?, path: String) -> Bool {
        guard let error = error as? DatasetError else { return false }
        let ok = error.file == file && error.location == location && error.problem.contains("'\(path)'")
            && error.problem.contains("inside")
        if !ok { Issue.record("unexpected error: \(error)") }
        return ok
    }

    @Test("DatasetRoot: relative, dotted, absolute, linked, looping and missing paths")
    func helper() throws {
        let data = try Self.dataset("root")
        try data.image("sub/x.jpg", width: 4, height: 4)
        try Self.link(data, "inner", to: "sub")
        try Self.link(data, "escape", to: "../outside")
        try Self.link(data, "absolute", to: (data.root as NSString).deletingLastPathComponent + "/outside")
        try Self.link(data, "loop1", to: "loop2")
        try Self.link(data, "loop2", to: "loop1")
        var root = DatasetRoot(data.root)
        func contain(_ name: String) throws(DatasetError) -> String {
            try root.contain(name, in: data.root, file: "list.txt", location: "line 1")
        }
        #expect(try contain("sub/x.jpg") == "sub/x.jpg")
        #expect(try contain("./sub/../sub/x.jpg") == "sub/x.jpg")
        #expect(try contain(data.path("sub/x.jpg")) == "sub/x.jpg", "an absolute path inside the root")
        #expect(try contain("inner/x.jpg") == "sub/x.jpg", "a link that stays inside")
        #expect(try contain("not/there.jpg") == "not/there.jpg", "a missing file is still contained")
        #expect(try contain("inner/../sub/x.jpg") == "sub/x.jpg")
        for escaping in ["../outside/secret.jpg", "sub/../../outside/secret.jpg", "/etc/passwd", "escape/secret.jpg",
                         "absolute/secret.jpg", "missing/../../outside/secret.jpg", "inner/../../outside/secret.jpg",
                         "loop1/x.jpg", "", "a\u{0}b"] {
            #expect { try contain(escaping) } throws: { Self.refused($0, file: "list.txt", location: "line 1", path: escaping) }
        }
        try Self.link(data, "../rootlink", to: data.root)
        var linkedRoot = DatasetRoot(data.path("../rootlink"))
        #expect(try linkedRoot.contain("sub/x.jpg", in: data.path("../rootlink"), file: "f", location: nil) == "sub/x.jpg",
                "a root given through a link")
    }

    static let coco = """
        {"images": [{"id": 1, "file_name": "FILE", "width": 8, "height": 8}, {"id": 2, "file_name": "ok.png"}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2]},
                         {"id": 2, "image_id": 2, "category_id": 1, "bbox": [1, 1, 2, 2]}],
         "categories": [{"id": 1, "name": "plane"}]}
        """

    @Test("COCO file_name: ../, absolute and linked paths are refused with the record, or skipped and counted",
          arguments: ["../../outside/secret.jpg", "ABSOLUTE", "evil.jpg"])
    func cocoFileName(_ name: String) throws {
        let data = try Self.dataset("coco")
        try data.image("train/ok.png", width: 8, height: 8)
        try Self.link(data, "train/evil.jpg", to: data.path("../outside/secret.jpg"))
        let fileName = name == "ABSOLUTE" ? data.path("../outside/secret.jpg") : name
        try data.write("annotations/instances_train.json", Self.coco.replacingOccurrences(of: "FILE", with: fileName))
        #expect { try COCOReader.read(root: data.root) } throws: {
            Self.refused($0, file: "annotations/instances_train.json", location: "image id 1", path: fileName)
        }
        let skipped = try COCOReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.images.map(\.relativePath) == ["train/ok.png"])
        #expect(skipped.report.skipped == [.malformedRecord: 1])
    }

    @Test("Karpathy filename and filepath, COCO-caption file_name, JSON lines: refused with the record")
    func captionJSON() throws {
        let cases: [(file: String, text: String, location: String, path: String)] = [
            ("dataset_rsicd.json", #"{"images": [{"filename": "../outside/secret.jpg", "split": "train", "sentences": [{"raw": "x"}]}]}"#,
             "images[0]", "../outside/secret.jpg"),
            ("dataset_rsitmd.json", #"{"images": [{"filepath": "..", "filename": "outside/secret.jpg", "sentences": [{"raw": "x"}]}]}"#,
             "images[0]", "../outside/secret.jpg"),
            ("captions_val.json", #"{"images": [{"id": 3, "file_name": "ABS"}], "annotations": []}"#,
             "images[0]", "ABS"),
            ("clip_rsicd.jsonl", "{\"filename\": \"images/a.jpg\", \"captions\": [\"a\"]}\n{\"filename\": \"ABS\", \"captions\": [\"x\"]}\n",
             "line 2", "ABS"),
        ]
        for item in cases {
            let one = try TempDataset("one")
            try one.image("images/a.jpg", width: 8, height: 8)
            try one.image("../outside/secret.jpg", width: 8, height: 8)
            let text = item.text.replacingOccurrences(of: "ABS", with: one.path("../outside/secret.jpg"))
            let path = item.path.replacingOccurrences(of: "ABS", with: one.path("../outside/secret.jpg"))
            try one.write(item.file, text)
            #expect { try CaptionReader.read(root: one.root) } throws: {
                Self.refused($0, file: item.file, location: item.location, path: path)
            }
            let skipped = try CaptionReader.read(root: one.root, options: ReadOptions(skipInvalid: true))
            #expect(skipped.images.allSatisfy { !$0.relativePath.contains("secret") }, "\(item.file)")
            #expect(skipped.report.skipped == [.malformedRecord: 1], "\(item.file)")
        }
    }

    @Test("a parallel list of image names: refused with its line, or skipped and counted")
    func captionLines() throws {
        let data = try Self.dataset("lines")
        try data.image("a.tif", width: 8, height: 8)
        try data.write("rsicd_test_caps.txt", "one\ntwo\n")
        try data.write("rsicd_test_filename.txt", "a.tif\n../outside/secret.jpg\n")
        #expect { try CaptionReader.read(root: data.root) } throws: {
            Self.refused($0, file: "rsicd_test_filename.txt", location: "line 2", path: "../outside/secret.jpg")
        }
        let skipped = try CaptionReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.images.map(\.relativePath) == ["a.tif"] && skipped.report.skipped == [.malformedRecord: 1])
    }

    @Test("a caption naming a listed image that is a link out of the root")
    func captionLinkedImage() throws {
        let data = try Self.dataset("linked")
        try Self.link(data, "images/evil.jpg", to: data.path("../outside/secret.jpg"))
        try data.write("dataset.json", #"{"images": [{"filename": "evil.jpg", "sentences": [{"raw": "x"}]}]}"#)
        #expect { try CaptionReader.read(root: data.root) } throws: {
            Self.refused($0, file: "images/evil.jpg", location: nil, path: "images/evil.jpg")
        }
    }

    @Test("VOC filename and split lists only name files inside; a linked image is refused")
    func voc() throws {
        let data = try Self.dataset("voc")
        try data.image("JPEGImages/00001.jpg", width: 80, height: 60)
        try data.write("Annotations/00001.xml", VOCReaderTests.dior.replacingOccurrences(of: "00001.jpg", with: "../../outside/secret.jpg"))
        try data.write("Annotations/00002.xml", "<HRSC_Image><Img_FileName>../../outside/secret</Img_FileName><Img_FileFmt>jpg</Img_FileFmt></HRSC_Image>")
        try data.write("ImageSets/Main/train.txt", "00001\n../../outside/secret\n/etc/passwd\n")
        let set = try VOCReader.read(root: data.root)
        #expect(set.images.map(\.relativePath) == ["JPEGImages/00001.jpg"])
        #expect(set.report.annotationsWithoutImage == ["Annotations/00002.xml"])
        try Self.link(data, "JPEGImages/00002.jpg", to: "../../outside/secret.jpg")
        #expect { try VOCReader.read(root: data.root) } throws: {
            Self.refused($0, file: "JPEGImages/00002.jpg", location: nil, path: "JPEGImages/00002.jpg")
        }
        let skipped = try VOCReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.images.map(\.relativePath) == ["JPEGImages/00001.jpg"] && skipped.report.skipped == [.malformedRecord: 1])
    }

    @Test("change pairs: lists name no outside file; a linked image or label is refused")
    func change() throws {
        let data = try Self.dataset("levir")
        for folder in ["A", "B", "label"] { try data.image("\(folder)/1.png", width: 8, height: 8) }
        try data.write("train.txt", "A/1.png B/1.png label/1.png\n../outside/secret.png ../outside/secret.png x\n")
        try data.write("list/test.txt", "/etc/passwd\n../../outside/secret.png\n")
        let set = try ChangeReader.read(root: data.root)
        #expect(set.pairs.map(\.before) == ["A/1.png"] && set.pairs.map(\.split) == ["train"])
        for folder in ["A", "B"] { try data.image("\(folder)/2.png", width: 8, height: 8) }
        try Self.link(data, "label/2.png", to: data.path("../outside/secret.png"))
        #expect { try ChangeReader.read(root: data.root) } throws: {
            Self.refused($0, file: "label/2.png", location: nil, path: "label/2.png")
        }
        let skipped = try ChangeReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.pairs.map(\.before) == ["A/1.png"] && skipped.report.skipped == [.malformedRecord: 1])
    }

    @Test("segmentation pairs: a linked image or mask is refused, or skipped and counted")
    func segmentation() throws {
        let data = try Self.dataset("loveda")
        try data.image("img_dir/a.png", width: 8, height: 8)
        try data.image("ann_dir/a.png", width: 8, height: 8)
        try data.image("img_dir/b.png", width: 8, height: 8)
        try Self.link(data, "ann_dir/b.png", to: data.path("../outside/secret.png"))
        #expect { try SegmentationReader.read(root: data.root) } throws: {
            Self.refused($0, file: "ann_dir/b.png", location: nil, path: "ann_dir/b.png")
        }
        let skipped = try SegmentationReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.images.map(\.relativePath) == ["img_dir/a.png"] && skipped.report.skipped == [.malformedRecord: 1])
    }

    @Test("DOTA, YOLO and AU-AIR: linked images are refused; AU-AIR image_name only names listed images")
    func detection() throws {
        let dota = try Self.dataset("dota")
        try dota.image("images/P1.png", width: 8, height: 8)
        try dota.write("labelTxt/P1.txt", "1 1 5 1 5 5 1 5 plane 0\n")
        try Self.link(dota, "images/P2.png", to: dota.path("../outside/secret.png"))
        #expect { try DOTAReader.read(root: dota.root) } throws: {
            Self.refused($0, file: "images/P2.png", location: nil, path: "images/P2.png")
        }
        let yolo = try Self.dataset("yolo")
        try yolo.write("classes.txt", "plane\n")
        try Self.link(yolo, "images", to: yolo.path("../outside"))
        try yolo.write("labels/secret.txt", "0 0.5 0.5 0.2 0.2\n")
        #expect { try YOLOReader.read(root: yolo.root) } throws: {
            Self.refused($0, file: "images/secret.jpg", location: nil, path: "images/secret.jpg")
        }
        let auair = try Self.dataset("auair")
        try auair.image("images/frame_1.jpg", width: 8, height: 8)
        try auair.write("annotations.json", """
            {"annotations": [{"image_name": "../outside/secret.jpg", "bbox": []}, {"image_name": "/etc/passwd", "bbox": []}],
             "categories": ["Human"]}
            """)
        let set = try AUAIRReader.read(root: auair.root)
        #expect(set.images.allSatisfy { !$0.relativePath.contains("secret") && !$0.relativePath.hasPrefix("/") })
    }
}
