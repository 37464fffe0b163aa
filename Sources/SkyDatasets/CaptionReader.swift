import Foundation

/// An image with its human captions.
public struct CaptionedImage: Sendable, Hashable {
    /// The image path relative to the dataset root (as named by the caption file when the image was not found).
    public var relativePath: String
    /// Width and height, from the caption file or the image header; nil when neither is available.
    public var width: Int?
    public var height: Int?
    /// The split, from the record or the caption file's name.
    public var split: String?
    /// The captions, in file order, trimmed, empty ones dropped.
    public var captions: [String]
    /// Whether the image file was found below the caption file's folder. Caption files often list a whole
    /// dataset beside a sample of its images: an image not found must not become a corpus image from this
    /// source alone (ingest attaches its captions to an image the dataset already has, or counts it missing).
    public var onDisk = true
}

/// The caption datasets read from a root.
public struct CaptionSet: Sendable {
    /// The images, sorted by path, each with its captions.
    public var images: [CaptionedImage] = []
    /// Problems skipped; `annotationsWithoutImage` lists captioned images whose file was not found
    /// (they are kept: caption sets are often distributed without their images).
    public var report = ReadReport()

    /// Every caption of every image.
    public var captionCount: Int { images.reduce(0) { $0 + $1.captions.count } }
}

/// Human captions: Karpathy JSON (`images[].filename, split, sentences[].raw`) as RSICD, RSITMD, UCM-captions
/// and Sydney-captions ship, COCO-caption JSON, JSON lines `{filename, captions[]}`, and one caption per line
/// (`*caps*.txt`) with a parallel file of image names (`*filename*.txt`).
public enum CaptionReader {
    /// `train`, `val` or `test` when a file or folder name says so.
    public static func split(fromName name: String) -> String? {
        let lower = name.lowercased()
        if lower.contains("train") { return "train" }
        if lower.contains("val") { return "val" }
        if lower.contains("test") { return "test" }
        return nil
    }

    /// Finds images by relative path or by file name below the root, one folder level deep.
    struct ImageLookup {
        let root: String
        var byName: [String: String] = [:]

