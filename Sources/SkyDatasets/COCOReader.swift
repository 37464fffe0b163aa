import SkyGeometry

/// COCO detection JSON (`images`, `annotations`, `categories`) with boxes, polygons and RLE masks.
///
/// The file is walked with ``JSONScanner``: each annotation is parsed, reduced to an ``AnnotatedObject``
/// and dropped, so memory stays a small multiple of the file's size even for a million annotations.
/// Category ids need not start at 1 or be contiguous. `iscrowd` marks an object `ignore`.
public enum COCOReader {
    struct ImageEntry {
        var fileName: String
        var width: Int?
        var height: Int?
        /// The image's path relative to the dataset root, when a shard's filter needed it while reading `images`.
        var relative: String? = nil
        /// (height, width) when both are known and positive.
        var size: (height: Int, width: Int)? {
            guard let width, let height, width > 0, height > 0 else { return nil }
            return (height, width)
        }
    }

    /// Where an annotation is, for errors: its id, or its index when it has none.
    struct Place: CustomStringConvertible {
        var id: Int?
        var index: Int
        var description: String { id.map { "annotation id \($0)" } ?? "annotations[\(index)]" }
    }

    /// The members of an annotation record that matter, scanned without building the whole record
    /// (a dictionary per record would cost more than the rest of the read).
    struct Record {
        var id, imageID, categoryID, bbox, segmentation, iscrowd: JSONValue?
        /// `bbox` as numbers, and its element count, when it is an array.
        var bboxValues: [Double]?
        var bboxCount = 0
        /// Polygon `segmentation` parts as numbers (nil for a part that is not all numbers).
        var polygonParts: [[Double]?]?
        /// The record's image is another shard's (``ReadOptions/keep``): its box and segmentation were skipped.
        var foreign = false

        subscript(key: String) -> JSONValue? {
            switch key {
            case "id": id
            case "image_id": imageID
            case "category_id": categoryID
            case "bbox": bbox
            case "segmentation": segmentation
            case "iscrowd": iscrowd
            default: nil
            }
        }
    }

    /// Scans one annotation record; members other than those of ``Record`` (`area`, ...) are skipped unparsed.
    /// A record whose `image_id` is in `foreign` (another shard's images) has its box and segmentation skipped
    /// unparsed once the id is known: it is only walked over.
    static func scanAnnotation(_ scanner: inout JSONScanner, foreign: Set<Int> = []) throws(DatasetError) -> Record {
        var record = Record()
        try scanner.forEachMember { key, scanner throws(DatasetError) in
            switch key {
            case "id": record.id = try scanner.parseValue()
            case "image_id":
                record.imageID = try scanner.parseValue()
                if !foreign.isEmpty, let id = record.imageID?.int, foreign.contains(id) { record.foreign = true }
            case "category_id": record.categoryID = try scanner.parseValue()
            case "bbox" where record.foreign, "segmentation" where record.foreign:
                try scanner.skipValue()
            case "bbox":
                if scanner.peekIsArray() {
                    record.bboxValues = try scanner.parseNumbers(count: &record.bboxCount)
                    record.bbox = .array([])
                } else {
                    record.bbox = try scanner.parseValue()
                }
            case "segmentation":
                if scanner.peekIsArray() {
                    var parts: [[Double]?] = []
                    try scanner.forEachElement { _, scanner throws(DatasetError) in
                        if scanner.peekIsArray() {
                            var count = 0
                            parts.append(try scanner.parseNumbers(count: &count))
                        } else {
                            try scanner.skipValue()
                            parts.append(nil)
                        }
                    }
                    record.polygonParts = parts
                } else {
                    record.segmentation = try scanner.parseValue()
                }
            case "iscrowd": record.iscrowd = try scanner.parseValue()
            default: try scanner.skipValue()
            }
        }
        return record
    }

