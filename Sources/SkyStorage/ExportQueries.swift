import Foundation
import GRDB

/// What an export takes from the corpus: which datasets, splits, caption sources, and duplicates or not.
public struct ExportSelection: Sendable {
    /// Datasets to export; all when empty.
    public var datasets: [String] = []
    /// Splits to export; all when empty.
    public var splits: [String] = []
    /// Caption sources to export; all when empty.
    public var sources: [CaptionSource] = []
    /// Whether images marked as duplicates (duplicate_of set) are exported too.
    public var includeDuplicates = false

    public init(datasets: [String] = [], splits: [String] = [], sources: [CaptionSource] = [], includeDuplicates: Bool = false) {
        self.datasets = datasets
        self.splits = splits
        self.sources = sources
        self.includeDuplicates = includeDuplicates
    }
}

/// One image with its captions, as exports write it.
public struct ExportItem: Sendable, Equatable, Codable {
    /// One caption with where it came from.
    public struct Caption: Sendable, Equatable, Codable {
        public var text: String
        public var source: CaptionSource
        public var rule: String?

        /// A caption; `rule` names the B2C rule that wrote it.
        public init(text: String, source: CaptionSource, rule: String? = nil) {
            self.text = text
            self.source = source
            self.rule = rule
        }
    }

    /// One stored CLIP prompt of the image (SegCLIP-style class prompts).
    public struct Prompt: Sendable, Equatable, Codable {
        public var templateSet: String
        public var className: String?
        public var text: String
    }

    public var imageId: Int64
    public var dataset: String
    /// The path relative to the dataset root.
    public var path: String
    /// The absolute path on this machine (dataset root + path).
    public var absolutePath: String
    public var split: String?
    public var width: Int?
    public var height: Int?
    public var captions: [Caption]
    /// The image's stored prompts (empty when it has none).
    public var prompts: [Prompt] = []
    /// Whether a step already decoded the file (dedup stored its hash, or embed its vector). Not exported.
    public var decoded = false

    enum CodingKeys: String, CodingKey {
        case imageId, dataset, path, absolutePath, split, width, height, captions, prompts
    }

    /// Writes every key, an unknown split or size as null (a reader then sees "unknown", not a missing field).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(imageId, forKey: .imageId)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(path, forKey: .path)
        try container.encode(absolutePath, forKey: .absolutePath)
        try container.encode(split, forKey: .split)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(captions, forKey: .captions)
        try container.encode(prompts, forKey: .prompts)
    }
}

