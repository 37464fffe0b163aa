import Foundation
import SkyGeometry

/// AU-AIR: one `annotations.json` with `categories` (a list of names) and `annotations[]` of
/// `{image_name, "image_width:", image_height, bbox: [{top, left, height, width, class}]}` (the stray colon
/// in `image_width:` is the dataset's own), images in `images/`.
public enum AUAIRReader {
    /// Reads an AU-AIR root.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        let path = DatasetFiles.join(root, "annotations.json")
        guard DatasetFiles.isFile(path) else {
            throw DatasetError(.unreadableFile, file: root, "expected the AU-AIR layout annotations.json + images/")
        }
        let imageFolder = ImageFolder(DatasetFiles.child(root, named: "images") ?? root)
        var collector = IssueCollector(options: options)
        let bytes = try DatasetFiles.bytes(path)
        var categories: [String] = []
        var records: [(index: Int, record: JSONValue)] = []
        collector.report.filesRead += 1
        try JSONScanner.scan(bytes, file: "annotations.json") { scanner throws(DatasetError) in
          try scanner.forEachMember { key, scanner throws(DatasetError) in
            switch key {
            case "categories":
                categories = try scanner.parseValue().array?.compactMap(\.string) ?? []
            case "annotations":
                try scanner.forEachElement { index, scanner throws(DatasetError) in
                    records.append((index, try scanner.parseValue()))
                }
            default:
                try scanner.skipValue()
            }
          }
        }
        guard !categories.isEmpty else {
            throw DatasetError(.unreadableFile, file: "annotations.json", "expected a 'categories' list of class names")
        }
        var set = DetectionSet()
        for (index, record) in records {
            let location = "annotations[\(index)]"
            guard let name = record["image_name"]?.string else {
                try collector.invalid(DatasetError(.malformedRecord, file: "annotations.json", location: location,
                                                   "expected an 'image_name'"))
                continue
            }
            guard let imagePath = imageFolder.image(named: name) else {
                collector.report.annotationsWithoutImage.append(name)
                continue
            }
            var image = AnnotatedImage(relativePath: DatasetFiles.relative(imagePath, to: root),
                                       width: (record["image_width:"] ?? record["image_width"])?.int,
                                       height: record["image_height"]?.int, split: options.split)
            for (boxIndex, box) in (record["bbox"]?.array ?? []).enumerated() {
                guard let top = box["top"]?.double, let left = box["left"]?.double,
                      let height = box["height"]?.double, let width = box["width"]?.double,
                      let classIndex = box["class"]?.int else {
                    try collector.invalid(DatasetError(.malformedRecord, file: "annotations.json",
                        location: "\(location) (\(name)) bbox \(boxIndex)", "expected {top, left, height, width, class}"))
                    continue
                }
                guard categories.indices.contains(classIndex) else {
                    try collector.invalid(DatasetError(.unknownClass, file: "annotations.json",
                        location: "\(location) (\(name)) bbox \(boxIndex)",
                        "class \(classIndex) is past the \(categories.count) names of 'categories'"))
                    continue
                }
                image.objects.append(AnnotatedObject(rawClass: categories[classIndex],
                                                     box: AxisBox(x: left, y: top, width: width, height: height)))
            }
            set.images.append(image)
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}

/// Stanford Drone Dataset: `annotations/SCENE/videoN/annotations.txt`, lines
/// `track xmin ymin xmax ymax frame lost occluded generated "label"`. SDD ships videos; the frames that were
/// extracted are read from `frames/SCENE/videoN/FRAME.jpg` (frame number as the stem, zero padding allowed),
/// and only the annotations of those frames are kept. Lost objects (outside the view) are skipped;
/// occluded ones are marked difficult.
public enum StanfordDroneReader {
    /// One parsed line: the frame and the object, nil for a lost object.
    public static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> (frame: Int, object: AnnotatedObject)? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let expected = "expected 'track xmin ymin xmax ymax frame lost occluded generated \"label\"'"
        guard fields.count == 10 else { throw .line(number, of: file, "\(expected), found \(fields.count) fields") }
        let values = try PairedTextLabels.numbers(fields[1..<9], number: number, file: file, expected: expected)
        guard let frame = Int(exactly: values[4]) else { throw .line(number, of: file, "\(expected); the frame is not an integer") }
        if values[5] != 0 { return nil }
        let label = fields[9].trimmingCharacters(in: ["\""])
        let object = AnnotatedObject(rawClass: label, box: AxisBox(x: values[0], y: values[1], width: values[2] - values[0],
                                                                   height: values[3] - values[1]),
                                     difficult: values[6] != 0)
        return (frame, object)
    }

    /// Reads a Stanford Drone root.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        guard let annotations = DatasetFiles.child(root, named: "annotations"),
              let frames = DatasetFiles.child(root, named: "frames") else {
            throw DatasetError(.unreadableFile, file: root,
                               "expected annotations/SCENE/videoN/annotations.txt and extracted frames/SCENE/videoN/FRAME.jpg")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        for scene in DatasetFiles.list(annotations) {
            for video in DatasetFiles.list(DatasetFiles.join(annotations, scene)) {
                let path = DatasetFiles.join(DatasetFiles.join(DatasetFiles.join(annotations, scene), video), "annotations.txt")
                guard DatasetFiles.isFile(path) else { continue }
                let relative = DatasetFiles.relative(path, to: root)
                let folder = ImageFolder(DatasetFiles.join(DatasetFiles.join(frames, scene), video))
                var byFrame: [Int: String] = [:]
                for (stem, _) in folder.byStem { if let frame = Int(stem), let image = folder.image(stem: stem) { byFrame[frame] = image } }
                guard !byFrame.isEmpty else {
                    collector.report.annotationsWithoutImage.append(relative)
                    continue
                }
                collector.report.filesRead += 1
                var objects: [Int: [AnnotatedObject]] = [:]
                let lines: [Substring]
                do { lines = try DatasetFiles.lines(path) } catch { try collector.invalid(error); continue }
                for (index, line) in lines.enumerated() where !line.isEmpty {
                    do throws(DatasetError) {
                        if let parsed = try parseLine(line, number: index + 1, file: relative), byFrame[parsed.frame] != nil {
                            objects[parsed.frame, default: []].append(parsed.object)
                        }
                    } catch {
                        try collector.invalid(error)
                    }
                }
                for (frame, image) in byFrame.sorted(by: { $0.key < $1.key }) {
                    let found = objects[frame] ?? []
                    let relativeImage = DatasetFiles.relative(image, to: root)
                    if found.isEmpty { collector.report.imagesWithoutAnnotations.append(relativeImage) }
                    set.images.append(AnnotatedImage(relativePath: relativeImage, split: options.split, objects: found))
                }
            }
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}