    /// Builds one object from an annotation record; `where` names it in errors.
    /// `size` is the image's (height, width) from `images`, which polygons are rasterised on (as pycocotools'
    /// `annToRLE` does) for their box when the record has no `bbox`, and for their area when `areas` is set;
    /// without it the box is the polygons' bounds and the area unknown. RLE areas are always given (a sum).
    static func object(_ record: Record, categories: [Int: String], size: (height: Int, width: Int)?,
                       areas: Bool = true, file: String, place: Place) throws(DatasetError) -> AnnotatedObject {
        // Built only for an error: a million interpolated strings would cost more than the parse.
        var location: String { place.description }
        guard let categoryID = record["category_id"]?.int else {
            throw DatasetError(.malformedRecord, file: file, location: location, "expected an integer 'category_id'")
        }
        guard let name = categories[categoryID] else {
            throw DatasetError(.unknownClass, file: file, location: location,
                               "category_id \(categoryID) is not in 'categories'")
        }
        var polygon: [Point2D]? = nil
        var rings: [[Point2D]]? = nil
        var box: AxisBox? = nil
        var area: Double? = nil
        if record.bbox != nil {
            guard let values = record.bboxValues, values.count == 4 else {
                let found = record.bboxValues == nil && record.bboxCount == 0 ? "not an array" : "\(record.bboxCount) values"
                throw DatasetError(.malformedRecord, file: file, location: location,
                                   "expected 'bbox' as [x, y, width, height] numbers, found \(found)")
            }
            box = AxisBox(x: values[0], y: values[1], width: values[2], height: values[3])
        }
        if let parts = record.polygonParts {
            var polygons: [[Point2D]] = []
            for part in parts {
                guard let values = part, values.count >= 6, values.count % 2 == 0 else {
                    throw DatasetError(.malformedRecord, file: file, location: location,
                                       "expected each polygon of 'segmentation' as [x1, y1, x2, y2, ...] with at least 3 points")
                }
                polygons.append(stride(from: 0, to: values.count, by: 2).map { Point2D(x: values[$0], y: values[$0 + 1]) })
            }
            if polygons.count == 1 { polygon = polygons[0] } else if polygons.count > 1 { rings = polygons }
            if let size, !parts.isEmpty, areas || box == nil {
                var masks: [[Int]] = []
                for case let values? in parts {
                    guard let mask = COCOMask.polygon(values, height: size.height, width: size.width) else {
                        throw DatasetError(.malformedRecord, file: file, location: location,
                                           "a polygon coordinate of 'segmentation' is beyond ±\(Int(COCOMask.coordinateLimit))")
                    }
                    masks.append(mask)
                }
                let union = COCOMask.union(masks)
                if areas { area = Double(COCOMask.area(union)) }
                if box == nil { box = COCORLE.bounds(counts: union, height: size.height, width: size.width) }
            }
            if box == nil, !polygons.isEmpty { box = BoxRepair.bounds(of: polygons.flatMap { $0 }) }
        }
        switch record["segmentation"] {
        case .object?:
            if let segmentation = record["segmentation"] {
                let rle = try rleCounts(segmentation, file: file, location: location)
                area = Double(COCOMask.area(rle.counts))
                if box == nil { box = COCORLE.bounds(counts: rle.counts, height: rle.height, width: rle.width) }
            }
        default:
            break
        }
        guard let box else {
            throw DatasetError(.malformedRecord, file: file, location: location,
                               "expected a 'bbox' or a 'segmentation' (polygons or RLE)")
        }
        let crowd = record["iscrowd"]?.int ?? 0
        return AnnotatedObject(rawClass: name, box: box, polygon: polygon, ignore: crowd != 0,
                               polygonParts: rings, area: area)
    }

