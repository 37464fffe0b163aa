import Foundation
import Hummingbird
import SkyImaging
import SkySearch
import SkyStorage

/// A search request: the query (a text or a corpus image id; an uploaded image comes as the body instead) with
/// top-k and the filters of `skycorpus search`, from a JSON body or from query parameters.
struct SearchQuery: Decodable, Sendable {
    var text: String?
    var imageId: Int64?
    var k: Int?
    var dataset: String?
    var split: String?
    var className: String?
    var source: String?
    var includeDuplicates: Bool?

    enum CodingKeys: String, CodingKey {
        case text, k, dataset, split, source
        case imageId = "image_id"
        case className = "class"
        case includeDuplicates = "include_duplicates"
    }

    /// The fields spelled as query parameters (`?q=...` or `?text=...`, `k`, `dataset`, `split`, `class`, `source`,
    /// `include_duplicates`, `image_id`).
    init(parameters: QueryParameters) throws {
        func string(_ key: String) -> String? { parameters[key] }
        text = string("q") ?? string("text")
        if let value = string("image_id") {
            guard let id = Int64(value) else { throw APIError.badRequest("image_id '\(value)' is not an integer id") }
            imageId = id
        }
        if let value = string("k") {
            guard let top = Int(value) else { throw APIError.badRequest("k '\(value)' is not an integer") }
            k = top
        }
        dataset = string("dataset")
        split = string("split")
        className = string("class")
        source = string("source")
        if let value = string("include_duplicates") {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][value.lowercased()] else {
                throw APIError.badRequest("include_duplicates '\(value)' must be true or false")
            }
            includeDuplicates = flag
        }
    }

    /// Decodes a JSON body; malformed JSON is a 400 that says so.
    static func decode(_ bytes: [UInt8]) throws -> SearchQuery {
        guard !bytes.isEmpty else { throw APIError.badRequest("empty body: send a JSON object", hint: "e.g. {\"text\": \"a harbour\"}") }
        do {
            return try JSONDecoder().decode(SearchQuery.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw APIError.from(error)
        }
    }

    /// k, checked against the library's range.
    func top() throws -> Int {
        let top = k ?? SearchLimits.defaultTop
        guard SearchLimits.topRange.contains(top) else {
            throw APIError.badRequest("k \(top) is out of range",
                                      hint: "ask for \(SearchLimits.topRange.lowerBound) to \(SearchLimits.topRange.upperBound) results")
        }
        return top
    }

    /// The filter, with the caption source checked.
    func filter() throws -> SearchFilter {
        var captionSource: CaptionSource? = nil
        if let source {
            guard let known = CaptionSource(rawValue: source) else {
                throw APIError.badRequest("unknown caption source '\(source)'",
                                          hint: "give one of " + CaptionSource.allCases.map(\.rawValue).joined(separator: ", "))
            }
            captionSource = known
        }
        return SearchFilter(dataset: dataset, split: split, className: className, captionSource: captionSource,
                            includeDuplicates: includeDuplicates ?? false)
    }
}

/// An image search's answer: the hits as `skycorpus search --json` prints them, each with its browse record.
struct ImageResults: Encodable {
    struct Result: Encodable {
        var imageId: Int64
        var path: String
        var score: Float
        var image: BrowseImage?
    }

    var model: String
    var index: String
    var tookMs: Double
    var results: [Result]
}

/// A caption search's answer.
struct CaptionResults: Encodable {
    var model: String
    var index: String
    var tookMs: Double
    var results: [CaptionHit]
}

