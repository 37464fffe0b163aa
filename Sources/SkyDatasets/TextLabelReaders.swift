import SkyGeometry

/// Reads the "one text file of objects per image" layouts: a folder of label files beside a folder of images.
public enum PairedTextLabels {
    /// Parses one line into an object, nil for a line to pass over (blank, comment).
    public typealias LineParser = (_ line: Substring, _ number: Int, _ file: String) throws(DatasetError) -> AnnotatedObject?

    /// Reads every `*.txt` of `labels` against the images of `images` (both absolute folders below `root`).
    /// `splits` (image stem -> split) filters by `options.split` and labels the images.
    public static func read(root: String, labels: String, images: String, splits: [String: String] = [:],
                            collector: inout IssueCollector, parse: LineParser) throws(DatasetError) -> [AnnotatedImage] {
        let folder = ImageFolder(images)
        let wanted = collector.options.split
        func split(of stem: String) -> String? { splits[stem] ?? (splits.isEmpty ? wanted : nil) }
        func included(_ stem: String) -> Bool { wanted == nil || splits.isEmpty || splits[stem] == wanted }
        var result: [AnnotatedImage] = []
        var labelled = Set<String>()
        for name in DatasetFiles.list(labels) where name.lowercased().hasSuffix(".txt") {
            let stem = DatasetFiles.stem(name)
            guard included(stem) else { continue }
            let path = DatasetFiles.join(labels, name)
            let relative = DatasetFiles.relative(path, to: root)
            collector.report.filesRead += 1
            guard let imagePath = folder.image(stem: stem) else {
                collector.report.annotationsWithoutImage.append(relative)
                continue
            }
            labelled.insert(stem)
            var image = AnnotatedImage(relativePath: DatasetFiles.relative(imagePath, to: root), split: split(of: stem))
            let lines: [Substring]
            do { lines = try DatasetFiles.lines(path) } catch { try collector.invalid(error); continue }
            for (index, line) in lines.enumerated() {
                do throws(DatasetError) {
                    if let object = try parse(line, index + 1, relative) { image.objects.append(object) }
                } catch {
                    try collector.invalid(error)
                }
            }
            result.append(image)
        }
        for (stem, _) in folder.byStem.sorted(by: { $0.key < $1.key }) where !labelled.contains(stem) && included(stem) {
            guard let path = folder.image(stem: stem) else { continue }
            let relative = DatasetFiles.relative(path, to: root)
            collector.report.imagesWithoutAnnotations.append(relative)
            result.append(AnnotatedImage(relativePath: relative, split: split(of: stem)))
        }
        return result
    }

    /// Splits a line on commas, spaces or tabs, dropping empty fields (VisDrone lines may end in a comma).
    static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
    }

    /// The numbers of `fields`, or an error naming the line when one is not a number.
    static func numbers(_ fields: ArraySlice<Substring>, number: Int, file: String,
                        expected: String) throws(DatasetError) -> [Double] {
        var values: [Double] = []
        for field in fields {
            guard let value = Double(field), value.isFinite else {
                throw .line(number, of: file, "\(expected); '\(field)' is not a number")
            }
            values.append(value)
        }
        return values
    }
}

/// VisDrone-DET: `annotations/NAME.txt` beside `images/NAME.jpg`, lines
/// `left,top,width,height,score,category,truncation,occlusion`. Category 0 (ignored region), category 11
/// (others) and score 0 are read as `ignore`; truncation 1 or 2 as `truncated`. The raw class is the category id,
/// named through `Schemas/classes/visdrone.json`.
public enum VisDroneReader {
    static let expected = "expected 'left,top,width,height,score,category,truncation,occlusion'"

    /// Parses one annotation line.
    public static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> AnnotatedObject? {
        let fields = PairedTextLabels.fields(line)
        if fields.isEmpty { return nil }
        guard fields.count >= 6 && fields.count <= 8 else {
            throw .line(number, of: file, "\(expected), found \(fields.count) fields")
        }
        let values = try PairedTextLabels.numbers(fields[...], number: number, file: file, expected: expected)
        guard let category = Int(exactly: values[5]), (0...11).contains(category) else {
            throw .line(number, of: file, "\(expected); the category '\(fields[5])' is not an id 0...11")
        }
        let truncation = values.count > 6 ? values[6] : 0
        return AnnotatedObject(rawClass: String(category),
                               box: AxisBox(x: values[0], y: values[1], width: values[2], height: values[3]),
                               ignore: category == 0 || category == 11 || values[4] == 0, truncated: truncation > 0)
    }

