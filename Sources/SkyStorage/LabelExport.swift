import GRDB

/// One labelled image as `export --format labels` writes it: its file and every image-level label.
public struct LabeledExportItem: Sendable, Equatable, Codable {
    public var dataset: String
    /// The path relative to the dataset root, and on this machine.
    public var path: String
    public var absolutePath: String
    public var split: String?
    /// Every label, ground truth first, then each model's top-k by rank.
    public var labels: [StoredImageLabel]
}

extension ExportQuery {
    /// The selected images that have image-level labels, with their labels (dataset, path order). The selection's
    /// caption sources do not apply; `labelSources` restricts the labels (all when empty). Unreadable images are
    /// left out.
    public static func labels(in corpus: Corpus, selection: ExportSelection,
                              labelSources: [LabelSource] = []) throws -> [LabeledExportItem] {
        guard selection.sources.isEmpty else {
            throw CorpusError.invalidRequest("caption sources select captions; a labels export takes datasets and splits")
        }
        return try corpus.readDB { db in
            var (conditions, arguments) = try filter(selection, db: db)
            conditions.append("i.unreadable IS NULL")
            if !labelSources.isEmpty {
                conditions.append("l.source IN (\(labelSources.map { _ in "?" }.joined(separator: ", ")))")
                arguments += labelSources.map(\.rawValue)
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT i.id, d.name, r.path, i.path, i.split, l.class, l.score, l.rank, l.source, m.name
                FROM image_label l JOIN image i ON i.id = l.image_id JOIN dataset d ON d.id = i.dataset_id
                JOIN dataset_root r ON r.id = i.root_id LEFT JOIN encoder_model m ON m.id = l.model_id
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY d.name, i.path, i.id, l.source, m.name, l.rank
                """, arguments: StatementArguments(arguments))
            var items: [LabeledExportItem] = []
            var lastImage: Int64? = nil
            while let row = try rows.next() {
                let label = StoredImageLabel(className: row[5], score: row[6], rank: row[7], source: row[8], model: row[9])
                let image: Int64 = row[0]
                if image == lastImage {
                    items[items.count - 1].labels.append(label)
                    continue
                }
                lastImage = image
                let path: String = row[3]
                items.append(LabeledExportItem(dataset: row[1], path: path, absolutePath: CorpusPaths.file(path, root: row[2]),
                                               split: row[4], labels: [label]))
            }
            return items
        }
    }
}
