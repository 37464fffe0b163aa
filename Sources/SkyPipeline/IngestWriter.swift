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
    let datasetID: Int64
    let dataset: String
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
    var splitConflicts: [String] = []

    init(transaction: CorpusTransaction, datasetID: Int64, dataset: String) throws {
        statements = try IngestStatements(transaction)
        self.datasetID = datasetID
        self.dataset = dataset
    }

    /// Inserts an image unless present: its id and whether it is new.
    mutating func image(path: String, split: String?, width: Int?, height: Int?) throws -> (id: Int64, isNew: Bool) {
        if let id = try statements.insertImage(dataset: datasetID, path: path, split: split, width: width, height: height) {
            imagesAdded += 1
            return (id, true)
        }
        imagesAlreadyPresent += 1
        guard let id = try statements.imageID(dataset: datasetID, path: path) else {
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
                    source: .annotation, difficult: object.difficult, ignore: object.ignore, truncated: object.truncated))
                objectsAdded += 1
            }
        }
    }

    mutating func write(_ set: CaptionSet) throws {
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered = try self.image(path: image.relativePath, split: image.split, width: image.width, height: image.height)
            guard try accepts(registered, counting: statements.humanCaptionCount) else { continue }
            for caption in image.captions {
                try statements.insertCaption(image: registered.id, text: caption, source: .human)
                captionsAdded += 1
            }
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
