import GRDB

/// An image-level label to insert (the `image_label` table).
public struct NewImageLabel: Sendable, Equatable {
    public var imageID: Int64
    /// The clean class name, and the dataset's spelling for ground truth.
    public var className: String
    public var rawClass: String?
    /// 1 for ground truth, the softmax probability for zero-shot.
    public var score: Double
    /// 1 for the best label.
    public var rank: Int
    public var source: LabelSource
    /// The labelling model (`encoder_model.id`), for zero-shot labels.
    public var modelID: Int64?
    /// The template set of the zero-shot prompts.
    public var templates: String?

    public init(imageID: Int64, className: String, rawClass: String? = nil, score: Double = 1, rank: Int = 1,
                source: LabelSource, modelID: Int64? = nil, templates: String? = nil) {
        self.imageID = imageID
        self.className = className
        self.rawClass = rawClass
        self.score = score
        self.rank = rank
        self.source = source
        self.modelID = modelID
        self.templates = templates
    }
}

/// One stored image label, as exports and evaluations read it.
public struct StoredImageLabel: Sendable, Equatable, Codable {
    public var className: String
    public var score: Double
    public var rank: Int
    public var source: LabelSource
    /// The labelling model's registered name (zero-shot labels).
    public var model: String?
}

/// An image to label: its id and file.
public struct LabelingCandidate: Sendable, Equatable {
    public var id: Int64
    /// The absolute path (root + relative path).
    public var file: String
}

/// An image with its ground-truth class, for evaluations.
public struct LabeledImageRow: Sendable, Equatable {
    public var id: Int64
    public var className: String
    public var split: String?
}

/// The `image_label` table's operations.
extension CorpusTransaction {
    /// Inserts a label unless the image already has one of that source, model and rank; true when added.
    @discardableResult
    public func insertImageLabel(_ label: NewImageLabel) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO image_label (image_id, class, raw_class, score, rank, source, model_id, templates)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        try statement.execute(arguments: [label.imageID, label.className, label.rawClass, label.score, label.rank,
                                          label.source.rawValue, label.modelID, label.templates])
        return changes > 0
    }

    /// Deletes a model's zero-shot labels on a dataset's images and the zero-shot captions it made; how many labels.
    public func deleteZeroShotLabels(dataset: Int64, model: Int64, modelName: String) throws -> Int {
        try db.execute(sql: """
            DELETE FROM image_label WHERE source = 'zero-shot' AND model_id = ?
            AND image_id IN (SELECT id FROM image WHERE dataset_id = ?)
            """, arguments: [model, dataset])
        let deleted = changes
        try db.execute(sql: """
            DELETE FROM caption WHERE source = 'zero-shot' AND rule = ? AND image_id IN (SELECT id FROM image WHERE dataset_id = ?)
            """, arguments: [modelName, dataset])
        return deleted
    }

    /// The images of a dataset to label, by id; readable (or not yet known) images only. `unlabelledBy` leaves out
    /// images that model has labelled; `onlyUnannotated` keeps images with no object and no ground-truth label.
    public func labelingCandidates(dataset: Int64, unlabelledBy model: Int64?, onlyUnannotated: Bool) throws -> [LabelingCandidate] {
        var sql = """
            SELECT i.id, r.path, i.path FROM image i JOIN dataset_root r ON r.id = i.root_id
            WHERE i.dataset_id = ? AND i.unreadable IS NULL
            AND NOT EXISTS (SELECT 1 FROM image_label l WHERE l.image_id = i.id AND l.source = 'zero-shot' AND l.model_id = ?)
            """
        if onlyUnannotated {
            sql += """
                 AND NOT EXISTS (SELECT 1 FROM object o WHERE o.image_id = i.id)
                 AND NOT EXISTS (SELECT 1 FROM image_label l WHERE l.image_id = i.id AND l.source = 'ground-truth')
                """
        }
        sql += " ORDER BY i.id"
        return try Row.fetchAll(db, sql: sql, arguments: [dataset, model ?? -1]).map {
            LabelingCandidate(id: $0[0], file: CorpusPaths.file($0[2], root: $0[1]))
        }
    }

    /// Labels per image of a dataset for a source (all models), best rank first.
    public func imageLabels(dataset: Int64, source: LabelSource? = nil) throws -> [Int64: [StoredImageLabel]] {
        var sql = """
            SELECT l.image_id, l.class, l.score, l.rank, l.source, m.name FROM image_label l
            JOIN image i ON i.id = l.image_id LEFT JOIN encoder_model m ON m.id = l.model_id
            WHERE i.dataset_id = ?
            """
        var arguments: [any DatabaseValueConvertible] = [dataset]
        if let source {
            sql += " AND l.source = ?"
            arguments.append(source.rawValue)
        }
        sql += " ORDER BY l.image_id, l.source, m.name, l.rank"
        var labels: [Int64: [StoredImageLabel]] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
            labels[row[0], default: []].append(StoredImageLabel(className: row[1], score: row[2], rank: row[3],
                                                                source: row[4], model: row[5]))
        }
        return labels
    }

    /// The images of a dataset with their ground-truth class (rank 1), by image path; `split` restricts them.
    public func groundTruthImages(dataset: Int64, split: String? = nil) throws -> [LabeledImageRow] {
        var sql = """
            SELECT i.id, l.class, i.split FROM image_label l JOIN image i ON i.id = l.image_id
            WHERE i.dataset_id = ? AND l.source = 'ground-truth' AND l.rank = 1
            """
        var arguments: [any DatabaseValueConvertible] = [dataset]
        if let split {
            sql += " AND i.split = ?"
            arguments.append(split)
        }
        sql += " ORDER BY i.path, i.id"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map {
            LabeledImageRow(id: $0[0], className: $0[1], split: $0[2])
        }
    }

    /// How many labels of `source` an image has.
    public func imageLabelCount(image: Int64, source: LabelSource) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image_label WHERE image_id = ? AND source = ?",
                         arguments: [image, source.rawValue]) ?? 0
    }
}
