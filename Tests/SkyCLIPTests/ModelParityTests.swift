import Foundation
import Testing
@testable import SkyCLIP

/// One committed random open_clip model and the embeddings open_clip computed for it.
struct ModelFixture {
    let name: String
    let override: CLIPArchitecture.Override
    let imageSize: Int
    let images: [Float]
    let imageCount: Int
    let tokens: [[Int32]]
    let imageFeatures: [[Float]]
    let textFeatures: [[Float]]
    let logitScale: Float
    let isViT: Bool

    init(_ name: String) throws {
        self.name = name
        let root = try #require(try Fixtures.json("models/\(name).json.gz") as? [String: Any])
        let arch = try #require(root["architecture"] as? [String: Any])
        override = CLIPArchitecture.Override(visionHeads: arch["visionHeads"] as? Int, textHeads: arch["textHeads"] as? Int,
                                             activation: (arch["quickGELU"] as? Bool) == true ? .quickGELU : .gelu)
        imageSize = try #require(arch["imageSize"] as? Int)
        isViT = try #require(arch["vit"] as? Bool)
        let images = try #require(root["images"] as? [String: Any])
        self.images = try #require(images["data"] as? [Double]).map(Float.init)
        imageCount = try #require((images["shape"] as? [Int])?.first)
        tokens = try #require(root["tokens"] as? [[Int]]).map { $0.map(Int32.init) }
        imageFeatures = try #require(root["imageFeatures"] as? [[Double]]).map { $0.map(Float.init) }
        textFeatures = try #require(root["textFeatures"] as? [[Double]]).map { $0.map(Float.init) }
        logitScale = Float(try #require(root["logitScale"] as? Double))
    }

    func path(_ ext: String) -> String { Fixtures.url("models/\(name).\(ext)").path }
}

/// Relative L2 error and cosine similarity between two vectors.
func compare(_ actual: [Float], _ expected: [Float]) -> (relative: Double, cosine: Double) {
    var diff = 0.0, norm = 0.0, dot = 0.0, normA = 0.0
    for (a, e) in zip(actual, expected) {
        diff += Double(a - e) * Double(a - e)
        norm += Double(e) * Double(e)
        dot += Double(a) * Double(e)
        normA += Double(a) * Double(a)
    }
    return ((diff / norm).squareRoot(), dot / (norm * normA).squareRoot())
}

@Suite struct ModelParityTests {
    static let names = ["vit-quickgelu", "vit-gelu-f16", "rn-quickgelu-bf16"]
    static let files = names.flatMap { name in ["safetensors", "pt"].map { (name, $0) } }

