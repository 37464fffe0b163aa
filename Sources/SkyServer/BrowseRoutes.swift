import Foundation
import Hummingbird
import SkyCLIP
import SkySearch
import SkyStorage

/// The health line: cheap (counts come from the cached stats), says whether search is available and why not.
struct Health: Encodable {
    struct Search: Encodable {
        var available: Bool
        var model: String?
        /// The arithmetic queries are encoded with (`serve --precision`).
        var precision: String?
        /// The arithmetic the stored embeddings were made with (`embed --precision`).
        var storedPrecision: String?
        var dimension: Int?
        var index: String?
        var images: Int?
        var captions: Int?
        var reason: String?
        var hint: String?
    }

    var status = "ok"
    var images: Int
    var datasets: Int
    var search: Search
}

/// An image's record with the colour each of its classes is drawn in (so a page's legend matches the rendering).
struct DetailResponse: Encodable {
    var detail: ImageDetail

    enum Keys: String, CodingKey { case classColours }

    func encode(to encoder: any Encoder) throws {
        try detail.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        let names = Set(detail.objects.map(\.className))
        try container.encode(Dictionary(uniqueKeysWithValues: names.map { ($0, OverlayRenderer.hexColour(of: $0)) }),
                             forKey: .classColours)
    }
}

/// Health, stats, datasets, image lists and records, duplicate groups and change pairs: JSON from storage's
/// browse queries.
struct BrowseRoutes {
    let service: CorpusService

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/health") { _, _ in JSONResponse.make(try health()) }
        router.get("/api/stats") { _, _ in JSONResponse.make(try service.cachedStats()) }
        router.get("/api/datasets") { _, _ in
            struct Datasets: Encodable { var datasets: [CorpusStats.DatasetCounts] }
            return JSONResponse.make(Datasets(datasets: try service.cachedStats().datasets))
        }
        router.get("/api/images") { request, _ in
            let parameters = QueryParameters(request)
            let (offset, limit) = try Self.page(parameters)
            let page = try service.corpus.read {
                try $0.browseImages(dataset: parameters["dataset"], split: parameters["split"],
                                    className: parameters["class"], offset: offset, limit: limit)
            }
            return JSONResponse.make(page)
        }
        router.get("/api/images/:id") { _, context in
            let id = try Self.id(context)
            guard let detail = try service.corpus.read({ try $0.imageDetail(id: id) }) else { throw APIError.unknownImage(id) }
            return JSONResponse.make(DetailResponse(detail: detail))
        }
        router.get("/api/duplicates") { request, _ in
            let (offset, limit) = try Self.page(QueryParameters(request))
            return JSONResponse.make(try service.corpus.read { try $0.duplicateGroups(offset: offset, limit: limit) })
        }
        router.get("/api/changes") { request, _ in
            let parameters = QueryParameters(request)
            let (offset, limit) = try Self.page(parameters)
            return JSONResponse.make(try service.corpus.read {
                try $0.browseChangePairs(dataset: parameters["dataset"], offset: offset, limit: limit)
            })
        }
        router.get("/api/changes/:id") { _, context in
            let id = try Self.id(context)
            guard let pair = try service.corpus.read({ try $0.changePair(id: id) }) else { throw Self.unknownPair(id) }
            return JSONResponse.make(pair)
        }
    }

    func health() throws -> Health {
        let stats = try service.cachedStats()
        let search: Health.Search
        switch service.search {
        case .ready(let engine):
            search = Health.Search(available: true, model: engine.modelName,
                                   precision: engine.encoder.model.precision.rawValue, storedPrecision: engine.storedPrecision,
                                   dimension: engine.dimension,
                                   index: SearchRoutes.indexKind(engine), images: engine.index.imageCount,
                                   captions: engine.index.captionCount)
        case .unavailable(let reason, let hint):
            search = Health.Search(available: false, reason: reason, hint: hint)
        }
        return Health(images: stats.totalImages, datasets: stats.datasets.count, search: search)
    }

    static func unknownPair(_ id: Int64) -> APIError {
        .notFound("no change pair with id \(id) in the corpus", hint: "/api/changes lists the pairs")
    }

    /// The `:id` path parameter as an integer id.
    static func id(_ context: BasicRequestContext) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { throw APIError.badRequest("'\(text)' is not an integer id") }
        return id
    }

    /// `offset` and `limit`, checked against ``BrowseLimits``.
    static func page(_ parameters: QueryParameters) throws -> (offset: Int, limit: Int) {
        let offset = try parameters.integer("offset") ?? 0
        let limit = try parameters.integer("limit") ?? BrowseLimits.defaultPage
        try BrowseLimits.check(offset: offset, limit: limit)
        return (offset, limit)
    }
}
