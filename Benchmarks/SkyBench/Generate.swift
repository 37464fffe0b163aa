import Foundation
import SkyConcurrency
import SkyGeometry
import SkyImaging

/// `skybench generate --out DIR --images N [--seed S] [--scale F] [--threads T] [--exact K] [--near K] [--leaks K]
/// [--jpeg-quality Q] [--force]`: writes a synthetic dataset tree shaped like RemoteCLIP's sources (17 datasets in
/// their distributed formats, Table I's shares, sizes and boxes per image; `--scale` multiplies the sides) with
/// planted exact and near duplicates and test-split leaks, `DIR/manifest.json` describing it and `DIR/recipe.yaml`
/// building it (`skycorpus build DIR/recipe.yaml`). Deterministic
/// for a seed (the same bytes whatever `--threads`). Prints one JSON line: files, bytes, wall and CPU seconds.
enum GenerateCommand {
    struct Options {
        var out = ""
        var images = 1000
        var seed: UInt64 = 1
        var scale = 1.0
        var threads = ProcessInfo.processInfo.activeProcessorCount
        var exact: Int? = nil, near: Int? = nil, leaks: Int? = nil
        var quality = 90
        var force = false

        init(_ arguments: [String]) throws {
            var index = 0
            func value() throws -> String {
                index += 1
                guard index < arguments.count else { throw GenerateError("\(arguments[index - 1]) needs a value") }
                return arguments[index]
            }
            func number<T: LosslessStringConvertible>(_ flag: String) throws -> T {
                let text = try value()
                guard let parsed = T(text) else { throw GenerateError("\(flag): not a number: \(text)") }
                return parsed
            }
            while index < arguments.count {
                let flag = arguments[index]
                switch flag {
                case "--out": out = try value()
                case "--images": images = try number(flag)
                case "--seed": seed = try number(flag)
                case "--scale": scale = try number(flag)
                case "--threads": threads = try number(flag)
                case "--exact": exact = try number(flag)
                case "--near": near = try number(flag)
                case "--leaks": leaks = try number(flag)
                case "--jpeg-quality": quality = try number(flag)
                case "--force": force = true
                default: throw GenerateError("unknown argument \(flag)")
                }
                index += 1
            }
            guard !out.isEmpty else { throw GenerateError("--out DIR is required") }
            guard images >= 20 else { throw GenerateError("--images must be at least 20") }
            guard scale > 0, scale <= 4 else { throw GenerateError("--scale must be in (0, 4]") }
            guard (1...256).contains(threads) else { throw GenerateError("--threads must be 1-256") }
            guard (1...100).contains(quality) else { throw GenerateError("--jpeg-quality must be 1-100") }
        }

        /// Planted copies: 0.2 % exact and 0.2 % near duplicates, 0.1 % leaks, at least 2 of each.
        var planted: (exact: Int, near: Int, leaks: Int) {
            (exact ?? max(2, images / 500), near ?? max(2, images / 500), leaks ?? max(2, images / 1000))
        }
    }

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments)
        let start = BenchClock.now(), cpuStart = cpuSeconds()
        try prepare(options)
        let planted = options.planted
        let plan = GeneratePlan.make(total: options.images, seed: options.seed, scale: options.scale,
                                     exact: planted.exact, near: planted.near, leaks: planted.leaks)
        let planned = BenchClock.now()
        let renderer = try GeneratedRenderer(plan: plan, root: options.out, seed: options.seed, quality: options.quality)
        try renderer.makeFolders()
        let bytes = try renderer.writeAll(threads: options.threads)
        let aggregate = try renderer.writeAggregateFiles()
        try GenerateManifest.write(plan: plan, options: options, to: options.out + "/manifest.json")
        try FileBytes.write(Array(GenerateRecipe.text(plan: plan, seed: options.seed, images: options.images).utf8),
                            to: options.out + "/recipe.yaml")
        let seconds = BenchClock.now() - start, cpu = cpuSeconds() - cpuStart
        let files = plan.images.reduce(0) { $0 + (plan.specs[$1.dataset].layout == .change ? 2 : 1) }
        print("{\"images\": \(files), \"bytes\": \(bytes + aggregate), \"plan_s\": \(planned - start), \"wall_s\": \(seconds), "
              + "\"cpu_s\": \(cpu), \"cpu_ms_per_image\": \(cpu * 1000 / Double(max(1, files))), \"threads\": \(options.threads), "
              + "\"peak_rss_bytes\": \(IngestBench.peakMemory())}")
    }

    /// Refuses a non-empty `--out` unless `--force`, which empties it.
    static func prepare(_ options: Options) throws {
        let manager = FileManager.default
        if let entries = try? manager.contentsOfDirectory(atPath: options.out), !entries.isEmpty {
            guard options.force else { throw GenerateError("\(options.out) is not empty (--force replaces it)") }
            try manager.removeItem(atPath: options.out)
        }
        try manager.createDirectory(atPath: options.out, withIntermediateDirectories: true)
    }

    /// User plus system CPU seconds of this process, all threads.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

