import Foundation
import Hummingbird

/// The web page: `Web/` of the module's resources (HTML, CSS, JS; no external files), loaded once at start and
/// served by name only, so no request names a file on disk.
enum WebRoutes {
    /// File name -> (content type, bytes).
    static let files: [String: (type: String, bytes: [UInt8])] = {
        guard let folder = Bundle.module.url(forResource: "Web", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var files: [String: (String, [UInt8])] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            let type = switch URL(fileURLWithPath: name).pathExtension {
            case "html": "text/html; charset=utf-8"
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
            files[name] = (type, [UInt8](data))
        }
        return files
    }()

    static func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try page("index.html") }
        router.get("/static/:name") { _, context in try page(context.parameters.get("name") ?? "") }
    }

    static func page(_ name: String) throws -> Response {
        guard let file = files[name] else {
            throw APIError.notFound("no page file '\(name)'", hint: "open / for the search page")
        }
        return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