    /// Reads a VisDrone-DET folder (`images/` + `annotations/`) or a root of such folders, one per split.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        var folders: [(String, String?)] = []
        if DatasetFiles.child(root, named: "annotations") != nil {
            folders = [(root, options.split)]
        } else {
            for entry in DatasetFiles.list(root) {
                let path = DatasetFiles.join(root, entry)
                guard DatasetFiles.child(path, named: "annotations") != nil else { continue }
                let lower = entry.lowercased()
                let split = ["train", "val", "test-dev", "test-challenge", "test"].first { lower.contains($0) } ?? lower
                if let wanted = options.split, wanted != split { continue }
                folders.append((path, split))
            }
        }
        guard !folders.isEmpty else {
            throw DatasetError(.unreadableFile, file: root, "expected the VisDrone layout images/ + annotations/")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        for (folder, split) in folders {
            guard let labels = DatasetFiles.child(folder, named: "annotations") else { continue }
            let images = DatasetFiles.child(folder, named: "images") ?? DatasetFiles.join(folder, "images")
            var read = try PairedTextLabels.read(root: root, labels: labels, images: images,
                                                 collector: &collector, parse: parseLine)
            for index in read.indices { read[index].split = split }
            set.images += read
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}

/// NWPU VHR-10: `ground truth/NNN.txt` with lines `(x1,y1),(x2,y2),class` for `positive image set/NNN.jpg`;
/// `negative image set/` holds images with no objects. The raw class is the id 1...10.
public enum NWPUReader {
    static let expected = "expected '(x1,y1),(x2,y2),class'"

    /// Parses one ground-truth line.
    public static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> AnnotatedObject? {
        let cleaned = line.filter { $0 != "(" && $0 != ")" && $0 != " " && $0 != "\t" }
        let fields = cleaned.split(separator: ",")
        if fields.isEmpty { return nil }
        guard fields.count == 5 else { throw .line(number, of: file, "\(expected), found \(fields.count) values") }
        let values = try PairedTextLabels.numbers(fields[0..<4], number: number, file: file, expected: expected)
        guard let id = Int(fields[4]), (1...10).contains(id) else {
            throw .line(number, of: file, "\(expected); the class '\(fields[4])' is not an id 1...10")
        }
        return AnnotatedObject(rawClass: String(id), box: AxisBox(x: values[0], y: values[1],
                                                                  width: values[2] - values[0], height: values[3] - values[1]))
    }

    /// Reads an NWPU VHR-10 root.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        guard let labels = DatasetFiles.child(root, named: "ground truth") ?? DatasetFiles.child(root, named: "ground_truth") else {
            throw DatasetError(.unreadableFile, file: root, "expected the NWPU VHR-10 layout 'ground truth/' + 'positive image set/'")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        let positive = DatasetFiles.child(root, named: "positive image set") ?? DatasetFiles.join(root, "positive image set")
        set.images = try PairedTextLabels.read(root: root, labels: labels, images: positive,
                                               collector: &collector, parse: parseLine)
        if let negative = DatasetFiles.child(root, named: "negative image set") {
            for path in ImageFolder(negative).all {
                set.images.append(AnnotatedImage(relativePath: DatasetFiles.relative(path, to: root), split: options.split))
            }
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}

/// CARPK and PUCPR+ devkit: `Annotations/NAME.txt` with lines `x1 y1 x2 y2 class` for `Images/NAME.png`, and
/// `ImageSets/train.txt` / `test.txt`. The raw class is the id (1 = car).
public enum CARPKReader {
    static let expected = "expected 'x1 y1 x2 y2 class'"

    /// Parses one annotation line.
    public static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> AnnotatedObject? {
        let fields = PairedTextLabels.fields(line)
        if fields.isEmpty { return nil }
        guard fields.count == 5 else { throw .line(number, of: file, "\(expected), found \(fields.count) fields") }
        let values = try PairedTextLabels.numbers(fields[0..<4], number: number, file: file, expected: expected)
        return AnnotatedObject(rawClass: String(fields[4]),
                               box: AxisBox(x: values[0], y: values[1], width: values[2] - values[0], height: values[3] - values[1]))
    }

    /// Reads a CARPK root (`data/` of the devkit, or the devkit folder itself).
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        let base = DatasetFiles.isDirectory(DatasetFiles.join(root, "data/Annotations")) ? DatasetFiles.join(root, "data") : root
        guard let labels = DatasetFiles.child(base, named: "Annotations"),
              let images = DatasetFiles.child(base, named: "Images") else {
            throw DatasetError(.unreadableFile, file: root, "expected the CARPK layout Images/ + Annotations/ (+ ImageSets/)")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        set.images = try PairedTextLabels.read(root: root, labels: labels, images: images,
                                               splits: VOCReader.splitLists(root: base),
                                               collector: &collector, parse: parseLine)
        try set.finish(root: root, collector: &collector)
        return set
    }
}
