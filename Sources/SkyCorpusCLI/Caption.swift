import ArgumentParser
import SkyPipeline
import SkyStorage
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
            With --changes: change sentences (LEVIR-CC style) for the change pairs instead, from M2B over each \
            pair's change label (SECOND's two semantic labels through the 'second' palette): how many regions \
            changed, where (3 x 3 grid), how large, and what became what; an empty label gets the no-change \
            sentences. They are stored on the pair's after image with source 'change'.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("dataset"), help: "A dataset to caption (repeatable; default: all datasets).")
    var datasets: [String] = []

    @Option(help: "Captions per image (1 to 100).")
    var perImage = B2COptions().perImage

    @Option(help: "The seed of the random choices (phrasings, picked classes).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp(
        "Side of the central region as a fraction of the image's width and height (0.5: the middle half).",
        valueName: "fraction"))
    var centerRegion = B2COptions().centerFraction

    @Option(help: "Difficult objects: include or exclude.")
    var difficult: DifficultPolicy = .include

    @Flag(help: "Print the captions instead of storing them.")
    var dryRun = false

    @Flag(help: "Write change sentences for the change pairs instead of B2C captions.")
    var changes = false

    @Option(help: "Change sentences per pair (1 to 20), with --changes.")
    var perPair = ChangeSentenceGenerator.defaultPerPair

    func run() throws {
        if changes {
            try runChanges()
            return
        }
        let options = B2COptions(perImage: perImage, centerFraction: centerRegion, difficult: difficult)
        let store = try B2CCaptionStore.standard(options: options, seed: seed)
        let corpus = try global.openCorpus()
        var printed: [B2CImageCaptions] = []
        let reporter = global.progress("caption")
        let summary = try store.run(on: corpus, datasets: datasets, dryRun: dryRun,
                                    progress: { reporter.update($0, $1) }, each: { image in
            guard dryRun else { return }
            if global.json {
                printed.append(image)
            } else {
                for caption in image.captions {
                    print("\(image.dataset)/\(image.path)\t\(caption.rule.rawValue)\t\(caption.text)")
                }
            }
        })
        if global.json {
            try Output.json(CaptionReport(summary: summary, images: dryRun ? printed : nil))
        } else if !global.quiet {
            let verb = dryRun ? "would write" : "wrote"
            Output.note("caption: \(summary.images) images, \(summary.imagesCaptioned) with objects, \(verb) "
                        + "\(summary.captions) B2C captions (\(summary.unchanged) unchanged, \(summary.replaced) replaced)")
        }
    }
}

extension Caption {
    /// `caption --changes`: change sentences for the change pairs.
    func runChanges() throws {
        let store = try ChangeSentenceStore.standard(perPair: perPair, seed: seed)
        let corpus = try global.openCorpus()
        var printed: [ChangeSentenceStore.PairSentences] = []
        let reporter = global.progress("caption --changes")
        let summary = try store.run(on: corpus, datasets: datasets, dryRun: dryRun,
                                    progress: { reporter.update($0, $1) }, each: { pair in
            guard dryRun else { return }
            if global.json {
                printed.append(pair)
            } else {
                for sentence in pair.sentences {
                    print("\(pair.dataset)/\(pair.after)\t\(sentence.rule.rawValue)\t\(sentence.text)")
                }
            }
        })
        if global.json {
            try Output.json(ChangeReport(summary: summary, pairs: dryRun ? printed : nil))
        } else if !global.quiet {
            let verb = dryRun ? "would write" : "wrote"
            Output.note("caption --changes: \(summary.pairs) pairs (\(summary.pairsWithoutLabel) without a label, "
                        + "\(summary.unchangedPairs) unchanged), \(verb) \(summary.sentences) change sentences "
                        + "(\(summary.unchanged) unchanged, \(summary.replaced) replaced)")
        }
    }
}

/// What `caption --changes --json` prints: the summary, and with `--dry-run` every pair's sentences.
struct ChangeReport: Encodable {
    var summary: ChangeSentenceStore.Summary
    var pairs: [ChangeSentenceStore.PairSentences]?
}

/// What `caption --json` prints: the summary, and with `--dry-run` every image's captions.
struct CaptionReport: Encodable {
    var summary: B2CRunSummary
    var images: [B2CImageCaptions]?
}
