import Dispatch
import SkyConcurrency
import SkyHashing
import SkyImaging

/// `skybench decode [--scale 1|2|4|8|fast] [--to rgb|l|l-convert] [--workers N] [--repeats N] FILE...`: median seconds
/// to decode all files once (file bytes read before timing), and the median CPU seconds of the process per run.
///
/// `--scale fast` decodes each JPEG at the scale fast-mode hashing picks for it (`PerceptualHasher.fastScale`, the
/// default minimum side). `--to rgb` (default) decodes to the file's own layout; `--to l` decodes straight to Pillow's "L"
/// (`decodeLuminance`); `--to l-convert` decodes and then converts (`PillowConvert.luminance`), the route
/// `decodeLuminance` replaces. `--workers N` decodes on N threads, each taking the next file when it finishes one,
/// as batch hashing does: the decode-only limit `skybench hash --workers N` is compared with.
enum DecodeBench {
    enum Target: String {
        case rgb, l
        case lConvert = "l-convert"
    }

    static func run(_ arguments: [String]) throws {
        var scale = JPEGScale.full, fastScale = false
        var target = Target.rgb
        var repeats = 5, workers = 1
        var files: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--scale":
                index += 1
                fastScale = arguments[index] == "fast"
                scale = JPEGScale(rawValue: Int(arguments[index]) ?? 1) ?? .full
            case "--to":
                index += 1
                target = Target(rawValue: arguments[index]) ?? .rgb
            case "--repeats":
                index += 1
                repeats = Int(arguments[index]) ?? 5
            case "--workers":
                index += 1
                workers = max(1, Int(arguments[index]) ?? 1)
            default:
                files.append(arguments[index])
            }
            index += 1
        }
        let decoder = ImageDecoder()
        let inputs = try files.map { try FileBytes.read($0) }
        let decodeOne: @Sendable (Int) throws -> Int = { [files, scale, fastScale, target] index in
            let (file, bytes) = (files[index], inputs[index])
            var fileScale = ImageFormat.sniff(bytes) == .jpeg ? scale : .full
            if fastScale, ImageFormat.sniff(bytes) == .jpeg {
                let header = try decoder.header(of: bytes, name: file)
                fileScale = PerceptualHasher.fastScale(width: header.width, height: header.height)
            }
            let image: RasterImage
            switch target {
            case .rgb: image = try decoder.decode(bytes, name: file, jpegScale: fileScale)
            case .l: image = try decoder.decodeLuminance(bytes, name: file, jpegScale: fileScale)
            case .lConvert: image = PillowConvert.luminance(try decoder.decode(bytes, name: file, jpegScale: fileScale))
            }
            return image.width * image.height
        }
        var pixels = 0
        var cpuTimes: [Double] = []
        let times = try BenchClock.measure(repeats: repeats) {
            let cpuStart = HashBench.cpuSeconds()
            defer { cpuTimes.append(HashBench.cpuSeconds() - cpuStart) }
            if workers == 1 {
                pixels = try files.indices.reduce(0) { $0 + (try decodeOne($1)) }
                return
            }
            let next = Locked(0), total = Locked(0), count = files.count
            DispatchQueue.concurrentPerform(iterations: min(workers, max(count, 1))) { _ in
                var mine = 0
                while let index = next.withLock({ (value: inout Int) -> Int? in
                    guard value < count else { return nil }
                    defer { value += 1 }
                    return value
                }) {
                    mine += (try? decodeOne(index)) ?? 0
                }
                total.withLock { $0 += mine }
            }
            pixels = total.value
        }
        let median = BenchClock.median(times)
        print("{\"files\": \(files.count), \"pixels\": \(pixels), \"workers\": \(workers), \"median_s\": \(median), "
              + "\"ms_per_image\": \(median * 1000 / Double(max(files.count, 1))), "
              + "\"cpu_median_s\": \(BenchClock.median(cpuTimes))}")
    }
}
