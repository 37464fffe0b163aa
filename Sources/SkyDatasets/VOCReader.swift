import Foundation
import SkyGeometry

/// Pascal VOC XML as DIOR, DIOR-R, HRRSD, RSOD and LEVIR use it, and HRSC2016's own XML.
///
/// VOC boxes are read as given: `x = xmin`, `width = xmax - xmin`. Rotated boxes: roLabelImg's
/// `robndbox cx cy w h angle` and HRSC's `mbox_*` give the angle in radians, stored in degrees;
/// DIOR-R's `robndbox` four corners become the polygon and the rotated box. HRSC's `Class_ID` is named at
/// `ReadOptions.hrscClassLevel` of its class tree (``HRSCClasses``).
public enum VOCReader {
    /// Parses one annotation file into an image (path not yet resolved) and its objects.
    public static func parse(_ data: Data, file: String,
                             collector: inout IssueCollector) throws(DatasetError) -> (fileName: String?, image: AnnotatedImage) {
        let root = try XMLElementNode.parse(data, file: file)
        if root.name == "HRSC_Image" { return try parseHRSC(root, file: file, collector: &collector) }
        guard root.name == "annotation" else {
            throw DatasetError(.unreadableFile, file: file, location: "line \(root.line)",
                               "expected a VOC <annotation> or an HRSC <HRSC_Image> root element, found <\(root.name)>")
        }
        var image = AnnotatedImage(relativePath: "")
        if let size = root.child("size") {
            image.width = size.text(of: "width").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
            image.height = size.text(of: "height").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        }
        for (index, element) in root.children("object").enumerated() {
            do {
                image.objects.append(try parseVOCObject(element, index: index, file: file))
            } catch {
                try collector.invalid(error)
            }
        }
        return (root.text(of: "filename").flatMap { $0.isEmpty ? nil : $0 }, image)
    }

    static func number(_ element: XMLElementNode, _ name: String, _ object: String, file: String) throws(DatasetError) -> Double {
        guard let text = element.text(of: name), let value = Double(text), value.isFinite else {
            let found = element.text(of: name).map { "'\($0)'" } ?? "nothing"
            throw DatasetError(.malformedRecord, file: file, location: "line \(element.line), \(object)",
                               "expected a number in <\(name)>, found \(found)")
        }
        return value
    }

    static func flag(_ element: XMLElementNode, _ name: String) -> Bool {
        guard let text = element.text(of: name) else { return false }
        return text == "1" || text.lowercased() == "true"
    }

    static func parseVOCObject(_ element: XMLElementNode, index: Int, file: String) throws(DatasetError) -> AnnotatedObject {
        let label = "object \(index + 1)"
        guard let name = element.text(of: "name"), !name.isEmpty else {
            throw DatasetError(.malformedRecord, file: file, location: "line \(element.line), \(label)",
                               "expected a non-empty <name> in <object>")
        }
        var object = AnnotatedObject(rawClass: name, box: AxisBox(x: 0, y: 0, width: 0, height: 0),
                                     difficult: flag(element, "difficult"), truncated: flag(element, "truncated"))
        var hasBox = false
        if let box = element.child("bndbox") {
            let xmin = try number(box, "xmin", label, file: file), ymin = try number(box, "ymin", label, file: file)
            let xmax = try number(box, "xmax", label, file: file), ymax = try number(box, "ymax", label, file: file)
            object.box = AxisBox(x: xmin, y: ymin, width: xmax - xmin, height: ymax - ymin)
            hasBox = true
        }
        if let rotated = element.child("robndbox") {
            if rotated.child("cx") != nil {
                let cx = try number(rotated, "cx", label, file: file), cy = try number(rotated, "cy", label, file: file)
                let w = try number(rotated, "w", label, file: file), h = try number(rotated, "h", label, file: file)
                let angle = try number(rotated, "angle", label, file: file)
                object.rotated = RotatedBox(center: Point2D(x: cx, y: cy), width: w, height: h, angle: angle * 180 / .pi)
                object.polygon = corners(cx: cx, cy: cy, width: w, height: h, radians: angle)
            } else {
                var points: [Point2D] = []
                for corner in ["left_top", "right_top", "right_bottom", "left_bottom"] {
                    points.append(Point2D(x: try number(rotated, "x_" + corner, label, file: file),
                                          y: try number(rotated, "y_" + corner, label, file: file)))
                }
                object.polygon = points
                object.rotated = rotatedBox(corners: points)
            }
            if !hasBox, let polygon = object.polygon {
                object.box = BoxRepair.bounds(of: polygon)
                hasBox = true
            }
        }
        guard hasBox else {
            throw DatasetError(.malformedRecord, file: file, location: "line \(element.line), \(label)",
                               "expected <bndbox> (xmin, ymin, xmax, ymax) or <robndbox> in <object>")
        }
        return object
    }

