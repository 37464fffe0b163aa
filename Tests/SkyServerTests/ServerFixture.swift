import Foundation
import Hummingbird
import HummingbirdTesting
import SkyCLIP
import SkyDatasets
import SkyHashing
import SkyImaging
import SkyPipeline
import SkySearch
import SkyServer
import SkyStorage
import SkyTestSupport
import Testing

/// A small corpus built once per test process from the package's examples (DOTA boxes and polygons with human
/// captions, LoveDA masks through M2B, LEVIR change pairs with sentences, p-Hash dedup), its images and captions
/// embedded by the tiny checkpoint the SkySearch tests use.
final class ServerFixture: Sendable {
    static let shared: ServerFixture = { try! ServerFixture() }()
    static let model = TestPaths.tinyCheckpoint

    let folder: TemporaryFolder
    let corpusPath: String
    let encoder: CLIPEncoder

    private init() throws {
        folder = try TemporaryFolder("server")
        corpusPath = folder.path("corpus.sqlite")
        let corpus = try Corpus(path: corpusPath, access: .create)
        let examples = TestPaths.package("Examples")
        for (name, root, format, palette) in [
            ("examples-dota", "dota", DatasetFormat.dota, nil), ("examples-dota", "dota", .captions, nil),
            ("examples-loveda", "seg", nil, "loveda"), ("examples-levir", "levir", nil, nil),
        ] as [(String, String, DatasetFormat?, String?)] {
            _ = try DatasetIngest.run(IngestRequest(name: name, root: examples.appendingPathComponent(root).path,
                                                    format: format, palette: palette), into: corpus)
        }
        _ = try M2BStep(datasets: ["examples-loveda"]).run(in: corpus)
        _ = try Deduplication(threshold: 2).run(in: corpus)
        encoder = try CLIPEncoder(modelPath: Self.model)
        try Self.embed(corpus: corpus, encoder: encoder, modelPath: Self.model)
    }

    /// What `skycorpus embed --what images,captions` stores, through the same storage calls.
    static func embed(corpus: Corpus, encoder: CLIPEncoder, modelPath: String) throws {
        let info = EncoderModelInfo(name: URL(fileURLWithPath: modelPath).lastPathComponent,
                                    architecture: encoder.model.architecture.description,
                                    checksum: try FileDigest.sha256(ofFile: modelPath), dimension: encoder.model.embedDim)
        let model = try corpus.registerEncoder(info)
        let images = try corpus.pendingEmbeddings(model: model, kind: .image)
        let imageVectors = try encoder.encodeImages(files: images.map(\.input))
        try corpus.storeEmbeddings(model: model, kind: .image, images.enumerated().map { ($1.id, imageVectors.row($0)) })
        let captions = try corpus.pendingEmbeddings(model: model, kind: .caption)
        let captionVectors = try encoder.encodeTexts(captions.map(\.input))
        try corpus.storeEmbeddings(model: model, kind: .caption, captions.enumerated().map { ($1.id, captionVectors.row($0)) })
    }

    /// A service over the corpus with search (or without a model), as `skycorpus serve` builds it.
    func service(withModel: Bool = true, uploadLimit: Int = ServerConfiguration.defaultUploadLimit) throws -> CorpusService {
        try CorpusService.load(corpusPath: corpusPath, model: withModel ? (encoder, Self.model) : nil, name: nil,
                               configuration: ServerConfiguration(uploadLimit: uploadLimit))
    }

    /// The engine `skycorpus search` would build for this corpus and model.
    func engine() throws -> SearchEngine {
        try SearchEngine(corpus: Corpus(path: corpusPath, access: .readOnly), encoder: encoder, modelPath: Self.model)
    }

    /// Runs `body` against the router of `service` (no socket).
    static func withClient<Value: Sendable>(_ service: CorpusService,
                                            _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await SkyServer.application(service: service).test(.router, body)
    }
}

/// Decoding answers and building requests in tests.
enum HTTP {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        guard let dictionary = object as? [String: Any] else { throw APIError(0, "not a JSON object: \(object)") }
        return dictionary
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(response.body.readableBytesView))
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static func body(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]
    static let pngHeaders: HTTPFields = [.contentType: "image/png"]

    /// The error message of a 4xx answer; the test fails unless it has the status and a message.
    static func expectError(_ response: TestResponse, _ status: Int, containing words: String...,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(Int(response.status.code) == status, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        let body = try json(response)
        let message = (body["error"] as? String ?? "") + " " + (body["hint"] as? String ?? "")
        #expect(body["status"] as? Int == status, sourceLocation: sourceLocation)
        for word in words {
            #expect(message.contains(word), "'\(word)' not in: \(message)", sourceLocation: sourceLocation)
        }
    }
}

/// Image results as the server sends them.
struct ImageAnswer: Decodable {
    struct Result: Decodable {
        var imageId: Int64
        var path: String
        var score: Float
        var image: BrowseImage?
    }

    var model: String
    var index: String
    var results: [Result]
}

/// Caption results as the server sends them.
struct CaptionAnswer: Decodable {
    var results: [CaptionHit]
}
