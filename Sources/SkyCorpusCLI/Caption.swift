import ArgumentParser
import SkyCorpusStore
import SkyText

/// `skycorpus caption`: B2C captions from the objects of the corpus, stored with source `b2c`.
struct Caption: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate B2C captions (RemoteCLIP's box-to-caption rules) from the corpus's objects.",
        discussion: """
            Per image with objects: one caption about the objects whose box centre lies in the central region, \
            one about the others ("at the edge of the picture"), then count captions over randomly picked \
            classes, up to --per-image distinct captions. Objects from M2B are phrased as areas. Ignored objects \
            are left out; difficult ones are kept unless --difficult exclude. The same corpus and --seed give \
            the same captions on any machine. Re-running replaces the datasets' B2C captions in one transaction; \
            --dry-run prints them and stores nothing.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("dataset"), help: "A dataset to caption (repeatable; default: all datasets).")
    var datasets: [String] = []

    @Option(help: "Captions per image (1 to 100).")
    var perImage = 5

    @Option(help: "The seed of the random choices (phrasings, picked classes).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp(
        "Side of the central region as a fraction of the image's width and height (0.5: the middle half).",
        valueName: "fraction"))
    var centerRegion = 0.5

    @Option(help: "Difficult objects: include or exclude.")
    var difficult: String = DifficultPolicy.include.rawValue

    @Flag(help: "Print the captions instead of storing them.")
    var dryRun = false

    func run() throws {
        guard let policy = DifficultPolicy(rawValue: difficult) else {
            throw ValidationError("--difficult must be 'include' or 'exclude', not '\(difficult)'")
        }
        let options = B2COptions(perImage: perImage, centerFraction: centerRegion, difficult: policy)
        let phrasings = try CaptionPhrasings.standard()
        let generator = try B2CGenerator(phrasings: phrasings, options: options)
        let store = B2CCaptionStore(generator: generator, naming: RuleBasedClassNaming(phrasings: phrasings),
                                    seed: seed)
        let corpus = try global.openCorpus()
        var printed: [B2CImageCaptions] = []
        let summary = try store.run(on: corpus, datasets: datasets, dryRun: dryRun) { image in
            guard dryRun else { return }
            if global.json {
                printed.append(image)
            } else {
                for caption in image.captions {
                    print("\(image.dataset)/\(image.path)\t\(caption.rule.rawValue)\t\(caption.text)")
                }
            }
        }
        if global.json {
            try Output.json(CaptionReport(summary: summary, images: dryRun ? printed : nil))
        } else if !global.quiet {
            let verb = dryRun ? "would write" : "wrote"
            Output.note("caption: \(summary.images) images, \(summary.imagesCaptioned) with objects, \(verb) "
                        + "\(summary.captions) B2C captions, replaced \(summary.replaced)")
        }
    }
}

/// What `caption --json` prints: the summary, and with `--dry-run` every image's captions.
struct CaptionReport: Encodable {
    var summary: B2CRunSummary
    var images: [B2CImageCaptions]?
}
