import SkyImaging

/// `skybench decode [--scale 1|2|4|8] [--repeats N] FILE...`: median seconds to decode all files once.
enum DecodeBench {
    static func run(_ arguments: [String]) throws {
        var scale = JPEGScale.full
        var repeats = 5
        var files: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--scale":
                index += 1
                scale = JPEGScale(rawValue: Int(arguments[index]) ?? 1) ?? .full
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
                let isJPEG = ImageFormat.sniff(bytes) == .jpeg
                let image = try decoder.decode(bytes, name: file, jpegScale: isJPEG ? scale : .full)
                pixels += image.width * image.height
            }
        }
        print("{\"files\": \(files.count), \"pixels\": \(pixels), \"median_s\": \(BenchClock.median(times))}")
    }
}
