import Foundation
import SkyBuild
import SkyRecipe
import SkyTestSupport
import Testing

/// `skybench generate` at a small size builds: every dataset in the format it is distributed in, splits with no
/// images included (40 images leave VisDrone's val split empty).
@Suite struct GeneratedSetTests {
    static let skybench = Binary.url.deletingLastPathComponent().appendingPathComponent("skybench")

    @Test func fortyGeneratedImagesBuild() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.skybench.path) else { return }
        let folder = try TemporaryFolder("generated-40")
        let process = Process()
        process.executableURL = Self.skybench
        process.arguments = ["generate", "--out", folder.path("data"), "--images", "40", "--seed", "1", "--threads", "2"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // VisDrone-DET as distributed: per-split folders of images/ and annotations/*.txt, comma-separated boxes.
        let visdrone = folder.path("data/visdrone")
        let train = try FileManager.default.contentsOfDirectory(atPath: visdrone + "/VisDrone2019-DET-train/annotations")
        #expect(!train.isEmpty && train.allSatisfy { $0.hasSuffix(".txt") })
        let line = try String(contentsOfFile: visdrone + "/VisDrone2019-DET-train/annotations/" + train[0], encoding: .utf8)
            .split(separator: "\n").first ?? ""
        #expect(line.split(separator: ",").count == 8)
        #expect(try FileManager.default.contentsOfDirectory(atPath: visdrone + "/VisDrone2019-DET-val/images").isEmpty)
        let recipePath = folder.path("data/recipe.yaml")
        #expect(try String(contentsOfFile: recipePath, encoding: .utf8).contains("{name: visdrone, path: visdrone, format: visdrone}"))
        let summary = try BuildTests.build(try Recipe.load(path: recipePath), recipePath, corpus: folder.path("out/corpus.sqlite"))
        let built = summary.datasets.first { $0.name == "visdrone" }
        #expect((built?.images ?? 0) > 0 && (built?.objects ?? 0) > 0)
        #expect(summary.datasets.count == 18)
    }
}