/// text -> images, image -> images and image -> captions, through ``SearchEngine`` (the code `skycorpus search`
/// runs, so both answer identically).
struct SearchRoutes {
    let service: CorpusService

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/search/text") { request, _ in
            try textSearch(SearchQuery(parameters: QueryParameters(request)))
        }
        router.post("/api/search/text") { request, _ in
            try textSearch(SearchQuery.decode(try await body(of: request)))
        }
        router.post("/api/search/image") { request, _ in
            try await imageSearch(request, captions: false)
        }
        router.post("/api/search/captions") { request, _ in
            try await imageSearch(request, captions: true)
        }
    }

    /// The request body, at most the configured upload limit.
    func body(of request: Request) async throws -> [UInt8] {
        let limit = service.configuration.uploadLimit
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return [UInt8](buffer.readableBytesView)
        } catch {
            throw APIError(413, "the request body is larger than the upload limit of \(limit) bytes",
                           hint: "send a smaller image, or restart serve with a larger --upload-limit")
        }
    }

    func textSearch(_ query: SearchQuery) throws -> Response {
        let engine = try service.search.engine()
        guard let text = query.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("no query text", hint: "send {\"text\": \"...\"} or ?q=...")
        }
        let (top, filter) = (try query.top(), try query.filter())
        let start = DispatchTime.now()
        let hits = try engine.textToImages(text, k: top, filter: filter)
        return try imageResults(hits, engine: engine, start: start)
    }

    /// A JSON body names a corpus image (`image_id`); any other body is an uploaded image, with the filters as
    /// query parameters.
    func imageSearch(_ request: Request, captions: Bool) async throws -> Response {
        let engine = try service.search.engine()
        let bytes = try await body(of: request)
        let isJSON = request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false
        var query = try SearchQuery(parameters: QueryParameters(request))
        var upload: [UInt8]? = nil
        if isJSON {
            query = try SearchQuery.decode(bytes)
        } else if !bytes.isEmpty {
            upload = bytes
        }
        let (top, filter) = (try query.top(), try query.filter())
        let start = DispatchTime.now()
        if let upload {
            try Self.checkImage(upload)
            if captions {
                return try captionResults(try engine.imageToCaptions(imageData: Data(upload), k: top, filter: filter),
                                          engine: engine, start: start)
            }
            return try imageResults(try engine.imageToImages(imageData: Data(upload), k: top, filter: filter),
                                    engine: engine, start: start)
        }
        guard let id = query.imageId else {
            throw APIError.badRequest("no query image",
                                      hint: "send an image file as the body, or {\"image_id\": ID} as JSON, or ?image_id=ID")
        }
        guard try service.corpus.read({ try $0.browseImages(ids: [id]) })[id] != nil else { throw APIError.unknownImage(id) }
        if captions {
            return try captionResults(try engine.imageToCaptions(imageId: id, k: top, filter: filter), engine: engine,
                                      start: start)
        }
        return try imageResults(try engine.imageToImages(imageId: id, k: top, filter: filter), engine: engine, start: start)
    }

    /// An upload must be an image SkyCorpus decodes: a 415 naming what it is otherwise.
    static func checkImage(_ bytes: [UInt8]) throws {
        guard ImageFormat.sniff(bytes) != nil else {
            let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw APIError(415, "the upload is not a PNG, JPEG, TIFF or BMP image (it starts with \(head))",
                           hint: "send the image file's bytes as the request body")
        }
        do {
            _ = try ImageDecoder().header(of: bytes, name: "upload")
        } catch {
            throw APIError(415, "the upload cannot be decoded: \(error)", hint: "send an undamaged PNG, JPEG, TIFF or BMP file")
        }
    }

    func imageResults(_ hits: [CorpusSearch.Hit], engine: SearchEngine, start: DispatchTime) throws -> Response {
        let images = try service.corpus.read { try $0.browseImages(ids: hits.map(\.imageId)) }
        let results = hits.map { ImageResults.Result(imageId: $0.imageId, path: $0.path, score: $0.score, image: images[$0.imageId]) }
        return JSONResponse.make(ImageResults(model: engine.modelName, index: Self.indexKind(engine), tookMs: Self.millis(since: start),
                                              results: results))
    }

    func captionResults(_ hits: [CaptionHit], engine: SearchEngine, start: DispatchTime) throws -> Response {
        JSONResponse.make(CaptionResults(model: engine.modelName, index: Self.indexKind(engine),
                                         tookMs: Self.millis(since: start), results: hits))
    }

    static func indexKind(_ engine: SearchEngine) -> String { engine.index.isApproximate ? "hnsw" : "exact" }

    static func millis(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }
}
