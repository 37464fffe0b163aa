import Foundation
import SkyImaging
import SkySearch
import SkyTestSupport
import Testing

/// ChangeCLIP prompt files generated end to end with a random-weight open_clip checkpoint: the numbers mean
/// nothing, the format and the plumbing do.
@Suite struct ChangeCLIPEndToEndTests {
    static let packageRoot = TestPaths.packageRoot
    /// The tiny random checkpoint with CLIP's 49,408-token vocabulary, so that the 56 class names tokenize to their
    /// real BPE ids.
    static let tinyModel = TestPaths.tinyCheckpoint

    @Test func writesOneFilePerSplitAndTimeThatTheLoaderReads() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-changeclip-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        for split in ["train", "test"] {
            for time in ["time1", "time2"] {
                let folder = root.appendingPathComponent("\(split)/\(time)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for index in 0..<3 {
                    var image = RasterImage(width: 40 + index, height: 30, layout: .rgb)
                    for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte * (index + 1) + time.count) }
                    try ImageEncoder.write(image, to: folder.appendingPathComponent("\(index).png").path)
                }
                try Data("not an image".utf8).write(to: folder.appendingPathComponent("notes.txt"))
            }
        }
        let vocabulary = try ChangeCLIPGenerator.defaultVocabulary()
        #expect(vocabulary.count == 56 && vocabulary.first == "airport" && vocabulary.last == "cabin")
        let encoder = try CLIPEncoder(modelPath: Self.tinyModel)
        let written = try ChangeCLIPGenerator(vocabulary: vocabulary)
            .run(root: root.path, splits: ["train", "test"], timeFolders: nil, encoder: encoder)
        #expect(written.map(\.file) == [
            root.path + "/train/time1_clipcls_56_vit16.json", root.path + "/train/time2_clipcls_56_vit16.json",
            root.path + "/test/time1_clipcls_56_vit16.json", root.path + "/test/time2_clipcls_56_vit16.json",
        ])
        for file in written {
            #expect(file.images == 3)
            let text = try String(contentsOfFile: file.file, encoding: .utf8)
            let top = try ChangeCLIPPromptFile.topClasses(fromJSON: text)
            #expect(top.count == 3)
            for (path, classes) in top {
                #expect(path.hasPrefix(root.path + "/") && path.hasSuffix(".png"))
                #expect(classes.count == 9 && Set(classes).isSubset(of: vocabulary))
            }
            // Every record lists all 56 classes with 4-decimal probabilities that sum to about 1.
            for record in try ChangeCLIPPromptFile.records(fromJSON: text) {
                #expect(record.members.count == 56)
                let values = record.members.compactMap { $0.value.count == 6 ? Double($0.value) : nil }
                #expect(values.count == 56)
                #expect(abs(values.reduce(0, +) - 1) < 0.01)
                #expect(values == values.sorted(by: >))
            }
        }
    }

    @Test func aFolderWithoutTimeFoldersIsAnError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-changeclip-empty-\(getpid())")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("train"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let encoder = try CLIPEncoder(modelPath: Self.tinyModel)
        #expect(throws: SearchError.self) {
            _ = try ChangeCLIPGenerator(vocabulary: ["a", "b"]).run(root: root.path, splits: ["train"], timeFolders: nil,
                                                                    encoder: encoder)
        }
    }
}
