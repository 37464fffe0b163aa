import Foundation
import SkyGeometry

/// YOLO txt: one `labels/NAME.txt` per `images/NAME.*`, lines `class cx cy w h` (or `class x1 y1 ... xn yn`
/// polygons, as YOLO-seg and YOLO-OBB write them) in coordinates normalised to the image size, with a class-name
/// file (`classes.txt`, `*.names` or `names:` in `data.yaml`). Sizes come from the image headers.
public enum YOLOReader {
    /// A parsed line, still normalised.
    struct Normalised {
        var classIndex: Int
        var points: [Point2D]?
        var box: AxisBox
    }

    /// Reads class names from `classes.txt`, `obj.names`, any `*.names`, or the `names:` of `data.yaml`.
    public static func classNames(root: String) throws(DatasetError) -> [String] {
        for name in ["classes.txt", "obj.names"] + DatasetFiles.list(root).filter({ $0.hasSuffix(".names") }) {
            let path = DatasetFiles.join(root, name)
            if DatasetFiles.isFile(path) {
                return try DatasetFiles.lines(path).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
        }
        for name in ["data.yaml", "dataset.yaml", "data.yml"] {
            let path = DatasetFiles.join(root, name)
            if DatasetFiles.isFile(path) { return try yamlNames(DatasetFiles.lines(path), file: name) }
        }
        throw DatasetError(.unreadableFile, file: root,
                           "no class-name file; expected classes.txt, obj.names, *.names or data.yaml with 'names:'")
    }

    /// The `names:` of a YOLO data.yaml: an inline list `[a, b]`, a block list `- a`, or a block map `0: a`.
    /// The highest class id a `names:` map may give (YOLO datasets have tens to a few thousand classes).
    static let maximumClassID = 65_535

    static func yamlNames(_ lines: [Substring], file: String) throws(DatasetError) -> [String] {
        func unquote(_ text: Substring) -> String {
            text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("names:") }) else {
            throw DatasetError(.unreadableFile, file: file, "expected a 'names:' entry")
        }
        let inline = lines[start].dropFirst("names:".count).trimmingCharacters(in: .whitespaces)
        if inline.hasPrefix("[") {
            return inline.dropFirst().dropLast().split(separator: ",").map(unquote)
        }
        var byIndex: [Int: String] = [:]
        var list: [String] = []
        for (offset, line) in lines[(start + 1)...].enumerated() {
            guard line.hasPrefix(" ") || line.hasPrefix("\t") || line.hasPrefix("-") else { break }
            let entry = line.trimmingCharacters(in: .whitespaces)
            if entry.hasPrefix("-") {
                list.append(unquote(entry.dropFirst()[...]))
            } else if let colon = entry.firstIndex(of: ":"), let index = Int(entry[..<colon]) {
                // The names become a list up to the highest id: an id far past any real class table would
                // allocate that many names (found by the yolo fuzz target with id 11111111111111112).
                guard (0...YOLOReader.maximumClassID).contains(index) else {
                    throw .line(start + offset + 2, of: file,
                                "class id \(index) is outside 0...\(YOLOReader.maximumClassID)")
                }
                byIndex[index] = unquote(entry[entry.index(after: colon)...])
            }
        }
        if !list.isEmpty { return list }
        return (0..<(byIndex.keys.max().map { $0 + 1 } ?? 0)).map { byIndex[$0] ?? "class \($0)" }
    }

