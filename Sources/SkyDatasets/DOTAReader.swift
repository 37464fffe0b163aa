import Foundation
import SkyGeometry

/// Images with their objects as a detection reader returns them, and what it found along the way.
public struct DetectionSet: Sendable {
    /// The images, sorted by relative path, each with its objects (clipped, degenerate boxes dropped).
    public var images: [AnnotatedImage]
    /// Problems skipped, boxes repaired, unmatched files.
    public var report: ReadReport
    /// Every image path the reader listed, in the order of `images`, including those it then left out (unreadable, or not kept by
    /// `ReadOptions.keep`): the same in every shard, so a build numbers the images by it.
    public var listing: [String] = []

    public init(images: [AnnotatedImage] = [], report: ReadReport = ReadReport()) {
        self.images = images
        self.report = report
    }

    /// Every object of every image.
    public var objectCount: Int { images.reduce(0) { $0 + $1.objects.count } }

    /// Object counts per raw class name.
    public var countsByClass: [String: Int] {
        var counts: [String: Int] = [:]
        for image in images { for object in image.objects { counts[object.rawClass, default: 0] += 1 } }
        return counts
    }

    /// Fills missing sizes from headers, clips and drops boxes, sorts the images and counts the objects; leaves out
    /// the images `ReadOptions.keep` rejects (before any work on them) and records every listed path in `listing`.
    mutating func finish(root: String, collector: inout IssueCollector) throws(DatasetError) {
        // In place, so a million COCO objects are never held twice.
        var unreadable = Set<Int>()
        var confined = DatasetRoot(root)
        listing = images.map(\.relativePath).sorted()
        for index in images.indices {
            // Another shard's image: no header read, no clipping; only its path stays, in `listing`.
            if let keep = collector.options.keep, !keep.keeps(images[index].relativePath) {
                unreadable.insert(index)
                continue
            }
            // Paths found by listing folders are inside the root, unless a symbolic link leads out.
            do throws(DatasetError) {
                try confined.check(relative: images[index].relativePath)
            } catch {
                try collector.invalid(error)
                unreadable.insert(index)
                continue
            }
            guard try BoxRepair.fillSize(&images[index], root: root, collector: &collector) else {
                unreadable.insert(index)
                continue
            }
            BoxRepair.clipAndDrop(&images[index], report: &collector.report)
        }
        if !unreadable.isEmpty {
            images = images.enumerated().filter { !unreadable.contains($0.offset) }.map(\.element)
        }
        images.sort { $0.relativePath < $1.relativePath }
        collector.report.recordsRead = objectCount
        report = collector.report
    }
}

/// DOTA v1.0/v1.5/v2.0 `labelTxt`: `x1 y1 x2 y2 x3 y3 x4 y4 class difficulty` per line after optional
/// `imagesource:` and `gsd:` headers. Difficulty 0 is normal, 1 difficult, 2 an object cut by a tile border.
public enum DOTAReader {
    /// One parsed label file.
    public struct LabelFile: Sendable, Hashable {
        /// The header lines (`imagesource`, `gsd`), by key.
        public var header: [String: String] = [:]
        /// The objects, in file order.
        public var objects: [AnnotatedObject] = []
    }

    /// Parses the text of one label file; `file` names it in errors.
    public static func parse(_ text: String, file: String, collector: inout IssueCollector) throws(DatasetError) -> LabelFile {
        try parse(bytes: Array(text.utf8), file: file, collector: &collector)
    }

