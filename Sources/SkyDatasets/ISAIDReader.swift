import SkyGeometry
import SkyImaging

/// iSAID instance segmentation as distributed: one object per instance, named with iSAID's 15 classes.
///
/// Two sources, per split folder (`train/`, `val/`, or the root):
/// - the official COCO-style JSON (`Annotations/iSAID_SPLIT.json`, or the devkit's
///   `instancesonly_filtered_SPLIT.json`) with polygon segmentations, read by ``COCOReader`` with the images in
///   `images/`;
/// - where no JSON is there, the PNG pairs: `NAME_instance_id_RGB.png` (instance id = R + 256 G + 65536 B) with
///   `NAME_instance_color_RGB.png` (the semantic colours of `Schemas/palettes/isaid.json`), beside the images in
///   `images/` (as the devkit keeps them) or in `Instance_masks/images/` + `Semantic_masks/images/` (as released).
///
/// From the PNG pairs every object is what the devkit's `preprocess.py` makes of an instance: ids below 1,000 are
/// no instance; the class is the instance's semantic colour (the most frequent one should an instance have
/// several); unlabeled instances are left out; the outline is OpenCV's `RETR_EXTERNAL` / `CHAIN_APPROX_NONE`
/// contours of the instance (several contours become `polygonParts`), an instance with a contour of two points or
/// fewer is left out; the box is the instance's pixel bounds (`boundingRect`) and the area its pixel count.
public enum ISAIDReader {
    /// The suffix of iSAID's instance-id masks (the semantic one is ``SegmentationReader/isaidMaskSuffix``).
    public static let instanceSuffix = "_instance_id_RGB"
    /// Instance ids below this are background (the devkit's `instanceId < 1000`).
    static let firstInstanceID: UInt32 = 1000

    /// One split folder: where its images, JSON files and masks are.
    public struct SplitFolder: Sendable {
        public var images: String
        public var jsons: [String]
        public var instanceMasks: String
        public var semanticMasks: String
        public var split: String?
    }

    /// The split folders at `root` (the root itself, or `train/ val/ test/` below it) that have an `images/` folder.
    public static func splitFolders(root: String) -> [SplitFolder] {
        func folder(_ path: String, split: String?) -> SplitFolder? {
            guard let images = DatasetFiles.child(path, named: "images") else { return nil }
            let annotationFolder = DatasetFiles.child(path, named: "Annotations") ?? DatasetFiles.child(path, named: "annotations")
            let jsons = [annotationFolder, path].compactMap { $0 }.flatMap { folder in
                DatasetFiles.list(folder).filter { $0.lowercased().hasSuffix(".json") }.map { DatasetFiles.join(folder, $0) }
            }
            let instances = DatasetFiles.child(path, named: "Instance_masks").flatMap { DatasetFiles.child($0, named: "images") }
            let semantic = DatasetFiles.child(path, named: "Semantic_masks").flatMap { DatasetFiles.child($0, named: "images") }
            return SplitFolder(images: images, jsons: jsons, instanceMasks: instances ?? images,
                               semanticMasks: semantic ?? images, split: split)
        }
        if let here = folder(root, split: nil) { return [here] }
        return DatasetFiles.list(root).compactMap { entry in
            let path = DatasetFiles.join(root, entry)
            guard DatasetFiles.isDirectory(path) else { return nil }
            return folder(path, split: CaptionReader.split(fromName: entry) ?? entry)
        }
    }

    /// Whether `root` has iSAID's JSON instance annotations (`iSAID_SPLIT.json`, or the devkit's
    /// `instancesonly_filtered_SPLIT.json`) in a split folder.
    public static func hasInstanceJSON(root: String) -> Bool {
        splitFolders(root: root).contains { folder in
            folder.jsons.contains { json in
                let name = DatasetFiles.stem(json).lowercased()
                return name.contains("isaid") || name.hasPrefix("instancesonly_filtered")
            }
        }
    }

