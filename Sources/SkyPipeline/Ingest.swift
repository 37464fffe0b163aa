import Foundation
import SkyStorage
import SkyDatasets
import SkyText

/// What to ingest: a dataset root read in a format, under a name.
public struct IngestRequest: Sendable {
    /// The dataset's name in the corpus (`dataset.name`); it also picks the class table (`Schemas/classes/`).
    public var name: String
    /// The dataset root folder.
    public var root: String
    /// The format; `nil` detects it from the layout.
    public var format: DatasetFormat?
    /// Bad-input policy and split filter.
    public var options: ReadOptions
    /// Delete the dataset and everything under it first, then import it again.
    public var replace: Bool
    /// Captions of images that are neither below the caption file's folder nor already in the dataset are counted
    /// and listed, not registered (caption files often cover a whole dataset beside a sample of its images).
    /// When false, such an image stops the ingest. Either way an ingest where no image is found is an error.
    public var skipMissing: Bool
    /// The palette of segmentation masks (`Schemas/palettes/NAME.json`); nil picks it from the dataset name
    /// (``DatasetIngest/defaultPalette(forDataset:)``).
    public var palette: String?
    /// Cut the dataset into patches first and ingest the patches (ISPRS, iSAID); nil ingests the files as they are.
    public var patches: PatchRequest?

    public init(name: String, root: String, format: DatasetFormat? = nil, options: ReadOptions = ReadOptions(),
                replace: Bool = false, palette: String? = nil, skipMissing: Bool = true, patches: PatchRequest? = nil) {
        self.patches = patches
        self.skipMissing = skipMissing
        self.name = name
        self.root = root
        self.format = format
        self.options = options
        self.replace = replace
        self.palette = palette
    }
}

/// What an ingest did.
public struct IngestSummary: Sendable, Codable, Equatable {
    /// The dataset name and its format (detected or given).
    public var dataset: String
    public var format: String
    /// Why `--format auto` chose the format; nil when it was given.
    public var detected: String?
    /// Whether the dataset was deleted and imported again.
    public var replaced: Bool
    /// Rows added by this run (all zero when it re-ran over an ingested dataset).
    public var imagesAdded = 0
    public var objectsAdded = 0
    public var captionsAdded = 0
    public var masksAdded = 0
    public var pairsAdded = 0
    /// Image-level labels added (scene-classification datasets).
    public var labelsAdded = 0
    /// Images that were already in the corpus and were left as they were.
    public var imagesAlreadyPresent = 0
    /// Records, masks or pairs the reader returned.
    public var recordsRead = 0
    /// Invalid records skipped (`--skip-invalid`), by kind.
    public var problems: [String: Int] = [:]
    /// The first skipped problems.
    public var problemMessages: [String] = []
    /// Boxes clipped to their image, and boxes with no area dropped.
    public var clippedBoxes = 0
    public var degenerateBoxes = 0
    /// Annotations whose image was not found; images with no annotation; change pairs without a label.
    public var annotationsWithoutImage: [String] = []
    public var imagesWithoutAnnotations: [String] = []
    public var pairsWithoutLabel: [String] = []
    /// Images of a caption file that were not found below its folder and received their captions as images the
    /// dataset already had (matched by path, else by a unique file name).
    public var captionsAttached = 0
    /// Images a caption file names that exist nowhere: counted and listed, not registered.
    public var missingImages: [String] = []
    /// Captions repeated verbatim for one image, stored once.
    public var duplicateCaptions = 0
    /// What `--patches` cut, when it was given.
    public var patches: PatchSummary?
    /// Images already in the corpus whose stored split differs from this source's ("path: stored -> given");
    /// the stored split is kept.
    public var splitConflicts: [String] = []

    init(dataset: String, format: String, detected: String?, replaced: Bool, report: ReadReport) {
        self.dataset = dataset
        self.format = format
        self.detected = detected
        self.replaced = replaced
        recordsRead = report.recordsRead
        for (kind, count) in report.skipped { problems[kind.rawValue] = count }
        problemMessages = report.messages
        clippedBoxes = report.clippedBoxes
        degenerateBoxes = report.degenerateBoxes
        annotationsWithoutImage = report.annotationsWithoutImage
        imagesWithoutAnnotations = report.imagesWithoutAnnotations
        pairsWithoutLabel = report.pairsWithoutLabel
    }
}

/// Imports datasets into a corpus: one transaction per dataset, idempotent, `replace` to import again.
public enum DatasetIngest {
    /// The palette (`Schemas/palettes/NAME.json`) of a segmentation dataset by its name: `loveda`, `potsdam`,
    /// `vaihingen`, `isaid`, `second`.
    public static func defaultPalette(forDataset name: String) -> String? {
        let folded = ClassTable.foldDatasetName(name)
        let prefixes: [(String, String)] = [("loveda", "loveda"), ("potsdam", "potsdam"), ("vaihingen", "vaihingen"),
                                            ("isaid", "isaid"), ("second", "second")]
        return prefixes.first { folded.hasPrefix($0.0) }?.1
    }