    /// Parses the bytes of one label file (lines ending in LF or CRLF); `file` names it in errors.
    public static func parse(bytes: [UInt8], file: String, collector: inout IssueCollector) throws(DatasetError) -> LabelFile {
        var result = LabelFile()
        var tokens: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { buffer throws(DatasetError) in
            var lineStart = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var lineNumber = 0
            while lineStart < buffer.count {
                var lineEnd = lineStart
                while lineEnd < buffer.count && buffer[lineEnd] != 0x0A { lineEnd += 1 }
                lineNumber += 1
                var contentEnd = lineEnd
                if contentEnd > lineStart && buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                tokens.removeAll(keepingCapacity: true)
                var index = lineStart
                while index < contentEnd {
                    while index < contentEnd && (buffer[index] == 0x20 || buffer[index] == 0x09) { index += 1 }
                    let tokenStart = index
                    while index < contentEnd && buffer[index] != 0x20 && buffer[index] != 0x09 { index += 1 }
                    if index > tokenStart { tokens.append(tokenStart..<index) }
                }
                let line = lineStart..<contentEnd
                lineStart = lineEnd + 1
                if tokens.isEmpty { continue }
                if tokens.count < 9, buffer[tokens[0]].contains(UInt8(ascii: ":")) {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[line]), as: UTF8.self)
                    if let colon = text.firstIndex(of: ":") {
                        let key = text[..<colon].trimmingCharacters(in: .whitespaces)
                        result.header[key] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    }
                    continue
                }
                do throws(DatasetError) {
                    result.objects.append(try parseObject(buffer, tokens, lineNumber: lineNumber, file: file))
                } catch {
                    try collector.invalid(error)
                }
            }
        }
        return result
    }

    static func parseObject(_ buffer: UnsafeBufferPointer<UInt8>, _ tokens: [Range<Int>], lineNumber: Int,
                            file: String) throws(DatasetError) -> AnnotatedObject {
        func text(_ token: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: buffer[token]), as: UTF8.self) }
        let expected = "expected 8 corner coordinates, a class name and a difficulty (0, 1 or 2)"
        guard tokens.count == 9 || tokens.count == 10 else {
            throw .line(lineNumber, of: file, "\(expected), found \(tokens.count) fields")
        }
        var points: [Point2D] = []
        points.reserveCapacity(4)
        for corner in 0..<4 {
            guard let x = DecimalParser.parse(buffer, tokens[2 * corner]), let y = DecimalParser.parse(buffer, tokens[2 * corner + 1]),
                  x.isFinite, y.isFinite else {
                throw .line(lineNumber, of: file,
                            "\(expected); corner \(corner + 1) is '\(text(tokens[2 * corner])) \(text(tokens[2 * corner + 1]))'")
            }
            points.append(Point2D(x: x, y: y))
        }
        var difficulty = 0
        if tokens.count == 10 {
            let token = tokens[9]
            guard token.count == 1, (0x30...0x32).contains(buffer[token.lowerBound]) else {
                throw .line(lineNumber, of: file, "\(expected); the difficulty is '\(text(token))'")
            }
            difficulty = Int(buffer[token.lowerBound] - 0x30)
        }
        return AnnotatedObject(rawClass: text(tokens[8]), box: BoxRepair.bounds(of: points), polygon: points,
                               difficult: difficulty == 1, ignore: difficulty == 2)
    }

    /// The folders that hold label files: `ROOT/labelTxt*` and `ROOT/SPLIT/labelTxt*`, with the split name.
    public static func labelFolders(root: String) -> [(labels: String, images: String, split: String?)] {
        func folders(in directory: String, split: String?) -> [(String, String, String?)] {
            var found: [(String, String, String?)] = []
            for entry in DatasetFiles.list(directory) where entry.lowercased().hasPrefix("labeltxt") {
                var labels = DatasetFiles.join(directory, entry)
                guard DatasetFiles.isDirectory(labels) else { continue }
                // DOTA v1.5/v2.0 archives nest one more folder (labelTxt-v1.5/DOTA-v1.5_train/).
                let entries = DatasetFiles.list(labels)
                if !entries.contains(where: { $0.hasSuffix(".txt") }),
                   let nested = entries.first(where: { DatasetFiles.isDirectory(DatasetFiles.join(labels, $0)) }) {
                    labels = DatasetFiles.join(labels, nested)
                }
                let images = DatasetFiles.child(directory, named: "images") ?? DatasetFiles.join(directory, "images")
                found.append((labels, images, split))
            }
            return found
        }
        var result = folders(in: root, split: nil)
        if result.isEmpty {
            for entry in DatasetFiles.list(root) where DatasetFiles.isDirectory(DatasetFiles.join(root, entry)) {
                result += folders(in: DatasetFiles.join(root, entry), split: entry.lowercased())
            }
        }
        return result.map { (labels: $0.0, images: $0.1, split: $0.2) }
    }

    /// Reads a DOTA dataset at `root` (`images/` + `labelTxt/`, or one such pair per split folder).
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        let folders = labelFolders(root: root)
        guard !folders.isEmpty else {
            throw DatasetError(.unreadableFile, file: root,
                "no labelTxt/ folder here or in a split folder; expected the DOTA layout images/ + labelTxt/")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        for folder in folders {
            if let wanted = options.split, let split = folder.split, split != wanted { continue }
            let split = folder.split ?? options.split
            let images = ImageFolder(folder.images)
            var labelled = Set<String>()
            for name in DatasetFiles.list(folder.labels) where name.hasSuffix(".txt") {
                let labelPath = DatasetFiles.join(folder.labels, name)
                let relativeLabel = DatasetFiles.relative(labelPath, to: root)
                let stem = DatasetFiles.stem(name)
                if let keep = options.keep, let imagePath = images.image(stem: stem),
                   case let relative = DatasetFiles.relative(imagePath, to: root), !keep.keeps(relative) {
                    labelled.insert(stem)  // another shard's image: listed, its labels not read
                    set.images.append(AnnotatedImage(relativePath: relative, split: split))
                    continue
                }
                collector.report.filesRead += 1
                let bytes: [UInt8]
                do { bytes = try DatasetFiles.bytes(labelPath) } catch { try collector.invalid(error); continue }
                let label = try parse(bytes: bytes, file: relativeLabel, collector: &collector)
                guard let imagePath = images.image(stem: stem) else {
                    collector.report.annotationsWithoutImage.append(relativeLabel)
                    continue
                }
                labelled.insert(stem)
                set.images.append(AnnotatedImage(relativePath: DatasetFiles.relative(imagePath, to: root),
                                                 split: split, objects: label.objects))
            }
            for (stem, _) in images.byStem where !labelled.contains(stem) {
                guard let imagePath = images.image(stem: stem) else { continue }
                let relative = DatasetFiles.relative(imagePath, to: root)
                collector.report.imagesWithoutAnnotations.append(relative)
                set.images.append(AnnotatedImage(relativePath: relative, split: split))
            }
        }
        collector.report.annotationsWithoutImage.sort()
        collector.report.imagesWithoutAnnotations.sort()
        try set.finish(root: root, collector: &collector)
        return set
    }
}
