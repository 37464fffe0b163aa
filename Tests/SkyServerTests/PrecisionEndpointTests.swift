import Foundation
import HummingbirdTesting
import SkyCLIP
import SkySearch
import SkyServer
import SkyTestSupport
import Testing

/// `serve --precision`: the health line says which arithmetic encodes the queries and which made the stored
/// embeddings, and a bf16 server's text
/// search runs its query through the bf16 model (its scores are not the fp32 server's, its ranking nearly is).
@Suite struct PrecisionEndpointTests {
    static let fixture = ServerFixture.shared

    /// The health line's search part, its text and boolean values as text.
    static func health(_ service: CorpusService) async throws -> [String: String] {
        try await ServerFixture.withClient(service) { client in
            let health = try HTTP.json(try await client.execute(uri: "/api/health", method: .get))
            let search = try #require(health["search"] as? [String: Any])
            return search.compactMapValues { value in (value as? String) ?? (value as? Bool).map { "\($0)" } }
        }
    }

    /// The tiny checkpoint at bf16, or nil on a CPU without AVX512-BF16.
    static func bf16Model() throws -> CLIPModel? {
        do {
            return try CLIPModel(path: ServerFixture.model, precision: .bf16)
        } catch {
            if case .unsupportedPrecision = error { return nil }
            throw error
        }
    }

    @Test func healthNamesThePrecisionOfTheQueries() async throws {
        let search = try await Self.health(try Self.fixture.service())
        #expect(search["available"] == "true" && search["precision"] == "fp32" && search["stored_precision"] == "fp32")
    }

    @Test func aBF16ServerEncodesItsQueriesInBF16() async throws {
        // Without AVX512-BF16 serve refuses bf16 as encode does (PrecisionCommandTests checks the error): skip.
        guard let model = try Self.bf16Model() else { return }
        let service = try CorpusService.load(corpusPath: Self.fixture.corpusPath,
                                             model: (try CLIPEncoder(model: model), ServerFixture.model), name: nil)
        let search = try await Self.health(service)
        #expect(search["available"] == "true" && search["precision"] == "bf16" && search["stored_precision"] == "fp32")
        let query = "planes parked at an airport"
        let fp32 = try Self.fixture.engine().textToImages(query, k: 5, filter: SearchFilter())
        let bf16 = try await ServerFixture.withClient(service) { client in
            try HTTP.decode(ImageAnswer.self, try await client.execute(uri: "/api/search/text?q=planes%20parked%20at%20an%20airport&k=5",
                                                                       method: .get))
        }
        #expect(bf16.results.count == fp32.count)
        #expect(bf16.results.map(\.score) != fp32.map(\.score), "the bf16 server's query scored exactly as fp32's")
        for (hit, reference) in zip(bf16.results, fp32) where hit.imageId == reference.imageId {
            #expect(abs(hit.score - reference.score) < 0.05)
        }
    }
}
