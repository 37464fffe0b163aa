import Foundation
import SkyImaging
import SkyStorage

/// How a WebDataset export turns images and captions into samples.
///
/// open_clip's `--dataset-type webdataset` reads a sample's `txt` member as its caption and its first
/// `jpg;png;jpeg;webp` member as its image. With `perImage` it trains on one caption per image per epoch (the
/// `txt` one; the others are in the `json` member for a custom loader); with `perCaption` every caption is a
/// sample, at the cost of storing the image's bytes once per caption.
public enum WebDatasetLayout: String, Sendable, Codable, CaseIterable {
    /// One sample per image: `KEY.png|jpg` (the file's bytes, once), `KEY.txt` (one caption, see
    /// ``WebDatasetWriter/trainingCaption(of:)``), `KEY.json` (every caption with its source and rule, split,
    /// size, dataset, path, prompts). KEY is the image id, ten digits.
    case perImage = "per-image"
    /// One sample per image-caption pair: `KEY.png|jpg`, `KEY.txt` (that caption), `KEY.json` (the image with that
    /// caption only). KEY is the image id and the caption's number, `0000000042_01`. The image's bytes are
    /// stored once per caption.
    case perCaption = "per-caption"
}

/// Writes WebDataset tar shards, all or nothing: into a temporary sibling folder first, then renamed into place.
public struct WebDatasetWriter: Sendable {
    /// One sample per image or per caption.
    public var layout: WebDatasetLayout
    /// Samples per shard.
    public var shardSize: Int

    /// A writer; `shardSize` is at least 1.
    public init(layout: WebDatasetLayout = .perImage, shardSize: Int = 1000) {
        self.layout = layout
        self.shardSize = max(1, shardSize)
    }

    /// What the shards hold.
    public struct Written: Sendable, Equatable {
        /// The shard files, in order.
        public var files: [String]
        /// Images and captions written, and samples.
        public var images: Int
        public var captions: Int
        public var samples: Int
        /// Images left out because their file does not decode (absolute paths).
        public var unreadable: [String]
    }

    /// The caption of an image's `txt` member in the per-image layout: its first human caption (in the order
    /// they were stored), else one of its captions picked by a hash of the image id, so every export of the
    /// corpus picks the same one.
    public static func trainingCaption(of item: ExportItem) -> ExportItem.Caption? {
        if let human = item.captions.first(where: { $0.source == .human }) { return human }
        guard !item.captions.isEmpty else { return nil }
        // SplitMix64's finaliser: a stable, well-spread pick from the id alone.
        var mixed = UInt64(bitPattern: item.imageId) &+ 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        return item.captions[Int(mixed % UInt64(item.captions.count))]
    }

    /// Writes the shards into a fresh sibling folder (`.NAME.partial-PID`) and, once all are complete, puts it in
    /// the place of `folder` in one atomic step (files of the folder other than `shard-*.tar` are carried over). A
    /// kill at any point leaves the previous export whole; the next run removes the temporaries killed runs left.
    public func writeShards(_ items: [ExportItem], to folder: String,
                            progress: (Int, Int) -> Void = { _, _ in }) throws -> Written {
        let manager = FileManager.default
        try OutputFiles.prepare(folder, isFolder: true, what: "webdataset")
        let staging = OutputFiles.stagingFolder(for: folder)
        try? manager.removeItem(atPath: staging)
        defer { try? manager.removeItem(atPath: staging) }
        var written = try writeShardFiles(items, to: staging, progress: progress)
        guard written.samples > 0 else {
            throw CorpusError.invalidRequest("nothing to export to \(folder): none of the \(items.count) selected images "
                + "decodes (first: \(written.unreadable.first ?? ""))")
        }
        try OutputFiles.carryOver(from: folder, to: staging) { !($0.hasPrefix("shard-") && $0.hasSuffix(".tar")) }
        try OutputFiles.replaceFolder(folder, with: staging)
        written.files = written.files.map {
            URL(fileURLWithPath: folder).appendingPathComponent(URL(fileURLWithPath: $0).lastPathComponent).path
        }
        return written
    }

    func writeShardFiles(_ items: [ExportItem], to folder: String, progress: (Int, Int) -> Void) throws -> Written {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var written = Written(files: [], images: 0, captions: 0, samples: 0, unreadable: [])
        var tar = TarWriter()
        var samplesInShard = 0
        func flush() throws {
            guard samplesInShard > 0 else { return }
            let name = URL(fileURLWithPath: folder).appendingPathComponent(String(format: "shard-%06d.tar", written.files.count)).path
            try FileBytes.write(tar.finish(), to: name)
            written.files.append(name)
            tar = TarWriter()
            samplesInShard = 0
        }
        func addSample(key: String, fileExtension: String, image: [UInt8], caption: String, metadata: ExportItem) throws {
            // Keys must not contain dots: WebDataset splits the extension at the first one.
            tar.append(name: "\(key).\(fileExtension)", bytes: image)
            tar.append(name: "\(key).txt", bytes: Array(caption.utf8))
            tar.append(name: "\(key).json", bytes: Array(try encoder.encode(metadata)))
            written.samples += 1
            samplesInShard += 1
            if samplesInShard == shardSize { try flush() }
        }
        for (index, item) in items.enumerated() {
            defer { progress(index + 1, items.count) }
            let bytes = try FileBytes.read(item.absolutePath)
            let fileExtension = try Self.fileExtension(of: bytes, path: item.absolutePath)
            // A file no step has decoded is decoded once here: a truncated file keeps an intact header, and
            // shipping it would fail a training run midway.
            if !item.decoded {
                do {
                    _ = try ImageDecoder().verify(bytes, name: item.absolutePath)
                } catch {
                    written.unreadable.append(item.absolutePath)
                    continue
                }
            }
            written.images += 1
            switch layout {
            case .perImage:
                guard let caption = Self.trainingCaption(of: item) else { continue }
                try addSample(key: String(format: "%010lld", item.imageId), fileExtension: fileExtension, image: bytes,
                              caption: caption.text, metadata: item)
                written.captions += item.captions.count
            case .perCaption:
                for (number, caption) in item.captions.enumerated() {
                    var metadata = item
                    metadata.captions = [caption]
                    try addSample(key: String(format: "%010lld_%02d", item.imageId, number), fileExtension: fileExtension,
                                  image: bytes, caption: caption.text, metadata: metadata)
                    written.captions += 1
                }
            }
        }
        try flush()
        return written
    }

    /// `png` or `jpg` from the file's signature; WebDataset loaders decode by extension and most pipelines read
    /// PNG/JPEG only, so TIFF and BMP are refused.
    static func fileExtension(of bytes: [UInt8], path: String) throws -> String {
        switch ImageFormat.sniff(bytes) {
        case .png: return "png"
        case .jpeg: return "jpg"
        case .tiff, .bmp, nil:
            throw CorpusError.invalidRequest("\(path): WebDataset samples are PNG or JPEG; convert this image "
                + "(TIFF/BMP) to PNG first, or export it as csv/jsonl")
        }
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
