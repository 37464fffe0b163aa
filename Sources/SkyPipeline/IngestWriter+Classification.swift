import SkyDatasets
import SkyStorage

extension IngestWriter {
    /// Scene classification: each image with its ground-truth class (rank 1, score 1), the class cleaned through
    /// `Schemas/classes/` (`denseresidential` -> `dense residential`). An image that already has a ground-truth label
    /// keeps it, so a re-run adds nothing.
    mutating func write(_ set: ClassificationSet) throws {
        for (done, image) in set.images.enumerated() {
            progress(done + 1, set.images.count)
            let registered = try self.image(path: image.relativePath, split: image.split, width: image.width,
                                            height: image.height)
            guard try accepts(registered, counting: { try transaction.imageLabelCount(image: $0, source: .groundTruth) }) else {
                continue
            }
            if try transaction.insertImageLabel(NewImageLabel(imageID: registered.id, className: cleanName(image.rawClass),
                                                              rawClass: image.rawClass, source: .groundTruth)) {
                labelsAdded += 1
            }
        }
    }
}
