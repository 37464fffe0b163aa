import Foundation
import HummingbirdTesting
import SkyImaging
import SkyPipeline
import SkyServer
import SkyStorage
import SkyTestSupport
import Testing

/// Health, stats, datasets, image lists and records, the image, thumbnail and overlay rendering, duplicate groups,
/// change pairs and the page itself; unknown ids and bad parameters are 4xx JSON errors; no file outside the roots.
@Suite struct BrowseEndpointTests {
    static let fixture = ServerFixture.shared

    /// The first image of a dataset with an object of `className`.
    static func imageId(dataset: String, className: String? = nil) throws -> Int64 {
        let corpus = try Corpus(path: fixture.corpusPath, access: .readOnly)
        let page = try corpus.read { try $0.browseImages(dataset: dataset, split: nil, className: className, offset: 0, limit: 1) }
        return try #require(page.items.first?.id)
    }

    @Test func healthStatsAndDatasets() async throws {
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let health = try HTTP.json(try await client.execute(uri: "/api/health", method: .get))
            let stats = try HTTP.decode(CorpusStats.self, try await client.execute(uri: "/api/stats", method: .get))
            #expect(health["status"] as? String == "ok" && health["images"] as? Int == stats.totalImages)
            let search = try #require(health["search"] as? [String: Any])
            #expect(search["available"] as? Bool == true && search["dimension"] as? Int == 16 && search["index"] as? String == "exact")
            #expect(stats.totalImages > 20 && stats.classes["ship"] != nil)
            let datasets = try HTTP.json(try await client.execute(uri: "/api/datasets", method: .get))["datasets"] as? [[String: Any]]
            #expect(Set(datasets?.compactMap { $0["name"] as? String } ?? [])
                    == ["examples-dota", "examples-loveda", "examples-levir"])
        }
    }

    @Test func imageListsPageAndFilter() async throws {
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let page = try HTTP.decode(BrowsePage<BrowseImage>.self,
                                       try await client.execute(uri: "/api/images?dataset=examples-dota&limit=4&offset=2", method: .get))
            #expect(page.items.count == 4 && page.offset == 2 && page.total >= 9)
            #expect(page.items.allSatisfy { $0.dataset == "examples-dota" })
            let ships = try HTTP.decode(BrowsePage<BrowseImage>.self,
                                        try await client.execute(uri: "/api/images?class=ship&limit=500", method: .get))
            #expect(ships.total > 0 && ships.total < page.total + 100)
            try HTTP.expectError(try await client.execute(uri: "/api/images?limit=0", method: .get), 400, containing: "limit 0")
            try HTTP.expectError(try await client.execute(uri: "/api/images?offset=-3", method: .get), 400, containing: "negative")
            try HTTP.expectError(try await client.execute(uri: "/api/images?dataset=nope", method: .get), 404, containing: "nope")
        }
    }

    @Test func anImageRecordHasObjectsCaptionsMasksAndItsGroup() async throws {
        let ship = try Self.imageId(dataset: "examples-dota", className: "ship")
        let masked = try Self.imageId(dataset: "examples-loveda")
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let answer = try await client.execute(uri: "/api/images/\(ship)", method: .get)
            #expect(answer.status == .ok)
            let record = try HTTP.decode(ImageDetail.self, answer)
            #expect(record.image.id == ship && record.image.dataset == "examples-dota" && record.image.width != nil)
            let object = try #require(record.objects.first { $0.className == "ship" })
            #expect(object.box.count == 4 && (object.polygon?.count ?? 0) >= 4)
            #expect(record.captions.contains { $0.source == .human })
            #expect(record.phash != nil)
            let colours = try #require(try HTTP.json(answer)["class_colours"] as? [String: String])
            #expect(colours["ship"] == OverlayRenderer.hexColour(of: "ship"))
            let segmented = try HTTP.decode(ImageDetail.self, try await client.execute(uri: "/api/images/\(masked)", method: .get))
            #expect(segmented.masks.first?.palette == "loveda" && segmented.objects.allSatisfy { $0.source == .m2b })
            #expect(!segmented.objects.isEmpty && segmented.objects.allSatisfy { $0.box.count == 4 })
            try HTTP.expectError(try await client.execute(uri: "/api/images/424242", method: .get), 404, containing: "424242")
            try HTTP.expectError(try await client.execute(uri: "/api/images/abc", method: .get), 400, containing: "abc")
            try HTTP.expectError(try await client.execute(uri: "/api/nothing/here", method: .get), 404, containing: "no such endpoint")
        }
    }

    @Test func theFileAThumbnailAndARenderingWithOverlays() async throws {
        let ship = try Self.imageId(dataset: "examples-dota", className: "ship")
        let masked = try Self.imageId(dataset: "examples-loveda")
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let file = try await client.execute(uri: "/api/images/\(ship)/file", method: .get)
            let original = try ImageDecoder().decode([UInt8](file.body.readableBytesView), name: "file")
            #expect(file.headers[.contentType] == "image/png")
            let thumbnail = try await client.execute(uri: "/api/images/\(ship)/thumbnail?size=64", method: .get)
            #expect(thumbnail.headers[.contentType] == "image/jpeg")
            let small = try ImageDecoder().decode([UInt8](thumbnail.body.readableBytesView), name: "thumbnail")
            #expect(max(small.width, small.height) == min(64, max(original.width, original.height)))
            let render = { (query: String) in
                let answer = try await client.execute(uri: "/api/images/\(ship)/render?\(query)", method: .get)
                #expect(answer.status == .ok && answer.headers[.contentType] == "image/png")
                return try ImageDecoder().decode([UInt8](answer.body.readableBytesView), name: query)
            }
            let plain = try await render("layers=")
            let boxes = try await render("layers=boxes")
            let otherClass = try await render("layers=boxes&classes=no-such-class")
            #expect(plain.width == original.width && plain.pixels == PillowConvert.rgb(original).pixels)
            #expect(boxes.pixels != plain.pixels && otherClass.pixels == plain.pixels)
            #expect(try await render("layers=polygons").pixels != boxes.pixels)
            let shrunk = try await render("size=32")
            #expect(max(shrunk.width, shrunk.height) == 32)
            let maskPlain = try ImageDecoder().decode([UInt8](try await client.execute(uri: "/api/images/\(masked)/render?layers=",
                                                                                   method: .get).body.readableBytesView), name: "m")
            let maskDrawn = try ImageDecoder().decode([UInt8](try await client.execute(uri: "/api/images/\(masked)/render?layers=mask",
                                                                                   method: .get).body.readableBytesView), name: "m")
            #expect(maskDrawn.pixels != maskPlain.pixels)
            try HTTP.expectError(try await client.execute(uri: "/api/images/\(ship)/render?layers=boxes,heatmap", method: .get),
                                 400, containing: "heatmap", "polygons")
            try HTTP.expectError(try await client.execute(uri: "/api/images/\(ship)/thumbnail?size=5000", method: .get), 400,
                                 containing: "5000")
            try HTTP.expectError(try await client.execute(uri: "/api/images/99999/file", method: .get), 404, containing: "99999")
            try HTTP.expectError(try await client.execute(uri: "/api/images/99999/render", method: .get), 404, containing: "99999")
        }
    }

    @Test func duplicateGroupsAndChangePairs() async throws {
        try await ServerFixture.withClient(try Self.fixture.service()) { client in
            let groups = try HTTP.decode(BrowsePage<DuplicateGroup>.self, try await client.execute(uri: "/api/duplicates", method: .get))
            #expect(groups.total > 0 && groups.items.count == groups.total)
            for group in groups.items {
                #expect(!group.duplicates.isEmpty && group.duplicates.allSatisfy { $0.image.duplicateOf == group.kept.id })
                #expect(group.duplicates.allSatisfy { ($0.hamming ?? 99) <= 2 })
            }
            let pairs = try HTTP.decode(BrowsePage<ChangePairDetail>.self,
                                        try await client.execute(uri: "/api/changes?dataset=examples-levir", method: .get))
            #expect(pairs.total == 4 && pairs.items.allSatisfy { $0.hasMask && $0.before.id != $0.after.id })
            let first = try #require(pairs.items.first)
            let one = try HTTP.decode(ChangePairDetail.self, try await client.execute(uri: "/api/changes/\(first.id)", method: .get))
            #expect(one == first)
            let mask = try await client.execute(uri: "/api/changes/\(first.id)/mask", method: .get)
            let decoded = try ImageDecoder().decode([UInt8](mask.body.readableBytesView), name: "mask")
            #expect(decoded.layout == .gray && Set(decoded.pixels).isSubset(of: [0, 255]) && decoded.width == first.after.width)
            try HTTP.expectError(try await client.execute(uri: "/api/changes/777", method: .get), 404, containing: "777")
            try HTTP.expectError(try await client.execute(uri: "/api/changes/777/mask", method: .get), 404, containing: "777")
            try HTTP.expectError(try await client.execute(uri: "/api/duplicates?limit=100000", method: .get), 400, containing: "limit")
        }
    }

    @Test func thePageAndItsFilesAreServedByNameOnly() async throws {
        try await ServerFixture.withClient(try Self.fixture.service(withModel: false)) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            let html = String(buffer: page.body)
            #expect(html.contains("/static/app.js") && !html.contains("http://") && !html.contains("https://"))
            for name in ["app.js", "style.css"] {
                #expect(try await client.execute(uri: "/static/\(name)", method: .get).status == .ok)
            }
            #expect(try await client.execute(uri: "/static/..%2FPackage.swift", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/static/../../Package.swift", method: .get).status == .notFound)
        }
    }

    @Test func filesOutsideTheDatasetRootsAreNotServed() async throws {
        let folder = try TemporaryFolder("server-outside")
        let root = folder.url.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let secret = folder.path("secret.png")
        try ImageEncoder.write(RasterImage(width: 8, height: 8, layout: .gray, filledWith: 9), to: secret)
        try ImageEncoder.write(RasterImage(width: 8, height: 8, layout: .gray, filledWith: 200), to: root.appendingPathComponent("ok.png").path)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link.png").path, withDestinationPath: secret)
        let corpus = try Corpus(path: folder.path("c.sqlite"), access: .create)
        _ = try ImageRegistration(dataset: "d", folder: root.path).run(in: corpus)
        let ids = try corpus.read { try $0.browseImages(dataset: "d", split: nil, className: nil, offset: 0, limit: 10) }.items
        let link = try #require(ids.first { $0.path == "link.png" }?.id)
        let ok = try #require(ids.first { $0.path == "ok.png" }?.id)
        let service = try CorpusService.load(corpusPath: folder.path("c.sqlite"), model: nil, name: nil)
        try await ServerFixture.withClient(service) { client in
            #expect(try await client.execute(uri: "/api/images/\(ok)/file", method: .get).status == .ok)
            try HTTP.expectError(try await client.execute(uri: "/api/images/\(link)/file", method: .get), 403, containing: "outside")
            try HTTP.expectError(try await client.execute(uri: "/api/images/\(link)/thumbnail", method: .get), 403, containing: "outside")
        }
    }
}