    static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> Normalised? {
        let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if tokens.isEmpty { return nil }
        let expected = "expected 'class cx cy w h' or 'class x1 y1 x2 y2 x3 y3 ...' normalised to 0...1"
        guard let classIndex = Int(tokens[0]), classIndex >= 0 else {
            throw .line(number, of: file, "\(expected); the class is '\(tokens[0])'")
        }
        let values = tokens.dropFirst().compactMap { Double($0) }
        guard values.count == tokens.count - 1, values.allSatisfy(\.isFinite) else {
            throw .line(number, of: file, "\(expected); a coordinate is not a number")
        }
        if values.count == 4 {
            let box = AxisBox(x: values[0] - values[2] / 2, y: values[1] - values[3] / 2, width: values[2], height: values[3])
            return Normalised(classIndex: classIndex, points: nil, box: box)
        }
        guard values.count >= 6, values.count % 2 == 0 else {
            throw .line(number, of: file, "\(expected), found \(tokens.count) fields")
        }
        let points = stride(from: 0, to: values.count, by: 2).map { Point2D(x: values[$0], y: values[$0 + 1]) }
        return Normalised(classIndex: classIndex, points: points, box: BoxRepair.bounds(of: points))
    }

    /// Reads a YOLO dataset at `root`: `images/` + `labels/`, each flat or with one folder per split.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        guard let imagesRoot = DatasetFiles.child(root, named: "images"),
              let labelsRoot = DatasetFiles.child(root, named: "labels") else {
            throw DatasetError(.unreadableFile, file: root, "expected the YOLO layout images/ + labels/")
        }
        let names = try classNames(root: root)
        var pairs: [(images: String, labels: String, split: String?)] = []
        let splitFolders = DatasetFiles.list(labelsRoot).filter { DatasetFiles.isDirectory(DatasetFiles.join(labelsRoot, $0)) }
        if splitFolders.isEmpty {
            pairs = [(imagesRoot, labelsRoot, options.split)]
        } else {
            for split in splitFolders where options.split == nil || options.split == split {
                pairs.append((DatasetFiles.join(imagesRoot, split), DatasetFiles.join(labelsRoot, split), split))
            }
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        for pair in pairs {
            let images = ImageFolder(pair.images)
            var labelled = Set<String>()
            for name in DatasetFiles.list(pair.labels) where name.hasSuffix(".txt") {
                let path = DatasetFiles.join(pair.labels, name)
                let relative = DatasetFiles.relative(path, to: root)
                collector.report.filesRead += 1
                guard let imagePath = images.image(stem: DatasetFiles.stem(name)) else {
                    collector.report.annotationsWithoutImage.append(relative)
                    continue
                }
                labelled.insert(DatasetFiles.stem(name))
                var image = AnnotatedImage(relativePath: DatasetFiles.relative(imagePath, to: root), split: pair.split)
                if let keep = options.keep, !keep.keeps(image.relativePath) {
                    set.images.append(image)  // another shard's image: listed, neither its header nor labels read
                    continue
                }
                guard try BoxRepair.fillSize(&image, root: root, collector: &collector),
                      let width = image.width.map(Double.init), let height = image.height.map(Double.init) else { continue }
                let lines: [Substring]
                do { lines = try DatasetFiles.lines(path) } catch { try collector.invalid(error); continue }
                for (index, line) in lines.enumerated() {
                    do throws(DatasetError) {
                        guard let parsed = try parseLine(line, number: index + 1, file: relative) else { continue }
                        guard parsed.classIndex < names.count else {
                            throw DatasetError(.unknownClass, file: relative, location: "line \(index + 1)",
                                               "class \(parsed.classIndex) is past the \(names.count) names of the class-name file")
                        }
                        let box = AxisBox(x: parsed.box.x * width, y: parsed.box.y * height,
                                          width: parsed.box.width * width, height: parsed.box.height * height)
                        let polygon = parsed.points?.map { Point2D(x: $0.x * width, y: $0.y * height) }
                        image.objects.append(AnnotatedObject(rawClass: names[parsed.classIndex], box: box, polygon: polygon))
                    } catch {
                        try collector.invalid(error)
                    }
                }
                set.images.append(image)
            }
            for (stem, _) in images.byStem.sorted(by: { $0.key < $1.key }) where !labelled.contains(stem) {
                guard let path = images.image(stem: stem) else { continue }
                let relative = DatasetFiles.relative(path, to: root)
                collector.report.imagesWithoutAnnotations.append(relative)
                set.images.append(AnnotatedImage(relativePath: relative, split: pair.split))
            }
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}