struct GenerateError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Renders and writes the planned images, in parallel, each worker taking the next image.
struct GeneratedRenderer: Sendable {
    let plan: GeneratePlan
    let root: String
    let pool: TexturePool
    let quality: Int
    /// Per palette: the colour of each index (RGB masks), and a tint per index for the photos.
    let paletteColours: [String: [(Int32, Int32, Int32)]]

    init(plan: GeneratePlan, root: String, seed: UInt64, quality: Int) throws {
        self.plan = plan
        self.root = root
        self.quality = quality
        pool = TexturePool(count: 48, seed: seed)
        var colours: [String: [(Int32, Int32, Int32)]] = [:]
        for name in Set(plan.specs.compactMap(\.palette)) {
            let palette = try Palette.named(name)
            var table = [(Int32, Int32, Int32)](repeating: (0, 0, 0), count: 256)
            for entry in palette.classes { table[Int(entry.index)] = (Int32(entry.rgb[0]), Int32(entry.rgb[1]), Int32(entry.rgb[2])) }
            colours[name] = table
        }
        paletteColours = colours
    }

    func folder(_ dataset: Int) -> String { root + "/" + plan.specs[dataset].name }

    func makeFolders() throws {
        for (index, spec) in plan.specs.enumerated() {
            for sub in GeneratedPaths.folders(layout: spec.layout, splits: spec.splits.map(\.0)) {
                try FileManager.default.createDirectory(atPath: folder(index) + "/" + sub, withIntermediateDirectories: true)
            }
        }
    }

    /// Writes every image (originals first, then the planted copies, which read or re-render their source);
    /// returns the bytes written.
    func writeAll(threads: Int) throws -> Int {
        let firstPlanted = plan.images.firstIndex { $0.planted != nil } ?? plan.images.count
        var bytes = try parallel(Array(0..<firstPlanted), threads: threads)
        bytes += try parallel(Array(firstPlanted..<plan.images.count), threads: threads)
        return bytes
    }

    private func parallel(_ indices: [Int], threads: Int) throws -> Int {
        let next = Locked(0), failure = Locked<String?>(nil), total = Locked(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var written = 0
            while true {
                let slot = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard slot < indices.count, failure.value == nil else { break }
                do {
                    written += try write(indices[slot])
                } catch {
                    failure.withLock { if $0 == nil { $0 = "\(plan.images[indices[slot]].stem): \(error)" } }
                }
            }
            total.withLock { $0 += written }
        }
        if let message = failure.value { throw GenerateError(message) }
        return total.value
    }

    /// The photo of an image: texture variation, then its objects painted or its mask's regions tinted.
    func photo(_ image: PlannedImage) -> (pixels: [UInt8], labels: [UInt8]?) {
        let spec = plan.specs[image.dataset]
        var pixels = GeneratedRaster.photo(width: image.width, height: image.height, seed: image.seed, pool: pool)
        switch spec.layout {
        case .indexMasks, .colourMasks:
            let background = GeneratedDatasets.maskClasses(palette: spec.palette ?? "").background
            let labels = GeneratedRaster.labels(image.shapes, width: image.width, height: image.height, background: background)
            GeneratedRaster.tint(&pixels, labels: labels, colours: paletteColours[spec.palette ?? ""] ?? [(128, 128, 128)])
            return (pixels, labels)
        case .captions, .change:
            return (pixels, nil)
        default:
            GeneratedRaster.paint(image.shapes, into: &pixels, width: image.width, height: image.height, seed: image.seed)
            return (pixels, nil)
        }
    }

    func encode(_ pixels: [UInt8], width: Int, height: Int, channels: Int, as fileExtension: String) throws -> [UInt8] {
        let raster = RasterImage(width: width, height: height, layout: channels == 1 ? .gray : .rgb, pixels: pixels)
        return fileExtension == "png" ? try ImageEncoder.png(raster, compressionLevel: 1) : try ImageEncoder.jpeg(raster, quality: quality)
    }