        init(root: String) {
            self.root = root
            var folders = [root]
            for entry in DatasetFiles.list(root) where DatasetFiles.isDirectory(DatasetFiles.join(root, entry)) {
                folders.append(DatasetFiles.join(root, entry))
            }
            for folder in folders {
                for name in DatasetFiles.list(folder) where DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)) {
                    byName[name] = byName[name] ?? DatasetFiles.relative(DatasetFiles.join(folder, name), to: root)
                }
            }
        }

        /// The relative path of the image named `name` (a path or a bare file name), if it exists.
        func find(_ name: String) -> String? {
            if DatasetFiles.isFile(DatasetFiles.join(root, name)) { return name }
            let base = name.split(separator: "/").last.map(String.init) ?? name
            return byName[base]
        }
    }

    /// Collects captions per image name, in first-seen order.
    struct Accumulator {
        var order: [String] = []
        var entries: [String: CaptionedImage] = [:]
        /// A shard's filter on image names (``ReadOptions/keep`` of the path the name resolves to); nil keeps all.
        var keeps: ((String) -> Bool)? = nil
        /// Whether each name seen so far is another shard's image: listed like every image, its captions neither
        /// cleaned nor kept.
        private var decided: [String: Bool] = [:]

        /// Whether `name` is another shard's image (decided once per name).
        mutating func isForeign(_ name: String) -> Bool {
            guard let keeps else { return false }
            if let known = decided[name] { return known }
            let outside = !keeps(name)
            decided[name] = outside
            return outside
        }

        /// Whether `name` was found to be another shard's image (false for names not seen, or without a filter).
        func wasForeign(_ name: String) -> Bool { decided[name] == true }

        mutating func add(name: String, split: String?, captions: [String], width: Int? = nil, height: Int? = nil) {
            let cleaned = isForeign(name) ? []
                : captions.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            if entries[name] == nil {
                order.append(name)
                entries[name] = CaptionedImage(relativePath: name, width: width, height: height, split: split, captions: [])
            }
            entries[name]?.captions += cleaned
            // A later file that names the split fills it in; the first split seen is kept otherwise.
            if entries[name]?.split == nil { entries[name]?.split = split }
            if entries[name]?.width == nil { entries[name]?.width = width }
            if entries[name]?.height == nil { entries[name]?.height = height }
        }
    }

    /// Reads one Karpathy, COCO-caption or JSON-lines file into `into`.
    static func readJSON(_ path: String, file: String, root: inout DatasetRoot, into accumulator: inout Accumulator,
                         collector: inout IssueCollector) throws(DatasetError) {
        let bytes = try DatasetFiles.bytes(path)
        let fileSplit = split(fromName: file)
        if file.hasSuffix(".jsonl") {
            var number = 0
            for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                number += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                do throws(DatasetError) {
                    let record = try JSONScanner.scan(Array(line), file: file) { scanner throws(DatasetError) in
                        try scanner.parseValue()
                    }
                    guard let name = record["filename"]?.string, let captions = record["captions"]?.array else {
                        throw DatasetError.line(number, of: file, "expected {\"filename\": ..., \"captions\": [...]}")
                    }
                    let contained = try root.contain(name, in: root.path, file: file, location: "line \(number)")
                    accumulator.add(name: contained, split: fileSplit, captions: captions.compactMap(\.string))
                } catch {
                    try collector.invalid(DatasetError(error.kind, file: file, location: "line \(number)", error.problem))
                }
            }
            return
        }
        var cocoImages: [Int: (name: String, width: Int?, height: Int?)] = [:]
        var cocoCaptions: [(imageID: Int, text: String)] = []
        var sawImages = false
        try JSONScanner.scan(bytes, file: file) { scanner throws(DatasetError) in
          try scanner.forEachMember { key, scanner throws(DatasetError) in
            switch key {
            case "images":
                sawImages = true
                try scanner.forEachElement { index, scanner throws(DatasetError) in
                    if try skipForeignKarpathy(&scanner, fileSplit: fileSplit, file: file, root: &root,
                                               into: &accumulator) { return }
                    let record = try scanner.parseValue()
                    if let name = record["filename"]?.string, let sentences = record["sentences"]?.array {
                        let texts = sentences.compactMap { $0["raw"]?.string }
                        let folder = record["filepath"]?.string.map { $0.isEmpty ? "" : $0 + "/" } ?? ""
                        do throws(DatasetError) {
                            let contained = try root.contain(folder + name, in: root.path, file: file,
                                                             location: "images[\(index)]")
                            accumulator.add(name: contained, split: record["split"]?.string ?? fileSplit, captions: texts)
                        } catch {
                            try collector.invalid(error)
                        }
                    } else if let id = record["id"]?.int, let name = record["file_name"]?.string {
                        do throws(DatasetError) {
                            let contained = try root.contain(name, in: root.path, file: file, location: "images[\(index)]")
                            cocoImages[id] = (contained, record["width"]?.int, record["height"]?.int)
                        } catch {
                            try collector.invalid(error)
                        }
                    } else {
                        try collector.invalid(DatasetError(.malformedRecord, file: file, location: "images[\(index)]",
                            "expected Karpathy {filename, split, sentences[].raw} or COCO {id, file_name}"))
                    }
                }
            case "annotations":
                try scanner.forEachElement { index, scanner throws(DatasetError) in
                    let record = try scanner.parseValue()
                    guard let imageID = record["image_id"]?.int, let text = record["caption"]?.string else {
                        try collector.invalid(DatasetError(.malformedRecord, file: file, location: "annotations[\(index)]",
                                                           "expected {image_id, caption}"))
                        return
                    }
                    cocoCaptions.append((imageID, text))
                }
            default:
                try scanner.skipValue()
            }
          }
        }
        guard sawImages else {
            throw DatasetError(.unreadableFile, file: file, "expected a Karpathy or COCO-caption object with 'images'")
        }
        for id in cocoImages.keys.sorted() {
            guard let image = cocoImages[id] else { continue }
            accumulator.add(name: image.name, split: fileSplit, captions: [], width: image.width, height: image.height)
        }
        for caption in cocoCaptions {
            guard let image = cocoImages[caption.imageID] else {
                try collector.invalid(DatasetError(.malformedRecord, file: file, location: "image_id \(caption.imageID)",
                                                   "a caption names an image_id that is not in 'images'"))
                continue
            }
            accumulator.add(name: image.name, split: fileSplit, captions: [caption.text])
        }
    }

    /// In a shard (``Accumulator/keeps``): a Karpathy record of another shard's image is walked over for its name
    /// and split only (its sentences are not parsed) and listed without captions; true when it was (the scanner then
    /// stands after it), false when the record is to be parsed as usual (the scanner has not moved).
    static func skipForeignKarpathy(_ scanner: inout JSONScanner, fileSplit: String?, file: String,
                                    root: inout DatasetRoot, into accumulator: inout Accumulator) throws(DatasetError) -> Bool {
        guard accumulator.keeps != nil, scanner.peekIsObject() else { return false }
        var probe = scanner
        var name: String? = nil, folder: String? = nil, split: String? = nil, sentences = false
        // Later duplicates of a member win, as in the parsed record.
        try probe.forEachMember { key, probe throws(DatasetError) in
            switch key {
            case "filename": name = try probe.parseValue().string
            case "filepath": folder = try probe.parseValue().string
            case "split": split = try probe.parseValue().string
            case "sentences":
                sentences = probe.peekIsArray()
                try probe.skipValue()
            default: try probe.skipValue()
            }
        }
        guard let name, sentences else { return false }
        let prefix = folder.map { $0.isEmpty ? "" : $0 + "/" } ?? ""
        // A name that cannot be contained is refused by the usual parse, in every shard alike.
        guard let contained = try? root.contain(prefix + name, in: root.path, file: file, location: nil),
              accumulator.isForeign(contained) else { return false }
        accumulator.add(name: contained, split: split ?? fileSplit, captions: [])
        scanner = probe
        return true
    }

    /// Reads a caption-per-line file with its parallel file of image names.
    static func readLines(captions: String, names: String, root: String, confined: inout DatasetRoot,
                          into accumulator: inout Accumulator, collector: inout IssueCollector) throws(DatasetError) {
        let file = DatasetFiles.relative(captions, to: root)
        let texts = try DatasetFiles.lines(captions)
        let imageNames = try DatasetFiles.lines(names)
        guard texts.count == imageNames.count else {
            try collector.invalid(DatasetError(.malformedRecord, file: file,
                "has \(texts.count) captions but \(DatasetFiles.relative(names, to: root)) names \(imageNames.count) images; "
                + "expected one image name per caption line"))
            return
        }
        let fileSplit = split(fromName: file)
        for (index, (text, name)) in zip(texts, imageNames).enumerated() {
            let imageName = name.trimmingCharacters(in: .whitespaces)
            guard !imageName.isEmpty else {
                try collector.invalid(.line(index + 1, of: DatasetFiles.relative(names, to: root), "expected an image name"))
                continue
            }
            do throws(DatasetError) {
                let contained = try confined.contain(imageName, in: root, file: DatasetFiles.relative(names, to: root),
                                                     location: "line \(index + 1)")
                accumulator.add(name: contained, split: fileSplit, captions: [String(text)])
            } catch {
                try collector.invalid(error)
            }
        }
    }

    /// The caption files at `root`: JSON/JSONL files and `*caps*.txt` with their `*filename*.txt`.
    public static func captionFiles(root: String) -> (json: [String], lines: [(captions: String, names: String)]) {
        var json: [String] = []
        var lines: [(String, String)] = []
        var folders = [root]
        for entry in DatasetFiles.list(root) where DatasetFiles.isDirectory(DatasetFiles.join(root, entry)) {
            folders.append(DatasetFiles.join(root, entry))
        }
        for folder in folders {
            for name in DatasetFiles.list(folder) {
                let lower = name.lowercased()
                if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") {
                    json.append(DatasetFiles.join(folder, name))
                } else if lower.hasSuffix(".txt"), let range = lower.range(of: "caps") {
                    let partner = name.replacingCharacters(in: range, with: "filename")
                    let path = DatasetFiles.join(folder, partner)
                    if DatasetFiles.isFile(path) { lines.append((DatasetFiles.join(folder, name), path)) }
                }
            }
        }
        return (json, lines)
    }

    /// Reads every caption file at `root` (or the one file `root` names), finding images below the root.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> CaptionSet {
        let base = DatasetFiles.isDirectory(root) ? root : String(root.prefix(upTo: root.lastIndex(of: "/") ?? root.startIndex))
        let files: (json: [String], lines: [(captions: String, names: String)]) =
            DatasetFiles.isDirectory(root) ? captionFiles(root: root) : ([root], [])
        guard !files.json.isEmpty || !files.lines.isEmpty else {
            throw DatasetError(.unreadableFile, file: root,
                               "no caption files; expected Karpathy/COCO-caption JSON, JSON lines, or *caps*.txt with *filename*.txt")
        }
        var collector = IssueCollector(options: options)
        var accumulator = Accumulator()
        var confined = DatasetRoot(base)
        let lookup = ImageLookup(root: base)
        if let keep = options.keep {
            // A name's shard is that of the path it resolves to (the image found below the root, else the name).
            accumulator.keeps = { name in keep.keeps(lookup.find(name) ?? name) }
        }
        for path in files.json {
            collector.report.filesRead += 1
            try readJSON(path, file: DatasetFiles.relative(path, to: base), root: &confined, into: &accumulator,
                         collector: &collector)
        }
        for pair in files.lines {
            collector.report.filesRead += 1
            try readLines(captions: pair.captions, names: pair.names, root: base, confined: &confined,
                          into: &accumulator, collector: &collector)
        }
        var set = CaptionSet()
        var indexByPath: [String: Int] = [:]
        for name in accumulator.order {
            guard var image = accumulator.entries[name] else { continue }
            if image.split == nil { image.split = options.split }
            if let wanted = options.split, image.split != wanted { continue }
            if let found = lookup.find(name) {
                // A listed file can still be a symbolic link out of the tree.
                do throws(DatasetError) { try confined.check(relative: found) } catch { try collector.invalid(error); continue }
                image.relativePath = found
                // Another shard's image: listed (every shard lists alike), its header not read.
                if !accumulator.wasForeign(name), image.width == nil || image.height == nil {
                    var probe = AnnotatedImage(relativePath: found)
                    if try BoxRepair.fillSize(&probe, root: base, collector: &collector) {
                        image.width = probe.width
                        image.height = probe.height
                    }
                }
            } else {
                image.onDisk = false
                collector.report.annotationsWithoutImage.append(name)
            }
            // Two names of one file (`a.jpg` and `images/a.jpg`) become one image with both caption lists.
            if let existing = indexByPath[image.relativePath] {
                set.images[existing].captions += image.captions
                if set.images[existing].split == nil { set.images[existing].split = image.split }
                continue
            }
            indexByPath[image.relativePath] = set.images.count
            set.images.append(image)
        }
        set.images.sort { $0.relativePath < $1.relativePath }
        collector.report.recordsRead = set.captionCount
        set.report = collector.report
        return set
    }
}
