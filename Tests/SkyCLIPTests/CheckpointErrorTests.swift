import Foundation
import Testing
@testable import SkyCLIP
import SkyTestSupport

/// Bad checkpoint files give typed errors that name the file and what is wrong, never a crash.
@Suite struct CheckpointErrorTests {
    func temporaryFile(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skyclip-\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func textFileIsNotACheckpoint() throws {
        let path = try temporaryFile(Array("hello, this is not a model\n".utf8), "notes.txt")
        #expect(throws: CLIPError.self) { try Checkpoint(path: path) }
        do { _ = try Checkpoint(path: path) } catch {
            guard case .notACheckpoint(let named, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(named == path)
        }
    }

    @Test func missingFileIsUnreadable() {
        do { _ = try Checkpoint(path: "/nonexistent/model.pt"); Issue.record("no error") } catch {
            guard case .unreadable(let path, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == "/nonexistent/model.pt")
        }
    }

    @Test func truncatedArchivesAreRejected() throws {
        for ext in ["pt", "safetensors"] {
            let bytes = [UInt8](try Data(contentsOf: Fixtures.url("models/vit-quickgelu.\(ext)")))
            for length in [3, 9, 100, bytes.count / 2, bytes.count - 7] {
                let path = try temporaryFile(Array(bytes.prefix(length)), "cut.\(ext)")
                #expect(throws: CLIPError.self, "\(ext) cut at \(length)") { try CLIPModel(path: path) }
            }
        }
    }

    /// Sizes that overflow or exceed the file are refused with an error, not a trap.
    @Test func absurdSafetensorsShapeIsRefused() throws {
        var json = Array(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var file: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file += $0 }
        let path = try temporaryFile(file + json + [UInt8](repeating: 0, count: 16), "huge.safetensors")
        #expect(throws: CLIPError.self) { try Checkpoint(path: path) }
    }

    /// Corrupting single bytes of a torch archive's metadata (pickle near the start, central directory at the
    /// end) gives either a loadable model or a CLIPError, never a crash.
    @Test func corruptedTorchArchivesNeverCrash() throws {
        for name in ["vit-quickgelu", "vit-openai-jit"] {
            let bytes = [UInt8](try Data(contentsOf: Fixtures.url("models/\(name).pt")))
            var generator = SplitMix64(seed: 42)
            var refused = 0
            for trial in 0..<300 {
                var copy = bytes
                let region = trial % 2 == 0 ? 0..<min(4096, copy.count) : max(0, copy.count - 4096)..<copy.count
                let position = Int.random(in: region, using: &generator)
                copy[position] = UInt8.random(in: 0...255, using: &generator)
                let path = try temporaryFile(copy, "flip.pt")
                do { _ = try CLIPModel(path: path, override: .init(visionHeads: 2, textHeads: 2)) } catch { refused += 1 }
                try? FileManager.default.removeItem(atPath: path)
            }
            #expect(refused > 0, "no corruption of \(name) was detected")
        }
    }

    /// A safetensors file that lacks one tensor the architecture needs names that tensor.
    @Test func missingTensorIsNamed() throws {
        let source = try Checkpoint(path: Fixtures.url("models/vit-quickgelu.safetensors").path)
        var header: [String: Any] = [:]
        var buffer: [UInt8] = []
        for name in source.tensors.keys.sorted() where name != "visual.ln_post.bias" {
            let tensor = source.tensors[name]!
            let values = tensor.floats()
            let begin = buffer.count
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer += $0 } }
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [begin, buffer.count]]
        }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header))
        while json.count % 8 != 0 { json.append(0x20) }
        var file: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file += $0 }
        let path = try temporaryFile(file + json + buffer, "partial.safetensors")
        do {
            _ = try CLIPModel(path: path, override: .init(visionHeads: 2, textHeads: 2))
            Issue.record("loaded a model without visual.ln_post.bias")
        } catch {
            #expect(error == .missingTensor(path: path, name: "visual.ln_post.bias", expected: "shape [64]"))
            #expect(error.description.contains("visual.ln_post.bias"))
        }
    }
}
