import Foundation
import SkyImaging
import SkySearch
import Testing

/// Where ChangeCLIP prompt files go: into the dataset by default, or below another folder, or into one file;
/// the dataset is left untouched when the output is elsewhere, and no partial file is left behind.
@Suite struct ChangeCLIPOutputTests {
    /// A LEVIR-style dataset (`train/A`, `train/B`, `test/A`, `test/B`, two images each) in a fresh folder.
    static func dataset(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-ccout-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        for split in ["train", "test"] {
            for time in ["A", "B"] {
                let folder = root.appendingPathComponent("\(split)/\(time)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for index in 0..<2 {
                    var image = RasterImage(width: 24, height: 20 + index, layout: .rgb)
                    for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte * 7 + index) }
                    try ImageEncoder.write(image, to: folder.appendingPathComponent("\(index).png").path)
                }
            }
        }
        return root
    }

    /// Every file below `folder`, relative to it, sorted.
    static func files(below folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files.append(path) }
        }
        return files.sorted()
    }

    @Test func outputPathsFollowTheLayout() {
        #expect(ChangeCLIPOutput.datasetFolder.path(root: "/d/LEVIR", split: "train", timeFolder: "A", tag: "56_vit16")
                == "/d/LEVIR/train/A_clipcls_56_vit16.json")
        #expect(ChangeCLIPOutput.folder("/tmp/out").path(root: "/d/LEVIR", split: "train", timeFolder: "A", tag: "t")
                == "/tmp/out/train/A_clipcls_t.json")
        #expect(ChangeCLIPOutput.folder("out").path(root: "/d", split: "", timeFolder: "B", tag: "t") == "out/B_clipcls_t.json")
        #expect(ChangeCLIPOutput.file("/tmp/p.json").path(root: "/d", split: "x", timeFolder: "A", tag: "t") == "/tmp/p.json")
    }

    @Test func aFolderOutputLeavesTheDatasetUntouched() throws {
        let root = try Self.dataset("folder")
        let out = root.deletingLastPathComponent().appendingPathComponent("skycorpus-ccout-result-\(getpid())/prompts")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: out.deletingLastPathComponent())
        }
        let before = Self.files(below: root)
        let encoder = try CLIPEncoder(modelPath: ChangeCLIPEndToEndTests.tinyModel)
        let written = try ChangeCLIPGenerator(vocabulary: ["airport", "forest", "river"])
            .run(root: root.path, splits: ["train", "test"], timeFolders: nil, encoder: encoder, output: .folder(out.path))
        #expect(Self.files(below: root) == before)
        #expect(Self.files(below: out) == ["test/A_clipcls_56_vit16.json", "test/B_clipcls_56_vit16.json",
                                           "train/A_clipcls_56_vit16.json", "train/B_clipcls_56_vit16.json"])
        #expect(written.map(\.file) == ["train/A", "train/B", "test/A", "test/B"].map { out.path + "/\($0)_clipcls_56_vit16.json" })
        // The records still name the dataset's images, as ChangeCLIP's lists do.
        let text = try String(contentsOfFile: out.path + "/train/B_clipcls_56_vit16.json", encoding: .utf8)
        #expect(try ChangeCLIPPromptFile.records(fromJSON: text).map(\.imagePath)
                == [root.path + "/train/B/0.png", root.path + "/train/B/1.png"])
    }

    @Test func aFileOutputTakesExactlyOneSplitAndTime() throws {
        let root = try Self.dataset("file")
        let out = root.appendingPathComponent("../skycorpus-ccout-one-\(getpid()).json").standardizedFileURL
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: out)
        }
        let before = Self.files(below: root)
        let encoder = try CLIPEncoder(modelPath: ChangeCLIPEndToEndTests.tinyModel)
        let generator = ChangeCLIPGenerator(vocabulary: ["airport", "forest", "river"])
        #expect {
            _ = try generator.run(root: root.path, splits: ["train"], timeFolders: nil, encoder: encoder, output: .file(out.path))
        } throws: { error in
            "\(error)".contains(out.path) && "\(error)".contains("2 prompt files") && "\(error)".contains("train/A, train/B")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let written = try generator.run(root: root.path, splits: ["test"], timeFolders: ["B"], encoder: encoder,
                                        output: .file(out.path))
        #expect(written.map(\.file) == [out.path] && written[0].images == 2)
        let siblings = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.hasPrefix(out.lastPathComponent + ".partial") })
        #expect(try ChangeCLIPPromptFile.topClasses(fromJSON: String(contentsOfFile: out.path, encoding: .utf8)).count == 2)
        #expect(Self.files(below: root) == before)
    }

    @Test func theDefaultStillWritesIntoTheDataset() throws {
        let root = try Self.dataset("default")
        defer { try? FileManager.default.removeItem(at: root) }
        let encoder = try CLIPEncoder(modelPath: ChangeCLIPEndToEndTests.tinyModel)
        _ = try ChangeCLIPGenerator(vocabulary: ["airport", "forest"])
            .run(root: root.path, splits: ["test"], timeFolders: ["A"], encoder: encoder)
        #expect(Self.files(below: root).contains("test/A_clipcls_56_vit16.json"))
    }
}
