import SkyStorage
import Foundation
import SkyImaging

/// The formats `skycorpus export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// open_clip's CsvDataset: tab-separated `filepath` and `title`, one row per image-caption pair.
    case csv
    /// One JSON object per image: paths, split, size and every caption with its source.
    case jsonl
    /// WebDataset tar shards: per image-caption pair `KEY.png|jpg` (the file's bytes), `KEY.txt`, `KEY.json`.
    case webdataset
    /// Every stored CLIP prompt (dataset-level and per-image), one JSON object per line.
    case prompts
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
    /// Selected images left out because their file does not exist, and the first of them.
    public var missingFiles: Int = 0
    public var firstMissing: String? = nil
}

/// Writes export items in each format. Files appear whole: each is written beside and renamed into place.
public enum ExportWriter {
    /// Writes `items` to `output` (a file for csv/jsonl, a folder for webdataset shards).
    public static func write(_ items: [ExportItem], format: ExportFormat, to output: String,
                             shardSize: Int = 1000, progress: (Int, Int) -> Void = { _, _ in }) throws -> ExportSummary {
        // Images whose file is gone are left out and counted: a training run would fail on them midway.
        let missing = items.filter { !FileManager.default.fileExists(atPath: $0.absolutePath) }.map(\.absolutePath)
        let items = missing.isEmpty ? items : items.filter { FileManager.default.fileExists(atPath: $0.absolutePath) }
        guard !items.isEmpty else {
            throw CorpusError.invalidRequest(missing.isEmpty
                ? "nothing to export: no image with captions matches the selection (dataset, split, source)"
                : "nothing to export: the \(missing.count) selected images have no file (first: \(missing[0]))")
        }
        var summary = try write(present: items, format: format, to: output, shardSize: shardSize, progress: progress)
        summary.missingFiles = missing.count
        summary.firstMissing = missing.first
        return summary
    }

    static func write(present items: [ExportItem], format: ExportFormat, to output: String, shardSize: Int,
                      progress: (Int, Int) -> Void) throws -> ExportSummary {
        let captions = items.reduce(0) { $0 + $1.captions.count }
        switch format {
        case .csv:
            var text = "filepath\ttitle\n"
            for item in items {
                for caption in item.captions {
                    text += DelimitedText.field(item.absolutePath, separator: "\t") + "\t"
                        + DelimitedText.field(caption.text, separator: "\t") + "\n"
                }
            }
            try FileBytes.write(Array(text.utf8), to: output)
            return ExportSummary(format: format.rawValue, images: items.count, captions: captions, files: [output])
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
            let files = try writeShards(items, to: output, shardSize: max(1, shardSize), progress: progress)
            return ExportSummary(format: format.rawValue, images: items.count, captions: captions, files: files)
        case .prompts:
            throw CorpusError.invalidRequest("prompts are written by ExportWriter.writePrompts")
        }
    }

    /// Writes stored prompts as JSON lines.
    public static func writePrompts(_ prompts: [StoredPrompt], to output: String) throws -> ExportSummary {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var bytes: [UInt8] = []
        for prompt in prompts {
            bytes.append(contentsOf: try encoder.encode(prompt))
            bytes.append(0x0A)
        }
        try FileBytes.write(bytes, to: output)
        return ExportSummary(format: ExportFormat.prompts.rawValue, images: Set(prompts.compactMap(\.image)).count,
                             captions: 0, files: [output], prompts: prompts.count)
    }

    /// Writes the shards into a temporary sibling folder and, once all are complete, replaces the folder's
    /// previous `shard-*.tar` files with them; on failure the folder is left as it was.
    static func writeShards(_ items: [ExportItem], to folder: String, shardSize: Int,
                            progress: (Int, Int) -> Void) throws -> [String] {
        let manager = FileManager.default
        let staging = folder.hasSuffix("/") ? String(folder.dropLast()) + ".partial" : folder + ".partial"
        try? manager.removeItem(atPath: staging)
        defer { try? manager.removeItem(atPath: staging) }
        let written = try writeShardFiles(items, to: staging, shardSize: shardSize, progress: progress)
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for old in try manager.contentsOfDirectory(atPath: folder) where old.hasPrefix("shard-") && old.hasSuffix(".tar") {
            try manager.removeItem(atPath: URL(fileURLWithPath: folder).appendingPathComponent(old).path)
        }
        return try written.map { file in
            let target = URL(fileURLWithPath: folder).appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path
            try manager.moveItem(atPath: file, toPath: target)
            return target
        }
    }

    static func writeShardFiles(_ items: [ExportItem], to folder: String, shardSize: Int,
                                progress: (Int, Int) -> Void) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var files: [String] = []
        var tar = TarWriter()
        var samplesInShard = 0
        func flush() throws {
            guard samplesInShard > 0 else { return }
            let name = URL(fileURLWithPath: folder).appendingPathComponent(String(format: "shard-%06d.tar", files.count)).path
            try FileBytes.write(tar.finish(), to: name)
            files.append(name)
            tar = TarWriter()
            samplesInShard = 0
        }
        for (index, item) in items.enumerated() {
            let bytes = try FileBytes.read(item.absolutePath)
            let fileExtension: String
            switch ImageFormat.sniff(bytes) {
            case .png: fileExtension = "png"
            case .jpeg: fileExtension = "jpg"
            case .tiff, .bmp, nil:
                // WebDataset loaders decode by extension and most pipelines read PNG/JPEG only: refuse TIFF and BMP too.
                throw CorpusError.invalidRequest("\(item.absolutePath): WebDataset samples are PNG or JPEG; convert this image "
                    + "(TIFF/BMP) to PNG first, or export it as csv/jsonl")
            }
            for (number, caption) in item.captions.enumerated() {
                // Keys must not contain dots: WebDataset splits the extension at the first one.
                let key = String(format: "%010lld_%02d", item.imageId, number)
                tar.append(name: "\(key).\(fileExtension)", bytes: bytes)
                tar.append(name: "\(key).txt", bytes: Array(caption.text.utf8))
                var metadata = item
                metadata.captions = [caption]
                tar.append(name: "\(key).json", bytes: Array(try encoder.encode(metadata)))
                samplesInShard += 1
                if samplesInShard == shardSize { try flush() }
            }
            progress(index + 1, items.count)
        }
        try flush()
        return files
    }
}

/// A POSIX ustar archive built in memory, as WebDataset shards are read by Python's tarfile.
struct TarWriter {
    private var bytes: [UInt8] = []

    /// Adds a regular file; names are at most 100 bytes.
    mutating func append(name: String, bytes content: [UInt8]) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0, width: 100)
        put(octal(0o644, width: 8), at: 100, width: 7)
        put(octal(0, width: 8), at: 108, width: 7)
        put(octal(0, width: 8), at: 116, width: 7)
        put(octal(content.count, width: 12), at: 124, width: 11)
        put(octal(0, width: 12), at: 136, width: 11)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7), at: 148, width: 6)
        header[154] = 0
        bytes.append(contentsOf: header)
        bytes.append(contentsOf: content)
        let padding = (512 - content.count % 512) % 512
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }

    /// The archive with its two closing zero blocks.
    mutating func finish() -> [UInt8] {
        bytes.append(contentsOf: repeatElement(0, count: 1024))
        return bytes
    }
}
