import Foundation
import SkyGeometry
import SkyStorage
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
        try corpus.write { transaction in
            let datasetID: Int64? = try dataset.flatMap { try transaction.requireDataset($0).id }
            let removed = try transaction.deleteDatasetPrompts(dataset: datasetID, templateSet: templates.name)
            var summary = Summary(templateSet: templates.name, dataset: dataset, images: 0, removed: removed,
                                  inserted: 0)
            for (className, text) in SegCLIPPrompts.datasetPrompts(classes: classes, templates: templates) {
                if try transaction.insertPrompt(dataset: datasetID, image: nil, templateSet: templates.name,
                                                className: className, text: text) {
                    summary.inserted += 1
                }
            }
            return summary
        }
    }

    /// Stores, for every image of `dataset` with a registered mask, one prompt per class present in the mask
    /// (ground-truth guidance) and template. Masks are read before the transaction; a bad mask stops the step
    /// with its path and nothing is written.
    public func storeImagePrompts(dataset: String, in corpus: Corpus) throws -> Summary {
        let (datasetID, masks) = try corpus.read { transaction in
            let record = try transaction.requireDataset(dataset)
            return (record.id ?? 0, try transaction.masks(dataset: record.id ?? 0))
        }
        var palettes: [String: Palette] = [:]
        var present: [Int64: [String]] = [:]
        for mask in masks {
            let path = CorpusPaths.file(mask.path, root: mask.root)
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
        return try corpus.write { transaction in
            let removed = try transaction.deleteImagePrompts(dataset: datasetID, templateSet: templates.name)
            var summary = Summary(templateSet: templates.name, dataset: dataset, images: 0, removed: removed,
                                  inserted: 0)
            for (imageID, classes) in present.sorted(by: { $0.key < $1.key }) where !classes.isEmpty {
                summary.images += 1
                for (className, text) in SegCLIPPrompts.datasetPrompts(classes: classes, templates: templates) {
                    if try transaction.insertPrompt(dataset: datasetID, image: imageID, templateSet: templates.name,
                                                    className: className, text: text) {
                        summary.inserted += 1
                    }
                }
            }
            return summary
        }
    }
}
