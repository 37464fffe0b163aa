import SkyStorage
import SkyGeometry
import SkyText

/// One image's B2C captions, as a run reports them.
public struct B2CImageCaptions: Sendable, Codable, Equatable {
    /// The dataset name.
    public var dataset: String
    /// The image path relative to the dataset root.
    public var path: String
    /// The captions, in rule order.
    public var captions: [B2CCaption]
}

/// What a B2C run did.
public struct B2CRunSummary: Sendable, Codable, Equatable {
    /// The datasets captioned.
    public var datasets: [String]
    /// Images looked at.
    public var images: Int
    /// Images that got at least one caption (the others have no usable objects).
    public var imagesCaptioned: Int
    /// Captions written (or, for a dry run, that would be written).
    public var captions: Int
    /// Earlier B2C captions of these datasets that the run replaced because they differ (0 for a dry run).
    public var replaced: Int
    /// Captions already stored exactly so, kept with their ids (0 for a dry run).
    public var unchanged: Int = 0
    /// True when nothing was stored.
    public var dryRun: Bool
}

/// Stores B2C captions: source `b2c`, the rule in `caption.rule`.
///
/// A run over some datasets is one transaction: each image's B2C captions become the new ones, its earlier ones
/// replaced only where they differ, so re-running with the same seed changes nothing (caption ids and their
/// embeddings stay), and a failure leaves the corpus unchanged.
public struct B2CCaptionStore: Sendable {
    /// The generator (phrasings and options).
    public var generator: B2CGenerator
    /// English names for the corpus's clean class names.
    public var naming: any ClassNaming
    /// The run's seed.
    public var seed: UInt64

    public init(generator: B2CGenerator, naming: any ClassNaming, seed: UInt64) {
        self.generator = generator
        self.naming = naming
        self.seed = seed
    }

    /// Captions every image of `datasets` (all datasets when empty) and stores them, replacing earlier B2C
    /// captions of those datasets. With `dryRun` nothing is written. `each` sees every captioned image;
    /// `progress` gets (images done, images in all) after every image.
    public func run(on corpus: Corpus, datasets: [String], dryRun: Bool,
                    progress: (Int, Int) -> Void = { _, _ in },
                    each: (B2CImageCaptions) throws -> Void = { _ in }) throws -> B2CRunSummary {
        if dryRun {
            return try corpus.read { transaction in
                try captionAll(transaction, datasets: datasets, store: false, progress: progress, each: each)
            }
        }
        return try corpus.write { transaction in
            try captionAll(transaction, datasets: datasets, store: true, progress: progress, each: each)
        }
    }

    private func captionAll(_ transaction: CorpusTransaction, datasets requested: [String], store: Bool,
                            progress: (Int, Int) -> Void,
                            each: (B2CImageCaptions) throws -> Void) throws -> B2CRunSummary {
        let targets = try transaction.datasets(named: requested)
        var total = 0
        for target in targets { total += try transaction.imageCount(dataset: target.id ?? 0) }
        var summary = B2CRunSummary(datasets: targets.map(\.name), images: 0, imagesCaptioned: 0, captions: 0,
                                    replaced: 0, dryRun: !store)
        let sync = store ? try CaptionSync(transaction, source: .b2c) : nil
        var names: [String: ClassName] = [:]
        for dataset in targets {
            let datasetID = dataset.id ?? 0
            try transaction.forEachImageWithObjects(dataset: datasetID) { image in
                summary.images += 1
                progress(summary.images, total)
                let objects = image.objects.map { object -> B2CObject in
                    let name: ClassName
                    if let cached = names[object.className] {
                        name = cached
                    } else {
                        name = naming.name(for: object.className)
                        names[object.className] = name
                    }
                    return B2CObject(name: name, box: AxisBox(x: object.x, y: object.y, width: object.w, height: object.h),
                                     origin: object.source == .m2b ? .m2b : .annotation,
                                     difficult: object.difficult, ignore: object.ignore)
                }
                var size: ImageSize? = nil
                if let width = image.width, let height = image.height, width > 0, height > 0 {
                    size = ImageSize(width: Double(width), height: Double(height))
                }
                let captions = generator.captions(for: objects, imageSize: size, seed: seed,
                                                  identity: dataset.name + "/" + image.path)
                if let sync {
                    // Every image is synced, so one that lost its objects loses its earlier captions too.
                    let result = try sync.sync(image: image.id, captions: captions.map { ($0.text, $0.rule.rawValue) })
                    summary.replaced += result.removed
                    summary.unchanged += result.kept
                }
                guard !captions.isEmpty else { return }
                summary.imagesCaptioned += 1
                summary.captions += captions.count
                try each(B2CImageCaptions(dataset: dataset.name, path: image.path, captions: captions))
            }
        }
        return summary
    }
}
