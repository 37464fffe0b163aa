import Foundation
import SkyStorage

/// One export as `skycorpus export` and a recipe's `exports:` give it: what to select, the format, where to write.
public struct ExportRequest: Sendable, Equatable {
    /// Samples per WebDataset shard when none is given.
    public static let defaultShardSize = 1000

    public var format: ExportFormat
    /// The output file (csv, jsonl, prompts) or folder (webdataset); a missing parent folder is created.
    public var out: String
    public var datasets: [String]
    public var splits: [String]
    public var sources: [CaptionSource]
    public var includeDuplicates: Bool
    public var shardSize: Int
    public var layout: WebDatasetLayout
    /// Labels exports: only labels from these sources (all when empty).
    public var labelSources: [LabelSource]

    public init(format: ExportFormat, out: String, datasets: [String] = [], splits: [String] = [],
                sources: [CaptionSource] = [], includeDuplicates: Bool = false,
                shardSize: Int = ExportRequest.defaultShardSize, layout: WebDatasetLayout = .perImage,
                labelSources: [LabelSource] = []) {
        self.labelSources = labelSources
        self.format = format
        self.out = out
        self.datasets = datasets
        self.splits = splits
        self.sources = sources
        self.includeDuplicates = includeDuplicates
        self.shardSize = shardSize
        self.layout = layout
    }

    /// The selection the export reads.
    public var selection: ExportSelection {
        ExportSelection(datasets: datasets, splits: splits, sources: sources, includeDuplicates: includeDuplicates)
    }

    /// Reads the selection from `corpus` and writes it: the one export path of the command and of the build.
    public func run(on corpus: Corpus, progress: (Int, Int) -> Void = { _, _ in }) throws -> ExportSummary {
        guard shardSize >= 1 else { throw CorpusError.invalidRequest("export shard size \(shardSize): give at least 1") }
        try OutputFiles.createParent(of: out)
        if format == .prompts {
            let prompts = try ExportQuery.prompts(in: corpus, selection: selection)
            guard !prompts.isEmpty else {
                throw CorpusError.invalidRequest("nothing to export: no stored prompt matches the selection")
            }
            return try ExportWriter.writePrompts(prompts, to: out)
        }
        if format == .labels {
            let items = try ExportQuery.labels(in: corpus, selection: selection, labelSources: labelSources)
            guard !items.isEmpty else {
                throw CorpusError.invalidRequest("nothing to export: no image with labels matches the selection")
            }
            return try ExportWriter.writeLabels(items, to: out)
        }
        let items = try ExportQuery.items(in: corpus, selection: selection)
        let marked = try ExportQuery.unreadableCount(in: corpus, selection: selection)
        return try ExportWriter.write(items, format: format, to: out, shardSize: shardSize, layout: layout,
                                      markedUnreadable: marked, progress: progress)
    }
}
