import ArgumentParser
import SkyPipeline
import SkyStorage

/// `skycorpus export`: writes the corpus in a format training code reads.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export images and captions: open_clip CSV, JSONL, or WebDataset tar shards.",
        discussion: """
            csv: tab-separated 'filepath' and 'title' columns, one row per image and distinct caption text, as \
            open_clip's --dataset-type csv reads by default. jsonl: one object per image with every caption \
            (an unknown split is null). webdataset: shard-NNNNNN.tar files under OUT; --webdataset-layout \
            per-image (default) writes one sample per image (KEY.png|jpg with the file's bytes once, KEY.txt with \
            its first human caption or else a caption picked by the image id, KEY.json with every caption), \
            per-caption one sample per image-caption pair (the image's bytes once per caption). open_clip reads \
            txt as the caption, so per-image trains on one caption per image per epoch and per-caption on every \
            caption. \
            labels: every image with image-level labels (ground truth, each model's zero-shot top-k with scores) \
            as JSON lines; --label-source keeps one source. \
            prompts: every stored CLIP prompt (dataset-level and per-image) as JSON lines; per-image prompts \
            also appear in jsonl records and WebDataset .json files. \
            Images marked as duplicates are left out unless --include-duplicates is given. Images a step marked \
            unreadable (dedup, embed) are left out and counted; a WebDataset export also decodes every image no \
            step has decoded and leaves out those that fail.
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

    @Option(help: "Leave out captions from this source (repeatable), e.g. zero-shot captions made from labels.")
    var excludeSource: [CaptionSource] = []

    @Option(help: "labels export: only labels from this source (repeatable).")
    var labelSource: [LabelSource] = []

    @Flag(help: "Export images marked as duplicates too.")
    var includeDuplicates = false

    @Option(help: "Samples per WebDataset shard.")
    var shardSize = ExportRequest.defaultShardSize

    @Option(help: "WebDataset samples: one per image (its bytes once) or one per image-caption pair.")
    var webdatasetLayout: WebDatasetLayout = .perImage

    func validate() throws {
        guard shardSize >= 1 else { throw ValidationError("--shard-size must be at least 1") }
    }

    /// The caption sources selected: `--source` (all when none) less `--exclude-source`.
    var sources: [CaptionSource] {
        guard !excludeSource.isEmpty else { return source }
        return (source.isEmpty ? CaptionSource.allCases : source).filter { !excludeSource.contains($0) }
    }

    func run() throws {
        let corpus = try global.openCorpus(.readOnly)
        let request = ExportRequest(format: format, out: out, datasets: dataset, splits: split, sources: sources,
                                    includeDuplicates: includeDuplicates, shardSize: shardSize, layout: webdatasetLayout,
                                    labelSources: labelSource)
        let progress = global.progress("export")
        let summary = try request.run(on: corpus) { progress.update($0, $1) }
        if format == .prompts {
            if global.json { try Output.json(summary) } else { print("exported \(summary.prompts) prompts to \(out)") }
            return
        }
        if format == .labels {
            if global.json { try Output.json(summary) } else { print("exported \(summary.images) labelled images (\(summary.labels) labels) to \(out)") }
            return
        }
        if summary.missingFiles > 0 {
            Output.note("export: left out \(summary.missingFiles) images whose file does not exist (first: \(summary.firstMissing ?? ""))")
        }
        if summary.unreadable > 0 {
            Output.note("export: left out \(summary.unreadable) images that cannot be decoded ('skycorpus stats' counts "
                        + "those marked per dataset)" + (summary.firstUnreadable.map { "; first found now: \($0)" } ?? ""))
        }
        if summary.repeatedCaptions > 0 {
            Output.note("export: wrote \(summary.repeatedCaptions) repeated captions of an image once")
        }
        if global.json {
            try Output.json(summary)
        } else {
            let shards = summary.layout.map { " (\(summary.samples) \($0.rawValue) samples in \(summary.files.count) shards)" }
            print("exported \(summary.images) images, \(summary.captions) captions as \(summary.format) to \(out)"
                  + (shards ?? ""))
        }
    }
}
