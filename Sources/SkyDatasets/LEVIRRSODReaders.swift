import SkyGeometry

/// LEVIR object detection (Zou and Shi, TIP 2018; not LEVIR-CD): 800x600 Google Earth images with a text
/// label file of the same name beside each, in `imageWithLabel/` (or the root itself). Each line is
/// `class xmin ymin xmax ymax`, space-separated, with class 1 = airplane, 2 = ship, 3 = oil tank; the raw class
/// is the id, named through `Schemas/classes/levir.json`.
public enum LEVIRReader {
    static let expected = "expected 'class xmin ymin xmax ymax' with class 1 (airplane), 2 (ship) or 3 (oil tank)"

    /// The folder holding the image and label pairs: `imageWithLabel/` or `root` when its own files pair up.
    public static func labelFolder(root: String) -> String? {
        if let folder = DatasetFiles.child(root, named: "imageWithLabel") { return folder }
        let entries = DatasetFiles.list(root)
        let labels = Set(entries.filter { $0.lowercased().hasSuffix(".txt") }.map(DatasetFiles.stem))
        let paired = entries.contains {
            DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension($0)) && labels.contains(DatasetFiles.stem($0))
        }
        return paired ? root : nil
    }

    /// Parses one label line; nil for a blank line.
    public static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> AnnotatedObject? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if fields.isEmpty { return nil }
        guard fields.count == 5 else { throw .line(number, of: file, "\(expected), found \(fields.count) fields") }
        guard let id = Int(fields[0]) else {
            throw .line(number, of: file, "\(expected); the class '\(fields[0])' is not an integer")
        }
        guard (1...3).contains(id) else {
            throw DatasetError(.unknownClass, file: file, location: "line \(number)",
                               "\(expected); the class \(id) is not one of LEVIR's")
        }
        let values = try PairedTextLabels.numbers(fields[1...], number: number, file: file, expected: expected)
        return AnnotatedObject(rawClass: String(id), box: AxisBox(x: values[0], y: values[1], width: values[2] - values[0],
                                                                  height: values[3] - values[1]))
    }

    /// Reads a LEVIR root. Every image is listed; one without its label file is reported, not an error.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        guard let folder = labelFolder(root: root) else {
            throw DatasetError(.unreadableFile, file: root,
                               "expected LEVIR's imageWithLabel/ folder of NAME.jpg + NAME.txt pairs")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        set.images = try PairedTextLabels.read(root: root, labels: folder, images: folder,
                                               collector: &collector, parse: parseLine)
        try set.finish(root: root, collector: &collector)
        return set
    }
}

/// RSOD (RSIA-LIESMARS-WHU RSOD-Dataset): one folder per class (`aircraft/`, `oiltank/`, `overpass/`,
/// `playground/`), each with `JPEGImages/` and `Annotation/xml/` (Pascal VOC) and `Annotation/labels/` (text,
/// one line per object: `IMAGE.jpg<TAB>class<TAB>xmin<TAB>ymin<TAB>xmax<TAB>ymax`). The XML is read where a
/// folder has it (it carries the image size and flags); the text labels otherwise.
public enum RSODReader {
    /// RSOD's four classes.
    public static let classes: Set<String> = ["aircraft", "oiltank", "overpass", "playground"]

    static let expected = "expected 'IMAGE<TAB>class<TAB>xmin<TAB>ymin<TAB>xmax<TAB>ymax'"

    /// The class folders of an RSOD root: subfolders with `Annotation/xml/` or `Annotation/labels/`.
    public static func classFolders(root: String) -> [String] {
        DatasetFiles.list(root).filter { entry in
            guard let annotation = DatasetFiles.child(DatasetFiles.join(root, entry), named: "Annotation") else { return false }
            return DatasetFiles.child(annotation, named: "xml") != nil || DatasetFiles.child(annotation, named: "labels") != nil
        }
    }

    /// Parses one text label line; nil for a blank line.
    public static func parseLine(_ line: Substring, number: Int, file: String) throws(DatasetError) -> AnnotatedObject? {
        let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
        if fields.isEmpty { return nil }
        guard fields.count == 6 else { throw .line(number, of: file, "\(expected), found \(fields.count) fields") }
        guard classes.contains(String(fields[1])) else {
            throw DatasetError(.unknownClass, file: file, location: "line \(number)",
                               "the class '\(fields[1])' is not one of RSOD's (aircraft, oiltank, overpass, playground)")
        }
        let values = try PairedTextLabels.numbers(fields[2...], number: number, file: file, expected: expected)
        return AnnotatedObject(rawClass: String(fields[1]),
                               box: AxisBox(x: values[0], y: values[1], width: values[2] - values[0], height: values[3] - values[1]))
    }

    /// Reads an RSOD root (the folder holding the class folders) or one class folder.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        let isClassFolder = DatasetFiles.child(root, named: "Annotation") != nil
        let folders = isClassFolder ? [""] : classFolders(root: root)
        guard !folders.isEmpty else {
            throw DatasetError(.unreadableFile, file: root,
                               "expected RSOD's class folders (aircraft/, oiltank/, ...) with JPEGImages/ and Annotation/xml/ or labels/")
        }
        var merged = DetectionSet()
        for part in folders {
            let folder = part.isEmpty ? root : DatasetFiles.join(root, part)
            var set: DetectionSet
            do {
                set = try readClassFolder(folder, options: options)
            } catch {
                // Name the file from the RSOD root, not from its class folder.
                var error = error
                if !part.isEmpty && !error.file.hasPrefix("/") { error.file = part + "/" + error.file }
                throw error
            }
            if !part.isEmpty {
                func prefixed(_ path: String) -> String { part + "/" + path }
                for index in set.images.indices { set.images[index].relativePath = prefixed(set.images[index].relativePath) }
                set.report.annotationsWithoutImage = set.report.annotationsWithoutImage.map(prefixed)
                set.report.imagesWithoutAnnotations = set.report.imagesWithoutAnnotations.map(prefixed)
                set.report.messages = set.report.messages.map(prefixed)
            }
            merged.images += set.images
            merged.report.merge(set.report)
        }
        return merged
    }

    static func readClassFolder(_ folder: String, options: ReadOptions) throws(DatasetError) -> DetectionSet {
        guard let annotation = DatasetFiles.child(folder, named: "Annotation") else {
            throw DatasetError(.unreadableFile, file: folder, "expected an Annotation/ folder")
        }
        let xml = DatasetFiles.child(annotation, named: "xml")
        if let xml, DatasetFiles.list(xml).contains(where: { $0.lowercased().hasSuffix(".xml") }) {
            return try VOCReader.read(root: folder, options: options)
        }
        guard let labels = DatasetFiles.child(annotation, named: "labels") else {
            throw DatasetError(.unreadableFile, file: folder, "expected Annotation/xml/ or Annotation/labels/")
        }
        let images = DatasetFiles.child(folder, named: "JPEGImages") ?? DatasetFiles.join(folder, "JPEGImages")
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        set.images = try PairedTextLabels.read(root: folder, labels: labels, images: images,
                                               collector: &collector, parse: parseLine)
        try set.finish(root: folder, collector: &collector)
        return set
    }
}