/// Reads the images and captions an export writes, in a stable order (dataset, path, caption id).
public enum ExportQuery {
    /// The selected images that have at least one selected caption; images marked unreadable are left out
    /// (``unreadableCount(in:selection:)`` counts them).
    public static func items(in corpus: Corpus, selection: ExportSelection) throws -> [ExportItem] {
        try corpus.readDB { db in
            let (conditions, arguments) = try filter(selection, db: db)
            let whereClause = "WHERE " + (conditions + ["i.unreadable IS NULL"]).joined(separator: " AND ")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT i.id AS image_id, d.name AS dataset, r.path AS root, i.path, i.split, i.width, i.height,
                       c.text, c.source, c.rule,
                       (i.phash IS NOT NULL OR EXISTS (SELECT 1 FROM embedding e
                                                      WHERE e.item_kind = 'image' AND e.item_id = i.id)) AS decoded
                FROM caption c JOIN image i ON c.image_id = i.id JOIN dataset d ON i.dataset_id = d.id
                JOIN dataset_root r ON r.id = i.root_id
                \(whereClause)
                ORDER BY d.name, i.path, c.id
                """, arguments: StatementArguments(arguments))
            var items: [ExportItem] = []
            while let row = try rows.next() {
                let imageId: Int64 = row["image_id"]
                let caption = ExportItem.Caption(text: row["text"], source: row["source"], rule: row["rule"])
                if items.last?.imageId == imageId {
                    items[items.count - 1].captions.append(caption)
                    continue
                }
                let root: String? = row["root"]
                let path: String = row["path"]
                let absolute = CorpusPaths.file(path, root: root)
                items.append(ExportItem(imageId: imageId, dataset: row["dataset"], path: path, absolutePath: absolute,
                                        split: row["split"], width: row["width"], height: row["height"],
                                        captions: [caption], decoded: row["decoded"]))
            }
            try attachPrompts(to: &items, db: db)
            return items
        }
    }

    /// The selected images with at least one selected caption that a step marked unreadable: what
    /// ``items(in:selection:)`` leaves out.
    public static func unreadableCount(in corpus: Corpus, selection: ExportSelection) throws -> Int {
        try corpus.readDB { db in
            let (conditions, arguments) = try filter(selection, db: db)
            let whereClause = "WHERE " + (conditions + ["i.unreadable IS NOT NULL"]).joined(separator: " AND ")
            return try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT i.id)
                FROM caption c JOIN image i ON c.image_id = i.id JOIN dataset d ON i.dataset_id = d.id
                \(whereClause)
                """, arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// The WHERE conditions (over `d` dataset, `i` image, `c` caption) and arguments of a selection; an unknown
    /// dataset is refused.
    static func filter(_ selection: ExportSelection, db: Database) throws
        -> (conditions: [String], arguments: [any DatabaseValueConvertible]) {
        for name in selection.datasets where try DatasetRecord.named(name, in: db) == nil {
            throw CorpusError.unknownDataset(name: name)
        }
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        func restrict(_ column: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            conditions.append("\(column) IN (\(values.map { _ in "?" }.joined(separator: ", ")))")
            arguments.append(contentsOf: values)
        }
        restrict("d.name", selection.datasets)
        restrict("i.split", selection.splits)
        restrict("c.source", selection.sources.map(\.rawValue))
        if !selection.includeDuplicates { conditions.append("i.duplicate_of IS NULL") }
        return (conditions, arguments)
    }

    /// Fills in each item's per-image prompts.
    static func attachPrompts(to items: inout [ExportItem], db: Database) throws {
        var positions: [Int64: Int] = [:]
        for (index, item) in items.enumerated() { positions[item.imageId] = index }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT image_id, template_set, class, text FROM prompt WHERE image_id IS NOT NULL ORDER BY image_id, id
            """)
        while let row = try rows.next() {
            guard let index = positions[row["image_id"]] else { continue }
            items[index].prompts.append(ExportItem.Prompt(templateSet: row["template_set"], className: row["class"],
                                                          text: row["text"]))
        }
    }

    /// Every stored prompt, dataset-level and per-image, as `prompts` exports write them.
    /// Per-image prompts of images marked unreadable are left out.
    /// `selection` applies its datasets; its splits and the duplicate filter apply to per-image prompts (a
    /// dataset-level prompt has no split, so `--split` keeps per-image prompts only). Caption sources do not apply.
    public static func prompts(in corpus: Corpus, selection: ExportSelection = ExportSelection()) throws -> [StoredPrompt] {
        guard selection.sources.isEmpty else {
            throw CorpusError.invalidRequest("caption sources select captions; a prompts export takes datasets and splits")
        }
        return try corpus.readDB { db in
            for name in selection.datasets where try DatasetRecord.named(name, in: db) == nil {
                throw CorpusError.unknownDataset(name: name)
            }
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if !selection.datasets.isEmpty {
                conditions.append("d.name IN (\(selection.datasets.map { _ in "?" }.joined(separator: ", ")))")
                arguments += selection.datasets
            }
            if !selection.splits.isEmpty {
                conditions.append("i.split IN (\(selection.splits.map { _ in "?" }.joined(separator: ", ")))")
                arguments += selection.splits
            }
            if !selection.includeDuplicates { conditions.append("(i.id IS NULL OR i.duplicate_of IS NULL)") }
            conditions.append("(i.id IS NULL OR i.unreadable IS NULL)")
            var sql = """
                SELECT d.name AS dataset, i.path AS path, p.template_set, p.class, p.text FROM prompt p
                LEFT JOIN dataset d ON d.id = p.dataset_id LEFT JOIN image i ON i.id = p.image_id
                """
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY d.name, i.path, p.id"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                StoredPrompt(dataset: row["dataset"], image: row["path"], templateSet: row["template_set"],
                             className: row["class"], text: row["text"])
            }
        }
    }
}

/// One stored prompt: for a dataset's class, or for one image.
public struct StoredPrompt: Sendable, Equatable, Codable {
    public var dataset: String?
    /// The image path relative to the dataset root, for per-image prompts.
    public var image: String?
    public var templateSet: String
    public var className: String?
    public var text: String
}
