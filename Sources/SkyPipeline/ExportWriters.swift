import SkyStorage
import Foundation
import SkyImaging

/// The formats `skycorpus export` writes.
public enum ExportFormat: String, Sendable, Codable, CaseIterable {
    /// open_clip's CsvDataset: tab-separated `filepath` and `title`, one row per image and distinct caption text.
    case csv
    /// One JSON object per image: paths, split, size and every caption with its source.
    case jsonl
    /// WebDataset tar shards: by default one sample per image (`KEY.png|jpg` with the file's bytes once, `KEY.txt`
    /// with one caption, `KEY.json` with every caption); see ``WebDatasetLayout``.
    case webdataset
    /// Every stored CLIP prompt (dataset-level and per-image), one JSON object per line.
    case prompts
    /// Every image with image-level labels (ground truth, zero-shot top-k with scores and model), one JSON object per line.
    case labels
}

/// What an export wrote.
public struct ExportSummary: Sendable, Codable, Equatable {
    public var format: String
    public var images: Int
    public var captions: Int
    /// The files written (the CSV or JSONL file, or the shards).
    public var files: [String]
    /// Prompts written (prompts exports).
    public var prompts: Int = 0
    /// Image labels written (labels exports).
    public var labels: Int = 0
    /// Selected images left out because their file does not exist, and the first of them.
    public var missingFiles: Int = 0
    public var firstMissing: String? = nil
    /// Selected images left out because they cannot be decoded: marked unreadable by a step, or (WebDataset)
    /// failing the decode of an image no step had decoded yet; the first found by this export.
    public var unreadable: Int = 0
    public var firstUnreadable: String? = nil
    /// CSV rows not written because the image already had a caption with the same text.
    public var repeatedCaptions: Int = 0
    /// WebDataset: the layout and the samples written.
    public var layout: WebDatasetLayout? = nil
    public var samples: Int = 0
}

/// Writes export items in each format. Files appear whole: each is written beside and renamed into place.
public enum ExportWriter {
    /// Writes `items` to `output` (a file for csv/jsonl, a folder for webdataset shards). `markedUnreadable` is how
    /// many selected images the query left out as unreadable (``ExportQuery/unreadableCount(in:selection:)``);
    /// the summary counts them with any this export finds.
    public static func write(_ items: [ExportItem], format: ExportFormat, to output: String,
                             shardSize: Int = ExportRequest.defaultShardSize, layout: WebDatasetLayout = .perImage, markedUnreadable: Int = 0,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> ExportSummary {
        // Images whose file is gone are left out and counted: a training run would fail on them midway.
        let missing = items.filter { !FileManager.default.fileExists(atPath: $0.absolutePath) }.map(\.absolutePath)
        let items = missing.isEmpty ? items : items.filter { FileManager.default.fileExists(atPath: $0.absolutePath) }
        guard !items.isEmpty else {
            var reasons: [String] = []
            if !missing.isEmpty { reasons.append("\(missing.count) have no file (first: \(missing[0]))") }
            if markedUnreadable > 0 { reasons.append("\(markedUnreadable) are marked unreadable") }
            throw CorpusError.invalidRequest(reasons.isEmpty
                ? "nothing to export: no image with captions matches the selection (dataset, split, source)"
                : "nothing to export: of the selected images, " + reasons.joined(separator: " and "))
        }
        var summary = try write(present: items, format: format, to: output, shardSize: shardSize, layout: layout,
                                progress: progress)
        summary.missingFiles = missing.count
        summary.firstMissing = missing.first
        summary.unreadable += markedUnreadable
        return summary
    }

    static func write(present items: [ExportItem], format: ExportFormat, to output: String, shardSize: Int,
                      layout: WebDatasetLayout, progress: (Int, Int) -> Void) throws -> ExportSummary {
        let captions = items.reduce(0) { $0 + $1.captions.count }
        if format != .webdataset {
            try OutputFiles.prepare(output, isFolder: false, what: format.rawValue)
        }
        switch format {
        case .csv:
            // One row per image and caption text: the same sentence from two sources (B2C and human) is one pair.
            var text = "filepath\ttitle\n"
            var rows = 0
            for item in items {
                var seen = Set<String>()
                for caption in item.captions where seen.insert(caption.text).inserted {
                    text += DelimitedText.field(item.absolutePath, separator: "\t") + "\t"
                        + DelimitedText.field(caption.text, separator: "\t") + "\n"
                    rows += 1
                }
            }
            try FileBytes.write(Array(text.utf8), to: output)
            return ExportSummary(format: format.rawValue, images: items.count, captions: rows, files: [output],
                                 repeatedCaptions: captions - rows)
        case .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            var bytes: [UInt8] = []
            for item in items {
                bytes.append(contentsOf: try encoder.encode(item))
                bytes.append(0x0A)
            }
            try FileBytes.write(bytes, to: output)
            return ExportSummary(format: format.rawValue, images: items.count, captions: captions, files: [output])
        case .webdataset:
            let shards = try WebDatasetWriter(layout: layout, shardSize: max(1, shardSize))
                .writeShards(items, to: output, progress: progress)
            return ExportSummary(format: format.rawValue, images: shards.images, captions: shards.captions,
                                 files: shards.files, unreadable: shards.unreadable.count,
                                 firstUnreadable: shards.unreadable.first, layout: layout, samples: shards.samples)
        case .prompts, .labels:
            throw CorpusError.invalidRequest("\(format.rawValue) are written by ExportWriter.writeLines")
        }
    }

    /// Writes stored prompts as JSON lines.
    public static func writePrompts(_ prompts: [StoredPrompt], to output: String) throws -> ExportSummary {
        try writeLines(prompts, format: .prompts, to: output)
        return ExportSummary(format: ExportFormat.prompts.rawValue, images: Set(prompts.compactMap(\.image)).count,
                             captions: 0, files: [output], prompts: prompts.count)
    }

    /// Writes labelled images as JSON lines.
    public static func writeLabels(_ items: [LabeledExportItem], to output: String) throws -> ExportSummary {
        try writeLines(items, format: .labels, to: output)
        return ExportSummary(format: ExportFormat.labels.rawValue, images: items.count, captions: 0, files: [output],
                             labels: items.reduce(0) { $0 + $1.labels.count })
    }

    /// One JSON object per line (snake-case keys, sorted), written whole.
    static func writeLines<Item: Encodable>(_ items: [Item], format: ExportFormat, to output: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var bytes: [UInt8] = []
        for item in items {
            bytes.append(contentsOf: try encoder.encode(item))
            bytes.append(0x0A)
        }
        try OutputFiles.prepare(output, isFolder: false, what: format.rawValue)
        try FileBytes.write(bytes, to: output)
    }
}
