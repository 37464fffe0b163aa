import ArgumentParser
import Foundation
import SkyBuild
import SkyConcurrency
import SkyPipeline
import SkyRecipe
import SkyStorage

/// `skycorpus build RECIPE [--corpus PATH] [--shard K/N --out PATH] [--after-merge]`: a recipe end to end.
struct Build: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        abstract: "Build a corpus from a recipe (Schemas/recipe.md): ingest, M2B, captions, dedup, prompts, exports.",
        discussion: """
            Runs the recipe's stages in order through the same steps as the subcommands, printing a line per stage \
            and a summary (per dataset images, objects, captions by source, duplicates and leaks; per-stage time). \
            Every stage is recorded in the corpus when it finishes: a killed build resumes where it stopped, and a \
            re-run after success does nothing. A corpus built from an edited recipe is refused. \
            --shard K/N --out PATH builds the per-image stages (ingest, m2b, captions, change sentences, hashes, \
            embeddings) for the images of shard K of N (SHA-256 of dataset name and relative path, mod N) into \
            its own corpus; 'skycorpus merge' joins the shards, and --after-merge runs dedup, prompts and exports \
            on the merged corpus. Relative export and report paths land in the corpus's folder.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @Option(help: ArgumentHelp("Build only shard K of N (1 <= K <= N) into --out.", valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("With --shard: the shard's corpus file.", valueName: "path"))
    var out: String?

    @Flag(help: "On a merged corpus (--corpus): run the stages over the whole corpus (dedup, prompts, exports).")
    var afterMerge = false

    func validate() throws {
        if shard != nil && out == nil { throw ValidationError("--shard K/N needs --out PATH (the shard's corpus)") }
        if out != nil && shard == nil { throw ValidationError("--out goes with --shard K/N; a whole build writes --corpus") }
        if shard != nil && afterMerge { throw ValidationError("--after-merge runs on the merged corpus, not on a shard") }
        if let shard {
            do { _ = try ImageShard(parsing: shard) } catch { throw ValidationError("--shard \(error)") }
        }
    }

    func run() throws {
        let recipe = try Recipe.load(path: self.recipe)
        var mode = BuildMode.whole
        if let shard { mode = .shard(try ImageShard(parsing: shard)) }
        if afterMerge { mode = .afterMerge }
        var build = RecipeBuild(recipe: recipe, recipePath: self.recipe, corpusPath: out ?? global.corpus, mode: mode)
        let quiet = global.quiet
        build.log = { line in if !quiet { Output.note("build: " + line) } }
        let reporters = Locked([String: ProgressReporter]())
        build.progress = { stage, done, total in
            guard !quiet else { return }
            reporters.withLock { reporters in
                if reporters[stage] == nil { reporters[stage] = ProgressReporter(label: "  " + stage, enabled: true) }
                reporters[stage]?.update(done, total)
            }
        }
        let summary = try build.run()
        if global.json { return try Output.json(summary) }
        BuildReport.print(summary)
    }

    func hint(for error: Error) -> String? {
        if case EmbeddingStoreError.precisionConflict(_, let stored, _) = error {
            return "set steps.embed.precision to \(stored), or steps.embed.name to keep the two sets apart"
        }
        return CommandError.generalHint(for: error)
    }
}

/// The human form of a build's summary.
enum BuildReport {
    static func print(_ summary: BuildSummary) {
        Swift.print("\(summary.mode) \(summary.recipe) -> \(summary.corpus): \(summary.ranNow) stages run, "
                    + "\(summary.alreadyDone) already done, \(String(format: "%.2f", summary.seconds)) s")
        for stage in summary.stages {
            Swift.print("  \(stage.name.padding(toLength: 28, withPad: " ", startingAt: 0)) "
                        + String(format: "%8.2f s", stage.seconds) + (stage.ranNow ? "" : "  (earlier run)"))
        }
        for dataset in summary.datasets {
            let captions = dataset.captions.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            Swift.print("  \(dataset.name): \(dataset.images) images, \(dataset.objects) objects, captions: "
                        + (captions.isEmpty ? "none" : captions.joined(separator: ", "))
                        + (dataset.changePairs > 0 ? ", \(dataset.changePairs) change pairs" : "")
                        + ", \(dataset.duplicates) duplicates (\(dataset.leaked) leaked)"
                        + (dataset.unreadable > 0 ? ", \(dataset.unreadable) unreadable" : ""))
        }
    }
}
