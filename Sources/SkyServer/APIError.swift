import Foundation
import Hummingbird
import SkyCLIP
import SkyGeometry
import SkyImaging
import SkySearch
import SkyStorage

/// A failed request: an HTTP status, what went wrong and what to do. Every error a route throws becomes one of
/// these, answered as `{"error": WHAT, "hint": WHAT TO DO, "status": CODE}`; the server keeps serving.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code (4xx for bad requests, 500 only for faults of the server itself).
    public var status: Int
    /// What went wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(_ status: Int, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(status): \(message)" + (hint.map { " (\($0))" } ?? "") }

    static func badRequest(_ message: String, hint: String? = nil) -> APIError { APIError(400, message, hint: hint) }
    static func notFound(_ message: String, hint: String? = nil) -> APIError { APIError(404, message, hint: hint) }

    /// An unknown image id.
    static func unknownImage(_ id: Int64) -> APIError {
        .notFound("no image with id \(id) in the corpus", hint: "ids come from /api/images or a search result")
    }

    /// The error a library error becomes.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as SearchError:
            let text = error.description
            if case .shapeMismatch = error {
                return APIError(422, text, hint: "serve with the checkpoint the corpus was embedded with (--model)")
            }
            if text.hasPrefix("unknown dataset") {
                return .notFound(text, hint: "/api/datasets lists the datasets")
            }
            if text.contains("has no embedding") {
                return .notFound(text, hint: "run 'skycorpus embed --model CHECKPOINT' to embed new images")
            }
            if text.contains("no caption embeddings") {
                return APIError(409, text, hint: "embed captions, then restart 'skycorpus serve'")
            }
            return .badRequest(text, hint: text.contains("top-k") ? "pass k between \(SearchLimits.topRange.lowerBound) "
                               + "and \(SearchLimits.topRange.upperBound)" : nil)
        case let error as CorpusError:
            switch error {
            case .unknownDataset: return .notFound(error.description, hint: "/api/datasets lists the datasets")
            case .invalidRequest: return .badRequest(error.description)
            case .busy: return APIError(503, error.description, hint: "retry in a moment")
            default: return APIError(500, error.description)
            }
        case let error as ImageError:
            return APIError(415, "not a readable image: \(error)", hint: "send a PNG, JPEG, TIFF or BMP file")
        case let error as CLIPError:
            return APIError(422, error.description, hint: "send a PNG, JPEG, TIFF or BMP file")
        case let error as GeometryError:
            return APIError(422, "cannot draw the overlay: \(error)")
        case let error as DecodingError:
            return .badRequest("malformed JSON: \(Self.describe(error))",
                               hint: "send a JSON object, e.g. {\"text\": \"ships in a harbour\", \"k\": 10}")
        default:
            return APIError(500, "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): "\(context.debugDescription)"
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type)"
        case .valueNotFound(let type, let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type), not null"
        @unknown default: "\(error)"
        }
    }

    /// The JSON response.
    var response: Response {
        struct Body: Encodable {
            var error: String
            var hint: String?
            var status: Int
        }
        return JSONResponse.make(Body(error: message, hint: hint, status: status), status: status)
    }
}

/// Turns every error a route throws into an ``APIError`` JSON response (and unknown routes into a JSON 404).
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return APIError.notFound("no such endpoint: \(request.method) \(request.uri.path)",
                                     hint: "the README's 'Serving' section lists the endpoints").response
        } catch let error as HTTPError {
            return APIError(error.status.code, error.body ?? error.status.reasonPhrase).response
        } catch {
            return APIError.from(error).response
        }
    }
}

/// JSON as the CLI prints it (snake_case keys, sorted), as a response.
enum JSONResponse {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static func make<Value: Encodable>(_ value: Value, status: Int = 200) -> Response {
        let data = (try? encoder().encode(value)) ?? Data("{\"error\":\"cannot encode the response\",\"status\":500}".utf8)
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func bytes(_ bytes: [UInt8], type: String, cache: Bool = true) -> Response {
        var headers: HTTPFields = [.contentType: type]
        if cache { headers[.cacheControl] = "max-age=3600" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A request's query parameters by name (the first value of each; empty values count as absent).
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    init(_ request: Request) {
        for (key, value) in request.uri.queryParameters where values[String(key)] == nil {
            values[String(key)] = String(value)
        }
    }

    subscript(_ key: String) -> String? {
        values[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the parameter was given at all (even empty).
    func has(_ key: String) -> Bool { values[key] != nil }

    /// An integer parameter; a 400 naming it when it is not one.
    func integer(_ key: String) throws -> Int? {
        guard let text = self[key] else { return nil }
        guard let value = Int(text) else { throw APIError.badRequest("\(key) '\(text)' is not an integer") }
        return value
    }
}
