import Foundation
import Hummingbird
import SkyGeometry
import SkyImaging
import SkyStorage

/// Reads the files the corpus names, and only those under their dataset's roots: requests carry ids, never paths,
/// and a stored path that resolves (symbolic links followed) outside every root of its dataset is refused.
enum FileGuard {
    /// The resolved path of `file`, checked to lie under one of its roots and to exist.
    static func resolve(_ file: StoredFile, what: String) throws -> String {
        let resolved = URL(fileURLWithPath: file.path).standardizedFileURL.resolvingSymlinksInPath().path
        let inside = file.roots.contains { root in
            let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            return resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
        guard inside else {
            throw APIError(403, "the file of \(what) lies outside its dataset's roots and is not served",
                           hint: "register the file under a dataset root ('skycorpus add-images')")
        }
        guard FileManager.default.fileExists(atPath: resolved) else {
            throw APIError.notFound("the file of \(what) is missing on disk (\(file.path))",
                                    hint: "restore the file, or re-register the dataset")
        }
        return resolved
    }

    /// The bytes of `file` (see ``resolve(_:what:)``).
    static func read(_ file: StoredFile, what: String) throws -> [UInt8] {
        try FileBytes.read(try resolve(file, what: what))
    }
}

/// The image file, a thumbnail, a rendering with overlays, and a change pair's mask.
struct ImageRoutes {
    let service: CorpusService

    /// Thumbnail sides one may ask for, and the default.
    static let thumbnailRange = 16...1024
    static let defaultThumbnail = 256

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/images/:id/file") { _, context in
            let id = try BrowseRoutes.id(context)
            let bytes = try FileGuard.read(try imageFile(id), what: "image \(id)")
            return JSONResponse.bytes(bytes, type: Self.contentType(bytes))
        }
        router.get("/api/images/:id/thumbnail") { request, context in
            let id = try BrowseRoutes.id(context)
            let side = try QueryParameters(request).integer("size") ?? Self.defaultThumbnail
            guard Self.thumbnailRange.contains(side) else {
                throw APIError.badRequest("size \(side) is out of range",
                                          hint: "give \(Self.thumbnailRange.lowerBound) to \(Self.thumbnailRange.upperBound)")
            }
            let bytes = try service.thumbnail(key: "\(id)/\(side)") {
                let image = try decode(try imageFile(id), id: id)
                let scale = min(1, Double(side) / Double(max(image.width, image.height, 1)))
                let small = PillowResample.resize(PillowConvert.rgb(image), width: max(1, Int(Double(image.width) * scale)),
                                                  height: max(1, Int(Double(image.height) * scale)), filter: .bilinear)
                return try ImageEncoder.jpeg(small, quality: 85)
            }
            return JSONResponse.bytes(bytes, type: "image/jpeg")
        }
        router.get("/api/images/:id/render") { request, context in
            let id = try BrowseRoutes.id(context)
            let renderer = try Self.renderer(QueryParameters(request))
            let (objects, maskFiles) = try service.corpus.read { transaction in
                (try transaction.imageDetail(id: id)?.objects, try transaction.maskFiles(image: id))
            }
            guard let objects else { throw APIError.unknownImage(id) }
            let image = try decode(try imageFile(id), id: id)
            var masks: [(mask: LabelMask, palette: Palette)] = []
            if renderer.layers.contains(.mask) {
                for (file, paletteName) in maskFiles {
                    let palette = try Palette.named(paletteName)
                    masks.append((try LabelMask.load(path: try FileGuard.resolve(file, what: "a mask of image \(id)"),
                                                     palette: palette, unknownColours: .mapTo(palette.unusedIndex)), palette))
                }
            }
            return JSONResponse.bytes(try ImageEncoder.png(renderer.render(image, objects: objects, masks: masks), compressionLevel: 3),
                                      type: "image/png", cache: false)
        }
        router.get("/api/changes/:id/mask") { _, context in
            let id = try BrowseRoutes.id(context)
            let file = try service.corpus.read { transaction -> StoredFile? in
                guard try transaction.changePair(id: id) != nil else { throw BrowseRoutes.unknownPair(id) }
                return try transaction.changeMaskFile(pair: id)
            }
            guard let file else {
                throw APIError.notFound("change pair \(id) has no change mask", hint: "its dataset was ingested without labels")
            }
            let mask = try LabelMask.binaryChange(path: try FileGuard.resolve(file, what: "the mask of change pair \(id)"))
            let gray = RasterImage(width: mask.width, height: mask.height, layout: .gray,
                                   pixels: mask.values.map { $0 > 0 ? 255 : 0 })
            return JSONResponse.bytes(try ImageEncoder.png(gray), type: "image/png")
        }
    }

    func imageFile(_ id: Int64) throws -> StoredFile {
        guard let file = try service.corpus.read({ try $0.imageFile(id: id) }) else { throw APIError.unknownImage(id) }
        return file
    }

    func decode(_ file: StoredFile, id: Int64) throws -> RasterImage {
        let bytes = try FileGuard.read(file, what: "image \(id)")
        do {
            return try ImageDecoder().decode(bytes, name: file.path)
        } catch {
            throw APIError(422, "image \(id) cannot be decoded: \(error)", hint: "the file on disk is damaged or not an image")
        }
    }

    /// `layers=boxes,polygons,mask` (default all), `classes=a,b` (default all), `size=N` (longest side).
    static func renderer(_ parameters: QueryParameters) throws -> OverlayRenderer {
        var renderer = OverlayRenderer()
        if parameters.has("layers") {
            let text = parameters["layers"] ?? ""
            renderer.layers = []
            for word in text.split(separator: ",") {
                guard let layer = OverlayLayer(rawValue: String(word)) else {
                    throw APIError.badRequest("unknown layer '\(word)'",
                                              hint: "give a comma-separated list of " + OverlayLayer.allCases.map(\.rawValue).joined(separator: ", "))
                }
                renderer.layers.insert(layer)
            }
        }
        if parameters.has("classes") {
            let text = parameters["classes"] ?? ""
            renderer.classes = Set(text.split(separator: ",").map(String.init))
        }
        if let side = try parameters.integer("size") {
            guard OverlayRenderer.sideRange.contains(side) else {
                throw APIError.badRequest("size \(side) is out of range",
                                          hint: "give \(OverlayRenderer.sideRange.lowerBound) to \(OverlayRenderer.sideRange.upperBound)")
            }
            renderer.maxSide = side
        }
        return renderer
    }

    static func contentType(_ bytes: [UInt8]) -> String {
        switch ImageFormat.sniff(bytes) {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .tiff: "image/tiff"
        case .bmp: "image/bmp"
        default: "application/octet-stream"
        }
    }
}