    /// The rotated box whose corners are DIOR-R's `left_top, right_top, right_bottom, left_bottom`: the centre
    /// is their mean, the width the top edge's length, the height the left edge's, the angle the top edge's
    /// direction in degrees (atan2, y down); nil when the corners do not span a box.
    static func rotatedBox(corners points: [Point2D]) -> RotatedBox? {
        guard points.count == 4 else { return nil }
        let center = Point2D(x: points.map(\.x).reduce(0, +) / 4, y: points.map(\.y).reduce(0, +) / 4)
        let top = (x: points[1].x - points[0].x, y: points[1].y - points[0].y)
        let left = (x: points[3].x - points[0].x, y: points[3].y - points[0].y)
        let width = (top.x * top.x + top.y * top.y).squareRoot(), height = (left.x * left.x + left.y * left.y).squareRoot()
        guard width > 0, height > 0 else { return nil }
        return RotatedBox(center: center, width: width, height: height, angle: atan2(top.y, top.x) * 180 / .pi)
    }

    /// The four corners of a box of `width` x `height` centred at (cx, cy), turned by `radians`.
    static func corners(cx: Double, cy: Double, width: Double, height: Double, radians: Double) -> [Point2D] {
        let c = cos(radians), s = sin(radians)
        return [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)].map { sx, sy in
            let dx = sx * width / 2, dy = sy * height / 2
            return Point2D(x: cx + dx * c - dy * s, y: cy + dx * s + dy * c)
        }
    }

    static func parseHRSC(_ root: XMLElementNode, file: String,
                          collector: inout IssueCollector) throws(DatasetError) -> (fileName: String?, image: AnnotatedImage) {
        var image = AnnotatedImage(relativePath: "")
        image.width = root.text(of: "Img_SizeWidth").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        image.height = root.text(of: "Img_SizeHeight").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let objects = root.child("HRSC_Objects")?.children("HRSC_Object") ?? []
        for (index, element) in objects.enumerated() {
            let label = "HRSC_Object \(index + 1)"
            do {
                let xmin = try number(element, "box_xmin", label, file: file)
                let ymin = try number(element, "box_ymin", label, file: file)
                let xmax = try number(element, "box_xmax", label, file: file)
                let ymax = try number(element, "box_ymax", label, file: file)
                var object = AnnotatedObject(rawClass: try hrscClass(element, label, file: file,
                                                                     level: collector.options.hrscClassLevel),
                                             box: AxisBox(x: xmin, y: ymin, width: xmax - xmin, height: ymax - ymin),
                                             difficult: flag(element, "difficult"), truncated: flag(element, "truncated"))
                if element.child("mbox_cx") != nil {
                    let cx = try number(element, "mbox_cx", label, file: file)
                    let cy = try number(element, "mbox_cy", label, file: file)
                    let w = try number(element, "mbox_w", label, file: file)
                    let h = try number(element, "mbox_h", label, file: file)
                    let angle = try number(element, "mbox_ang", label, file: file)
                    object.rotated = RotatedBox(center: Point2D(x: cx, y: cy), width: w, height: h, angle: angle * 180 / .pi)
                    object.polygon = corners(cx: cx, cy: cy, width: w, height: h, radians: angle)
                }
                image.objects.append(object)
            } catch {
                try collector.invalid(error)
            }
        }
        let name = root.text(of: "Img_FileName").map { stem -> String in
            let format = root.text(of: "Img_FileFmt") ?? ""
            return format.isEmpty ? stem : stem + "." + format
        }
        return (name, image)
    }

    /// The name of an HRSC object's `Class_ID` at `level`; an object without one is a ship of unknown type.
    static func hrscClass(_ element: XMLElementNode, _ object: String, file: String,
                          level: HRSCClassLevel) throws(DatasetError) -> String {
        guard let text = element.text(of: "Class_ID"), !text.isEmpty else {
            return HRSCClasses.name(of: HRSCClasses.rootID, at: level) ?? "ship"
        }
        guard let id = Int(text), let name = HRSCClasses.name(of: id, at: level) else {
            throw DatasetError(.unknownClass, file: file, location: "line \(element.line), \(object)",
                               "<Class_ID> '\(text)' is not a class of HRSC2016's sysdata.xml (100000001-100000033)")
        }
        return name
    }

    /// The annotation folder: `Annotations/` or, for DIOR, one of its subfolders (oriented ones when asked).
    public static func annotationFolder(root: String, preferOriented: Bool) -> String? {
        func hasXML(_ folder: String) -> Bool { DatasetFiles.list(folder).contains { $0.lowercased().hasSuffix(".xml") } }
        // RSOD spells it Annotation/ and keeps the XML in Annotation/xml/ beside Annotation/labels/.
        guard let annotations = DatasetFiles.child(root, named: "Annotations")
                ?? DatasetFiles.child(root, named: "Annotation") else { return nil }
        if hasXML(annotations) { return annotations }
        let folders = DatasetFiles.list(annotations).filter { hasXML(DatasetFiles.join(annotations, $0)) }
        let oriented = folders.first { $0.lowercased().contains("orient") }
        let horizontal = folders.first { $0.lowercased().contains("horizontal") }
        let chosen = preferOriented ? (oriented ?? horizontal ?? folders.first) : (horizontal ?? folders.first)
        return chosen.map { DatasetFiles.join(annotations, $0) }
    }

    /// Reads split lists `ImageSets/Main/*.txt` or `ImageSets/*.txt`: image stem -> split.
    public static func splitLists(root: String) -> [String: String] {
        guard let sets = DatasetFiles.child(root, named: "ImageSets") else { return [:] }
        let folder = DatasetFiles.child(sets, named: "Main") ?? sets
        let lists = DatasetFiles.list(folder).filter { $0.hasSuffix(".txt") && !$0.contains("_") }
        let names = Set(lists.map(DatasetFiles.stem))
        var splits: [String: String] = [:]
        for list in lists {
            let split = DatasetFiles.stem(list)
            // trainval repeats train + val: use it only when they are not listed separately.
            if split == "trainval" && names.contains("train") && names.contains("val") { continue }
            for line in (try? DatasetFiles.lines(DatasetFiles.join(folder, list))) ?? [] {
                let stem = line.split(separator: " ").first.map(String.init) ?? ""
                if !stem.isEmpty { splits[stem] = split }
            }
        }
        return splits
    }

    /// Reads a VOC-style dataset at `root`: `Annotations/` (XML) with images in `JPEGImages*/`, `images/`,
    /// `AllImages/` or any folder whose name contains "image", and optional `ImageSets/` split lists.
    public static func read(root: String, preferOriented: Bool = false,
                            options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        guard let folder = annotationFolder(root: root, preferOriented: preferOriented) else {
            // RSOD: one VOC folder per class (aircraft/, oiltank/, ...).
            let parts = DatasetFiles.list(root).filter {
                annotationFolder(root: DatasetFiles.join(root, $0), preferOriented: preferOriented) != nil
            }
            guard !parts.isEmpty else {
                throw DatasetError(.unreadableFile, file: root,
                                   "no Annotations/ folder of XML files here or in its subfolders; "
                                   + "expected the VOC layout JPEGImages/ + Annotations/")
            }
            var merged = DetectionSet()
            for part in parts {
                var partOptions = options
                partOptions.keep = options.keep?.below(part)
                var set = try read(root: DatasetFiles.join(root, part), preferOriented: preferOriented, options: partOptions)
                func prefixed(_ path: String) -> String { part + "/" + path }
                for index in set.images.indices { set.images[index].relativePath = prefixed(set.images[index].relativePath) }
                merged.listing += set.listing.map(prefixed)
                set.report.annotationsWithoutImage = set.report.annotationsWithoutImage.map(prefixed)
                set.report.imagesWithoutAnnotations = set.report.imagesWithoutAnnotations.map(prefixed)
                merged.images += set.images
                merged.report.merge(set.report)
            }
            return merged
        }
        let imageFolders = DatasetFiles.list(root)
            .filter { $0.lowercased().contains("image") && $0.lowercased() != "imagesets" }
            .map { ImageFolder(DatasetFiles.join(root, $0)) }
        let splits = splitLists(root: root)
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        var labelled = Set<String>()
        for name in DatasetFiles.list(folder) where name.lowercased().hasSuffix(".xml") {
            let path = DatasetFiles.join(folder, name)
            let relative = DatasetFiles.relative(path, to: root)
            let stem = DatasetFiles.stem(name)
            let split = splits[stem] ?? (splits.isEmpty ? options.split : nil)
            if let wanted = options.split, !splits.isEmpty, split != wanted { continue }
            collector.report.filesRead += 1
            let parsed: (fileName: String?, image: AnnotatedImage)
            do {
                let bytes = try DatasetFiles.bytes(path)
                // Another shard's image, told from the bytes: listed, its XML not parsed.
                if let keep = options.keep,
                   let image = VOCQuickName.foreignImage(bytes, stem: stem, folders: imageFolders, root: root, keep: keep) {
                    labelled.insert(image)
                    set.images.append(AnnotatedImage(relativePath: image, split: split))
                    continue
                }
                parsed = try parse(Data(bytes), file: relative, collector: &collector)
            } catch {
                try collector.invalid(error)
                continue
            }
            let found = imageFolders.lazy.compactMap { folder in
                parsed.fileName.flatMap { folder.image(named: $0) } ?? folder.image(stem: stem)
            }.first
            guard let imagePath = found else {
                collector.report.annotationsWithoutImage.append(relative)
                continue
            }
            var image = parsed.image
            image.relativePath = DatasetFiles.relative(imagePath, to: root)
            image.split = split
            labelled.insert(image.relativePath)
            set.images.append(image)
        }
        for folder in imageFolders {
            for path in folder.all where !labelled.contains(DatasetFiles.relative(path, to: root)) {
                let stem = DatasetFiles.stem(path)
                if let wanted = options.split, !splits.isEmpty, splits[stem] != wanted { continue }
                let relative = DatasetFiles.relative(path, to: root)
                collector.report.imagesWithoutAnnotations.append(relative)
                set.images.append(AnnotatedImage(relativePath: relative, split: splits[stem] ?? options.split))
            }
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}
