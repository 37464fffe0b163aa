import Foundation
import SkyBuild
import SkyPipeline
import SkyRecipe
import SkyStorage
import SkyTestSupport
import Testing

/// `skycorpus build`: the same corpus as the steps by hand, idempotent, refusing an edited recipe.
@Suite struct BuildTests {
    /// A folder with the fixture recipe (`recipe.yaml`).
    static func folder(_ label: String, recipe: String = BuildFixture.recipe) throws -> (TemporaryFolder, Recipe, String) {
        let folder = try TemporaryFolder(label)
        let path = try folder.write(recipe, to: "recipe.yaml")
        return (folder, try Recipe.load(path: path), path)
    }

    static func build(_ recipe: Recipe, _ path: String, corpus: String, mode: BuildMode = .whole) throws -> BuildSummary {
        try RecipeBuild(recipe: recipe, recipePath: path, corpusPath: corpus, mode: mode).run()
    }

    @Test func buildEqualsTheStepsRunByHand() throws {
        guard Binary.available else { return }
        let (folder, recipe, path) = try Self.folder("build-vs-hand")
        let built = folder.path("built/corpus.sqlite")
        let summary = try Self.build(recipe, path, corpus: built)
        #expect(summary.ranNow == recipe.stages.count)
        // The same steps as subcommands, as the demo typed them before recipes.
        let hand = folder.path("hand/corpus.sqlite")
        let examples = BuildFixture.examples
        let steps: [[String]] = [
            ["init"],
            ["ingest", examples + "/dota", "--format", "dota", "--dataset", "examples-dota"],
            ["ingest", examples + "/dota", "--format", "captions", "--dataset", "examples-dota"],
            ["ingest", examples + "/seg", "--dataset", "examples-loveda", "--palette", "loveda"],
            ["ingest", examples + "/levir", "--dataset", "examples-levir"],
            ["m2b", "--dataset", "examples-loveda", "--min-area", "20"],
            ["caption", "--seed", "7"],
            ["caption", "--changes", "--seed", "7"],
            ["dedup", "--threshold", "2", "--protect", "examples-dota:test", "--report", folder.path("hand/out/duplicates.csv")],
            ["prompts", "--from-masks", "--dataset", "examples-loveda"],
            ["prompts", "--classes", "building,ship", "--dataset", "examples-dota", "--store"],
            ["export", "--format", "csv", "--out", folder.path("hand/out/train.csv"), "--split", "train"],
            ["export", "--format", "webdataset", "--out", folder.path("hand/out/shards"), "--shard-size", "5"],
            ["export", "--format", "jsonl", "--out", folder.path("hand/out/corpus.jsonl")],
            ["export", "--format", "prompts", "--out", folder.path("hand/out/prompts.jsonl")],
        ]
        try FileManager.default.createDirectory(atPath: folder.path("hand/out"), withIntermediateDirectories: true)
        for step in steps {
            let result = try Binary.run(step + ["--corpus", hand, "--quiet"])
            #expect(result.status == 0, "\(step): \(result.err)")
        }
        let (builtDump, handDump) = (try CorpusDump(path: built), try CorpusDump(path: hand))
        #expect(builtDump == handDump)
        #expect(!builtDump.captions.isEmpty && !builtDump.objects.isEmpty && !builtDump.prompts.isEmpty)
        #expect(try BuildFixture.exports(in: folder.url.appendingPathComponent("built"))
                == BuildFixture.exports(in: folder.url.appendingPathComponent("hand")))
    }

    @Test func aRerunAfterSuccessAddsNothing() throws {
        let (folder, recipe, path) = try Self.folder("rerun")
        let corpus = folder.path("corpus.sqlite")
        let first = try Self.build(recipe, path, corpus: corpus)
        let before = try CorpusDump(path: corpus)
        let second = try Self.build(recipe, path, corpus: corpus)
        #expect(second.ranNow == 0 && second.alreadyDone == recipe.stages.count)
        #expect(try CorpusDump(path: corpus) == before)
        #expect(second.datasets == first.datasets)
        let dota = try #require(first.datasets.first { $0.name == "examples-dota" })
        #expect(dota.images == 9 && dota.captions["human"] == 9 && dota.captions["b2c"] == 45)
        #expect(dota.duplicates == 1 && dota.leaked == 1)
        #expect(first.stages.map(\.name) == recipe.stages.map(\.name))
    }

    @Test func anEditedRecipeIsRefusedBeforeAnythingIsWritten() throws {
        let (folder, recipe, path) = try Self.folder("edited")
        let corpus = folder.path("corpus.sqlite")
        _ = try Self.build(recipe, path, corpus: corpus)
        let before = try CorpusDump(path: corpus)
        let edited = try Recipe.load(path: try folder.write(BuildFixture.recipe.replacingOccurrences(
            of: "caption: {seed: 7}", with: "caption: {seed: 8}"), to: "edited.yaml"))
        #expect {
            try Self.build(edited, folder.path("edited.yaml"), corpus: corpus)
        } throws: { error in
            "\(error)".contains("was built from a different recipe") && "\(error)".contains("edited")
        }
        #expect(try CorpusDump(path: corpus) == before)
    }

    @Test func exportsIntoFoldersThatDoNotExistYet() throws {
        let (folder, recipe, path) = try Self.folder("subfolder")
        _ = try Self.build(recipe, path, corpus: folder.path("deep/er/corpus.sqlite"))
        #expect(FileManager.default.fileExists(atPath: folder.path("deep/er/out/train.csv")))
        #expect(FileManager.default.fileExists(atPath: folder.path("deep/er/out/shards/shard-000000.tar")))
    }
}