    /// Reads the dataset of `request` and writes it into `corpus` in one transaction; `progress` is told
    /// `(done, total)` records as they are written.
    ///
    /// `shard` keeps only the images of one shard (``ImageShard``: change pairs go with their after image);
    /// `ordinalBase`, given by `skycorpus build`, records each new image's place in the recipe (`ordinalBase` plus
    /// its first record in the reader's whole output) in the same transaction, the order merges number shards by.
    public static func run(_ request: IngestRequest, into corpus: Corpus, shard: ImageShard? = nil,
                           ordinalBase: Int64? = nil,
                           progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> IngestSummary {
        try DatasetRecord.checkName(request.name)
        let root = URL(fileURLWithPath: request.root).standardizedFileURL.path
        let isCaptionFile = DatasetFiles.isFile(root) && (request.format == nil || request.format == .captions)
        guard DatasetFiles.isDirectory(root) || isCaptionFile else {
            throw CorpusError.invalidRequest("\(request.root): no such dataset folder; pass the dataset root "
                + "(only caption datasets may be given as one file)")
        }
        var detected: String? = nil
        let format: DatasetFormat
        if let given = request.format {
            format = given
        } else if let found = DatasetFormat.detect(root: root) {
            format = found.format
            detected = found.evidence
        } else {
            throw PipelineError.unknownLayout(root: root)
        }
        var palette = request.palette
        if (format == .segmentation || format == .isprs) && palette == nil {
            palette = defaultPalette(forDataset: request.name) ?? (format == .isprs ? ISPRSReader.family(root: root)?.rawValue : nil)
            guard palette != nil else {
                throw PipelineError.noDefaultPalette(dataset: request.name)
            }
        }
        // With --patches the patches are the dataset: their folder is its root.
        let cut = try request.patches.map { try PatchIngest.cut(format: format, root: root, request: $0, options: request.options) }
        // A shard's readers skip the other shards' images as early as they can (detection: no header, no labels).
        var readOptions = request.options
        readOptions.keep = shard?.filter(dataset: request.name)
        let whole = try cut?.contents ?? format.read(root: root, options: readOptions)
        let contents = shard.map { shard in whole.filtered { shard.contains(dataset: request.name, path: $0) } } ?? whole
        var summary = IngestSummary(dataset: request.name, format: format.rawValue, detected: detected,
                                    replaced: request.replace, report: contents.report)
        summary.patches = cut?.summary
        try corpus.write { transaction in
            // A caption file's paths are relative to its folder, so that folder is the dataset root.
            let datasetRoot = cut?.root ?? (isCaptionFile ? URL(fileURLWithPath: root).deletingLastPathComponent().path : root)
            let (datasetID, rootID) = try prepareDataset(transaction, name: request.name, root: datasetRoot, format: format,
                                                         replace: request.replace)
            var writer = try IngestWriter(transaction: transaction, datasetID: datasetID, rootID: rootID,
                                          rootPath: datasetRoot, dataset: request.name)
            writer.skipMissing = request.skipMissing
            writer.progress = progress
            switch contents {
            case .detection(let set): try writer.write(set)
            case .captions(let set): try writer.write(set)
            case .change(let set): try writer.write(set, secondPalette: format == .change ? (palette ?? "second") : nil)
            case .segmentation(let set): try writer.write(set, palette: palette ?? "")
            case .classification(let set): try writer.write(set)
            }
            summary.imagesAdded = writer.imagesAdded
            summary.imagesAlreadyPresent = writer.imagesAlreadyPresent
            summary.objectsAdded = writer.objectsAdded
            summary.captionsAdded = writer.captionsAdded
            summary.masksAdded = writer.masksAdded
            summary.pairsAdded = writer.pairsAdded
            summary.labelsAdded = writer.labelsAdded
            summary.splitConflicts = writer.splitConflicts
            summary.captionsAttached = writer.captionsAttached
            summary.missingImages = writer.missingImages
            summary.duplicateCaptions = writer.duplicateCaptions
            if let ordinalBase {
                var ordinals: [String: Int64] = [:]
                for (index, path) in whole.listedOrder.enumerated() where ordinals[path] == nil {
                    ordinals[path] = ordinalBase + Int64(index)
                }
                try transaction.recordImageOrdinals(dataset: datasetID, ordinals: ordinals)
            }
        }
        return summary
    }

    /// The dataset's id and the id of `root` among its roots: the dataset is created, kept (a new folder becomes
    /// one more root of it) or deleted and created again (`replace`).
    static func prepareDataset(_ transaction: CorpusTransaction, name: String, root: String, format: DatasetFormat,
                               replace: Bool) throws -> (dataset: Int64, root: Int64) {
        if let existing = try transaction.dataset(named: name), let id = existing.id {
            if replace {
                try transaction.deleteDataset(id: id)
            } else {
                return (id, try transaction.root(dataset: id, path: root))
            }
        }
        let id = try transaction.insertDataset(DatasetRecord(name: name, root: root, format: format.rawValue))
        return (id, try transaction.root(dataset: id, path: root))
    }
}
