import Foundation
import SkyGeometry
import SkyStorage
import SkyText

/// Stores M2B regions as objects (source `m2b`) on the image a mask annotates.
///
/// One call is one transaction: it finds the mask's image, checks the sizes and makes the regions that image's
/// `m2b` objects, replacing earlier ones only where they differ. Re-running changes nothing, ids included.
public struct M2BStorage: Sendable {
    /// What one store did.
    public struct Summary: Codable, Sendable, Equatable {
        /// The mask file as given.
        public var mask: String
        /// The dataset and relative path of the image the objects went on.
        public var dataset: String
        public var image: String
        /// `m2b` objects removed from an earlier run because they differ, and the image's `m2b` objects now.
        public var removed: Int
        public var inserted: Int
        /// `m2b` objects already stored exactly so, kept with their ids.
        public var unchanged: Int = 0
    }

    /// The mask file (any path; resolved against the datasets' roots).
    public var maskPath: String
    /// The palette that names the classes (and decoded the mask when it was RGB).
    public var palette: Palette
    /// The image to attach the mask to when the corpus does not list the mask yet (registers it).
    public var imagePath: String?
    /// The image the corpus lists the mask on, when the caller read it from the `mask` row (M2B over the corpus's
    /// masks): the image is then found by its id, with no search by path.
    public var imageID: Int64?

    public init(maskPath: String, palette: Palette, imagePath: String? = nil, imageID: Int64? = nil) {
        self.maskPath = maskPath
        self.palette = palette
        self.imagePath = imagePath
        self.imageID = imageID
    }

    /// One mask's boxes, ready to store: the regions and the mask's size (not its pixels, so a run over many
    /// masks holds only boxes).
    public struct Item: Sendable {
        public var storage: M2BStorage
        public var regions: [ClassRegion]
        public var width: Int
        public var height: Int

        public init(storage: M2BStorage, regions: [ClassRegion], mask: LabelMask) {
            self.storage = storage
            self.regions = regions
            width = mask.width
            height = mask.height
        }
    }

    /// Replaces the mask's image's `m2b` objects by `regions` of `mask`, in one transaction.
    public func store(_ regions: [ClassRegion], of mask: LabelMask, in corpus: Corpus) throws -> Summary {
        try corpus.write { transaction in
            try store(regions, width: mask.width, height: mask.height, transaction: transaction)
        }
    }

    /// Stores several masks' boxes in one transaction: one bad mask and nothing is written.
    public static func storeAll(_ items: [Item], in corpus: Corpus) throws -> [Summary] {
        try corpus.write { transaction in
            try items.map { try $0.storage.store($0.regions, width: $0.width, height: $0.height, transaction: transaction) }
        }
    }

    func store(_ regions: [ClassRegion], width maskWidth: Int, height maskHeight: Int,
               transaction: CorpusTransaction) throws -> Summary {
        let (dataset, image) = try resolveImage(transaction)
        guard let imageID = image.id else { throw CorpusError.badInput(path: maskPath, reason: "image without id") }
        if let width = image.width, let height = image.height, maskWidth != width || maskHeight != height {
            throw CorpusError.badInput(path: maskPath, reason: """
                the mask is \(maskWidth)x\(maskHeight) but its image \(image.path) is \(width)x\(height); \
                pair each mask with its own image
                """)
        }
        let objects = regions.map { region in
            let raw = palette.className(of: region.classValue) ?? String(region.classValue)
            let clean = ClassTable.standard.name(raw: raw, dataset: dataset.name).singular
            let box = region.box
            return NewObject(
                imageID: imageID, className: clean, rawClass: raw, x: Double(box.x), y: Double(box.y),
                w: Double(box.width), h: Double(box.height),
                rotatedJSON: region.rotatedBox.map(Self.rotatedJSON), polygonJSON: region.polygon.map(Self.polygonJSON),
                source: .m2b)
        }
        // The same boxes again keep their rows (and ids); different ones replace the image's earlier m2b boxes.
        let (kept, removed) = try transaction.replaceObjects(image: imageID, source: .m2b, with: objects)
        return Summary(mask: maskPath, dataset: dataset.name, image: image.path, removed: removed,
                       inserted: regions.count, unchanged: kept)
    }

    /// The dataset and image the mask belongs to: `imageID` when known, else its `mask` row found by path (an index
    /// on `mask.path`), or the `imagePath` given (then registered).
    ///
    /// Mask paths are stored relative to the dataset root, with `..` when the masks sit beside the images'
    /// folder (LoveDA's `ann_dir` next to `img_dir`).
    private func resolveImage(_ transaction: CorpusTransaction) throws -> (DatasetRecord, ImageRecord) {
        if let imageID {
            guard let found = try transaction.imageAndDataset(id: imageID) else {
                throw CorpusError.badInput(path: maskPath, reason: "its image (id \(imageID)) is no longer in the corpus")
            }
            return (found.dataset, found.image)
        }
        let roots = try transaction.allRoots()
        for (dataset, root) in roots where !root.path.isEmpty {
            if let listed = try transaction.imageListingMask(root: root.id, maskPath: Self.relativePath(maskPath, from: root.path)) {
                guard listed.palette == palette.name else {
                    throw CorpusError.badInput(path: maskPath, reason: """
                        the corpus registered this mask with palette '\(listed.palette)', not '\(palette.name)': \
                        read with another palette its classes would be wrong
                        """)
                }
                return (dataset, listed.image)
            }
        }
        guard let imagePath else {
            throw CorpusError.badInput(path: maskPath, reason: """
                no image in the corpus lists this mask; pass --image IMAGE (a registered image) to attach it
                """)
        }
        guard let (dataset, root, imageRelative) = Self.locate(imagePath, in: roots) else {
            throw CorpusError.badInput(path: imagePath, reason: "not under the root of any dataset in the corpus")
        }
        guard let image = try transaction.image(root: root.id, path: imageRelative), let imageID = image.id else {
            throw CorpusError.badInput(path: imagePath, reason: """
                not registered in dataset '\(dataset.name)'; add it with 'skycorpus add-images' first
                """)
        }
        try transaction.addMask(image: imageID, path: Self.relativePath(maskPath, from: root.path), palette: palette.name)
        return (dataset, image)
    }

    /// The dataset root that holds `path` (the deepest root wins) and the path relative to it.
    static func locate(_ path: String, in roots: [(dataset: DatasetRecord, root: DatasetRoot)])
        -> (DatasetRecord, DatasetRoot, String)? {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var best: (DatasetRecord, DatasetRoot, String)?
        for (dataset, root) in roots where !root.path.isEmpty {
            let rootPath = URL(fileURLWithPath: root.path).standardizedFileURL.path
            guard absolute.hasPrefix(rootPath + "/") else { continue }
            if best == nil || rootPath.count > (best?.1.path.count ?? 0) {
                best = (dataset, root, String(absolute.dropFirst(rootPath.count + 1)))
            }
        }
        return best
    }

    /// `path` relative to the folder `root`, '/' separated, with `..` steps when it lies outside.
    static func relativePath(_ path: String, from root: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: root).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count) && target[common] == base[common] { common += 1 }
        let steps = [String](repeating: "..", count: base.count - common) + target[common...]
        return steps.joined(separator: "/")
    }

    static func rotatedJSON(_ box: RotatedBox) -> String {
        "{\"cx\":\(box.center.x),\"cy\":\(box.center.y),\"w\":\(box.width),\"h\":\(box.height),\"angle\":\(box.angle)}"
    }

    static func polygonJSON(_ points: [PixelPoint]) -> String {
        "[" + points.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]"
    }
}