    /// The runs and size of an RLE segmentation: compressed (`counts` string) or uncompressed (`counts` list).
    static func rleCounts(_ segmentation: JSONValue, file: String,
                          location: String) throws(DatasetError) -> (counts: [Int], height: Int, width: Int) {
        guard let size = segmentation["size"]?.array?.compactMap(\.int), size.count == 2, size[0] >= 0, size[1] >= 0 else {
            throw DatasetError(.malformedRecord, file: file, location: location,
                               "expected RLE 'size' as [height, width]")
        }
        let counts: [Int]?
        switch segmentation["counts"] {
        case .string(let text)?: counts = COCORLE.decode(text)
        case .array(let values)?:
            let numbers = values.compactMap(\.int)
            counts = numbers.count == values.count && numbers.allSatisfy({ $0 >= 0 }) ? numbers : nil
        default: counts = nil
        }
        guard let counts, counts.reduce(0, +) == size[0] * size[1] else {
            throw DatasetError(.malformedRecord, file: file, location: location,
                               "expected RLE 'counts' (a compressed string or a list of run lengths) adding up to height x width")
        }
        return (counts, size[0], size[1])
    }

    /// Reads one COCO JSON file. Images are looked up below `imageRoot` by `file_name`; `root` is the dataset
    /// root that relative paths are taken from.
    public static func read(json path: String, imageRoot: String, root: String, split: String?,
                            collector: inout IssueCollector) throws(DatasetError) -> [AnnotatedImage] {
        let file = DatasetFiles.relative(path, to: root)
        let bytes = try DatasetFiles.bytes(path)
        var images: [Int: ImageEntry] = [:]
        var categories: [Int: String] = [:]
        // Annotations may come before images and categories: keep the records of those seen too early.
        var objects: [Int: [AnnotatedObject]] = [:]
        var early: [(imageID: Int, record: Record, place: Place)] = []
        var sawAnnotations = false
        var sawImages = false
        let areas = collector.options.segmentationAreas
        // A shard's filter: the ids of other shards' images, known from `images` before `annotations` (as COCO
        // files are written), have their annotations walked over without building objects.
        let keep = collector.options.keep
        var foreign = Set<Int>()
        var confined = DatasetRoot(root)
        collector.report.filesRead += 1
        try JSONScanner.scan(bytes, file: file) { scanner throws(DatasetError) in
          try scanner.forEachMember { key, scanner throws(DatasetError) in
            switch key {
            case "images":
                sawImages = true
                try scanner.forEachElement { index, scanner throws(DatasetError) in
                    let record = try scanner.parseValue()
                    guard let id = record["id"]?.int, let name = record["file_name"]?.string, !name.isEmpty else {
                        try collector.invalid(DatasetError(.malformedRecord, file: file, location: "images[\(index)]",
                                                           "expected an integer 'id' and a 'file_name'"))
                        return
                    }
                    var entry = ImageEntry(fileName: name, width: record["width"]?.int, height: record["height"]?.int)
                    foreign.remove(id)
                    // A path that cannot be contained is refused below, where every shard meets it.
                    if let keep, let relative = try? confined.contain(name, in: imageRoot, file: file, location: nil) {
                        entry.relative = relative
                        if !keep.keeps(relative) { foreign.insert(id) }
                    }
                    images[id] = entry
                }
            case "categories":
                try scanner.forEachElement { index, scanner throws(DatasetError) in
                    let record = try scanner.parseValue()
                    guard let id = record["id"]?.int, let name = record["name"]?.string else {
                        throw DatasetError(.malformedRecord, file: file, location: "categories[\(index)]",
                                           "expected an integer 'id' and a 'name'")
                    }
                    categories[id] = name
                }
            case "annotations":
                sawAnnotations = true
                try scanner.forEachElement { index, scanner throws(DatasetError) in
                    guard scanner.peekIsObject() else {
                        throw scanner.error("an annotation object '{'")
                    }
                    let record = try scanAnnotation(&scanner, foreign: foreign)
                    let place = Place(id: record["id"]?.int, index: index)
                    guard let imageID = record["image_id"]?.int else {
                        try collector.invalid(DatasetError(.malformedRecord, file: file, location: place.description,
                                                           "expected an integer 'image_id'"))
                        return
                    }
                    if record.foreign || foreign.contains(imageID) { return }
                    // Polygons need their image's size: records seen before it (or the categories) wait.
                    guard !categories.isEmpty, let entry = images[imageID] else {
                        early.append((imageID, record, place))
                        return
                    }
                    do throws(DatasetError) {
                        objects[imageID, default: []].append(try object(record, categories: categories, size: entry.size,
                                                                        areas: areas, file: file, place: place))
                    } catch {
                        try collector.invalid(error)
                    }
                }
            default:
                try scanner.skipValue()
            }
          }
        }
        // A file with `images` and `annotations` is COCO even when both are empty (a split with no images).
        guard sawAnnotations, sawImages || !objects.isEmpty || !early.isEmpty else {
            throw DatasetError(.unreadableFile, file: file, "expected a COCO object with 'images', 'annotations' and 'categories'")
        }
        for entry in early where !foreign.contains(entry.imageID) {
            do throws(DatasetError) {
                objects[entry.imageID, default: []].append(try object(entry.record, categories: categories,
                                                                      size: images[entry.imageID]?.size, areas: areas,
                                                                      file: file, place: entry.place))
            } catch {
                try collector.invalid(error)
            }
        }
        early = []
        for imageID in objects.keys.sorted() where images[imageID] == nil {
            collector.report.annotationsWithoutImage.append("\(file): image_id \(imageID)")
        }
        var result: [AnnotatedImage] = []
        result.reserveCapacity(images.count)
        for id in images.keys.sorted() {
            guard let entry = images[id] else { continue }
            let found = objects.removeValue(forKey: id) ?? []
            // file_name comes from the data: it must not lead out of the dataset (`../`, absolute, symlinks).
            let relative: String
            if let known = entry.relative {
                relative = known
            } else {
                do throws(DatasetError) {
                    relative = try confined.contain(entry.fileName, in: imageRoot, file: file, location: "image id \(id)")
                } catch {
                    try collector.invalid(error)
                    continue
                }
            }
            // Every shard checks that each image exists, so each lists the same images (`DetectionSet.listing`).
            let imagePath = DatasetFiles.join(root, relative)
            guard DatasetFiles.isFile(imagePath) else {
                collector.report.annotationsWithoutImage.append(relative)
                continue
            }
            if foreign.contains(id) {
                // Another shard's image: listed (`finish` leaves it out before any work on it), objects not built.
                result.append(AnnotatedImage(relativePath: relative, split: split))
                continue
            }
            if found.isEmpty { collector.report.imagesWithoutAnnotations.append(relative) }
            result.append(AnnotatedImage(relativePath: relative, width: entry.width, height: entry.height,
                                         split: split, objects: found))
        }
        return result
    }

