import Foundation
import SkyTestSupport
import Testing

/// Every CLIP command of `skycorpus` run on the tiny checkpoint with CLIP's full vocabulary
/// (`Scripts/make_tiny_checkpoint.py`, committed under `Tests/SkyCLIPTests/Fixtures/tiny/`): real captions, an
/// image, zero-shot over files and class folders, ChangeCLIP prompt files to --out, embed and search.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct TinyCheckpointCLITests {
    static let model = TestPaths.tinyCheckpoint
    static let images = (0...3).map { TestPaths.package("Examples/dota/images/P900\($0).png").path }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func encodeTextsAndImages() throws {
        let texts = try CommandRunner.run(["encode", "--model", Self.model, "--json", "--text",
                                           "many planes are parked near a terminal",
                                           "--text", "Zeppelin-shaped storage tanks near an estuary."])
        #expect(texts.status == 0, "\(texts.stderr)")
        let textResult = try Self.json(texts.stdout)
        #expect(textResult["dimension"] as? Int == 16)
        #expect((textResult["items"] as? [[String: Any]])?.count == 2)
        let images = try CommandRunner.run(["encode", "--model", Self.model, "--json", "--image", Self.images[0],
                                            "--image", Self.images[1]])
        #expect(images.status == 0, "\(images.stderr)")
        let embeddings = try #require((try Self.json(images.stdout)["items"] as? [[String: Any]])?.compactMap { $0["embedding"] as? [Double] })
        #expect(embeddings.count == 2 && embeddings.allSatisfy { abs($0.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4 })
    }

    @Test func zeroShotOnFilesAndClassFolders() throws {
        let files = try CommandRunner.run(["zero-shot", "--model", Self.model, "--classes", "airport,water,agricultural",
                                           "--templates", "clip-imagenet-80", "--json"] + Self.images.prefix(2))
        #expect(files.status == 0, "\(files.stderr)")
        let folder = try TemporaryFolder("tiny-zero-shot")
        for (index, image) in Self.images.enumerated() {
            let classFolder = folder.url.appendingPathComponent(index < 2 ? "harbor" : "storage_tank")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: image, toPath: classFolder.appendingPathComponent("\(index).png").path)
        }
        let accuracy = try CommandRunner.run(["zero-shot", "--model", Self.model, "--folder", folder.path(""), "--json"])
        #expect(accuracy.status == 0, "\(accuracy.stderr)")
        #expect(accuracy.stdout.contains("top1") || accuracy.stdout.lowercased().contains("accuracy"))
    }

    @Test func changeCLIPPromptsGoToOut() throws {
        let folder = try TemporaryFolder("tiny-changeclip")
        for time in ["A", "B"] {
            let timeFolder = folder.url.appendingPathComponent("data/test/\(time)")
            try FileManager.default.createDirectory(at: timeFolder, withIntermediateDirectories: true)
            for (index, image) in Self.images.prefix(2).enumerated() {
                try FileManager.default.copyItem(atPath: image, toPath: timeFolder.appendingPathComponent("\(index).png").path)
            }
        }
        let result = try CommandRunner.run(["changeclip-prompts", folder.path("data"), "--model", Self.model,
                                            "--out", folder.path("prompts"), "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("prompts/test/A_clipcls_56_vit16.json")))
        #expect(FileManager.default.fileExists(atPath: folder.path("prompts/test/B_clipcls_56_vit16.json")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("data/test/A_clipcls_56_vit16.json")))
        let oneFile = try CommandRunner.run(["changeclip-prompts", folder.path("data"), "--model", Self.model,
                                             "--out", folder.path("one.json"), "--quiet"])
        #expect(oneFile.status == 1 && oneFile.stderr.contains("--out") && oneFile.stderr.contains("one.json"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("one.json")))
    }

    @Test func embedAndSearchACorpus() throws {
        let folder = try TemporaryFolder("tiny-embed")
        let corpus = folder.path("corpus.sqlite")
        let imageFolder = folder.url.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: imageFolder, withIntermediateDirectories: true)
        for (index, image) in Self.images.enumerated() {
            try FileManager.default.copyItem(atPath: image, toPath: imageFolder.appendingPathComponent("\(index).png").path)
        }
        #expect(try CommandRunner.run(["init", "--corpus", corpus, "--quiet"]).status == 0)
        let add = try CommandRunner.run(["add-images", imageFolder.path, "--dataset", "tiny", "--corpus", corpus, "--quiet"])
        #expect(add.status == 0, "\(add.stderr)")
        let embed = try CommandRunner.run(["embed", "--model", Self.model, "--corpus", corpus, "--json", "--quiet"])
        #expect(embed.status == 0, "\(embed.stderr)")
        #expect(embed.stdout.contains("\"images\" : 4") || embed.stdout.contains("\"images\":4"))
        let search = try CommandRunner.run(["search", "many planes parked at an airport", "--model", Self.model,
                                            "--corpus", corpus, "--top", "2", "--json"])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stdout.contains("png"))
    }
}
