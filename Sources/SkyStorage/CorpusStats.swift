import GRDB

/// Counts over the corpus: per dataset, split, caption source and class.
public struct CorpusStats: Codable, Sendable, Equatable {
    /// Counts of one dataset.
    public struct DatasetCounts: Codable, Sendable, Equatable {
        public var name: String
        public var images: Int
        public var objects: Int
        public var captions: Int
        public var changePairs: Int
        public var duplicates: Int
        /// Images a step found cannot be decoded (`image.unreadable` set); exports leave them out.
        public var unreadable: Int
        /// Images per split ("" for images without a split).
        public var splits: [String: Int]
        /// Captions per source (b2c, human, prompt, change).
        public var captionSources: [String: Int] = [:]
        /// Image-level labels (ground truth and zero-shot, every rank).
        public var labels: Int = 0
    }

    /// The stored embeddings of one registered model.
    public struct EmbeddingCounts: Codable, Sendable, Equatable {
        public var model: String
        /// The arithmetic that made them (`fp32`, `bf16`; `fp32` for corpora embedded before it was recorded).
        public var precision: String
        public var dimension: Int
        /// Embeddings per item kind (image, caption, prompt).
        public var items: [String: Int]
    }

    public var datasets: [DatasetCounts]
    /// Captions per source (b2c, human, prompt, change).
    public var captionSources: [String: Int]
    /// Objects per clean class name.
    public var classes: [String: Int]
    /// Image-level labels per source: `ground-truth`, and `zero-shot:MODEL` for each labelling model.
    public var labelSources: [String: Int] = [:]
    /// Images per class of their best label (ground truth, else the zero-shot top-1 of any model).
    public var imageClasses: [String: Int] = [:]
    /// Stored embeddings per registered model, with their precision, in registration order.
    public var embeddings: [EmbeddingCounts] = []
    public var totalImages: Int
    public var totalObjects: Int
    public var totalCaptions: Int

    /// Reads the counts from a corpus.
    public static func read(from corpus: Corpus) throws -> CorpusStats {
        try corpus.readDB { db in
            var datasets: [DatasetCounts] = []
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.id, d.name,
                  (SELECT COUNT(*) FROM image i WHERE i.dataset_id = d.id) AS images,
                  (SELECT COUNT(*) FROM object o JOIN image i ON o.image_id = i.id WHERE i.dataset_id = d.id) AS objects,
                  (SELECT COUNT(*) FROM caption c JOIN image i ON c.image_id = i.id WHERE i.dataset_id = d.id) AS captions,
                  (SELECT COUNT(*) FROM change_pair p WHERE p.dataset_id = d.id) AS pairs,
                  (SELECT COUNT(*) FROM image i WHERE i.dataset_id = d.id AND i.duplicate_of IS NOT NULL) AS duplicates,
                  (SELECT COUNT(*) FROM image i WHERE i.dataset_id = d.id AND i.unreadable IS NOT NULL) AS unreadable,
                  (SELECT COUNT(*) FROM image_label l JOIN image i ON l.image_id = i.id WHERE i.dataset_id = d.id) AS labels
                FROM dataset d ORDER BY d.name
                """)
            for row in rows {
                let id: Int64 = row["id"]
                var splits: [String: Int] = [:]
                for split in try Row.fetchAll(db, sql: """
                    SELECT COALESCE(split, '') AS split, COUNT(*) AS n FROM image WHERE dataset_id = ? GROUP BY 1
                    """, arguments: [id]) {
                    splits[split["split"]] = split["n"]
                }
                var sources: [String: Int] = [:]
                for source in try Row.fetchAll(db, sql: """
                    SELECT c.source, COUNT(*) AS n FROM caption c JOIN image i ON c.image_id = i.id
                    WHERE i.dataset_id = ? GROUP BY c.source
                    """, arguments: [id]) {
                    sources[source["source"]] = source["n"]
                }
                datasets.append(DatasetCounts(name: row["name"], images: row["images"], objects: row["objects"],
                                              captions: row["captions"], changePairs: row["pairs"],
                                              duplicates: row["duplicates"], unreadable: row["unreadable"],
                                              splits: splits, captionSources: sources, labels: row["labels"]))
            }
            var sources: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, COUNT(*) AS n FROM caption GROUP BY source") {
                sources[row["source"]] = row["n"]
            }
            var classes: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT class, COUNT(*) AS n FROM object GROUP BY class") {
                classes[row["class"]] = row["n"]
            }
            var labelSources: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT l.source || IFNULL(':' || m.name, '') AS source, COUNT(*) AS n FROM image_label l
                LEFT JOIN encoder_model m ON m.id = l.model_id GROUP BY 1
                """) {
                labelSources[row["source"]] = row["n"]
            }
            var imageClasses: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT class, COUNT(*) AS n FROM (
                  SELECT l.class FROM image_label l WHERE l.rank = 1 AND l.id = (
                    SELECT l2.id FROM image_label l2 WHERE l2.image_id = l.image_id AND l2.rank = 1
                    ORDER BY l2.source = 'ground-truth' DESC, l2.id LIMIT 1)
                ) GROUP BY class
                """) {
                imageClasses[row["class"]] = row["n"]
            }
            var embeddings: [EmbeddingCounts] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, name, precision, dimension FROM encoder_model ORDER BY id") {
                var items: [String: Int] = [:]
                for count in try Row.fetchAll(db, sql: "SELECT item_kind, COUNT(*) AS n FROM embedding WHERE model_id = ? GROUP BY 1",
                                              arguments: [row["id"] as Int64]) {
                    items[count["item_kind"]] = count["n"]
                }
                embeddings.append(EmbeddingCounts(model: row["name"], precision: row["precision"], dimension: row["dimension"],
                                                  items: items))
            }
            return CorpusStats(
                datasets: datasets, captionSources: sources, classes: classes,
                labelSources: labelSources, imageClasses: imageClasses, embeddings: embeddings,
                totalImages: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image") ?? 0,
                totalObjects: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object") ?? 0,
                totalCaptions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM caption") ?? 0)
        }
    }
}