    /// Both files of each model load, infer the architecture and match open_clip's embeddings within 1e-4
    /// relative (cosine > 0.99999), images and texts.
    @Test(arguments: files)
    func matchesOpenClip(name: String, ext: String) throws {
        let fixture = try ModelFixture(name)
        let model = try CLIPModel(path: fixture.path(ext), override: fixture.override)
        #expect(model.architecture.imageSize == fixture.imageSize)
        if case .transformer = model.architecture.vision { #expect(fixture.isViT) } else { #expect(!fixture.isViT) }
        #expect(abs(model.logitScale - fixture.logitScale) < 1e-6)
        let images = try model.encodeImages(fixture.images, count: fixture.imageCount)
        #expect(images.count == fixture.imageFeatures.count)
        for (actual, expected) in zip(images, fixture.imageFeatures) {
            let result = compare(actual, expected)
            #expect(result.relative < 1e-4, "\(name).\(ext) image: relative error \(result.relative)")
            #expect(result.cosine > 0.99999)
        }
        let texts = try model.encodeTokens(fixture.tokens)
        for (actual, expected) in zip(texts, fixture.textFeatures) {
            let result = compare(actual, expected)
            #expect(result.relative < 1e-4, "\(name).\(ext) text: relative error \(result.relative)")
            #expect(result.cosine > 0.99999)
        }
    }

    /// The two container formats hold the same tensors (the `.pt` of the f16 model is `module.`-prefixed under
    /// `state_dict`, which the loader strips).
    @Test(arguments: names)
    func safetensorsAndTorchAgree(name: String) throws {
        let fixture = try ModelFixture(name)
        let safetensors = try Checkpoint(path: fixture.path("safetensors"))
        let torch = try Checkpoint(path: fixture.path("pt"))
        #expect(safetensors.format == .safetensors)
        #expect(torch.format == .torchSave)
        #expect(Set(safetensors.tensors.keys) == Set(torch.tensors.keys))
        for (key, tensor) in safetensors.tensors {
            let other = try #require(torch.tensors[key])
            #expect(tensor.dtype == other.dtype && tensor.shape == other.shape, "\(key)")
            #expect(tensor.floats() == other.floats(), "\(key)")
        }
    }

    /// An OpenAI-style TorchScript archive (traced module tree, mixed float16/float32 storages) loads by walking
    /// the pickled module attributes and matches open_clip's float32 forward on the same weights.
    @Test func torchScriptArchiveMatchesOpenClip() throws {
        let fixture = try ModelFixture("vit-openai-jit")
        let checkpoint = try Checkpoint(path: fixture.path("pt"))
        #expect(checkpoint.format == .torchScript)
        #expect(checkpoint.tensors["visual.conv1.weight"]?.dtype == .float16)
        #expect(checkpoint.tensors["visual.ln_pre.weight"]?.dtype == .float32)
        let model = try CLIPModel(checkpoint: checkpoint, override: fixture.override)
        for (actual, expected) in zip(try model.encodeImages(fixture.images, count: fixture.imageCount), fixture.imageFeatures) {
            let result = compare(actual, expected)
            #expect(result.relative < 1e-4 && result.cosine > 0.99999, "image: relative \(result.relative)")
        }
        for (actual, expected) in zip(try model.encodeTokens(fixture.tokens), fixture.textFeatures) {
            let result = compare(actual, expected)
            #expect(result.relative < 1e-4 && result.cosine > 0.99999, "text: relative \(result.relative)")
        }
    }

    /// Without an activation override: TorchScript archives default to QuickGELU, state dicts to GELU, and files
    /// named `*quickgelu*` to QuickGELU; each default reproduces open_clip for its fixture.
    @Test func defaultActivationFollowsTheFileKind() throws {
        for (name, ext, expected) in [("vit-openai-jit", "pt", Activation.quickGELU), ("vit-gelu-f16", "safetensors", .gelu),
                                      ("vit-gelu-f16", "pt", .gelu), ("vit-quickgelu", "pt", .quickGELU)] {
            let fixture = try ModelFixture(name)
            var override = fixture.override
            override.activation = nil
            let model = try CLIPModel(path: fixture.path(ext), override: override)
            #expect(model.architecture.activation == expected, "\(name).\(ext)")
            let text = try model.encodeTokens([fixture.tokens[1]])[0]
            #expect(compare(text, fixture.textFeatures[1]).relative < 1e-4, "\(name).\(ext)")
        }
    }

    /// The end-token shortcut (run each sequence only up to its end token) gives the full-context result.
    @Test func endTokenShortcutIsExact() throws {
        let fixture = try ModelFixture("vit-quickgelu")
        let model = try CLIPModel(path: fixture.path("safetensors"), override: fixture.override)
        let fast = try model.encodeTokens(fixture.tokens, shortcut: true)
        let full = try model.encodeTokens(fixture.tokens, shortcut: false)
        for (a, b) in zip(fast, full) {
            let result = compare(a, b)
            #expect(result.relative < 1e-6, "relative \(result.relative)")
        }
        // Tokens after the end token do not matter at all.
        var altered = fixture.tokens[0]
        let end = try #require(altered.firstIndex(of: altered.max()!))
        for i in (end + 1)..<altered.count { altered[i] = 7 }
        #expect(try model.encodeTokens([altered]) == model.encodeTokens([fixture.tokens[0]]))
    }
}
