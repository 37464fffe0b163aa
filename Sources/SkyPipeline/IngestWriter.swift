import Foundation
import SkyStorage
import SkyDatasets
import SkyGeometry
import SkyText

/// Writes one dataset's records inside the ingest transaction with prepared statements.
///
/// Idempotence: an image already in the corpus (same dataset and path) keeps what it has. It receives this
/// source's objects (or human captions, or masks) only when it has none of that kind yet, so re-running an ingest
/// adds nothing, while images registered first by `add-images`, or by another format of the same dataset (its
/// caption file beside its box labels), still get their annotations. A missing split or size is filled in.
struct IngestWriter {
    let statements: IngestStatements
    let transaction: CorpusTransaction
    let datasetID: Int64
    /// The root this ingest reads; image paths are relative to it.
    let rootID: Int64
    let dataset: String
    /// See ``IngestRequest/skipMissing``.
    var skipMissing = true
    /// The dataset's other roots, to find files registered through them.
    let otherRoots: DatasetRoots
    /// This root's absolute path.
    let rootPath: String
    let classes = ClassTable.standard
    /// Clean names by raw name, so the class table is consulted once per class.
    var cleanNames: [String: String] = [:]
    /// Told `(done, total)` records as they are written (for a progress bar).
    var progress: (Int, Int) -> Void = { _, _ in }

    var imagesAdded = 0
    var imagesAlreadyPresent = 0
    var objectsAdded = 0
    var captionsAdded = 0
    var masksAdded = 0
    var pairsAdded = 0
    var labelsAdded = 0
    var splitConflicts: [String] = []
    var captionsAttached = 0
    var missingImages: [String] = []
    var duplicateCaptions = 0

    init(transaction: CorpusTransaction, datasetID: Int64, rootID: Int64, rootPath: String, dataset: String) throws {
        statements = try IngestStatements(transaction)
        otherRoots = try DatasetRoots(transaction: transaction, dataset: datasetID, current: rootID)
        self.rootPath = rootPath
        self.transaction = transaction
        self.datasetID = datasetID
        self.rootID = rootID
        self.dataset = dataset
    }

    /// Inserts an image unless present: its id and whether it is new.
    mutating func image(path: String, split: String?, width: Int?, height: Int?) throws -> (id: Int64, isNew: Bool) {
        if let id = try otherRoots.existingImage(file: CorpusPaths.file(path, root: rootPath)) {
            imagesAlreadyPresent += 1
            try statements.fillMissing(image: id, split: split, width: width, height: height)
            return (id, false)
        }
        if let id = try statements.insertImage(dataset: datasetID, root: rootID, path: path, split: split, width: width,
                                               height: height) {
            imagesAdded += 1
            return (id, true)
        }
        imagesAlreadyPresent += 1
        guard let id = try statements.imageID(dataset: datasetID, root: rootID, path: path) else {
            throw CorpusError.schema("image \(path) of dataset \(dataset) vanished during the ingest")
        }
        if let split, let stored = try statements.split(ofImage: id), stored != split {
            splitConflicts.append("\(path): \(stored) -> \(split)")
        }
        try statements.fillMissing(image: id, split: split, width: width, height: height)
        return (id, false)
    }

    /// Whether an image may receive this source's records: it is new, or has none of them yet.
    func accepts(_ image: (id: Int64, isNew: Bool), counting count: (Int64) throws -> Int) throws -> Bool {
        if image.isNew { return true }
        return try count(image.id) == 0
    }

    mutating func cleanName(_ raw: String) -> String {
        if let known = cleanNames[raw] { return known }
        let clean = classes.singular(raw: raw, dataset: dataset)
        cleanNames[raw] = clean
        return clean
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Appends a number as JSON: integers without a fraction, others in Swift's shortest round-trip form.
    static func append(_ value: Double, to text: inout String) {
        if value.rounded() == value && abs(value) < 1e15 {
            text += String(Int64(value))
        } else {
            text += value.description
        }
    }

    static func rotatedJSON(_ box: RotatedBox) -> String {
        "{\"cx\":\(number(box.center.x)),\"cy\":\(number(box.center.y)),\"w\":\(number(box.width)),"
            + "\"h\":\(number(box.height)),\"angle\":\(number(box.angle))}"
    }

    static func polygonJSON(_ points: [Point2D]) -> String {
        var text = "["
        text.reserveCapacity(points.count * 16 + 2)
        for (index, point) in points.enumerated() {
            text += index == 0 ? "[" : ",["
            append(point.x, to: &text)
            text += ","
            append(point.y, to: &text)
            text += "]"
        }
        return text + "]"
    }

    static func polygonPartsJSON(_ parts: [[Point2D]]) -> String {
        "[" + parts.map(polygonJSON).joined(separator: ",") + "]"
    }

    mutating func write(_ set: DetectionSet) throws {
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered = try self.image(path: image.relativePath, split: image.split, width: image.width, height: image.height)
            guard try accepts(registered, counting: statements.annotationObjectCount) else { continue }
            let id = registered.id
            for object in image.objects {
                try statements.insert(NewObject(
                    imageID: id, className: cleanName(object.rawClass), rawClass: object.rawClass,
                    x: object.box.x, y: object.box.y, w: object.box.width, h: object.box.height,
                    rotatedJSON: object.rotated.map(Self.rotatedJSON), polygonJSON: object.polygon.map(Self.polygonJSON),
                    source: .annotation, difficult: object.difficult, ignore: object.ignore, truncated: object.truncated,
                    polygonPartsJSON: object.polygonParts.map(Self.polygonPartsJSON), area: object.area))
                objectsAdded += 1
            }
        }
    }

