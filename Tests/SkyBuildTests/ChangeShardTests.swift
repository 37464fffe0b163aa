import Foundation
import SkyBuild
import SkyPipeline
import SkyRecipe
import SkyTestSupport
import Testing

/// A change dataset built in shards: each pair goes to one shard with both its images (its key is the pair, the
/// shard of its after image), so shards of a change dataset merge into the unsharded build.
@Suite struct ChangeShardTests {
    static let pairs = (1...12).map { "p" + String(format: "%02d", $0) }

    /// LEVIR-CD's layout (`A/`, `B/`, `label/`) of 12 pairs, copied from the examples' four, and a recipe over it.
    static func changeFolder(_ label: String) throws -> (TemporaryFolder, Recipe, String) {
        let folder = try TemporaryFolder(label)
        let examples = BuildFixture.examples + "/levir"
        for sub in ["A", "B", "label"] {
            try FileManager.default.createDirectory(atPath: folder.path("cd/\(sub)"), withIntermediateDirectories: true)
            for (index, pair) in pairs.enumerated() {
                try FileManager.default.copyItem(atPath: "\(examples)/\(sub)/train_\(index % 4 + 1).png",
                                                 toPath: folder.path("cd/\(sub)/\(pair).png"))
            }
        }
        let recipe = """
            datasets:
              - {name: levir-cd, path: cd, format: change}
            steps:
              changes: {seed: 3}
              dedup: {threshold: 2, report: out/duplicates.csv}
            exports:
              - {format: jsonl, out: out/corpus.jsonl}
              - {format: csv, out: out/all.csv}
            """
        let path = try folder.write(recipe, to: "recipe.yaml")
        return (folder, try Recipe.load(path: path), path)
    }

    @Test func shardedChangeDatasetMergesIntoTheUnshardedBuild() throws {
        // Pairs whose two images would land in different shards if each image were keyed alone.
        let split = Self.pairs.filter {
            ImageShard.of(dataset: "levir-cd", path: "A/\($0).png", count: 3)
                != ImageShard.of(dataset: "levir-cd", path: "B/\($0).png", count: 3)
        }
        #expect(split.count >= 4)
        let (folder, recipe, path) = try Self.changeFolder("change-shards")
        let whole = folder.path("whole/corpus.sqlite")
        let summary = try BuildTests.build(recipe, path, corpus: whole)
        #expect(summary.datasets.first?.changePairs == 12 && summary.datasets.first?.images == 24)
        var shardPairs: [Int] = []
        for index in 1...3 {
            let shard = folder.path("shards-3/\(index).sqlite")
            let built = try BuildTests.build(recipe, path, corpus: shard, mode: .shard(try ImageShard(index: index, count: 3)))
            shardPairs.append(built.datasets.first?.changePairs ?? 0)
            // Each shard holds both images of each of its pairs, and nothing else.
            #expect(built.datasets.first.map { $0.images == 2 * $0.changePairs } ?? true)
        }
        #expect(shardPairs.reduce(0, +) == 12 && shardPairs.allSatisfy { $0 > 0 })
        let merged = folder.path("merged-3/corpus.sqlite")
        #expect(try ShardMerge(outPath: merged, shardPaths: (1...3).map { folder.path("shards-3/\($0).sqlite") }).run()
                .idsAsUnsharded)
        _ = try BuildTests.build(recipe, path, corpus: merged, mode: .afterMerge)
        let (wholeDump, mergedDump) = (try CorpusDump(path: whole), try CorpusDump(path: merged))
        #expect(mergedDump == wholeDump)
        #expect(mergedDump.pairs.count == 12)
        for name in ["out/corpus.jsonl", "out/all.csv", "out/duplicates.csv"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("merged-3/" + name)))
                    == Data(contentsOf: URL(fileURLWithPath: folder.path("whole/" + name))), "\(name)")
        }
    }
}
