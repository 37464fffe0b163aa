import ArgumentParser
import SkyGeometry

/// `skycorpus contours MASK`: OpenCV-exact contours and hierarchy of one mask, to diff against cv2.
struct ContoursCommand: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        commandName: "contours",
        abstract: "Print a mask's contours and hierarchy as cv2.findContours gives them.",
        discussion: """
            Foreground is every nonzero pixel, or the pixels equal to --class. With --json, contours print as \
            OpenCV's N x 1 x 2 arrays and the hierarchy as its 1 x K x 4 array of [next, previous, first_child, \
            parent].
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The mask: an index PNG, or an RGB colour mask with --palette.")
    var mask: String

    @Option(help: "Retrieval mode: external, list, ccomp or tree.")
    var mode: ContourRetrieval = .list

    @Option(help: "Point approximation: none or simple.")
    var approx: ContourApproximation = .none

    @Option(name: .customLong("class"), help: "Only pixels of this value (or palette class name) are foreground.")
    var classValue: String?

    @Option(help: "Palette for RGB masks and class names (\(Palette.available.joined(separator: ", "))).")
    var palette: String?

    struct Result: Encodable {
        var contours: [[[[Int32]]]]
        var hierarchy: [[[Int]]]
    }

    func run() throws {
        let palette = try palette.map { name throws(GeometryError) in try Palette.named(name) }
        let labels = try LabelMask.load(path: mask, palette: palette)
        let set: ContourSet
        if let classValue {
            set = Contours.find(in: labels, value: try CLIClasses.value(of: classValue, palette: palette),
                                mode: mode, approximation: approx)
        } else {
            set = Contours.find(in: labels, mode: mode, approximation: approx)
        }
        if global.json {
            try Output.json(Result(contours: set.contours.map { $0.map { [[$0.x, $0.y]] } },
                                   hierarchy: set.hierarchy.isEmpty ? [] : [set.hierarchy.map(\.openCVArray)]))
            return
        }
        print("\(mask): \(set.contours.count) contours (\(mode.rawValue), \(approx.rawValue))")
        for (index, contour) in set.contours.enumerated() {
            let link = set.hierarchy[index]
            let box = ShapeMeasures.boundingRect(contour)
            print("  \(index): \(set.isHole[index] ? "hole" : "outer"), \(contour.count) points, "
                  + "box \(box.openCVArray), hierarchy \(link.openCVArray)")
        }
    }

    func hint(for error: Error) -> String? {
        if case GeometryError.unsupportedMask(_, let reason) = error, reason.contains("palette") { return "pass --palette" }
        return CommandError.generalHint(for: error)
    }
}

extension ContourRetrieval: ExpressibleByArgument {}
extension ContourApproximation: ExpressibleByArgument {}

/// Class arguments given as a number or as a palette class name.
enum CLIClasses {
    static func value(of text: String, palette: Palette?) throws -> UInt8 {
        if let value = UInt8(text) { return value }
        if let palette, let value = palette.index(ofClass: text) { return value }
        let known = palette.map { ": " + $0.classes.map(\.name).joined(separator: ", ") } ?? ""
        throw ValidationError("class '\(text)' is neither a value 0-255 nor a class of the palette\(known)")
    }
}
