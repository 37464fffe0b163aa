import Foundation
import SkyPipeline
import SkyStorage

/// `skycorpus merge OUT SHARD...`: checks that the shards belong together (one recipe, one schema, distinct K of one
/// N, finished) and that OUT is empty or a merge of the same recipe, then merges them (``CorpusMerge``). Every
/// refusal comes before anything is written. Merging a shard again adds nothing.
public struct ShardMerge {
    public var outPath: String
    public var shardPaths: [String]

    public init(outPath: String, shardPaths: [String]) {
        self.outPath = outPath
        self.shardPaths = shardPaths
    }

    func refuse(_ message: String) -> RecipeBuild.Refusal {
        RecipeBuild.Refusal(description: message + "; nothing was written")
    }

    /// Checks every shard and OUT; the shards' common recipe record.
    public func check() throws -> (shards: [CorpusMerge.ShardInfo], recipe: BuildRecipeRecord) {
        guard !shardPaths.isEmpty else { throw refuse("give the shard corpora to merge") }
        let schema = try CorpusMigrations.names()
        let out = URL(fileURLWithPath: outPath).standardizedFileURL.path
        var shards: [CorpusMerge.ShardInfo] = []
        for path in shardPaths {
            guard URL(fileURLWithPath: path).standardizedFileURL.path != out else {
                throw refuse("\(path) is the merge's own output")
            }
            let info: CorpusMerge.ShardInfo
            do {
                info = try CorpusMerge.inspect(path)
            } catch CorpusError.outdatedSchema(_, let pending) {
                throw refuse("\(path) has an older corpus schema (missing \(pending.joined(separator: ", "))) than this "
                             + "skycorpus; build the shards and merge them with the same skycorpus")
            }
            guard info.migrations == schema else {
                throw refuse("\(path) has corpus schema [\(info.migrations.joined(separator: ", "))], this skycorpus has "
                             + "[\(schema.joined(separator: ", "))]; build the shards and merge them with the same skycorpus")
            }
            guard let recipe = info.recipe, let index = recipe.shardIndex, let count = recipe.shardCount else {
                throw refuse("\(path) is not a shard (a shard is built by 'skycorpus build RECIPE --shard K/N --out PATH')")
            }
            guard info.finished else {
                throw refuse("\(path): the build of shard \(index)/\(count) has not finished; run it again to resume it")
            }
            if let first = shards.first?.recipe {
                guard first.digest == recipe.digest else {
                    throw refuse("\(path) was built from another recipe than \(shards[0].path) (digest "
                                 + "\(recipe.digest.prefix(12)) of \(recipe.path), not \(first.digest.prefix(12)) of \(first.path))")
                }
                guard first.shardCount == count else {
                    throw refuse("overlapping shards: \(path) is shard \(index)/\(count) and \(shards[0].path) is shard "
                                 + "\(first.shardIndex ?? 0)/\(first.shardCount ?? 0): shards of different N overlap")
                }
            }
            if let twin = shards.first(where: { $0.recipe?.shardIndex == index }) {
                throw refuse("overlapping shards: \(path) and \(twin.path) are both shard \(index)/\(count)")
            }
            shards.append(info)
        }
        let recipe = shards[0].recipe!
        let merged = BuildRecipeRecord(digest: recipe.digest, path: recipe.path, shardIndex: nil, shardCount: recipe.shardCount)
        if FileManager.default.fileExists(atPath: outPath) {
            let target = try Corpus(path: outPath, access: .readWrite)
            let stored = try target.read { try $0.buildRecipe() }
            let images = try CorpusStats.read(from: target).totalImages
            if let stored {
                guard stored.digest == recipe.digest else {
                    throw refuse("\(outPath) holds a build of another recipe (\(stored.path), digest "
                                 + "\(stored.digest.prefix(12))), not of \(recipe.path) (digest \(recipe.digest.prefix(12)))")
                }
                guard stored.shardIndex == nil, stored.shardCount == recipe.shardCount else {
                    throw refuse("\(outPath) is " + (stored.shardIndex.map { "shard \($0)/\(stored.shardCount ?? 0)" }
                        ?? (stored.shardCount.map { "a merge of \($0) shards" } ?? "a whole build"))
                        + ", not a merge of shards of \(recipe.shardCount ?? 0)")
                }
            } else if images > 0 {
                throw refuse("\(outPath) already holds \(images) images not merged from shards; merge into a new corpus")
            }
        }
        return (shards, merged)
    }

    /// Checks, then merges.
    public func run() throws -> CorpusMerge.Summary {
        let (shards, recipe) = try check()
        try OutputFiles.createParent(of: outPath)
        let corpus = try Corpus(path: outPath, access: .create)
        return try CorpusMerge.merge(shards, into: corpus, recipe: recipe)
    }
}
