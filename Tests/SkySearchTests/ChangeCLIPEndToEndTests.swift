import Foundation
import SkyCLIP
import SkyImaging
import SkySearch
import Testing

/// ChangeCLIP prompt files generated end to end with a random-weight open_clip checkpoint: the numbers mean
/// nothing, the format and the plumbing do.
@Suite struct ChangeCLIPEndToEndTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tinyFixture = packageRoot.appendingPathComponent("Tests/SkyCLIPTests/Fixtures/models/vit-quickgelu.safetensors").path

    /// The tiny random open_clip ViT of the CLIP parity fixtures, with its 1000-token embedding widened to CLIP's
    /// 49,408 tokens (row i repeats row i mod 1000) so that real BPE ids fit; written once per process.
    static let tinyModel: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-tiny-clip-\(getpid()).safetensors").path
        do {
            let checkpoint = try Checkpoint(path: tinyFixture)
            var tensors: [(String, [Int], [Float])] = []
            for name in checkpoint.tensors.keys.sorted() {
                let shape = checkpoint.shape(name) ?? []
                var values = try checkpoint.floats(name, shape: shape)
                var widened = shape
                if name == "token_embedding.weight" {
                    let width = shape[1]
                    widened[0] = 49_408
                    values = (0..<49_408).flatMap { row in values[(row % shape[0]) * width..<(row % shape[0] + 1) * width] }
                }
                tensors.append((name, widened, values))
            }
            try SafeTensorsTestWriter.write(tensors, to: path)
        } catch {
            Issue.record("cannot build the test model: \(error)")
        }
        return path
    }()

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

/// Writes float32 tensors as a safetensors file (8-byte header length, JSON header, raw data).
enum SafeTensorsTestWriter {
    static func write(_ tensors: [(String, [Int], [Float])], to path: String) throws {
        var header: [String: Any] = [:]
        var data = Data()
        for (name, shape, values) in tensors {
            let start = data.count
            values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [start, data.count]]
        }
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try file.write(to: URL(fileURLWithPath: path))
    }
}
