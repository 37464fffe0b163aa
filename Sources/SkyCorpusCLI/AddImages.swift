import ArgumentParser
import SkyPipeline
import SkyStorage

/// `skycorpus add-images DIR --dataset NAME [--split S]`: registers a folder of images.
struct AddImages: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        commandName: "add-images",
        abstract: "Register a folder of PNG, JPEG, TIFF and BMP images (path, size, content hash) in a dataset.",
        discussion: "Re-running on the same folder adds nothing. A file that cannot be read stops the step "
            + "and nothing is written, unless --skip-invalid is given.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The folder of images.")
    var folder: String

    @Option(help: "The dataset to register the images in (created when new).")
    var dataset: String

    @Option(help: "The split of these images (train, val, test, ...).")
    var split: String?

    @Flag(help: "Skip files that cannot be read, and list them, instead of stopping.")
    var skipInvalid = false

    func run() throws {
        let corpus = try global.openCorpus(.create)
        let progress = global.progress("add-images")
        let registration = ImageRegistration(dataset: dataset, folder: folder, split: split, skipInvalid: skipInvalid)
        let summary = try registration.run(in: corpus) { done, total in progress.update(done, total) }
        if global.json {
            try Output.json(summary)
            return
        }
        print("\(summary.dataset): \(summary.found) images found, \(summary.added) added, "
              + "\(summary.alreadyPresent) already present, \(summary.skipped.count) skipped")
        for skipped in summary.skipped {
            Output.note("skipped \(skipped.path): \(skipped.reason)")
        }
    }

    func hint(for error: Error) -> String? {
        if case PipelineError.image = error, !skipInvalid { return "--skip-invalid skips and lists such files" }
        return CommandError.generalHint(for: error)
    }
}
