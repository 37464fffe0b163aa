import Foundation
import ArgumentParser
import SkyPipeline
import SkyStorage
import SkyDatasets

/// `skycorpus ingest --format FORMAT --dataset NAME ROOT [--split S]`: imports an annotated dataset.
struct Ingest: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Import a detection, caption, change-detection or segmentation dataset as distributed.",
        discussion: """
            Formats: auto (detect from the layout), \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")).
            The whole dataset is written in one transaction: a bad line, element or record stops the step with \
            its file and line and nothing is written, unless --skip-invalid is given (then each kind of problem \
            is counted). Re-running adds nothing; --replace deletes the dataset and imports it again.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The dataset root as distributed (or a caption file).")
    var root: String

    @Option(help: "The annotation format, or auto.")
    var format: DatasetFormatChoice = .auto

    @Option(help: "The dataset name in the corpus; it also picks the class-name table.")
    var dataset: String

    @Option(help: "Only this split (when the layout has splits), or the split of every image (when it has none).")
    var split: String?

    @Option(help: "The palette of segmentation masks (loveda, potsdam, vaihingen, isaid, second); default from the dataset name.")
    var palette: String?

    @Option(help: "HRSC2016: the level of its class tree objects are named at (ship, category or type).")
    var hrscClassLevel: HRSCClassLevel = ReadOptions().hrscClassLevel

    @Flag(help: "COCO: rasterise polygon segmentations for their area as pycocotools does (stored with each object).")
    var segmentationAreas = false

    @Option(help: "ISPRS Potsdam/Vaihingen: the full label tiles or the eroded-boundary ones (*_noBoundary).")
    var isprsLabels: ISPRSLabels = ReadOptions().isprsLabels

    @Option(help: """
        ISPRS, iSAID: cut the tiles and their masks into patches in this folder (outside the dataset) and ingest \
        the patches; patches already there are kept.
        """)
    var patches: String?

    @Option(help: "Patch side in pixels (default: 512 for isprs, 800 for isaid as its devkit).")
    var patchSize: Int?

    @Option(help: "Distance between patch starts (default: the patch size; for isaid without --patch-size 600, as its devkit).")
    var patchStride: Int?

    @Flag(help: "Delete the dataset and everything under it, then import it again.")
    var replace = false

    @Flag(help: "Skip invalid records and count them instead of stopping.")
    var skipInvalid = false

    @Flag(inversion: .prefixedNo, help: """
        Caption files: list and skip images found neither below the caption file's folder nor in the dataset \
        (instead of stopping). An ingest where no image is found stops either way.
        """)
    var skipMissing = true

    func validate() throws {
        if patches == nil && (patchSize != nil || patchStride != nil) {
            throw ValidationError("--patch-size and --patch-stride need --patches DIR")
        }
        // The stride alone is checked once the format (and so its patch size) is known.
        if let size = patchSize, let problem = PatchGrid(size: size, stride: patchStride ?? size).problem {
            throw ValidationError(problem + " (--patch-size, --patch-stride)")
        }
        if patches != nil, let given = format.format, !PatchRequest.formats.contains(given) {
            throw ValidationError("--patches cuts --format " + PatchRequest.formats.map(\.rawValue).joined(separator: " or ")
                                  + " datasets, not \(given.rawValue)")
        }
    }

    func run() throws {
        let corpus = try global.openCorpus(.create)
        let request = IngestRequest(name: dataset, root: root, format: format.format,
                                    options: ReadOptions(skipInvalid: skipInvalid, split: split, hrscClassLevel: hrscClassLevel,
                                                         segmentationAreas: segmentationAreas, isprsLabels: isprsLabels),
                                    replace: replace, palette: palette, skipMissing: skipMissing,
                                    patches: patches.map { PatchRequest(folder: $0, size: patchSize, stride: patchStride) })
        if !global.quiet { Output.note("ingest: reading \(root)") }
        let summary: IngestSummary
        do {
            let progress = global.progress("ingest")
            summary = try DatasetIngest.run(request, into: corpus) { done, total in progress.update(done, total) }
        } catch var error as DatasetError where error.skippable {
            error.problem += skipInvalid ? "" : " (--skip-invalid skips and counts such records)"
            throw ingestError(error)
        } catch let error as DatasetError {
            throw ingestError(error)
        }
        if global.json {
            try Output.json(summary)
            return
        }
        if let detected = summary.detected { Output.note("detected format \(summary.format): \(detected)") }
        print("\(summary.dataset) (\(summary.format)): \(summary.imagesAdded) images added, "
              + "\(summary.imagesAlreadyPresent) already present, \(summary.objectsAdded) objects, "
              + "\(summary.captionsAdded) captions, \(summary.masksAdded) masks, \(summary.pairsAdded) change pairs"
              + (summary.labelsAdded > 0 ? ", \(summary.labelsAdded) image labels" : ""))
        if let cut = summary.patches {
            print("patches \(cut.size)x\(cut.size), stride \(cut.stride), in \(cut.folder): \(cut.imagesCut) images cut, "
                  + "\(cut.patchesWritten) patch files written, \(cut.patchesPresent) already there")
        }
        if summary.clippedBoxes > 0 || summary.degenerateBoxes > 0 {
            print("boxes clipped to their image: \(summary.clippedBoxes); degenerate boxes dropped: \(summary.degenerateBoxes)")
        }
        for (kind, count) in summary.problems.sorted(by: { $0.key < $1.key }) { print("skipped (\(kind)): \(count)") }
        for message in summary.problemMessages { Output.note("skipped: \(message)") }
        // Caption files: the images not found are listed below as missing or were attached to known images.
        if summary.format != DatasetFormat.captions.rawValue {
            list("annotations without an image", summary.annotationsWithoutImage)
        }
        list("images without annotations", summary.imagesWithoutAnnotations)
        list("change pairs without a label", summary.pairsWithoutLabel)
        if summary.captionsAttached > 0 {
            print("captions attached to images the dataset already had: \(summary.captionsAttached)")
        }
        list("images named by the caption files but not on disk (not registered)", summary.missingImages)
        if summary.duplicateCaptions > 0 { print("repeated captions of one image stored once: \(summary.duplicateCaptions)") }
        list("images whose stored split differs from this source's (the stored split is kept; --replace re-imports)",
             summary.splitConflicts)
    }

    /// A reader error with the file named by its full path: reader paths are relative to the dataset folder (the
    /// root, or a caption file's folder).
    private func ingestError(_ error: DatasetError) -> CorpusError {
        let folder = FileManager.default.fileExists(atPath: root, isDirectory: nil) && !isDirectory(root)
            ? URL(fileURLWithPath: root).deletingLastPathComponent().path : root
        let path = error.file.hasPrefix("/") ? error.file : folder + "/" + error.file
        let reason = (error.location.map { $0 + ": " } ?? "") + error.problem
        return CorpusError.badInput(path: path, reason: reason)
    }

    func hint(for error: Error) -> String? {
        switch error {
        case PipelineError.unknownLayout: "pass --format"
        case PipelineError.noDefaultPalette: "pass --palette"
        default: CommandError.generalHint(for: error)
        }
    }

    /// Prints a count and, unless --quiet, the first names of a list.

    private func list(_ title: String, _ items: [String]) {
        guard !items.isEmpty else { return }
        print("\(title): \(items.count)")
        guard !global.quiet else { return }
        for item in items.prefix(20) { Output.note("  \(item)") }
        if items.count > 20 { Output.note("  ... and \(items.count - 20) more (--json lists all)") }
    }
}

/// Whether a path names an existing folder.
private func isDirectory(_ path: String) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
}