/// The stages a recipe gives, and which run where.
@Suite struct BuildPlanTests {
    @Test func stagesFollowTheRecipeAndSplitBetweenShardsAndTheMerge() throws {
        let (_, recipe, _) = try BuildTests.folder("plan")
        #expect(recipe.stages.map(\.name) == [
            "ingest:examples-dota:1", "ingest:examples-dota:2", "ingest:examples-loveda:1", "ingest:examples-levir:1",
            "m2b", "caption", "changes", "hash", "dedup", "prompts:1", "prompts:2",
            "export:1", "export:2", "export:3", "export:4",
        ])
        let shard = recipe.stages(for: .shard(try ImageShard(index: 1, count: 2))).map(\.name)
        let after = recipe.stages(for: .afterMerge).map(\.name)
        #expect(shard.last == "hash" && after.first == "dedup")
        #expect(shard + after == recipe.stages.map(\.name))
    }
}

/// A dataset that fails mid-build, and the command line.
@Suite struct BuildFailureTests {
    @Test func aFailingDatasetIsNamedAndTheRerunContinues() throws {
        let folder = try TemporaryFolder("failing")
        try FileManager.default.copyItem(atPath: BuildFixture.examples + "/dota", toPath: folder.path("dota"))
        let label = folder.path("dota/labelTxt/P9003.txt")
        let good = try String(contentsOfFile: label, encoding: .utf8)
        try (good + "12 13 plane\n").write(toFile: label, atomically: true, encoding: .utf8)
        let recipePath = try folder.write("""
            datasets:
              - {name: seg, path: \(BuildFixture.examples)/seg, palette: loveda}
              - {name: broken, path: \(folder.path("dota")), format: dota}
            steps:
              caption: {seed: 1}
            """, to: "recipe.yaml")
        let recipe = try Recipe.load(path: recipePath)
        let corpus = folder.path("corpus.sqlite")
        let build = RecipeBuild(recipe: recipe, recipePath: recipePath, corpusPath: corpus, mode: .whole)
        #expect {
            try build.run()
        } throws: { error in
            "\(error)".contains("dataset 'broken'") && "\(error)".contains("labelTxt/P9003.txt")
        }
        // The first dataset's stage was committed and recorded; nothing of the broken one was written.
        let after = try Corpus(path: corpus, access: .readOnly)
        #expect(try after.read { try $0.finishedStages() }.keys.sorted() == ["ingest:seg:1"])
        #expect(try CorpusStats.read(from: after).datasets.map(\.name) == ["seg"])
        // Fixed, the re-run continues at the broken dataset.
        try good.write(toFile: label, atomically: true, encoding: .utf8)
        let summary = try build.run()
        #expect(summary.alreadyDone == 1 && summary.ranNow == 2)
        #expect(summary.datasets.map(\.name) == ["broken", "seg"])
    }

    @Test func theCommandLineBuildsShardsMergesAndRefusesBadShards() throws {
        guard Binary.available else { return }
        let folder = try TemporaryFolder("cli-build")
        let recipe = try folder.write(BuildFixture.recipe, to: "recipe.yaml")
        for k in 1...2 {
            let shard = try Binary.run(["build", recipe, "--shard", "\(k)/2", "--out", folder.path("s/\(k).sqlite"), "--quiet"])
            #expect(shard.status == 0, "\(shard.err)")
            #expect(shard.out.contains("build --shard \(k)/2"))
        }
        let merge = try Binary.run(["merge", folder.path("m/corpus.sqlite"), folder.path("s/1.sqlite"), folder.path("s/2.sqlite")])
        #expect(merge.status == 0 && merge.out.contains("merged 2 shards"), "\(merge.err)")
        let after = try Binary.run(["build", recipe, "--corpus", folder.path("m/corpus.sqlite"), "--after-merge", "--json"])
        #expect(after.status == 0, "\(after.err)")
        let json = try JSONSerialization.jsonObject(with: Data(after.out.utf8)) as? [String: Any]
        #expect((json?["stages"] as? [[String: Any]])?.first?["name"] as? String == "dedup")
        #expect((json?["datasets"] as? [[String: Any]])?.count == 3)
        #expect(FileManager.default.fileExists(atPath: folder.path("m/out/train.csv")))
        #expect(try Binary.run(["build", recipe, "--shard", "0/2", "--out", folder.path("x.sqlite")]).status == 64)
        #expect(try Binary.run(["build", recipe, "--shard", "1/2"]).status == 64)
        let foreign = try Binary.run(["merge", folder.path("m2.sqlite"), folder.path("s/1.sqlite"), folder.path("m/corpus.sqlite")])
        #expect(foreign.status == 1 && foreign.err.contains("is not a shard"))
        let badRecipe = try folder.write("datasets:\n  - {name: d, path: /nowhere}\n", to: "bad.yaml")
        let bad = try Binary.run(["build", badRecipe, "--corpus", folder.path("bad.sqlite")])
        #expect(bad.status == 1 && bad.err.contains("bad.yaml:2: datasets[0].path: no such dataset"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("bad.sqlite")))
    }
}
