import Foundation
import GRDB
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
    let db: Database
    let datasetID: Int64
    let dataset: String
    let classes = ClassTable.standard
    let insertImage: Statement
    let findImage: Statement
    let insertObject: Statement
    let insertCaption: Statement
    let insertMask: Statement
    let insertPair: Statement
    let fillImage: Statement
    let countObjects: Statement
    let countCaptions: Statement
    let countMasks: Statement
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

    init(db: Database, datasetID: Int64, dataset: String) throws {
        self.db = db
        self.datasetID = datasetID
        self.dataset = dataset
        insertImage = try db.makeStatement(sql: """
            INSERT INTO image(dataset_id, path, split, width, height) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(dataset_id, path) DO NOTHING
            """)
        findImage = try db.makeStatement(sql: "SELECT id FROM image WHERE dataset_id = ? AND path = ?")
        fillImage = try db.makeStatement(sql: """
            UPDATE image SET split = COALESCE(split, ?), width = COALESCE(width, ?), height = COALESCE(height, ?)
            WHERE id = ?
            """)
        countObjects = try db.makeStatement(sql: "SELECT COUNT(*) FROM object WHERE image_id = ? AND source = 'annotation'")
        countCaptions = try db.makeStatement(sql: "SELECT COUNT(*) FROM caption WHERE image_id = ? AND source = 'human'")
        countMasks = try db.makeStatement(sql: "SELECT COUNT(*) FROM mask WHERE image_id = ?")
        insertObject = try db.makeStatement(sql: """
            INSERT INTO object(image_id, class, raw_class, x, y, w, h, rotated, polygon, source, difficult, ignore, truncated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'annotation', ?, ?, ?)
            """)
        insertCaption = try db.makeStatement(sql: "INSERT INTO caption(image_id, text, source) VALUES (?, ?, 'human')")
        insertMask = try db.makeStatement(sql: """
            INSERT INTO mask(image_id, path, palette) VALUES (?, ?, ?) ON CONFLICT(image_id, path) DO NOTHING
            """)
        insertPair = try db.makeStatement(sql: """
            INSERT INTO change_pair(dataset_id, before_image_id, after_image_id, label_path, label2_path, split)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(before_image_id, after_image_id) DO NOTHING
            """)
    }

    /// Inserts an image unless present: its id and whether it is new.
    mutating func image(path: String, split: String?, width: Int?, height: Int?) throws -> (id: Int64, isNew: Bool) {
        try insertImage.execute(arguments: [datasetID, path, split, width, height])
        if db.changesCount > 0 {
            imagesAdded += 1
            return (db.lastInsertedRowID, true)
        }
        imagesAlreadyPresent += 1
        guard let id = try Int64.fetchOne(findImage, arguments: [datasetID, path]) else {
            throw CorpusError.schema("image \(path) of dataset \(dataset) vanished during the ingest")
        }
        if let split, let stored = try String.fetchOne(db, sql: "SELECT split FROM image WHERE id = ?", arguments: [id]),
           stored != split {
            splitConflicts.append("\(path): \(stored) -> \(split)")
        }
        try fillImage.execute(arguments: [split, width, height, id])
        return (id, false)
    }

    /// Whether an image may receive this source's records: it is new, or has none of them yet.
    func accepts(_ image: (id: Int64, isNew: Bool), counting statement: Statement) throws -> Bool {
        if image.isNew { return true }
        return try Int.fetchOne(statement, arguments: [image.id]) == 0
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
            guard try accepts(registered, counting: countObjects) else { continue }
            let id = registered.id
            for object in image.objects {
                // Bound once and executed: GRDB's per-call temporary bindings cost more than SQLite's insert here.
                insertObject.setUncheckedArguments([
                    id, cleanName(object.rawClass), object.rawClass,
                    object.box.x, object.box.y, object.box.width, object.box.height,
                    object.rotated.map(Self.rotatedJSON), object.polygon.map(Self.polygonJSON),
                    object.difficult, object.ignore, object.truncated,
                ])
                try insertObject.execute()
                objectsAdded += 1
            }
        }
    }

    mutating func write(_ set: CaptionSet) throws {
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered = try self.image(path: image.relativePath, split: image.split, width: image.width, height: image.height)
            guard try accepts(registered, counting: countCaptions) else { continue }
            for caption in image.captions {
                try insertCaption.execute(arguments: [registered.id, caption])
                captionsAdded += 1
            }
        }
    }

    mutating func addMask(image id: Int64, path: String, palette: String) throws {
        try insertMask.execute(arguments: [id, path, palette])
        if db.changesCount > 0 { masksAdded += 1 }
    }

    mutating func write(_ set: SegmentationSet, palette: String) throws {
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered = try self.image(path: image.relativePath, split: image.split, width: image.width, height: image.height)
            guard try accepts(registered, counting: countMasks) else { continue }
            for mask in image.masks { try addMask(image: registered.id, path: mask, palette: palette) }
        }
    }

    /// Change pairs; SECOND's semantic labels (`label`, `label2`) are also registered as masks of each time's image.
    mutating func write(_ set: ChangeSet, secondPalette: String?) throws {
        for (done, pair) in set.pairs.enumerated() {
            progress(done + 1, set.pairs.count)
            let before = try image(path: pair.before, split: pair.split, width: pair.width, height: pair.height)
            let after = try image(path: pair.after, split: pair.split, width: pair.width, height: pair.height)
            try insertPair.execute(arguments: [datasetID, before.id, after.id, pair.label, pair.label2, pair.split])
            if db.changesCount > 0 { pairsAdded += 1 }
            if let palette = secondPalette, let first = pair.label, let second = pair.label2 {
                if try accepts(before, counting: countMasks) { try addMask(image: before.id, path: first, palette: palette) }
                if try accepts(after, counting: countMasks) { try addMask(image: after.id, path: second, palette: palette) }
            }
        }
    }
}
