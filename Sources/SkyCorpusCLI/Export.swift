import ArgumentParser
import SkyPipeline
import SkyStorage

/// `skycorpus export`: writes the corpus in a format training code reads.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export images and captions: open_clip CSV, JSONL, or WebDataset tar shards.",
        discussion: """
            csv: tab-separated 'filepath' and 'title' columns, one row per image-caption pair, as open_clip's \
            --dataset-type csv reads by default. jsonl: one object per image with every caption. webdataset: \
            shard-NNNNNN.tar files under OUT, one sample per image-caption pair (KEY.png|jpg, KEY.txt, KEY.json). \
            prompts: every stored CLIP prompt (dataset-level and per-image) as JSON lines; per-image prompts \
            also appear in jsonl records and WebDataset .json files. \
            Images marked as duplicates are left out unless --include-duplicates is given.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "What to write.")
    var format: ExportFormat

    @Option(name: .shortAndLong, help: "The output file (csv, jsonl) or folder (webdataset).")
    var out: String

    @Option(help: "Only this dataset (repeatable).")
    var dataset: [String] = []

    @Option(help: "Only this split (repeatable).")
    var split: [String] = []

    @Option(help: "Only captions from this source (repeatable).")
    var source: [CaptionSource] = []

    @Flag(help: "Export images marked as duplicates too.")
    var includeDuplicates = false

    @Option(help: "Samples per WebDataset shard.")
    var shardSize = 1000

    func validate() throws {
        guard shardSize >= 1 else { throw ValidationError("--shard-size must be at least 1") }
    }

    func run() throws {
        let corpus = try global.openCorpus(.readOnly)
        if format == .prompts {
            let prompts = try ExportQuery.prompts(in: corpus, selection: ExportSelection(
                datasets: dataset, splits: split, sources: source, includeDuplicates: includeDuplicates))
            guard !prompts.isEmpty else { throw CommandError("nothing to export: no stored prompt matches the selection") }
            let summary = try ExportWriter.writePrompts(prompts, to: out)
            if global.json { try Output.json(summary) } else { print("exported \(summary.prompts) prompts to \(out)") }
            return
        }
        let selection = ExportSelection(datasets: dataset, splits: split, sources: source,
                                        includeDuplicates: includeDuplicates)
        let items = try ExportQuery.items(in: corpus, selection: selection)
        let progress = global.progress("export")
        let summary = try ExportWriter.write(items, format: format, to: out, shardSize: shardSize) { progress.update($0, $1) }
        if summary.missingFiles > 0 {
            Output.note("export: left out \(summary.missingFiles) images whose file does not exist (first: \(summary.firstMissing ?? ""))")
        }
        if global.json {
            try Output.json(summary)
        } else {
            print("exported \(summary.images) images, \(summary.captions) captions as \(summary.format) to \(out)"
                  + (summary.files.count > 1 ? " (\(summary.files.count) shards)" : ""))
        }
    }
}
