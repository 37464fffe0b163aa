import ArgumentParser
import SkyBuild
import SkyStorage

/// `skycorpus merge OUT SHARD...`: joins shard corpora of one recipe into one corpus.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge shard corpora (built by 'build --shard K/N') into one corpus.",
        discussion: """
            Ids are remapped; a merge of every shard gives the image ids of the unsharded build. Shards built from \
            another recipe or with another schema, two shards with the same K, shards of different N or an OUT of \
            another recipe are refused before anything is written. A shard already merged into OUT is skipped, so \
            merging again adds nothing. Each shard is copied in one transaction (SQLite ATTACH and INSERT ... \
            SELECT). Then run 'skycorpus build RECIPE --corpus OUT --after-merge' for dedup, prompts and exports.
            """)

    @Flag(name: .long, help: "Print machine-readable JSON on stdout.")
    var json = false

    @Argument(help: "The merged corpus (created when missing).")
    var out: String

    @Argument(help: "The shard corpora.")
    var shards: [String]

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give at least one shard corpus") }
    }

    func run() throws {
        let summary = try ShardMerge(outPath: out, shardPaths: shards).run()
        if json { return try Output.json(summary) }
        print("merged \(summary.merged.count) shards (\(summary.alreadyMerged.count) merged before) into \(out): "
              + "\(summary.images) images in \(String(format: "%.2f", summary.seconds)) s"
              + (summary.merged.isEmpty || summary.idsAsUnsharded ? "" : " (ids continue after the corpus's own)"))
    }
}
