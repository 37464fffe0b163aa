import Foundation
import GRDB
import SkyBuild
import SkyPipeline
import SkyRecipe
import SkyStorage
import SkyTestSupport
import Testing

/// `steps.embed.precision` in a build: the embed stage runs at it and the corpus records it with the model.
@Suite struct BuildPrecisionTests {
    static func recipe(_ precision: String?) -> String {
        """
        datasets:
          - {name: examples-dota, path: \(BuildFixture.examples)/dota, format: dota}
        steps:
          embed:
            model: \(TestPaths.tinyCheckpoint)
            what: [images]
        \(precision.map { "    precision: \($0)" } ?? "")
        """
    }

    /// Builds `text` into a new corpus in `folder`; its embedding sets, or nil when the recipe was refused.
    static func build(_ text: String, in folder: TemporaryFolder, corpus: String = "corpus.sqlite") throws -> [CorpusStats.EmbeddingCounts] {
        let path = try folder.write(text, to: "recipe.yaml")
        let recipe = try Recipe.load(path: path)
        _ = try RecipeBuild(recipe: recipe, recipePath: path, corpusPath: folder.path(corpus), mode: .whole).run()
        return try CorpusStats.read(from: Corpus(path: folder.path(corpus), access: .readOnly)).embeddings
    }

    @Test func theEmbedStageRecordsItsPrecision() throws {
        let folder = try TemporaryFolder("build-fp32")
        let fp32 = try Self.build(Self.recipe(nil), in: folder)
        #expect(fp32.map(\.precision) == ["fp32"] && (fp32.first?.items["image"] ?? 0) > 0, "\(fp32)")
        let bf16Folder = try TemporaryFolder("build-bf16")
        let bf16: [CorpusStats.EmbeddingCounts]
        do {
            bf16 = try Self.build(Self.recipe("bf16"), in: bf16Folder)
        } catch let error as RecipeError {
            // No AVX512-BF16 here: the recipe is refused at its key before anything is written.
            #expect(error.key == "steps.embed.precision" && error.line == 7, "\(error)")
            #expect(!FileManager.default.fileExists(atPath: bf16Folder.path("corpus.sqlite")))
            return
        }
        #expect(bf16.map(\.precision) == ["bf16"] && bf16.first?.items == fp32.first?.items, "\(bf16)")
        let a = try Corpus(path: folder.path("corpus.sqlite"), access: .readOnly)
        let b = try Corpus(path: bf16Folder.path("corpus.sqlite"), access: .readOnly)
        let name = try #require(fp32.first?.model)
        let (idA, idB) = (try #require(try a.encoder(named: name)?.id), try #require(try b.encoder(named: name)?.id))
        let va = try #require(try a.embedding(model: idA, kind: .image, id: 1))
        let vb = try #require(try b.embedding(model: idB, kind: .image, id: 1))
        let cosine = zip(va, vb).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(va != vb && cosine > 0.99, "bf16 vs fp32 cosine \(cosine)")
        // The bf16 recipe is another recipe: the fp32 corpus refuses it.
        let again = try bf16Folder.write(Self.recipe("bf16"), to: "recipe.yaml")
        #expect(throws: RecipeBuild.Refusal.self) {
            try RecipeBuild(recipe: try Recipe.load(path: again), recipePath: again, corpusPath: folder.path("corpus.sqlite"),
                            mode: .whole).run()
        }
    }

    /// A merge carries each model's precision, and refuses a shard whose embeddings of a model are of another
    /// precision than the corpus's (the shards' precision is set by hand here, so no bf16 CPU is needed).
    @Test func mergeCarriesThePrecisionAndRefusesAnother() throws {
        let folder = try TemporaryFolder("merge-precision")
        let path = try folder.write(Self.recipe(nil), to: "recipe.yaml")
        let recipe = try Recipe.load(path: path)
        var shards: [String] = []
        for index in 1...2 {
            let shard = folder.path("shard-\(index).sqlite")
            _ = try RecipeBuild(recipe: recipe, recipePath: path, corpusPath: shard,
                                mode: .shard(try ImageShard(index: index, count: 2))).run()
            let sets = try CorpusStats.read(from: Corpus(path: shard, access: .readOnly)).embeddings
            try #require((sets.first?.items["image"] ?? 0) > 0, "shard \(index) of 2 holds no image of the example")
            shards.append(shard)
        }
        func setPrecision(_ precision: String, of shard: String) throws {
            try DatabaseQueue(path: shard).write { try $0.execute(sql: "UPDATE encoder_model SET precision = ?", arguments: [precision]) }
        }
        for shard in shards { try setPrecision("bf16", of: shard) }
        let merged = folder.path("merged.sqlite")
        _ = try ShardMerge(outPath: merged, shardPaths: shards).run()
        let sets = try CorpusStats.read(from: Corpus(path: merged, access: .readOnly)).embeddings
        #expect(sets.map(\.precision) == ["bf16"] && sets.first?.items["image"] == 9, "\(sets)")
        try setPrecision("fp32", of: shards[1])
        let refused = folder.path("refused.sqlite")
        #expect(throws: EmbeddingStoreError.precisionConflict(name: sets[0].model, stored: "bf16", given: "fp32")) {
            try ShardMerge(outPath: refused, shardPaths: shards).run()
        }
        // Refused before any shard is copied: the first shard (bf16, acceptable alone) is not merged either.
        let left = try Corpus(path: refused, access: .readOnly)
        #expect(try CorpusStats.read(from: left).totalImages == 0 && (try left.read { try $0.mergedShards() }).isEmpty)
    }
}
