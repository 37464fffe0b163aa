import Foundation
import SkyImaging
import SkyTestSupport
import Testing

/// The `skycorpus` binary as a user meets it: argument parsing, exit statuses, one-line errors, `--json` shapes.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct CommandLineTests {
    /// A folder with `count` small distinct PNGs under `images/`.
    private func folderWithImages(_ count: Int) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("cli")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("images"),
                                                withIntermediateDirectories: true)
        for index in 0..<count {
            var image = RasterImage(width: 12, height: 10, layout: .rgb)
            for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte &* (index + 5)) }
            try ImageEncoder.write(image, to: folder.path("images/img\(index).png"))
        }
        return folder
    }

    @Test func versionPrintsAndExitsZero() throws {
        let result = try CommandRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: ".").count == 3)
    }

    @Test func anUnknownEnumValueIsAUsageErrorWithTheChoices() throws {
        let result = try CommandRunner.run(["export", "--format", "parquet", "--out", "x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("csv") && result.stderr.contains("webdataset"))
        let source = try CommandRunner.run(["export", "--format", "csv", "--out", "x", "--source", "B2C"])
        #expect(source.status == 64)
        let layout = try CommandRunner.run(["export", "--format", "webdataset", "--out", "x", "--webdataset-layout", "pairs"])
        #expect(layout.status == 64 && layout.stderr.contains("per-image") && layout.stderr.contains("per-caption"))
        let ingest = try CommandRunner.run(["ingest", "/nowhere", "--dataset", "d", "--format", "dotaa"])
        #expect(ingest.status == 64 && ingest.stderr.contains("auto"))
    }

    @Test func aRangeCheckIsAUsageError() throws {
        let result = try CommandRunner.run(["dedup", "--threshold", "65"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("0 to 64"))
    }

    @Test func aDataErrorIsOneLineWithExitOneAndNoUsage() throws {
        let folder = try TemporaryFolder("cli-missing")
        let result = try CommandRunner.run(["stats", "--corpus", folder.path("none.sqlite")])
        #expect(result.status == 1)
        #expect(!result.stderr.contains("USAGE") && !result.stderr.contains("Usage"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("none.sqlite") && result.stderr.contains("--corpus"))
    }

    @Test func nothingToExportIsADataError() throws {
        let folder = try folderWithImages(2)
        let corpus = folder.path("c.sqlite")
        #expect(try CommandRunner.run(["add-images", folder.path("images"), "--dataset", "d", "--corpus", corpus]).status == 0)
        let result = try CommandRunner.run(["export", "--format", "prompts", "--out", folder.path("p.jsonl"), "--corpus", corpus])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing to export") && !result.stderr.contains("USAGE"))
    }

    @Test func anUnknownLayoutNamesTheFlagThatFixesIt() throws {
        let folder = try TemporaryFolder("cli-layout")
        try folder.write("nothing here\n", to: "root/readme.txt")
        let result = try CommandRunner.run(["ingest", folder.path("root"), "--dataset", "d", "--corpus", folder.path("c.sqlite"), "--quiet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot tell the dataset format") && result.stderr.contains("pass --format"))
    }

    @Test func aBadImageSaysWhichFlagSkipsIt() throws {
        let folder = try folderWithImages(2)
        try folder.write("not an image", to: "images/bad.png")
        let corpus = folder.path("c.sqlite")
        let result = try CommandRunner.run(["add-images", folder.path("images"), "--dataset", "d", "--corpus", corpus, "--quiet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.png") && result.stderr.contains("--skip-invalid"))
        let skipped = try CommandRunner.run(["add-images", folder.path("images"), "--dataset", "d", "--corpus", corpus,
                                             "--quiet", "--skip-invalid", "--json"])
        #expect(skipped.status == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Any])
        #expect(summary["added"] as? Int == 2)
        #expect((summary["skipped"] as? [[String: Any]])?.first?["path"] as? String == "bad.png")
    }

    @Test func statsJSONHasItsShape() throws {
        let folder = try folderWithImages(3)
        let corpus = folder.path("c.sqlite")
        #expect(try CommandRunner.run(["add-images", folder.path("images"), "--dataset", "d", "--split", "train",
                                       "--corpus", corpus, "--quiet"]).status == 0)
        let result = try CommandRunner.run(["stats", "--json", "--corpus", corpus])
        #expect(result.status == 0)
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(stats["total_images"] as? Int == 3)
        let datasets = try #require(stats["datasets"] as? [[String: Any]])
        #expect(datasets.first?["name"] as? String == "d")
        #expect((datasets.first?["splits"] as? [String: Int])?["train"] == 3)
        #expect(datasets.first?["unreadable"] as? Int == 0)
        #expect(stats["caption_sources"] is [String: Any] && stats["classes"] is [String: Any])
    }

    @Test func readersDoNotWriteAndOldCorporaAreNotMigratedByThem() throws {
        let folder = try folderWithImages(1)
        let corpus = folder.path("c.sqlite")
        #expect(try CommandRunner.run(["init", "--corpus", corpus]).status == 0)
        let before = try FileManager.default.attributesOfItem(atPath: corpus)[.modificationDate] as? Date
        #expect(try CommandRunner.run(["stats", "--corpus", corpus]).status == 0)
        let after = try FileManager.default.attributesOfItem(atPath: corpus)[.modificationDate] as? Date
        #expect(before == after)
    }
}
