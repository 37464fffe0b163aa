#if canImport(Glibc)
import Glibc
#endif
import SkyHashing
import SkyImaging

/// `skybench hash [--kind phash] [--mode exact|fast] [--min-side N] [--workers N] [--repeats N] FILE...`:
/// median seconds to read, decode and hash every file once (files read from disk each run, as imagehash does),
/// and the median CPU seconds (user + system) of the process per run, which other load on a shared machine
/// disturbs far less than wall time (meaningful as throughput for one worker only).
///
/// `skybench hash --stages [--mode exact|fast] [--repeats N] FILE...`: the same phash split into its stages, each
/// timed over all files (median ms per image): read, decode (PNGs straight to "L"), "L" conversion with 32x32
/// LANCZOS as the hasher runs them (fused), the same two steps apart, DCT and bits.
///
/// `skybench hash-agreement [--min-side N] FILE...`: exact against fast phash per file: equal count and distance histogram.
enum HashBench {
    static func run(_ arguments: [String]) throws {
        if arguments.first == "--stages" { return try stages(Array(arguments.dropFirst())) }
        var kind = HashKind.phash, mode = HashMode.exact
        var workers = 1, repeats = 5, minimumSide = PerceptualHasher.defaultFastMinimumSide
        var files: [String] = []
        var fromY = false
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch argument {
            case "--kind": kind = HashKind(rawValue: value) ?? .phash; index += 1
            case "--mode": mode = HashMode(rawValue: value) ?? .exact; index += 1
            case "--workers": workers = Int(value) ?? 1; index += 1
            case "--repeats": repeats = Int(value) ?? 5; index += 1
            case "--min-side": minimumSide = Int(value) ?? minimumSide; index += 1
            case "--from-y": fromY = true
            default: files.append(argument)
            }
            index += 1
        }
        var hasher = PerceptualHasher(kind: kind, mode: mode)
        hasher.fastMinimumSide = minimumSide
        hasher.fastLuminanceFromY = fromY
        var failures = 0
        var cpuTimes: [Double] = []
        let times = BenchClock.measure(repeats: repeats) {
            let cpuStart = cpuSeconds()
            defer { cpuTimes.append(cpuSeconds() - cpuStart) }
            failures = 0
            if workers == 1 {
                for file in files where (try? hasher.hash(file: file)) == nil { failures += 1 }
            } else {
                for result in hasher.hash(files: files, workers: workers) {
                    if case .failure = result { failures += 1 }
                }
            }
        }
        let median = BenchClock.median(times)
        print("{\"files\": \(files.count), \"failures\": \(failures), \"mode\": \"\(mode)\", \"workers\": \(workers), "
              + "\"median_s\": \(median), \"ms_per_image\": \(median * 1000 / Double(max(files.count, 1))), "
              + "\"cpu_median_s\": \(BenchClock.median(cpuTimes))}")
    }

    /// User plus system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func stages(_ arguments: [String]) throws {
        var mode = HashMode.exact, repeats = 5, files: [String] = []
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--mode": mode = HashMode(rawValue: value) ?? .exact; index += 1
            case "--repeats": repeats = Int(value) ?? 5; index += 1
            default: files.append(arguments[index])
            }
            index += 1
        }
        let hasher = PerceptualHasher(kind: .phash, mode: mode)
        var bytes: [[UInt8]] = [], decoded: [RasterImage] = [], gray: [RasterImage] = [], small: [RasterImage] = []
        var medians: [(String, Double)] = []
        func stage(_ name: String, _ body: () throws -> Void) rethrows {
            medians.append((name, BenchClock.median(try BenchClock.measure(repeats: repeats, body))))
        }
        try stage("read") { bytes = try files.map { try FileBytes.read($0) } }
        // As the hasher decodes: PNGs straight to "L", JPEGs to colour (at a reduced scale in fast mode).
        try stage("decode") {
            decoded = try zip(files, bytes).map { file, data in
                if ImageFormat.sniff(data) == .png { return try hasher.decoder.decodeLuminance(data, name: file) }
                var scale = JPEGScale.full
                if mode == .fast, ImageFormat.sniff(data) == .jpeg {
                    let header = try hasher.decoder.header(of: data, name: file)
                    scale = PerceptualHasher.fastScale(width: header.width, height: header.height,
                                                       minimumSide: hasher.fastMinimumSide)
                }
                return try hasher.decoder.decode(data, name: file, jpegScale: scale)
            }
        }
        // What the hasher runs: "L" conversion fused into the first resize pass where possible.
        stage("luminance_resize") {
            small = decoded.map { PillowResample.resizeLuminance($0, width: 32, height: 32, filter: .lanczos) }
        }
        // The same two steps apart, for comparison.
        stage("luminance") { gray = decoded.map(PillowConvert.luminance) }
        stage("resize") { _ = gray.map { PillowResample.resize($0, width: 32, height: 32, filter: .lanczos) } }
        var sink: UInt64 = 0
        stage("dct-bits") { for image in small { sink ^= hasher.hash(image).bits } }
        let perImage = medians.map { "\"\($0.0)_ms\": \($0.1 * 1000 / Double(max(files.count, 1)))" }
        print("{\"files\": \(files.count), \"mode\": \"\(mode)\", \"sink\": \(sink % 2), " + perImage.joined(separator: ", ") + "}")
    }

    /// `skybench hash-print [--mode exact|fast] FILE...`: one `HASH FILE` line per file (phash).
    static func printHashes(_ arguments: [String]) throws {
        var files = arguments
        var mode = HashMode.exact
        if files.count >= 2, files[0] == "--mode" {
            mode = HashMode(rawValue: files[1]) ?? .exact
            files.removeFirst(2)
        }
        let hasher = PerceptualHasher(mode: mode)
        for file in files { print("\(try hasher.hash(file: file)) \(file)") }
    }

    static func agreement(_ arguments: [String]) throws {
        var fast = PerceptualHasher(mode: .fast)
        var files = arguments
        if files.count >= 2, files[0] == "--min-side" {
            fast.fastMinimumSide = Int(files[1]) ?? fast.fastMinimumSide
            files.removeFirst(2)
        }
        let exact = PerceptualHasher(mode: .exact)
        var histogram: [Int: Int] = [:]
        for file in files {
            let distance = try exact.hash(file: file).distance(to: fast.hash(file: file))
            histogram[distance, default: 0] += 1
        }
        let equal = histogram[0] ?? 0
        let buckets = histogram.keys.sorted().map { "\"\($0)\": \(histogram[$0] ?? 0)" }.joined(separator: ", ")
        print("{\"files\": \(files.count), \"min_side\": \(fast.fastMinimumSide), \"equal\": \(equal), \"distance_histogram\": {\(buckets)}}")
    }
}
