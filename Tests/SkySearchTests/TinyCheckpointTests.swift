import Foundation
import SkyCLIP
import SkySearch
import SkyTestSupport
import SkyText
import Testing

/// The tiny random checkpoint of `Scripts/make_tiny_checkpoint.py` (committed under
/// `Tests/SkyCLIPTests/Fixtures/tiny/`): open_clip's 49,408-token vocabulary, so real captions tokenize to ids up
/// to 49,407 and every CLIP entry point runs on it offline; embeddings equal open_clip's on the same weights.
@Suite struct TinyCheckpointTests {
    struct Reference: Decodable {
        var architecture: [String: AnyCodableValue]
        var texts: [String]
        var tokens: [[Int]]
        var textFeatures: [[Float]]
        var image: String
        var imageFeatures: [[Float]]
        var logitScale: Float
    }

    /// Numbers or strings in the architecture record.
    enum AnyCodableValue: Decodable {
        case number(Double), text(String)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
        }
    }

    static let packageRoot = ChangeCLIPEndToEndTests.packageRoot
    static let folder = TestPaths.tinyCheckpointFolder
    static let checkpoint = TestPaths.tinyCheckpoint

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("tiny-clip-vocab49408.json")))
    }

    static func normalized(_ row: [Float]) -> [Float] {
        let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return row.map { $0 / norm }
    }

    static func worstError(_ actual: [Float], _ expected: [Float]) -> Float {
        zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func realCaptionsTokenizeToTheFullVocabulary() throws {
        let reference = try Self.reference()
        let tokenizer = try CLIPTokenizer()
        #expect(reference.texts.count >= 8)
        for (text, expected) in zip(reference.texts, reference.tokens) {
            let ids = tokenizer.tokenize(text, contextLength: 77).filter { $0 != 0 }
            #expect(ids.map(Int.init) == expected, "\(text)")
        }
        let all = reference.tokens.flatMap { $0 }
        #expect(all.max() == 49_407 && all.contains(49_406))
        #expect(all.filter { $0 >= 1_000 && $0 < 49_406 }.count > 20)
    }

    @Test func theCheckpointLoadsWithItsVocabularyAndDefaults() throws {
        let model = try CLIPModel(path: Self.checkpoint)
        #expect(model.architecture.vocabularySize == 49_408)
        #expect(model.architecture.contextLength == 77)
        #expect(model.architecture.imageSize == 64)
        #expect(model.architecture.activation == .gelu)
        #expect(model.embedDim == 16)
        #expect(abs(model.logitScale - (try Self.reference().logitScale)) < 1e-2)
    }

    @Test func textsAndAnImageEncodeAsOpenCLIPDoes() throws {
        let reference = try Self.reference()
        let encoder = try CLIPEncoder(modelPath: Self.checkpoint)
        let texts = try encoder.encodeTexts(reference.texts)
        #expect(texts.rows == reference.texts.count)
        var worst: Float = 0
        for (row, expected) in reference.textFeatures.enumerated() {
            worst = max(worst, Self.worstError(texts.row(row), Self.normalized(expected)))
        }
        let image = try encoder.encodeImages(files: [Self.packageRoot.appendingPathComponent(reference.image).path])
        worst = max(worst, Self.worstError(image.row(0), Self.normalized(reference.imageFeatures[0])))
        #expect(worst < 1e-4, "worst difference \(worst) from open_clip's normalised embeddings")
    }

    @Test func theTorchSaveFormGivesTheSameEmbeddings() throws {
        let reference = try Self.reference()
        let pt = Self.folder.appendingPathComponent("tiny-clip-vocab49408.pt").path
        let fromPT = try CLIPEncoder(modelPath: pt).encodeTexts(reference.texts)
        let fromSafetensors = try CLIPEncoder(modelPath: Self.checkpoint).encodeTexts(reference.texts)
        #expect(fromPT.values == fromSafetensors.values)
    }

    @Test func zeroShotRunsOverTemplateSets() throws {
        let reference = try Self.reference()
        let encoder = try CLIPEncoder(modelPath: Self.checkpoint)
        let image = try encoder.encodeImages(files: [Self.packageRoot.appendingPathComponent(reference.image).path])
        let classes = ["airport", "water", "agricultural", "storage tank"]
        for setName in ["remoteclip", "clip-imagenet-80", "georsclip-105", "segclip"] {
            let embeddings = try encoder.classEmbeddings(classNames: classes, templates: PromptTemplateSet.named(setName))
            let classifier = try ZeroShotClassifier(classNames: classes, classEmbeddings: embeddings,
                                                    logitScale: encoder.logitMultiplier)
            let probabilities = try classifier.probabilities(for: image)[0]
            #expect(probabilities.count == 4 && abs(probabilities.reduce(0, +) - 1) < 1e-4)
            #expect(Set(classifier.ranked(probabilities).map(\.name)) == Set(classes))
        }
    }
}
