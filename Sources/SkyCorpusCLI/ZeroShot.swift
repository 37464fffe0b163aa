import ArgumentParser
import Foundation
import SkyDatasets
import SkyHashing
import SkySearch
import SkyStorage
import SkyText

/// `skycorpus zero-shot --model PATH --classes LIST FILE...`: CLIP zero-shot labels, and accuracy on class folders;
/// with `--dataset D --write`, labels a corpus dataset and stores the labels.
struct ZeroShot: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        commandName: "zero-shot",
        abstract: "Label images by CLIP zero-shot classification over a class list and a template ensemble.",
        discussion: """
            Each class's text embedding is the ensemble of a template set (each prompt normalised, averaged, \
            normalised again); probabilities are the softmax of exp(logit_scale) times cosine similarity. With \
            --folder DIR laid out as DIR/CLASS/IMAGE (RESISC45, UCM, AID, EuroSAT), the classes default to the \
            folder names and top-1/top-5 accuracy is reported. \
            With --dataset D --write the corpus's images of D are labelled in streaming batches (a stored embedding \
            of the model is used instead of decoding the file): the top-k labels with their probabilities, the model \
            and the template set are stored in one transaction at the end; --captions also stores the top-1 label \
            as a caption "a satellite image of a harbor." of source zero-shot (exports select or leave out that \
            source). A re-run with the same model adds nothing; another model adds its own labels; --relabel \
            replaces this model's labels and captions on D.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "Image files to label.")
    var files: [String] = []

    @Option(help: "A class-folder dataset: DIR/CLASS/IMAGE; reports accuracy.")
    var folder: String?

    @Option(help: "Classes: a file with one class per line, or a comma-separated list.")
    var classes: String?

    @Option(help: "A template set of Schemas/prompts (e.g. remoteclip, clip-imagenet-80, georsclip-105, bare).")
    var templates = "remoteclip"

    @Option(help: "How many labels to print per image (stored with --write; default 5 printed, 3 stored).")
    var topK: Int?

    @Option(help: "Label this corpus dataset's images (with --write).")
    var dataset: String?

    @Flag(help: "Store the labels of --dataset in the corpus.")
    var write = false

    @Flag(help: "With --write: also store the top-1 label as a caption of source zero-shot.")
    var captions = false

    @Flag(help: "With --write: only images with no object and no ground-truth label.")
    var onlyUnannotated = false

    @Flag(help: "With --write: replace this model's labels (and zero-shot captions) on the dataset.")
    var relabel = false

    @Option(help: "With --write: the name the model is registered under (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "With --write: images per forward pass.")
    var batchSize = 16

    struct Labeled: Encodable {
        var file: String
        var labels: [Label]
        var truth: String?
    }

    struct Label: Encodable {
        var name: String
        var probability: Float
    }

    func validate() throws {
        if let topK, !(1...ZeroShotLabelingRequest.maximumTopK).contains(topK) {
            throw ValidationError("--top-k must be in 1...\(ZeroShotLabelingRequest.maximumTopK)")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if write && dataset == nil { throw ValidationError("--write labels a corpus dataset: give --dataset NAME") }
        if dataset != nil && !write { throw ValidationError("--dataset labels the corpus: add --write to store the labels") }
        if (captions || onlyUnannotated || relabel) && !write {
            throw ValidationError("--captions, --only-unannotated and --relabel go with --dataset D --write")
        }
        if write && (folder != nil || !files.isEmpty) {
            throw ValidationError("--write labels --dataset; give image files or --folder without it")
        }
    }

    func hint(for error: Error) -> String? {
        if case EmbeddingStoreError.modelConflict = error { return "pass another --name, or the checkpoint registered under it" }
        if error is TextError { return "--classes takes a file with one class per line or a comma-separated list" }
        return CommandError.generalHint(for: error)
    }

    func run() throws {
        if write, let dataset { return try label(dataset) }
        let topK = self.topK ?? 5
        var images = files
        var truth: [String] = []
        var classNames = try classes.map { try PromptClassList.parse($0) } ?? []
        if let folder {
            let listing = try ClassFolders.list(folder)
            images += listing.files
            truth = listing.labels
            if classNames.isEmpty { classNames = listing.classes }
        }
        guard !images.isEmpty else { throw ValidationError("give image files or --folder DIR") }
        guard !classNames.isEmpty else { throw ValidationError("give --classes (a file or a comma-separated list)") }
        let templateSet = try PromptTemplateSet.named(templates)
        let (model, _) = try modelOptions.load()
        let encoder = try CLIPEncoder(model: model, reducedJPEGDecode: modelOptions.fastJpeg)
        let classifier = try ZeroShotClassifier(
            classNames: classNames, classEmbeddings: encoder.classEmbeddings(classNames: classNames, templates: templateSet),
            logitScale: encoder.logitMultiplier)
        let progress = global.progress("zero-shot")
        let probabilities = try classifier.probabilities(for: encoder.encodeImages(files: images) { progress.update($0, $1) })
        let labeled = zip(images, probabilities).enumerated().map { index, pair in
            Labeled(file: pair.0, labels: classifier.ranked(pair.1).prefix(topK).map { Label(name: $0.name, probability: $0.probability) },
                    truth: index >= files.count ? truth[index - files.count] : nil)
        }
        var accuracy: [String: Double] = [:]
        if !truth.isEmpty {
            let rows = Array(probabilities[files.count...])
            let indices = try truth.map { label -> Int in
                guard let index = classNames.firstIndex(of: label) else {
                    throw CommandError("folder class '\(label)' is not in --classes")
                }
                return index
            }
            for k in [1, 5] { accuracy["top\(k)"] = try ZeroShotAccuracy.topK(rows, truth: indices, k: k) * 100 }
        }
        if global.json {
            struct Report: Encodable { var images: [Labeled]; var accuracy: [String: Double] }
            try Output.json(Report(images: labeled, accuracy: accuracy))
            return
        }
        for item in labeled {
            let labels = item.labels.map { "\($0.name) \(String(format: "%.3f", $0.probability))" }.joined(separator: ", ")
            print("\(item.file): \(labels)")
        }
        if !accuracy.isEmpty {
            print(String(format: "accuracy over %d images: top-1 %.2f%%, top-5 %.2f%%", truth.count,
                         accuracy["top1"] ?? 0, accuracy["top5"] ?? 0))
        }
    }
}

/// A class-folder layout (DIR/CLASS/IMAGE) as the dataset reader finds it, with each class cleaned for prompts.
enum ClassFolders {
    static func list(_ root: String) throws -> (files: [String], labels: [String], classes: [String]) {
        let set = try ClassFolderReader.read(root: root)
        let files = set.images.map { DatasetFiles.join(root, $0.relativePath) }
        return (files, set.images.map { PromptClassList.clean($0.rawClass) }, set.classes.map(PromptClassList.clean))
    }
}

extension ZeroShot {
    /// `--dataset D --write`: labels the dataset's images and stores the labels.
    func label(_ dataset: String) throws {
        guard let classes else { throw ValidationError("--write needs --classes (a file or a comma-separated list)") }
        let classNames = try PromptClassList.parse(classes)
        let templateSet = try PromptTemplateSet.named(templates)
        let corpus = try global.openCorpus()
        let (model, _) = try modelOptions.load()
        var encoder = try CLIPEncoder(model: model, reducedJPEGDecode: modelOptions.fastJpeg)
        encoder.batchSize = batchSize
        let info = EncoderModelInfo(name: name ?? URL(fileURLWithPath: modelOptions.model).lastPathComponent,
                                    architecture: model.architecture.description,
                                    checksum: try FileDigest.sha256(ofFile: modelOptions.model), dimension: model.embedDim)
        let request = ZeroShotLabelingRequest(
            dataset: dataset, classNames: classNames, templates: templateSet,
            topK: topK ?? ZeroShotLabelingRequest.defaultTopK, captions: captions, onlyUnannotated: onlyUnannotated,
            relabel: relabel, batchSize: batchSize)
        let progress = global.progress("zero-shot \(dataset)")
        let summary = try ZeroShotLabeling.run(request, encoder: encoder, model: info, corpus: corpus) { progress.update($0, $1) }
        if !summary.unreadable.isEmpty {
            Output.note("zero-shot: skipped \(summary.unreadable.count) images that cannot be read, now marked unreadable "
                        + "(first: \(summary.unreadable[0]))")
        }
        if global.json { return try Output.json(summary) }
        print("\(dataset) by \(summary.model) [\(summary.templates), \(summary.classes) classes]: \(summary.imagesLabelled) images "
              + "labelled, \(summary.labelsAdded) labels, \(summary.captionsAdded) captions added; "
              + "\(summary.alreadyLabelled) already labelled by this model"
              + (summary.labelsReplaced > 0 ? ", \(summary.labelsReplaced) labels replaced" : ""))
    }
}
