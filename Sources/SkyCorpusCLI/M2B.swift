import ArgumentParser
import Foundation
import SkyConcurrency
import SkyPipeline
import SkyStorage
import SkyGeometry

/// `skycorpus m2b [MASK...]`: boxes of every class's regions; stored on the masks' images with --store/--corpus.
/// Without mask files it runs over the masks the corpus lists, each with its registered palette.
struct M2BCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "m2b",
        abstract: "Turn segmentation masks into per-class boxes (RemoteCLIP's M2B).",
        discussion: """
            Boxes equal per-class cv2.findContours(RETR_EXTERNAL) + cv2.boundingRect. The palette's default \
            ignored classes (no-data, background, clutter) get no boxes unless --no-default-ignore. With --store, \
            or an explicit --corpus, the boxes replace the image's earlier m2b objects in one transaction. \
            Without MASK arguments, every mask the corpus lists (of --dataset, or of all datasets) is read with the \
            palette it was registered with and stored. A value or colour that is no class of the palette stops \
            the step naming the mask (a mask read with the wrong palette), unless --ignore-unknown-colours.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Mask files: index PNGs, or RGB colour masks decoded through the palette (default: the corpus's masks).")
    var masks: [String] = []

    @Option(help: "Palette of the mask files (\(Palette.available.joined(separator: ", "))).")
    var palette: String?

    @Option(name: .customLong("dataset"), help: "Without mask files: only this dataset's masks (repeatable).")
    var datasets: [String] = []

    @Flag(help: "Skip and list masks that cannot be read or do not fit their palette, instead of stopping.")
    var skipInvalid = false

    @Option(help: "Drop regions whose outer contour area (cv2.contourArea) is below this.")
    var minArea: Double = 0

    @Flag(help: "Also compute rotated boxes (cv2.minAreaRect, angle in [-90, 0)).")
    var rotated = false

    @Flag(help: "With --rotated: OpenCV 4.5.1-4.12 angles, in (0, 90].")
    var legacyAngles = false

    @Flag(help: "Keep each region's outer contour (CHAIN_APPROX_SIMPLE) as its polygon.")
    var polygons = false

    @Option(parsing: .upToNextOption, help: "Classes to ignore, as values or palette names.")
    var ignore: [String] = []

    @Flag(help: "Do not ignore the palette's default classes.")
    var noDefaultIgnore = false

    @Flag(help: "Treat colours missing from the palette as background instead of failing.")
    var ignoreUnknownColours = false

    @Flag(help: "Store the boxes in the corpus (implied by an explicit --corpus).")
    var store = false

    @Option(help: "With one mask: the registered image it annotates, when the corpus does not list the mask.")
    var image: String?

    struct MaskResult: Encodable {
        struct Region: Encodable {
            var classValue: UInt8
            var className: String?
            var box: [Int]
            var area: Double
            var rotated: RotatedBox?
            var polygon: [[Int32]]?
        }

        var mask: String
        var width: Int
        var height: Int
        var regions: [Region]
        var stored: M2BStorage.Summary?
    }

    func validate() throws {
        if image != nil && masks.count != 1 {
            throw ValidationError("--image goes with exactly one mask")
        }
        if !masks.isEmpty && palette == nil {
            throw ValidationError("mask files need --palette (without files, the corpus's masks use their registered palettes)")
        }
        if masks.isEmpty && (!ignore.isEmpty || image != nil) {
            throw ValidationError("--ignore and --image go with mask files")
        }
    }

    private var step: M2BStep {
        M2BStep(datasets: datasets,
                options: M2BOptions(minimumArea: minArea, rotated: rotated,
                                    rotatedConvention: legacyAngles ? .legacy : .current, keepPolygons: polygons),
                keepDefaultIgnored: noDefaultIgnore, ignoreUnknownValues: ignoreUnknownColours, skipInvalid: skipInvalid)
    }

    func run() throws {
        guard let paletteName = palette else {
            let progress = Locked(global.progress("m2b"))
            let summary = try step.run(in: global.openCorpus()) { done, total in progress.withLock { $0.update(done, total) } }
            if global.json { return try Output.json(summary) }
            print("m2b: \(summary.masks) masks, \(summary.stored) stored, \(summary.boxes) boxes "
                  + "(\(summary.unchanged) unchanged, \(summary.replaced) earlier m2b boxes replaced), "
                  + "\(summary.skipped.count) skipped")
            for skipped in summary.skipped { Output.note("skipped \(skipped.path): \(skipped.reason)") }
            return
        }
        let palette = try Palette.named(paletteName)
        var fileStep = step
        fileStep.options.ignoredClasses = Set(try ignore.map { try CLIClasses.value(of: $0, palette: palette) })
        let storing = store || CommandLine.arguments.contains { $0 == "--corpus" || $0.hasPrefix("--corpus=") }
        let corpus = storing ? try global.openCorpus() : nil
        let progress = global.progress("m2b")
        var results: [MaskResult] = []
        var items: [M2BStorage.Item] = []
        var skipped: [ImageRegistration.SkippedFile] = []
        for (index, path) in masks.enumerated() {
            let mask: LabelMask
            let regions: [ClassRegion]
            do {
                (regions, mask) = try fileStep.boxes(mask: path, palette: palette)
            } catch {
                guard skipInvalid else { throw error }
                skipped.append(ImageRegistration.SkippedFile(path: path, reason: "\(error)"))
                continue
            }
            let result = MaskResult(mask: path, width: mask.width, height: mask.height, regions: regions.map {
                .init(classValue: $0.classValue, className: palette.className(of: $0.classValue),
                      box: $0.box.openCVArray, area: $0.contourArea, rotated: $0.rotatedBox,
                      polygon: $0.polygon?.map { [$0.x, $0.y] })
            })
            if corpus != nil {
                items.append(.init(storage: M2BStorage(maskPath: path, palette: palette, imagePath: image),
                                   regions: regions, mask: mask))
            }
            results.append(result)
            progress.update(index + 1, masks.count)
        }
        if let corpus {
            // Every mask was read before anything is written; all of them go in one transaction.
            for (index, summary) in try M2BStorage.storeAll(items, in: corpus).enumerated() {
                results[index].stored = summary
            }
        }
        for file in skipped { Output.note("skipped \(file.path): \(file.reason)") }
        if global.json {
            try Output.json(results)
            return
        }
        for result in results {
            let stored = result.stored.map { " -> \($0.dataset)/\($0.image) (\($0.inserted) stored, \($0.removed) replaced)" }
            print("\(result.mask): \(result.regions.count) boxes\(stored ?? "")")
            for region in result.regions {
                print("  \(region.className ?? String(region.classValue)) \(region.box)")
            }
        }
    }
}
