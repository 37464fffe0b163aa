import ArgumentParser
import SkyPipeline
import SkyStorage
import SkySearch

/// `skycorpus evaluate --model PATH --dataset NAME`: image-text retrieval recall, as RemoteCLIP reports it.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image-text retrieval R@1/5/10 both ways and their mean on a dataset's human captions.",
        discussion: "Uses the embeddings 'skycorpus embed' stored for the model; RSICD, RSITMD and UCM are "
            + "evaluated on their test split with every caption of each image.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "The name the model was registered under by 'embed' (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "The dataset whose images and human captions are evaluated.")
    var dataset: String

    @Option(help: "The split to evaluate (all images when omitted).")
    var split: String?

    struct Report: Encodable {
        var dataset: String
        var split: String?
        var images: Int
        var captions: Int
        var textToImage: [String: Double]
        var imageToText: [String: Double]
        var meanRecall: Double
    }

    func run() throws {
        let corpus = try global.openCorpus(.readOnly)
        let modelID = try registeredModel(in: corpus, options: modelOptions, name: name)
        let (result, images, captions) = try CorpusSearch.evaluate(in: corpus, model: modelID, dataset: dataset, split: split)
        let textToImage = Dictionary(uniqueKeysWithValues: result.textToImage.map { ("R@\($0.key)", $0.value * 100) })
        let imageToText = Dictionary(uniqueKeysWithValues: result.imageToText.map { ("R@\($0.key)", $0.value * 100) })
        if global.json {
            try Output.json(Report(dataset: dataset, split: split, images: images, captions: captions,
                                   textToImage: textToImage, imageToText: imageToText, meanRecall: result.meanRecall * 100))
            return
        }
        func line(_ values: [String: Double]) -> String {
            values.sorted { Int($0.key.dropFirst(2))! < Int($1.key.dropFirst(2))! }
                .map { "\($0.key) \(String(format: "%.2f", $0.value))" }.joined(separator: "  ")
        }
        print("\(dataset)\(split.map { "/\($0)" } ?? ""): \(images) images, \(captions) captions")
        print("  text -> image: " + line(textToImage))
        print("  image -> text: " + line(imageToText))
        print("  mean recall:   " + String(format: "%.2f", result.meanRecall * 100))
    }
}
