import Foundation
import SkyTestSupport
import Testing

/// `evaluate --task ...` and `counting-set` through the binary, on the tiny checkpoint and the example DOTA tiles.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct EvaluateCommandTests {
    static let model = TinyCheckpointCLITests.model

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func everyClassificationTaskRunsAndIsSaved() throws {
        let folder = try TemporaryFolder("cli-evaluate")
        for index in 0..<9 {
            let classFolder = folder.url.appendingPathComponent("scenes/\(["harbor", "parkinglot", "storagetanks"][index % 3])")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestPaths.package("Examples/dota/images/P900\(index).png").path,
                                             toPath: classFolder.appendingPathComponent("\(index).png").path)
        }
        let corpus = folder.path("corpus.sqlite")
        #expect(try CommandRunner.run(["ingest", folder.path("scenes"), "--dataset", "scenes", "--corpus", corpus, "--quiet"]).status == 0)
        let before = try CommandRunner.run(["evaluate", "--task", "knn", "--model", Self.model, "--dataset", "scenes", "--corpus", corpus])
        #expect(before.status == 1 && before.stderr.contains("no embeddings for model"), "\(before.stderr)")
        #expect(try CommandRunner.run(["embed", "--model", Self.model, "--what", "images", "--corpus", corpus, "--quiet"]).status == 0)
        for (task, metric) in [("zero-shot", "top-1"), ("linear-probe", "accuracy"), ("knn", "accuracy"), ("few-shot", "2-shot")] {
            let result = try CommandRunner.run(["evaluate", "--task", task, "--model", Self.model, "--dataset", "scenes",
                                                "--shots", "1,2", "--k", "3", "--corpus", corpus, "--json"])
            #expect(result.status == 0, "\(task): \(result.stderr)")
            let report = try Self.json(result.stdout)
            let value = try #require((report["metrics"] as? [String: Double])?[metric], "\(task): \(result.stdout)")
            #expect(value >= 0 && value <= 100 && report["id"] as? Int != nil && report["date"] as? String != nil)
        }
        let table = try CommandRunner.run(["evaluate", "--task", "linear-probe", "--model", Self.model, "--dataset", "scenes",
                                           "--corpus", corpus])
        // The same linear-probe evaluation as the second run above: its saved result is replaced (id 2), not added.
        #expect(table.status == 0 && table.stdout.contains("accuracy") && table.stdout.contains("saved as evaluation 2"), "\(table.stdout)")
        let bad = try CommandRunner.run(["evaluate", "--task", "few-shot", "--shots", "0,x", "--model", Self.model, "--dataset", "scenes",
                                         "--corpus", corpus])
        #expect(bad.status == 64 && bad.stderr.contains("--shots"))
        // Tasks over stored vectors need only the model's name; the same numbers as with the checkpoint.
        let name = URL(fileURLWithPath: Self.model).lastPathComponent
        for task in ["linear-probe", "knn"] {
            let withModel = try CommandRunner.run(["evaluate", "--task", task, "--model", Self.model, "--dataset", "scenes",
                                                   "--corpus", corpus, "--json"])
            let byName = try CommandRunner.run(["evaluate", "--task", task, "--name", name, "--dataset", "scenes",
                                                "--corpus", corpus, "--json"])
            #expect(byName.status == 0, "\(task): \(byName.stderr)")
            #expect((try Self.json(byName.stdout)["metrics"] as? [String: Double]) == (try Self.json(withModel.stdout)["metrics"] as? [String: Double]))
        }
        let zeroShotByName = try CommandRunner.run(["evaluate", "--task", "zero-shot", "--name", name, "--dataset", "scenes", "--corpus", corpus])
        #expect(zeroShotByName.status == 64 && zeroShotByName.stderr.contains("pass --model"), "\(zeroShotByName.stderr)")
        let neither = try CommandRunner.run(["evaluate", "--task", "knn", "--dataset", "scenes", "--corpus", corpus])
        #expect(neither.status == 64 && neither.stderr.contains("--name"), "\(neither.stderr)")
    }

    @Test func countingSetThenCountingEvaluation() throws {
        let folder = try TemporaryFolder("cli-counting")
        let corpus = folder.path("corpus.sqlite")
        #expect(try CommandRunner.run(["ingest", TestPaths.package("Examples/dota").path, "--dataset", "dota", "--corpus", corpus,
                                       "--quiet"]).status == 0)
        let set = try CommandRunner.run(["counting-set", "--dataset", "dota", "--out", folder.path("count.jsonl"), "--corpus", corpus, "--json"])
        #expect(set.status == 0, "\(set.stderr)")
        let summary = try Self.json(set.stdout)
        let images = try #require(summary["images"] as? Int)
        let lines = try String(contentsOfFile: folder.path("count.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(images > 0 && lines.count == images)
        #expect(try CommandRunner.run(["embed", "--model", Self.model, "--what", "images", "--corpus", corpus, "--quiet"]).status == 0)
        let result = try CommandRunner.run(["evaluate", "--task", "counting", "--model", Self.model, "--dataset", "dota",
                                            "--corpus", corpus, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.json(result.stdout)
        let confusion = try #require(report["confusion"] as? [[Int]])
        #expect(confusion.count == 10 && confusion.flatMap { $0 }.reduce(0, +) == images)
        let metrics = try #require(report["metrics"] as? [String: Double])
        let diagonal = (0..<10).map { confusion[$0][$0] }.reduce(0, +)
        #expect(abs((metrics["top-1"] ?? -1) - Double(diagonal) / Double(images) * 100) < 1e-9)
        #expect((metrics["top-2"] ?? -1) >= (metrics["top-1"] ?? 0))
        let table = try CommandRunner.run(["evaluate", "--task", "counting", "--model", Self.model, "--dataset", "dota", "--corpus", corpus])
        #expect(table.stdout.contains("confusion (rows: true count"))
        let noBoxes = try CommandRunner.run(["counting-set", "--dataset", "nothing", "--out", folder.path("x.jsonl"), "--corpus", corpus])
        #expect(noBoxes.status == 1 && noBoxes.stderr.contains("'nothing'"))
    }
}
