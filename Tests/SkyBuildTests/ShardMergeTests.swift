import Foundation
import SkyBuild
import SkyPipeline
import SkyRecipe
import SkyStorage
import SkyTestSupport
import Testing

/// `build --shard K/N` + `merge` + `build --after-merge` equals the unsharded build; merges refuse what does not fit.
@Suite struct ShardMergeTests {
    /// Builds every shard of N, merges them into `merged/corpus.sqlite`, runs the stages after the merge.
    static func shardedBuild(_ count: Int, folder: TemporaryFolder, recipe: Recipe, path: String) throws -> String {
        var shards: [String] = []
        for index in 1...count {
            let shard = folder.path("shards-\(count)/\(index).sqlite")
            _ = try BuildTests.build(recipe, path, corpus: shard, mode: .shard(try ImageShard(index: index, count: count)))
            shards.append(shard)
        }
        let merged = folder.path("merged-\(count)/corpus.sqlite")
        let summary = try ShardMerge(outPath: merged, shardPaths: shards).run()
        #expect(summary.idsAsUnsharded)
        _ = try BuildTests.build(recipe, path, corpus: merged, mode: .afterMerge)
        return merged
    }

    @Test(arguments: [1, 3, 7])
    func shardsMergedEqualTheUnshardedBuild(count: Int) throws {
        let (folder, recipe, path) = try BuildTests.folder("shards-\(count)")
        let whole = folder.path("whole/corpus.sqlite")
        _ = try BuildTests.build(recipe, path, corpus: whole)
        let merged = try Self.shardedBuild(count, folder: folder, recipe: recipe, path: path)
        let (wholeDump, mergedDump) = (try CorpusDump(path: whole), try CorpusDump(path: merged))
        #expect(mergedDump.images == wholeDump.images)
        #expect(mergedDump.imageIDs == wholeDump.imageIDs)
        #expect(mergedDump.objects == wholeDump.objects)
        #expect(mergedDump.captions == wholeDump.captions)
        #expect(mergedDump.pairs == wholeDump.pairs)
        #expect(mergedDump.prompts == wholeDump.prompts)
        #expect(try BuildFixture.exports(in: folder.url.appendingPathComponent("merged-\(count)"))
                == BuildFixture.exports(in: folder.url.appendingPathComponent("whole")))
    }

    @Test func shardsAreDisjointAndCoverEveryImage() throws {
        let count = 5
        var seen: [Int: Int] = [:]
        for number in 0..<1000 {
            let shard = ImageShard.of(dataset: "DOTA", path: "images/P\(number).png", count: count)
            #expect((1...count).contains(shard))
            seen[shard, default: 0] += 1
            #expect(try ImageShard(index: shard, count: count).contains(dataset: "DOTA", path: "images/P\(number).png"))
        }
        #expect(seen.count == count && seen.values.allSatisfy { $0 > 120 })
        // The key is SHA-256 of the dataset, NUL and the path: stable across machines and runs.
        #expect(ImageShard.of(dataset: "a", path: "b", count: 1_000_003) == ImageShard.of(dataset: "a", path: "b", count: 1_000_003))
        #expect(throws: PipelineError.self) { try ImageShard(parsing: "0/3") }
        #expect(throws: PipelineError.self) { try ImageShard(parsing: "4/3") }
        #expect(throws: PipelineError.self) { try ImageShard(parsing: "1-3") }
    }

    @Test func mergingAgainAddsNothing() throws {
        let (folder, recipe, path) = try BuildTests.folder("merge-again")
        let merged = try Self.shardedBuild(3, folder: folder, recipe: recipe, path: path)
        let before = try CorpusDump(path: merged)
        let shards = (1...3).map { folder.path("shards-3/\($0).sqlite") }
        let again = try ShardMerge(outPath: merged, shardPaths: shards).run()
        #expect(again.merged.isEmpty && again.alreadyMerged.count == 3 && again.images == 0)
        #expect(try CorpusDump(path: merged) == before)
    }

    @Test func mergeRefusesForeignOverlappingAndUnfinishedShards() throws {
        let (folder, recipe, path) = try BuildTests.folder("refusals")
        func shard(_ index: Int, of count: Int, recipe: Recipe, path: String, name: String) throws -> String {
            let file = folder.path("\(name).sqlite")
            _ = try BuildTests.build(recipe, path, corpus: file, mode: .shard(try ImageShard(index: index, count: count)))
            return file
        }
        let one = try shard(1, of: 2, recipe: recipe, path: path, name: "one")
        let two = try shard(2, of: 2, recipe: recipe, path: path, name: "two")
        let foreignPath = try folder.write(BuildFixture.recipe.replacingOccurrences(of: "seed: 7}", with: "seed: 9}"),
                                           to: "foreign.yaml")
        let foreign = try shard(2, of: 2, recipe: try Recipe.load(path: foreignPath), path: foreignPath, name: "foreign")
        let otherN = try shard(1, of: 3, recipe: recipe, path: path, name: "other-n")
        try FileManager.default.copyItem(atPath: one, toPath: folder.path("copy.sqlite"))
        let whole = folder.path("whole.sqlite")
        _ = try BuildTests.build(recipe, path, corpus: whole)
        let out = folder.path("out.sqlite")
        let cases: [([String], String)] = [
            ([one, foreign], "was built from another recipe"),
            ([one, folder.path("copy.sqlite")], "overlapping shards"),
            ([one, otherN], "overlapping shards"),
            ([one, whole], "is not a shard"),
        ]
        for (shards, message) in cases {
            #expect {
                try ShardMerge(outPath: out, shardPaths: shards).run()
            } throws: { error in
                "\(error)".contains(message) && "\(error)".contains("nothing was written")
            }
            #expect(!FileManager.default.fileExists(atPath: out), "\(message)")
        }
        // An OUT of another recipe is refused too, and stays as it was.
        _ = try ShardMerge(outPath: out, shardPaths: [foreign]).run()
        let before = try CorpusDump(path: out)
        #expect(throws: (any Error).self) { try ShardMerge(outPath: out, shardPaths: [one, two]).run() }
        #expect(try CorpusDump(path: out) == before)
        // The stages after a merge need every shard.
        let partial = folder.path("partial.sqlite")
        _ = try ShardMerge(outPath: partial, shardPaths: [one]).run()
        #expect {
            try BuildTests.build(recipe, path, corpus: partial, mode: .afterMerge)
        } throws: { "\($0)".contains("lacks shard(s) 2/2") }
    }
}