    /// Reads iSAID at `root`.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> DetectionSet {
        let folders = splitFolders(root: root)
        guard !folders.isEmpty else {
            throw DatasetError(.unreadableFile, file: root,
                "no iSAID layout; expected images/ (here or in train/ val/ test/) with Annotations/iSAID_SPLIT.json "
                + "or *\(instanceSuffix).png + *\(SegmentationReader.isaidMaskSuffix).png masks")
        }
        var collector = IssueCollector(options: options)
        var set = DetectionSet()
        let palette: Palette
        do {
            palette = try Palette.named("isaid")
        } catch {
            throw DatasetError(.unreadableFile, file: "Schemas/palettes/isaid.json", "\(error)")
        }
        for folder in folders {
            if let wanted = options.split, let split = folder.split, split != wanted { continue }
            let split = folder.split ?? options.split
            if !folder.jsons.isEmpty {
                for json in folder.jsons {
                    set.images += try COCOReader.read(json: json, imageRoot: folder.images, root: root, split: split,
                                                      collector: &collector)
                }
                continue
            }
            set.images += try readPairs(folder, root: root, split: split, palette: palette, collector: &collector)
        }
        try set.finish(root: root, collector: &collector)
        return set
    }

    /// The images of one split folder with the objects of their PNG pairs.
    static func readPairs(_ folder: SplitFolder, root: String, split: String?, palette: Palette,
                          collector: inout IssueCollector) throws(DatasetError) -> [AnnotatedImage] {
        var images: [String: String] = [:]
        for name in DatasetFiles.list(folder.images) where DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)) {
            let stem = DatasetFiles.stem(name)
            if !stem.contains("_instance_") { images[stem] = DatasetFiles.join(folder.images, name) }
        }
        var instanceMasks: [String: String] = [:], semanticMasks: [String: String] = [:]
        for name in DatasetFiles.list(folder.instanceMasks) where DatasetFiles.stem(name).hasSuffix(instanceSuffix) {
            instanceMasks[String(DatasetFiles.stem(name).dropLast(instanceSuffix.count))] = DatasetFiles.join(folder.instanceMasks, name)
        }
        let semanticSuffix = SegmentationReader.isaidMaskSuffix
        for name in DatasetFiles.list(folder.semanticMasks) where DatasetFiles.stem(name).hasSuffix(semanticSuffix) {
            semanticMasks[String(DatasetFiles.stem(name).dropLast(semanticSuffix.count))] = DatasetFiles.join(folder.semanticMasks, name)
        }
        for stem in Set(instanceMasks.keys).union(semanticMasks.keys).sorted() where images[stem] == nil {
            collector.report.annotationsWithoutImage.append(DatasetFiles.relative(instanceMasks[stem] ?? semanticMasks[stem] ?? stem, to: root))
        }
        var result: [AnnotatedImage] = []
        var confined = DatasetRoot(root)
        for stem in images.keys.sorted() {
            guard let image = images[stem] else { continue }
            let relative = DatasetFiles.relative(image, to: root)
            collector.report.filesRead += 1
            guard let instances = instanceMasks[stem], let semantic = semanticMasks[stem] else {
                if let lone = instanceMasks[stem] ?? semanticMasks[stem] {
                    try collector.invalid(DatasetError(.unreadableFile, file: DatasetFiles.relative(lone, to: root),
                        "has no \(instanceMasks[stem] == nil ? "instance-id" : "semantic colour") mask beside it; "
                        + "iSAID instances need both *\(instanceSuffix).png and *\(semanticSuffix).png"))
                    continue
                }
                collector.report.imagesWithoutAnnotations.append(relative)
                result.append(AnnotatedImage(relativePath: relative, split: split))
                continue
            }
            do throws(DatasetError) {
                for path in [image, instances, semantic] { try confined.check(relative: DatasetFiles.relative(path, to: root)) }
                let size = try ImageSize.read(image, name: relative)
                let objects = try objects(instances: instances, semantic: semantic, root: root, palette: palette,
                                          width: size.width, height: size.height)
                if objects.isEmpty { collector.report.imagesWithoutAnnotations.append(relative) }
                result.append(AnnotatedImage(relativePath: relative, width: size.width, height: size.height, split: split,
                                             objects: objects))
            } catch {
                try collector.invalid(error)
            }
        }
        return result
    }

    /// Per-instance tallies from one pass over the masks.
    struct Tally {
        var id: UInt32
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        var pixels = 0
        var classPixels = [Int](repeating: 0, count: 256)
    }

    /// The objects of one instance-id / semantic mask pair, in ascending instance id.
    public static func objects(instances: String, semantic: String, root: String, palette: Palette,
                               width: Int, height: Int) throws(DatasetError) -> [AnnotatedObject] {
        let instanceName = DatasetFiles.relative(instances, to: root), semanticName = DatasetFiles.relative(semantic, to: root)
        let ids: RasterImage, classes: LabelMask
        do {
            ids = try ImageDecoder().decode(file: instances)
        } catch {
            throw DatasetError(.unreadableImage, file: instanceName, "\(error)")
        }
        do {
            classes = try LabelMask.load(path: semantic, palette: palette)
        } catch {
            throw DatasetError(.malformedRecord, file: semanticName, "\(error)")
        }
        for (name, w, h) in [(instanceName, ids.width, ids.height), (semanticName, classes.width, classes.height)]
        where w != width || h != height {
            throw DatasetError(.sizeMismatch, file: name, "is \(w)x\(h) but its image is \(width)x\(height); a mask must have its image's size")
        }
        guard ids.channels >= 3 else {
            throw DatasetError(.malformedRecord, file: instanceName, "expected an RGB instance-id mask, found \(ids.layout)")
        }
        var slots: [UInt32: Int] = [:]
        var tallies: [Tally] = []
        ids.pixels.withUnsafeBufferPointer { pixels in
            let channels = ids.channels
            var lastID = UInt32.max, lastSlot = -1
            for y in 0..<height {
                for x in 0..<width {
                    let base = (y * width + x) * channels
                    let id = UInt32(pixels[base]) | UInt32(pixels[base + 1]) << 8 | UInt32(pixels[base + 2]) << 16
                    guard id >= firstInstanceID else { continue }
                    if id != lastID {
                        lastID = id
                        if let slot = slots[id] {
                            lastSlot = slot
                        } else {
                            lastSlot = tallies.count
                            slots[id] = lastSlot
                            tallies.append(Tally(id: id))
                        }
                    }
                    tallies[lastSlot].minX = min(tallies[lastSlot].minX, x)
                    tallies[lastSlot].maxX = max(tallies[lastSlot].maxX, x)
                    tallies[lastSlot].minY = min(tallies[lastSlot].minY, y)
                    tallies[lastSlot].maxY = y
                    tallies[lastSlot].pixels += 1
                    tallies[lastSlot].classPixels[Int(classes.values[y * width + x])] += 1
                }
            }
        }
        let ignored = Set(palette.defaultIgnore)
        var objects: [AnnotatedObject] = []
        for tally in tallies.sorted(by: { $0.id < $1.id }) {
            // The most frequent class; the lower index on a tie.
            guard let best = tally.classPixels.indices.max(by: { tally.classPixels[$0] < tally.classPixels[$1] || (tally.classPixels[$0] == tally.classPixels[$1] && $0 > $1) }),
                  !ignored.contains(UInt8(best)), let name = palette.className(of: UInt8(best)) else { continue }
            let contours = outline(of: tally, ids: ids)
            guard !contours.isEmpty, contours.allSatisfy({ $0.count > 2 }) else { continue }
            let box = AxisBox(x: Double(tally.minX), y: Double(tally.minY), width: Double(tally.maxX - tally.minX + 1),
                              height: Double(tally.maxY - tally.minY + 1))
            objects.append(AnnotatedObject(rawClass: name, box: box, polygon: contours.count == 1 ? contours[0] : nil,
                                           polygonParts: contours.count > 1 ? contours : nil, area: Double(tally.pixels)))
        }
        return objects
    }

    /// The external contours of one instance (`CHAIN_APPROX_NONE`), traced in its bounding box and moved back.
    static func outline(of tally: Tally, ids: RasterImage) -> [[Point2D]] {
        let cropWidth = tally.maxX - tally.minX + 1, cropHeight = tally.maxY - tally.minY + 1
        var crop = LabelMask(width: cropWidth, height: cropHeight)
        let channels = ids.channels
        ids.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<cropHeight {
                for x in 0..<cropWidth {
                    let base = ((tally.minY + y) * ids.width + tally.minX + x) * channels
                    let id = UInt32(pixels[base]) | UInt32(pixels[base + 1]) << 8 | UInt32(pixels[base + 2]) << 16
                    if id == tally.id { crop.values[y * cropWidth + x] = 1 }
                }
            }
        }
        return Contours.find(in: crop, mode: .external, approximation: .none).contours.map { contour in
            contour.map { Point2D(x: Double(Int(tally.minX) + Int($0.x)), y: Double(Int(tally.minY) + Int($0.y))) }
        }
    }
}