    /// Writes one planned image's files; returns their bytes.
    func write(_ index: Int) throws -> Int {
        let image = plan.images[index], spec = plan.specs[image.dataset]
        let base = folder(image.dataset) + "/", paths = GeneratedPaths(image, layout: spec.layout)
        var bytes = 0
        func put(_ data: [UInt8], _ path: String) throws {
            try FileBytes.write(data, to: base + path)
            bytes += data.count
        }
        if let annotation = GeneratedAnnotations.perImage(image, spec: spec) { try put(Array(annotation.utf8), paths.annotation!) }
        switch image.planted {
        case .exact(let source):
            let origin = plan.images[source]
            let from = folder(origin.dataset) + "/" + GeneratedPaths(origin, layout: plan.specs[origin.dataset].layout).photo
            try put(try FileBytes.read(from), paths.photo)
            return bytes
        case .near(let source), .leak(let source):
            // The source's pixels, 3 levels brighter, re-encoded: a different file within p-Hash distance 2.
            let origin = plan.images[source]
            var pixels = photo(origin).pixels
            for at in pixels.indices { pixels[at] = pixels[at] > 252 ? 255 : pixels[at] + 3 }
            try put(try encode(pixels, width: origin.width, height: origin.height, channels: 3, as: "jpg"), paths.photo)
            return bytes
        case nil:
            break
        }
        let (pixels, labels) = photo(image)
        try put(try encode(pixels, width: image.width, height: image.height, channels: 3, as: image.fileExtension), paths.photo)
        switch spec.layout {
        case .indexMasks:
            try put(try encode(labels!, width: image.width, height: image.height, channels: 1, as: "png"), paths.mask!)
        case .colourMasks:
            let colours = paletteColours[spec.palette ?? ""]!
            var rgb = [UInt8](repeating: 0, count: image.width * image.height * 3)
            for (at, label) in labels!.enumerated() {
                let colour = colours[Int(label)]
                rgb[at * 3] = UInt8(colour.0); rgb[at * 3 + 1] = UInt8(colour.1); rgb[at * 3 + 2] = UInt8(colour.2)
            }
            try put(try encode(rgb, width: image.width, height: image.height, channels: 3, as: "png"), paths.mask!)
        case .change:
            var after = pixels
            for at in after.indices { after[at] = after[at] > 250 ? 255 : after[at] + 5 }
            GeneratedRaster.paint(image.shapes, into: &after, width: image.width, height: image.height, seed: image.seed ^ 0xC4A9)
            let label = GeneratedRaster.labels(image.shapes, width: image.width, height: image.height, background: 0)
            try put(try encode(after, width: image.width, height: image.height, channels: 3, as: image.fileExtension), paths.after!)
            try put(try encode(label, width: image.width, height: image.height, channels: 1, as: "png"), paths.mask!)
        default:
            break
        }
        return bytes
    }

    /// The files that list many images: COCO JSON per split, Karpathy caption files, VOC split lists, YOLO
    /// class names. Returns their bytes.
    func writeAggregateFiles() throws -> Int {
        var bytes = 0
        func put(_ text: String, _ path: String) throws {
            let data = Array(text.utf8)
            try FileBytes.write(data, to: path)
            bytes += data.count
        }
        let byDataset = Dictionary(grouping: plan.images, by: \.dataset)
        for (index, spec) in plan.specs.enumerated() {
            let images = byDataset[index] ?? [], base = folder(index)
            switch spec.layout {
            case .coco:
                for split in spec.splits.map(\.0) {
                    try put(GeneratedAnnotations.coco(images.filter { $0.split == split }, spec: spec),
                            "\(base)/annotations/instances_\(split).json")
                }
            case .captions:
                try put(GeneratedAnnotations.karpathy(images, spec: spec), "\(base)/dataset_\(spec.name).json")
            case .voc:
                for split in spec.splits.map(\.0) {
                    try put(images.filter { $0.split == split }.map { $0.stem + "\n" }.joined(), "\(base)/ImageSets/Main/\(split).txt")
                }
            case .yolo:
                try put(spec.classes.map { $0 + "\n" }.joined(), "\(base)/classes.txt")
            default:
                break
            }
        }
        return bytes
    }
}