    /// Captions: images found below the caption file's folder are registered under this root; the others receive
    /// their captions when the dataset already has them (same path under any root, else a unique file name), and are
    /// otherwise counted as missing, never registered.
    mutating func write(_ set: CaptionSet) throws {
        var byFileName: [String: [Int64]]? = nil
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered: (id: Int64, isNew: Bool)
            if image.onDisk {
                registered = try self.image(path: image.relativePath, split: image.split, width: image.width,
                                            height: image.height)
            } else {
                if byFileName == nil { byFileName = try transaction.imagesByFileName(dataset: datasetID) }
                let name = String(image.relativePath.split(separator: "/").last ?? "")
                guard let matches = byFileName?[name], matches.count == 1 else {
                    guard skipMissing else {
                        throw CorpusError.badInput(path: image.relativePath, reason: """
                            named by the caption file but not found below its folder nor in dataset '\(dataset)'
                            """)
                    }
                    missingImages.append(image.relativePath)
                    continue
                }
                registered = (matches[0], false)
                captionsAttached += 1
                if let split = image.split, let stored = try statements.split(ofImage: matches[0]), stored != split {
                    splitConflicts.append("\(image.relativePath): \(stored) -> \(split)")
                }
                try statements.fillMissing(image: matches[0], split: image.split, width: nil, height: nil)
            }
            guard try accepts(registered, counting: statements.humanCaptionCount) else { continue }
            var seen = Set<String>()
            for caption in image.captions {
                // The same sentence twice for one image (RSICD repeats captions) is one caption.
                guard seen.insert(caption).inserted else {
                    duplicateCaptions += 1
                    continue
                }
                try statements.insertCaption(image: registered.id, text: caption, source: .human)
                captionsAdded += 1
            }
        }
        if !set.images.isEmpty && missingImages.count == set.images.count {
            throw CorpusError.badInput(path: set.images[0].relativePath, reason: """
                none of the \(set.images.count) images the caption files name was found below their folder or in \
                dataset '\(dataset)'; ingest the images first, or point at the folder that holds them
                """)
        }
    }

    mutating func addMask(image id: Int64, path: String, palette: String) throws {
        if try statements.insertMask(image: id, path: path, palette: palette) { masksAdded += 1 }
    }

    mutating func write(_ set: SegmentationSet, palette: String) throws {
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered = try self.image(path: image.relativePath, split: image.split, width: image.width, height: image.height)
            guard try accepts(registered, counting: statements.maskCount) else { continue }
            for mask in image.masks { try addMask(image: registered.id, path: mask, palette: palette) }
        }
    }

    /// Change pairs; SECOND's semantic labels (`label`, `label2`) are also registered as masks of each time's image.
    mutating func write(_ set: ChangeSet, secondPalette: String?) throws {
        for (done, pair) in set.pairs.enumerated() {
            progress(done + 1, set.pairs.count)
            let before = try image(path: pair.before, split: pair.split, width: pair.width, height: pair.height)
            let after = try image(path: pair.after, split: pair.split, width: pair.width, height: pair.height)
            if try statements.insertPair(dataset: datasetID, before: before.id, after: after.id, label: pair.label,
                                         label2: pair.label2, split: pair.split) {
                pairsAdded += 1
            }
            if let palette = secondPalette, let first = pair.label, let second = pair.label2 {
                if try accepts(before, counting: statements.maskCount) { try addMask(image: before.id, path: first, palette: palette) }
                if try accepts(after, counting: statements.maskCount) { try addMask(image: after.id, path: second, palette: palette) }
            }
        }
    }
}