    /// The COCO JSON files of a dataset: `annotations/*.json` or `*.json` at the root, without caption files.
    public static func jsonFiles(root: String) -> [String] {
        let folder = DatasetFiles.child(root, named: "annotations") ?? root
        return DatasetFiles.list(folder)
            .filter { $0.lowercased().hasSuffix(".json") && !$0.lowercased().hasPrefix("captions") }
            .map { DatasetFiles.join(folder, $0) }
    }

    /// Reads a COCO dataset at `root`: each `instances_SPLIT.json` with its images in `SPLIT/`, `images/SPLIT/`,
    /// `images/` or the root.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        let files = jsonFiles(root: root)
        guard !files.isEmpty else {
            throw DatasetError(.unreadableFile, file: root, "no COCO JSON here or in annotations/")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        for path in files {
            // instances_train2017.json: images in train2017/, split "train2017" (and --split train selects it).
            var name = DatasetFiles.stem(path)
            for prefix in ["instances_", "instance_", "annotations_"] where name.hasPrefix(prefix) {
                name = String(name.dropFirst(prefix.count))
            }
            let named = CaptionReader.split(fromName: name)
            if let wanted = options.split, named != nil, wanted != name, wanted != named { continue }
            let split = named != nil ? name : options.split
            let candidates = [DatasetFiles.join(root, name), DatasetFiles.join(DatasetFiles.join(root, "images"), name),
                              DatasetFiles.join(root, "images"), root]
            let imageRoot = candidates.first(where: DatasetFiles.isDirectory) ?? root
            set.images += try read(json: path, imageRoot: imageRoot, root: root, split: split, collector: &collector)
        }
        try set.finish(root: root, collector: &collector)
        return set
    }
}
