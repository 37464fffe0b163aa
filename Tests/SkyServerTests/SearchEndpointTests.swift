import Foundation
import HummingbirdTesting
import SkyHashing
import SkyImaging
import SkyPipeline
import SkySearch
import SkyServer
import SkyStorage
import SkyTestSupport
import Testing

/// The search endpoints answer exactly as ``SearchEngine`` (the code `skycorpus search` runs) does, with filters,
/// and every bad input is a 4xx JSON error after which the server keeps serving.
@Suite struct SearchEndpointTests {
    static let fixture = ServerFixture.shared

    @Test func textSearchAnswersAsTheSearchCommand() async throws {
        let engine = try Self.fixture.engine()
        let expected = try engine.textToImages("planes parked at an airport", k: 5, filter: SearchFilter())
        let filtered = try engine.textToImages("planes", k: 3, filter: SearchFilter(dataset: "examples-loveda"))
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            for answer in [
                try await client.execute(uri: "/api/search/text?q=planes%20parked%20at%20an%20airport&k=5", method: .get),
                try await client.execute(uri: "/api/search/text", method: .post, headers: HTTP.jsonHeaders,
                                         body: HTTP.body(#"{"text": "planes parked at an airport", "k": 5}"#)),
            ] {
                #expect(answer.status == .ok)
                let results = try HTTP.decode(ImageAnswer.self, answer)
                #expect(results.results.map(\.imageId) == expected.map(\.imageId))
                #expect(results.results.map(\.score) == expected.map(\.score))
                #expect(results.results.map(\.path) == expected.map(\.path))
                #expect(results.index == "exact" && results.model == "tiny-clip-vocab49408.safetensors")
                #expect(results.results.allSatisfy { $0.image?.dataset != nil })
            }
            let answer = try await client.execute(uri: "/api/search/text", method: .post, headers: HTTP.jsonHeaders,
                                                  body: HTTP.body(#"{"text": "planes", "k": 3, "dataset": "examples-loveda"}"#))
            let results = try HTTP.decode(ImageAnswer.self, answer)
            #expect(results.results.map(\.imageId) == filtered.map(\.imageId))
            #expect(results.results.count == 3 && results.results.allSatisfy { $0.image?.dataset == "examples-loveda" })
        }
    }

    @Test func imageSearchByIdAndByUploadAndImageToCaptions() async throws {
        let engine = try Self.fixture.engine()
        let id = engine.index.imageIds[2]
        let expected = try engine.imageToImages(imageId: id, k: 4, filter: SearchFilter(includeDuplicates: true))
        let expectedCaptions = try engine.imageToCaptions(imageId: id, k: 3, filter: SearchFilter(captionSource: .human))
        let file = try #require(try Corpus(path: Self.fixture.corpusPath, access: .readOnly).imagePaths([id])[id])
        let bytes = try FileBytes.read(file)
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let byId = try await client.execute(uri: "/api/search/image", method: .post, headers: HTTP.jsonHeaders,
                                                body: HTTP.body(#"{"image_id": \#(id), "k": 4, "include_duplicates": true}"#))
            #expect(byId.status == .ok)
            let hits = try HTTP.decode(ImageAnswer.self, byId).results
            #expect(hits.map(\.imageId) == expected.map(\.imageId) && hits.map(\.score) == expected.map(\.score))
            #expect(!hits.contains { $0.imageId == id })
            // The image's own bytes find itself first at cosine 1.
            let upload = try await client.execute(uri: "/api/search/image?k=3&include_duplicates=true", method: .post,
                                                  headers: HTTP.pngHeaders, body: HTTP.body(bytes))
            #expect(upload.status == .ok)
            let uploaded = try HTTP.decode(ImageAnswer.self, upload).results
            #expect(uploaded.first?.imageId == id && abs((uploaded.first?.score ?? 0) - 1) < 1e-4)
            #expect(Array(uploaded.dropFirst().map(\.imageId)) == Array(expected.prefix(2).map(\.imageId)))
            let captions = try await client.execute(uri: "/api/search/captions", method: .post, headers: HTTP.jsonHeaders,
                                                    body: HTTP.body(#"{"image_id": \#(id), "k": 3, "source": "human"}"#))
            #expect(captions.status == .ok)
            let captionHits = try HTTP.decode(CaptionAnswer.self, captions).results
            #expect(captionHits == expectedCaptions && captionHits.allSatisfy { $0.source == .human })
            let uploadCaptions = try await client.execute(uri: "/api/search/captions?k=3&source=human", method: .post,
                                                          headers: HTTP.pngHeaders, body: HTTP.body(bytes))
            #expect(try HTTP.decode(CaptionAnswer.self, uploadCaptions).results.map(\.captionId)
                    == expectedCaptions.map(\.captionId))
        }
    }

    @Test func badSearchesAreClearErrorsAndTheServerKeepsServing() async throws {
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let post = { (path: String, body: String) in
                try await client.execute(uri: path, method: .post, headers: HTTP.jsonHeaders, body: HTTP.body(body))
            }
            try HTTP.expectError(try await post("/api/search/text", #"{"text": "ships", "k": 5"#), 400, containing: "malformed JSON")
            try HTTP.expectError(try await post("/api/search/text", #"{"text": 12}"#), 400, containing: "malformed JSON", "text")
            try HTTP.expectError(try await post("/api/search/text", ""), 400, containing: "empty body")
            try HTTP.expectError(try await post("/api/search/text", #"{"k": 5}"#), 400, containing: "no query text")
            try HTTP.expectError(try await post("/api/search/text", #"{"text": "ships", "k": 0}"#), 400, containing: "k 0", "1 to 1000")
            try HTTP.expectError(try await client.execute(uri: "/api/search/text?q=ships&k=5000", method: .get), 400,
                                 containing: "out of range")
            try HTTP.expectError(try await client.execute(uri: "/api/search/text?q=ships&k=ten", method: .get), 400,
                                 containing: "not an integer")
            try HTTP.expectError(try await post("/api/search/text", #"{"text": "ships", "source": "tweets"}"#), 400,
                                 containing: "tweets", "human")
            try HTTP.expectError(try await post("/api/search/text", #"{"text": "ships", "dataset": "nope"}"#), 404,
                                 containing: "nope", "/api/datasets")
            try HTTP.expectError(try await post("/api/search/image", #"{"image_id": 987654}"#), 404, containing: "987654")
            try HTTP.expectError(try await post("/api/search/captions", #"{"image_id": 987654}"#), 404, containing: "987654")
            try HTTP.expectError(try await post("/api/search/image", #"{"k": 3}"#), 400, containing: "no query image")
            let text = try await client.execute(uri: "/api/search/image", method: .post, headers: [.contentType: "image/png"],
                                                body: HTTP.body("GIF89a this is not an image at all"))
            try HTTP.expectError(text, 415, containing: "not a PNG, JPEG, TIFF or BMP")
            var broken = [UInt8]([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            broken += [UInt8](repeating: 7, count: 40)
            try HTTP.expectError(try await client.execute(uri: "/api/search/captions", method: .post, headers: HTTP.pngHeaders,
                                                          body: HTTP.body(broken)), 415, containing: "cannot be decoded")
            // After all that, it still answers.
            let health = try await client.execute(uri: "/api/health", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func uploadsOverTheLimitAreRefused() async throws {
        try await ServerFixture.withClient(try Self.fixture.service(uploadLimit: 2_048)) { client in
            let big = [UInt8](repeating: 1, count: 10_000)
            try HTTP.expectError(try await client.execute(uri: "/api/search/image", method: .post, headers: HTTP.pngHeaders,
                                                          body: HTTP.body(big)), 413, containing: "2048 bytes", "--upload-limit")
        }
    }

    @Test func withoutAModelSearchSaysHowToEnableIt() async throws {
        try await ServerFixture.withClient(try Self.fixture.service(withModel: false)) { client in
            try HTTP.expectError(try await client.execute(uri: "/api/search/text?q=ships", method: .get), 409,
                                 containing: "without a model", "--model")
            let health = try HTTP.json(try await client.execute(uri: "/api/health", method: .get))
            let search = try #require(health["search"] as? [String: Any])
            #expect(search["available"] as? Bool == false && (search["hint"] as? String ?? "").contains("skycorpus embed"))
            // Browsing still works.
            #expect(try await client.execute(uri: "/api/images?limit=3", method: .get).status == .ok)
        }
    }

    @Test func aModelOfAnotherDimensionIsRefusedWithTheReason() async throws {
        let folder = try TemporaryFolder("server-dimension")
        let corpus = try Corpus(path: folder.path("c.sqlite"), access: .create)
        let images = folder.url.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for index in 0..<3 {
            try ImageEncoder.write(RasterImage(width: 8, height: 8, layout: .gray, filledWith: UInt8(index * 40)),
                                   to: images.appendingPathComponent("\(index).png").path)
        }
        _ = try ImageRegistration(dataset: "d", folder: images.path).run(in: corpus)
        let info = EncoderModelInfo(name: "tiny-clip-vocab49408.safetensors", architecture: "other",
                                    checksum: try FileDigest.sha256(ofFile: ServerFixture.model), dimension: 8)
        let model = try corpus.registerEncoder(info)
        let pending = try corpus.pendingEmbeddings(model: model, kind: .image)
        try corpus.storeEmbeddings(model: model, kind: .image, pending.map { ($0.id, [Float](repeating: 0.35, count: 8)) })
        let service = try CorpusService.load(corpusPath: folder.path("c.sqlite"),
                                             model: (Self.fixture.encoder, ServerFixture.model), name: nil)
        try await ServerFixture.withClient(service) { client in
            try HTTP.expectError(try await client.execute(uri: "/api/search/text?q=ships", method: .get), 409,
                                 containing: "16 dimensions", "have 8", "embedded with")
            #expect(try await client.execute(uri: "/api/images", method: .get).status == .ok)
        }
    }

    /// A saved index whose embeddings changed since `index build` is not used: search is unavailable with the
    /// command that rebuilds it (not the hint to embed), browsing still works, and a rebuilt index serves again.
    @Test func anIndexBuiltFromOtherEmbeddingsSaysToRebuildIt() async throws {
        let folder = try TemporaryFolder("server-stale")
        let path = folder.path("c.sqlite")
        let corpus = try Corpus(path: path, access: .create)
        let images = folder.url.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for index in 0..<3 {
            try ImageEncoder.write(RasterImage(width: 8, height: 8, layout: .gray, filledWith: UInt8(index * 40)),
                                   to: images.appendingPathComponent("\(index).png").path)
        }
        _ = try ImageRegistration(dataset: "d", folder: images.path).run(in: corpus)
        try ServerFixture.embed(corpus: corpus, encoder: Self.fixture.encoder, modelPath: ServerFixture.model)
        let model = try #require(try corpus.encoder(named: URL(fileURLWithPath: ServerFixture.model).lastPathComponent)).id
        let file = CorpusIndex.indexFile(corpusPath: path, modelName: URL(fileURLWithPath: ServerFixture.model).lastPathComponent)
        try CorpusIndex.build(corpus: corpus, model: model, file: file)
        let stored = try corpus.storedVectors(model: model, kind: .image)
        try corpus.storeEmbeddings(model: model, kind: .image, [(stored.ids[0], Array(stored.values[stored.dimension...].prefix(stored.dimension)))])
        let stale = try CorpusService.load(corpusPath: path, model: (Self.fixture.encoder, ServerFixture.model), name: nil)
        try await ServerFixture.withClient(stale) { client in
            let health = try HTTP.json(try await client.execute(uri: "/api/health", method: .get))
            let search = try #require(health["search"] as? [String: Any])
            #expect(search["available"] as? Bool == false)
            #expect((search["reason"] as? String ?? "").contains("built from other embeddings"))
            #expect(!(search["reason"] as? String ?? "").contains("--exact"), "serve has no --exact flag")
            #expect((search["hint"] as? String ?? "").contains("skycorpus index build"))
            #expect(try await client.execute(uri: "/api/images", method: .get).status == .ok)
        }
        try CorpusIndex.build(corpus: corpus, model: model, file: file)
        let rebuilt = try CorpusService.load(corpusPath: path, model: (Self.fixture.encoder, ServerFixture.model), name: nil)
        try await ServerFixture.withClient(rebuilt) { client in
            let response = try await client.execute(uri: "/api/search/text?q=ships", method: .get)
            #expect(response.status == .ok)
        }
    }
}
