import SkyGeometry

/// `skybench m2b [--repeats N] [--palette NAME] [--contours MODE] FILE...`: median seconds of `M2B.boxes` per
/// mask, or with `--contours` of per-class `Contours.find(mode: MODE, approximation: .simple)` over every class.
///
/// Masks are decoded (and mapped through the palette) before timing, as the OpenCV side gets label arrays.
enum M2BBench {
    static func run(_ arguments: [String]) throws {
        var repeats = 20
        var paletteName: String?
        var contoursMode: ContourRetrieval?
        var files: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--repeats":
                index += 1
                repeats = Int(arguments[index]) ?? repeats
            case "--palette":
                index += 1
                paletteName = arguments[index]
            case "--contours":
                index += 1
                contoursMode = ContourRetrieval(rawValue: arguments[index])
            default:
                files.append(arguments[index])
            }
            index += 1
        }
        let palette = try paletteName.map { name throws(GeometryError) in try Palette.named(name) }
        let masks = try files.map { file throws(GeometryError) in try LabelMask.load(path: file, palette: palette) }
        var perMask: [String] = []
        var total = 0.0, regions = 0
        for (file, mask) in zip(files, masks) {
            var count = 0
            let classes = mask.presentValues
            let times = BenchClock.measure(repeats: repeats) {
                if let mode = contoursMode {
                    count = classes.reduce(0) { total, value in
                        total + Contours.find(in: mask, value: value, mode: mode, approximation: .simple).contours.count
                    }
                } else {
                    count = M2B.boxes(in: mask).count
                }
            }
            let median = BenchClock.median(times)
            total += median
            regions += count
            perMask.append("{\"file\": \"\(file)\", \"regions\": \(count), \"median_s\": \(median)}")
        }
        print("{\"masks\": \(masks.count), \"regions\": \(regions), \"median_s\": \(total), "
              + "\"per_mask\": [\(perMask.joined(separator: ", "))]}")
    }
}
