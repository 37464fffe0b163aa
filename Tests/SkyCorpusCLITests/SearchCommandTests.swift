import Foundation
import SkyTestSupport
import Testing

/// `search` with a text, an image file or a corpus image, `--captions`, filters, and `index build`: on the examples'
/// DOTA images with their human captions, embedded by the tiny checkpoint.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct SearchCommandTests {
    static let model = TinyCheckpointCLITests.model

    struct Hit: Decodable { var imageId: Int64; var path: String; var score: Float }
    struct CaptionHit: Decodable { var captionId: Int64; var imageId: Int64; var text: String; var source: String; var score: Float }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(text.utf8))
    }

    /// An embedded corpus of the examples' DOTA images and captions.
    static func embeddedCorpus(_ folder: TemporaryFolder) throws -> String {
        let corpus = folder.path("corpus.sqlite")
        let examples = TestPaths.package("Examples/dota").path
        for arguments in [["init"], ["ingest", examples, "--format", "dota", "--dataset", "dota"],
                          ["ingest", examples, "--format", "captions", "--dataset", "dota"],
                          ["embed", "--model", model, "--what", "images,captions"]] {
            let result = try CommandRunner.run(arguments + ["--corpus", corpus, "--quiet"])
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
        }
        return corpus
    }

    @Test func imageQueriesAndCaptionsAndTheSavedIndex() throws {
        let folder = try TemporaryFolder("search-cli")
        let corpus = try Self.embeddedCorpus(folder)
        let base = ["--model", Self.model, "--corpus", corpus, "--json"]
        let text = try CommandRunner.run(["search", "planes parked at an airport", "--top", "3"] + base)
        #expect(text.status == 0, "\(text.stderr)")
        let textHits = try Self.decode([Hit].self, text.stdout)
        #expect(textHits.count == 3)
        // An image file of the corpus finds itself first, at cosine 1.
        let file = try CommandRunner.run(["search", "--image", textHits[1].path, "--top", "3"] + base)
        #expect(file.status == 0, "\(file.stderr)")
        let fileHits = try Self.decode([Hit].self, file.stdout)
        #expect(fileHits.first?.imageId == textHits[1].imageId && abs((fileHits.first?.score ?? 0) - 1) < 1e-4)
        // A corpus image by id leaves itself out.
        let byId = try CommandRunner.run(["search", "--image-id", String(textHits[1].imageId), "--top", "2"] + base)
        #expect(byId.status == 0, "\(byId.stderr)")
        let byIdHits = try Self.decode([Hit].self, byId.stdout)
        #expect(byIdHits.count == 2 && !byIdHits.contains { $0.imageId == textHits[1].imageId })
        #expect(byIdHits.map(\.imageId) == Array(fileHits.dropFirst().prefix(2).map(\.imageId)))
        // Captions closest to an image: stored human captions, best first.
        let captions = try CommandRunner.run(["search", "--image-id", String(textHits[0].imageId), "--captions",
                                              "--source", "human", "--top", "4"] + base)
        #expect(captions.status == 0, "\(captions.stderr)")
        let captionHits = try Self.decode([CaptionHit].self, captions.stdout)
        #expect(captionHits.count == 4 && captionHits.allSatisfy { $0.source == "human" })
        #expect(captionHits.map(\.score) == captionHits.map(\.score).sorted(by: >))
        // The saved HNSW index answers as exact search does, and is used without --exact.
        let build = try CommandRunner.run(["index", "build", "--model", Self.model, "--corpus", corpus])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(FileManager.default.fileExists(atPath: corpus + ".index/tiny-clip-vocab49408.safetensors.images.hnsw"))
        let indexed = try CommandRunner.run(["search", "planes parked at an airport", "--top", "3"] + base)
        let exact = try CommandRunner.run(["search", "planes parked at an airport", "--top", "3", "--exact"] + base)
        #expect(indexed.status == 0 && exact.status == 0, "\(indexed.stderr) \(exact.stderr)")
        #expect(try Self.decode([Hit].self, indexed.stdout).map(\.imageId) == textHits.map(\.imageId))
        #expect(try Self.decode([Hit].self, exact.stdout).map(\.imageId) == textHits.map(\.imageId))
    }

    @Test func badSearchesAreClearErrors() throws {
        let folder = try TemporaryFolder("search-cli-bad")
        let corpus = try Self.embeddedCorpus(folder)
        let base = ["--model", Self.model, "--corpus", corpus]
        // Two queries, none, --top out of range, --captions with a text: usage errors (64).
        for arguments in [["search", "a", "--image-id", "1"], ["search"], ["search", "a", "--top", "0"],
                          ["search", "a", "--captions"]] {
            let result = try CommandRunner.run(arguments + base)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
        // A file that is not an image, an unknown image id, an unknown dataset: one line naming it, status 1.
        let notImage = try folder.write("not an image", to: "note.png")
        for (arguments, expected) in [(["search", "--image", notImage], "note.png"),
                                      (["search", "--image-id", "987654"], "image 987654"),
                                      (["search", "x", "--dataset", "nope"], "unknown dataset 'nope'")] {
            let result = try CommandRunner.run(arguments + base)
            #expect(result.status == 1 && result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func dedupByEmbeddingUsesTheStoredVectors() throws {
        let folder = try TemporaryFolder("dedup-embedding-cli")
        let corpus = try Self.embeddedCorpus(folder)
        // A copy of an image, embedded too: cosine 1 with its original, found by embeddings.
        let examples = TestPaths.package("Examples/dota/images").path
        let extra = folder.url.appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: examples + "/P9000.png", toPath: extra.appendingPathComponent("copy.png").path)
        for arguments in [["add-images", extra.path, "--dataset", "extra"], ["embed", "--model", Self.model, "--what", "images"]] {
            let result = try CommandRunner.run(arguments + ["--corpus", corpus, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let report = folder.path("dups.csv")
        let dedup = try CommandRunner.run(["dedup", "--by", "embedding", "--min-cosine", "0.9999", "--report", report,
                                           "--corpus", corpus, "--json", "--quiet"])
        #expect(dedup.status == 0, "\(dedup.stderr)")
        #expect(dedup.stdout.contains("\"criterion\" : \"embedding\""))
        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.hasSuffix(",cosine") == true)
        #expect(lines.contains { $0.contains("P9000.png") && $0.contains("copy.png") })
        // Out-of-range cosine: usage error; no model registered under the name: one line naming it.
        #expect(try CommandRunner.run(["dedup", "--by", "embedding", "--min-cosine", "1.5", "--corpus", corpus]).status == 64)
        let unknown = try CommandRunner.run(["dedup", "--by", "embedding", "--name", "nope", "--corpus", corpus])
        #expect(unknown.status == 1 && unknown.stderr.contains("'nope'"), "\(unknown.stderr)")
    }
}
