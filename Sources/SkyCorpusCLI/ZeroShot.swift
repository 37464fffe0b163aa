import ArgumentParser
import Foundation
import SkySearch
import SkyText

/// `skycorpus zero-shot --model PATH --classes LIST FILE...`: CLIP zero-shot labels, and accuracy on class folders.
struct ZeroShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zero-shot",
        abstract: "Label images by CLIP zero-shot classification over a class list and a template ensemble.",
        discussion: """
            Each class's text embedding is the ensemble of a template set (each prompt normalised, averaged, \
            normalised again); probabilities are the softmax of exp(logit_scale) times cosine similarity. With \
            --folder DIR laid out as DIR/CLASS/IMAGE (RESISC45, UCM, AID, EuroSAT), the classes default to the \
            folder names and top-1/top-5 accuracy is reported.
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

    @Option(help: "How many labels to print per image.")
    var topK = 5

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
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
    }

    func run() throws {
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

/// A class-folder layout: DIR/CLASS/IMAGE.
enum ClassFolders {
    static func list(_ root: String) throws -> (files: [String], labels: [String], classes: [String]) {
        let manager = FileManager.default
        let folders = try manager.contentsOfDirectory(atPath: root).sorted().filter { name in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        var files: [String] = [], labels: [String] = [], classes: [String] = []
        for folder in folders {
            let label = PromptClassList.clean(folder)
            let images = try manager.contentsOfDirectory(atPath: root + "/" + folder).sorted()
                .filter { ["png", "jpg", "jpeg", "tif", "tiff", "bmp"].contains(($0 as NSString).pathExtension.lowercased()) }
            guard !images.isEmpty else { continue }
            classes.append(label)
            for image in images {
                files.append(root + "/" + folder + "/" + image)
                labels.append(label)
            }
        }
        guard !files.isEmpty else { throw CommandError("\(root): no CLASS/IMAGE.(png|jpg) files") }
        return (files, labels, classes)
    }
}
