import GRDB

/// The `prompt` table's operations.
extension CorpusTransaction {
    /// Deletes the dataset-level prompts (no image) of a template set for a dataset (or for none); how many.
    public func deleteDatasetPrompts(dataset: Int64?, templateSet: String) throws -> Int {
        try db.execute(sql: "DELETE FROM prompt WHERE dataset_id IS ? AND image_id IS NULL AND template_set = ?",
                       arguments: [dataset, templateSet])
        return changes
    }

    /// Deletes the per-image prompts of a template set on a dataset's images; how many.
    public func deleteImagePrompts(dataset: Int64, templateSet: String) throws -> Int {
        try db.execute(sql: """
            DELETE FROM prompt WHERE template_set = ? AND image_id IN (SELECT id FROM image WHERE dataset_id = ?)
            """, arguments: [templateSet, dataset])
        return changes
    }

    /// Inserts a prompt unless the same one is stored; true when it was added.
    public func insertPrompt(dataset: Int64?, image: Int64?, templateSet: String, className: String?,
                             text: String) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO prompt (dataset_id, image_id, template_set, class, text) VALUES (?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [dataset, image, templateSet, className, text])
        return changes > 0
    }
}
