import Foundation
import SkyStorage

/// The roots of one dataset inside a write transaction: where an absolute file is already registered.
///
/// A file reachable from two roots (a caption file's folder above the image folder `add-images` registered, or two
/// overlapping downloads) is one image: registration looks it up under every other root first.
struct DatasetRoots {
    let transaction: CorpusTransaction
    /// The other roots, absolute and standardised, deepest first.
    private let others: [(id: Int64, path: String)]

    /// The roots of `dataset` other than `current`.
    init(transaction: CorpusTransaction, dataset: Int64, current: Int64) throws {
        self.transaction = transaction
        others = try transaction.roots(dataset: dataset)
            .filter { $0.id != current && !$0.path.isEmpty }
            .map { (id: $0.id, path: URL(fileURLWithPath: $0.path).standardizedFileURL.path) }
            .sorted { $0.path.count > $1.path.count }
    }

    /// The image already registered for `file` (absolute) under another root of the dataset, if any.
    func existingImage(file: String) throws -> Int64? {
        guard !others.isEmpty else { return nil }
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        for root in others where absolute.hasPrefix(root.path + "/") {
            if let image = try transaction.image(root: root.id, path: String(absolute.dropFirst(root.path.count + 1))) {
                return image.id
            }
        }
        return nil
    }
}
