import SkyImaging

/// `skybench decode [--scale 1|2|4|8] [--to rgb|l|l-convert] [--repeats N] FILE...`: median seconds to
/// decode all files once (file bytes read before timing).
///
/// `--to rgb` (default) decodes to the file's own layout; `--to l` decodes straight to Pillow's "L"
/// (`decodeLuminance`); `--to l-convert` decodes and then converts (`PillowConvert.luminance`), the route
/// `decodeLuminance` replaces.
enum DecodeBench {
    enum Target: String {
        case rgb, l
        case lConvert = "l-convert"
    }

    static func run(_ arguments: [String]) throws {
        var scale = JPEGScale.full
        var target = Target.rgb
        var repeats = 5
        var files: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--scale":
                index += 1
                scale = JPEGScale(rawValue: Int(arguments[index]) ?? 1) ?? .full
            case "--to":
                index += 1
                target = Target(rawValue: arguments[index]) ?? .rgb
            case "--repeats":
                index += 1
                repeats = Int(arguments[index]) ?? 5
            default:
                files.append(arguments[index])
            }
            index += 1
        }
        let decoder = ImageDecoder()
        let inputs = try files.map { try FileBytes.read($0) }
        var pixels = 0
        let times = try BenchClock.measure(repeats: repeats) {
            pixels = 0
            for (file, bytes) in zip(files, inputs) {
                let fileScale = ImageFormat.sniff(bytes) == .jpeg ? scale : .full
                let image: RasterImage
                switch target {
                case .rgb: image = try decoder.decode(bytes, name: file, jpegScale: fileScale)
                case .l: image = try decoder.decodeLuminance(bytes, name: file, jpegScale: fileScale)
                case .lConvert:
                    image = PillowConvert.luminance(try decoder.decode(bytes, name: file, jpegScale: fileScale))
                }
                pixels += image.width * image.height
            }
        }
        print("{\"files\": \(files.count), \"pixels\": \(pixels), \"median_s\": \(BenchClock.median(times))}")
    }
}
