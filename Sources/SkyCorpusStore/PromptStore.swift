import Foundation
import GRDB
import SkyGeometry
import SkyText

/// Stores CLIP prompts in the corpus's `prompt` table: per dataset (one per class and template) or per image
/// (SegCLIP-style, for the classes present in the image's mask).
///
/// Each call is one transaction that first removes the rows it replaces (same dataset, template set and
/// level), so re-running gives the same table.
public struct PromptStore: Sendable {
    /// What a store call did.
    public struct Summary: Sendable, Codable, Equatable {
        /// The template set.
        public var templateSet: String
        /// The dataset, when the prompts belong to one.
        public var dataset: String?
        /// Images that got prompts (per-image prompts only).
        public var images: Int
        /// Rows removed before writing.
        public var removed: Int
        /// Rows written.
        public var inserted: Int
    }

    /// The template set applied.
    public var templates: PromptTemplateSet

    public init(templates: PromptTemplateSet) {
        self.templates = templates
    }

    /// Stores one prompt per class and template for `dataset` (or for no dataset when nil).
    public func storeClassPrompts(classes: [String], dataset: String?, in corpus: Corpus) throws -> Summary {
        try corpus.write { db in
            let datasetID: Int64? = try dataset.flatMap { try DatasetRecord.require($0, in: db).id }
            try db.execute(sql: """
                DELETE FROM prompt WHERE dataset_id IS ? AND image_id IS NULL AND template_set = ?
                """, arguments: [datasetID, templates.name])
            var summary = Summary(templateSet: templates.name, dataset: dataset, images: 0, removed: db.changesCount,
                                  inserted: 0)
            let insert = try db.makeStatement(sql: """
                INSERT OR IGNORE INTO prompt (dataset_id, image_id, template_set, class, text) VALUES (?, NULL, ?, ?, ?)
                """)
            for (className, text) in SegCLIPPrompts.datasetPrompts(classes: classes, templates: templates) {
                try insert.execute(arguments: [datasetID, templates.name, className, text])
                summary.inserted += db.changesCount
            }
            return summary
        }
    }

    /// Stores, for every image of `dataset` with a registered mask, one prompt per class present in the mask
    /// (ground-truth guidance) and template. Masks are read before the transaction; a bad mask stops the step
    /// with its path and nothing is written.
    public func storeImagePrompts(dataset: String, in corpus: Corpus) throws -> Summary {
        struct MaskRow { var imageID: Int64; var path: String; var palette: String }
        let (datasetID, root, masks) = try corpus.read { db in
            let record = try DatasetRecord.require(dataset, in: db)
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.image_id, m.path, m.palette FROM mask m JOIN image i ON i.id = m.image_id
                WHERE i.dataset_id = ? ORDER BY m.image_id, m.path
                """, arguments: [record.id]).map { MaskRow(imageID: $0[0], path: $0[1], palette: $0[2]) }
            return (record.id, record.root ?? "", rows)
        }
        var palettes: [String: Palette] = [:]
        var present: [Int64: [String]] = [:]
        for mask in masks {
            let path = CorpusPaths.file(mask.path, root: root)
            let palette: Palette
            if let known = palettes[mask.palette] {
                palette = known
            } else {
                palette = try Palette.named(mask.palette)
                palettes[mask.palette] = palette
            }
            let labels = try LabelMask.load(path: path, palette: palette)
            var names: [Int: String] = [:]
            for entry in palette.classes where !palette.defaultIgnore.contains(entry.index) {
                names[Int(entry.index)] = PromptClassList.clean(entry.name)
            }
            let classes = SegCLIPPrompts.classesPresent(labels: labels.values, names: names)
            present[mask.imageID, default: []].append(contentsOf: classes.filter { !(present[mask.imageID] ?? []).contains($0) })
        }
        return try corpus.write { db in
            try db.execute(sql: """
                DELETE FROM prompt WHERE template_set = ? AND image_id IN (SELECT id FROM image WHERE dataset_id = ?)
                """, arguments: [templates.name, datasetID])
            var summary = Summary(templateSet: templates.name, dataset: dataset, images: 0, removed: db.changesCount,
                                  inserted: 0)
            let insert = try db.makeStatement(sql: """
                INSERT OR IGNORE INTO prompt (dataset_id, image_id, template_set, class, text) VALUES (?, ?, ?, ?, ?)
                """)
            for (imageID, classes) in present.sorted(by: { $0.key < $1.key }) where !classes.isEmpty {
                summary.images += 1
                for (className, text) in SegCLIPPrompts.datasetPrompts(classes: classes, templates: templates) {
                    try insert.execute(arguments: [datasetID, imageID, templates.name, className, text])
                    summary.inserted += db.changesCount
                }
            }
            return summary
        }
    }
}
