import Foundation
import SkyDatasets
import SkyPipeline
import SkyRecipe
import SkyStorage

/// Runs a recipe end to end on one corpus through the pipeline's own steps (the functions the subcommands call).
///
/// Each stage is the step's own transaction; right after it the stage is recorded as finished, so a build that is
/// killed re-runs at most the stage it was in (every step is idempotent) and ends with the corpus an uninterrupted
/// build gives. A re-run after success runs nothing. A corpus built from another recipe (another digest), or from
/// another shard, is refused before anything is written.
public struct RecipeBuild {
    /// Why a build was refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var recipe: Recipe
    /// The recipe file (recorded in the corpus, named in messages).
    public var recipePath: String
    /// The corpus file; relative `out` and `report` paths land in its folder.
    public var corpusPath: String
    public var mode: BuildMode
    /// Told a line per stage (start and end) for the progress display.
    public var log: (String) -> Void = { _ in }
    /// Told (stage, done, total) as a stage advances.
    public var progress: @Sendable (String, Int, Int) -> Void = { _, _, _ in }

    public init(recipe: Recipe, recipePath: String, corpusPath: String, mode: BuildMode) {
        self.recipe = recipe
        self.recipePath = recipePath
        self.corpusPath = corpusPath
        self.mode = mode
    }

    /// The folder relative output paths resolve against.
    var outputFolder: String { URL(fileURLWithPath: corpusPath).standardizedFileURL.deletingLastPathComponent().path }

    /// The record this build leaves in (or expects of) the corpus.
    var record: BuildRecipeRecord {
        switch mode {
        case .whole: BuildRecipeRecord(digest: recipe.digest, path: recipePath)
        case .shard(let shard): BuildRecipeRecord(digest: recipe.digest, path: recipePath, shardIndex: shard.index,
                                                  shardCount: shard.count)
        case .afterMerge: BuildRecipeRecord(digest: recipe.digest, path: recipePath)
        }
    }

    /// Checks the corpus against the recipe and the mode; nothing is written when it refuses.
    func check(_ corpus: Corpus) throws {
        let (stored, merged) = try corpus.read { (try $0.buildRecipe(), try $0.mergedShards()) }
        if let stored, stored.digest != recipe.digest {
            throw Refusal(description: """
                \(corpusPath) was built from a different recipe (\(stored.path), digest \(stored.digest.prefix(12))); \
                \(recipePath) has digest \(recipe.digest.prefix(12)): the recipe was edited since. Build into a new \
                --corpus, or restore the recipe it was built from
                """)
        }
        switch mode {
        case .whole:
            if let stored, stored.shardIndex != nil || stored.shardCount != nil {
                throw Refusal(description: stored.shardIndex != nil
                    ? "\(corpusPath) is shard \(stored.shardIndex!)/\(stored.shardCount!) of this recipe; build it with --shard"
                    : "\(corpusPath) is a merge of shards; run the stages over the whole corpus with --after-merge")
            }
        case .shard(let shard):
            if stored == nil, try CorpusStats.read(from: corpus).totalImages > 0 {
                throw Refusal(description: "\(corpusPath) already holds images that no build of a shard wrote; "
                              + "give --out a new file")
            }
            if let stored, stored.shardIndex != shard.index || stored.shardCount != shard.count {
                let what = stored.shardIndex.map { "shard \($0)/\(stored.shardCount ?? 0)" } ?? "not a shard"
                throw Refusal(description: "\(corpusPath) is \(what) of this recipe, not shard \(shard)")
            }
        case .afterMerge:
            guard let stored, stored.shardIndex == nil, let count = stored.shardCount else {
                throw Refusal(description: "\(corpusPath) is not a merge of shards ('skycorpus merge OUT SHARD...' makes "
                              + "one); a whole build runs every stage without --after-merge")
            }
            let missing = Set(1...count).subtracting(merged.map(\.shardIndex)).sorted()
            if !missing.isEmpty {
                throw Refusal(description: "\(corpusPath) lacks shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) "
                              + "of \(count); merge them first")
            }
        }
    }

    /// Runs the stages the mode takes that are not finished yet; the summary of the whole build.
    public func run() throws -> BuildSummary {
        let start = Date()
        // A build (a shard's --out above all) may name a corpus in a folder that does not exist yet.
        if mode != .afterMerge { try OutputFiles.createParent(of: corpusPath) }
        let corpus = try Corpus(path: corpusPath, access: mode == .afterMerge ? .readWrite : .create)
        try check(corpus)
        let runID = try corpus.write { transaction in
            if try transaction.buildRecipe() == nil { try transaction.setBuildRecipe(record) }
            return try transaction.startBuildRun(command: mode.description)
        }
        var finished = try corpus.read { try $0.finishedStages() }
        var leaked: [String: Int] = [:]
        var reports: [BuildSummary.Stage] = []
        let stages = recipe.stages(for: mode)
        for (index, stage) in stages.enumerated() {
            if let done = finished[stage.name] {
                reports.append(.init(name: stage.name, seconds: done.seconds, ranNow: false, summary: JSONValue.parse(done.summary)))
                log("[\(index + 1)/\(stages.count)] \(stage.name): done by an earlier run")
                continue
            }
            log("[\(index + 1)/\(stages.count)] \(stage.name) ...")
            let stageStart = Date()
            let summary = try runStage(stage, on: corpus)
            let seconds = Date().timeIntervalSince(stageStart)
            let record = BuildStageRecord(name: stage.name, seconds: seconds, summary: summary)
            try corpus.write { try $0.recordStage(record, run: runID) }
            finished[stage.name] = record
            reports.append(.init(name: stage.name, seconds: seconds, ranNow: true, summary: JSONValue.parse(summary)))
            log("[\(index + 1)/\(stages.count)] \(stage.name): \(String(format: "%.2f", seconds)) s")
        }
        if let dedup = finished["dedup"], case .array(let entries)? = JSONValue.parse(dedup.summary)["leaked"] {
            for entry in entries {
                if case .string(let name)? = entry["dataset"] { leaked[name] = entry["images"]?.int ?? 0 }
            }
        }
        try corpus.write { try $0.finishBuildRun(runID) }
        let stats = try CorpusStats.read(from: corpus)
        let datasets = stats.datasets.map { counts in
            BuildSummary.Dataset(name: counts.name, images: counts.images, objects: counts.objects,
                                 captions: counts.captionSources, changePairs: counts.changePairs,
                                 duplicates: counts.duplicates, leaked: leaked[counts.name] ?? 0,
                                 unreadable: counts.unreadable)
        }
        return BuildSummary(recipe: recipePath, digest: recipe.digest, corpus: corpusPath, mode: mode.description,
                            stages: reports, datasets: datasets, ranNow: reports.filter(\.ranNow).count,
                            alreadyDone: reports.filter { !$0.ranNow }.count, seconds: Date().timeIntervalSince(start))
    }
}
