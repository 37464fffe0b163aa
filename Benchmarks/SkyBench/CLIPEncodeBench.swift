import Foundation
import SkyCLIP

/// `skybench clip --model PATH [--activation gelu|quickgelu] [--precision fp32|bf16] [--threads N] [--repeats N]
/// [--batch N] [--text-batch N] [--tower-only] [--fast-jpeg] [--texts FILE] [--out FILE] IMAGE...`
///
/// Loads the model once (timed), then encodes all images (decode + preprocess + image tower) and all texts
/// (tokenize + text tower with the end-token shortcut, and once without it) `repeats` times. `--tower-only`
/// skips the decode-inclusive image timing and the full-context text run (the image tower is then timed on
/// pixels preprocessed once). Prints one JSON object with median seconds, rates and peak resident memory;
/// `--out` writes the embeddings (tower outputs with `--tower-only`) for parity checks.
enum CLIPEncodeBench {
    static func run(_ arguments: [String]) throws {
        var model = "", activation: String?, threads = 2, repeats = 3, batch = 8, fastJPEG = false
        var precision = Precision.defaultValue, textBatch = 64, towerOnly = false
        var textsFile: String?, out: String?
        var images: [String] = []
        var index = 0
        func value() -> String {
            index += 1
            return index < arguments.count ? arguments[index] : ""
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--model": model = value()
            case "--activation": activation = value()
            case "--threads": threads = Int(value()) ?? 2
            case "--repeats": repeats = Int(value()) ?? 3
            case "--batch": batch = Int(value()) ?? 8
            case "--text-batch": textBatch = max(1, Int(value()) ?? 64)
            case "--precision": precision = Precision(rawValue: value()) ?? precision
            case "--tower-only": towerOnly = true
            case "--fast-jpeg": fastJPEG = true
            case "--texts": textsFile = value()
            case "--out": out = value()
            default: images.append(arguments[index])
            }
            index += 1
        }
        CLIPModel.setThreads(threads)
        let override = CLIPArchitecture.Override(activation: activation.flatMap(Activation.init(rawValue:)))
        let loadStart = BenchClock.now()
        let clip = try CLIPModel(path: model, override: override, precision: precision)
        let loadSeconds = BenchClock.now() - loadStart
        let texts = try textsFile.map { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").map(String.init) } ?? []
        let tokenizer = try CLIPTokenizer()
        let preprocessor = CLIPPreprocessor(imageSize: clip.architecture.imageSize, reducedJPEGDecode: fastJPEG)

        // Warm-up outside the timings: one image and one text pack every weight of both towers (done on first use).
        if let first = images.first { _ = try clip.encodeImages(try tensors([first], preprocessor), count: 1) }
        if let first = texts.first { _ = try clip.encodeTokens([tokenizer.tokenize(first, contextLength: clip.architecture.contextLength)]) }
        var imageVectors: [[Float]] = []
        let imageTimes = try BenchClock.measure(repeats: images.isEmpty || towerOnly ? 0 : repeats) {
            imageVectors = []
            for start in stride(from: 0, to: images.count, by: batch) {
                let chunk = images[start ..< min(start + batch, images.count)]
                imageVectors += try clip.encodeImages(try tensors(Array(chunk), preprocessor), count: chunk.count)
            }
        }
        // The preprocessing share of the image time (decode + resize + crop + normalise), and the tower alone.
        var prepared: [Float] = []
        let preprocessTimes = try BenchClock.measure(repeats: images.isEmpty ? 0 : towerOnly ? 1 : repeats) {
            prepared = []
            for start in stride(from: 0, to: images.count, by: batch) {
                prepared += try tensors(Array(images[start ..< min(start + batch, images.count)]), preprocessor)
            }
        }
        var towerCPU: [Double] = []
        let towerTimes = try BenchClock.measure(repeats: images.isEmpty ? 0 : repeats) {
            let cpuStart = LimitsBench.processCPU()
            defer { towerCPU.append(LimitsBench.processCPU() - cpuStart) }
            let side = clip.architecture.imageSize, plane = 3 * side * side
            var vectors: [[Float]] = []
            for start in stride(from: 0, to: images.count, by: batch) {
                let count = min(batch, images.count - start)
                vectors += try clip.encodeImages(Array(prepared[start * plane ..< (start + count) * plane]), count: count)
            }
            if towerOnly { imageVectors = vectors }
        }
        var textVectors: [[Float]] = []
        let encodeTexts = { (shortcut: Bool) throws -> [[Float]] in
            var vectors: [[Float]] = []
            for start in stride(from: 0, to: texts.count, by: textBatch) {
                let chunk = texts[start ..< min(start + textBatch, texts.count)]
                vectors += try clip.encodeTokens(chunk.map { tokenizer.tokenize($0, contextLength: clip.architecture.contextLength) },
                                                 shortcut: shortcut)
            }
            return vectors
        }
        var textCPU: [Double] = []
        let textTimes = try BenchClock.measure(repeats: texts.isEmpty ? 0 : repeats) {
            let cpuStart = LimitsBench.processCPU()
            textVectors = try encodeTexts(true)
            textCPU.append(LimitsBench.processCPU() - cpuStart)
        }
        let fullTextTimes = try BenchClock.measure(repeats: texts.isEmpty || towerOnly ? 0 : 1) { _ = try encodeTexts(false) }

        if let out {
            let payload: [String: Any] = ["images": imageVectors.map { $0.map(Double.init) }, "texts": textVectors.map { $0.map(Double.init) }]
            try JSONSerialization.data(withJSONObject: payload).write(to: URL(fileURLWithPath: out))
        }
        // VmHWM, not getrusage: ru_maxrss survives fork+exec, so it would report the Python runner's peak.
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let peakKiB = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let imageMedian = BenchClock.median(imageTimes), textMedian = BenchClock.median(textTimes)
        let result: [String: Any] = [
            "architecture": clip.architecture.description, "threads": threads, "blas_kernel": BLASKernel.coreName,
            "load_s": loadSeconds, "images": images.count, "texts": texts.count,
            "image_median_s": imageMedian, "images_per_s": imageMedian > 0 ? Double(images.count) / imageMedian : 0,
            "preprocess_median_s": BenchClock.median(preprocessTimes), "image_tower_median_s": BenchClock.median(towerTimes),
            "image_tower_cpu_median_s": BenchClock.median(towerCPU), "text_cpu_median_s": BenchClock.median(textCPU),
            "gemm_backend": GEMMBackend.current.description, "precision": clip.precision.rawValue,
            "image_tower_images_per_s": BenchClock.median(towerTimes) > 0 ? Double(images.count) / BenchClock.median(towerTimes) : 0,
            "text_median_s": textMedian, "texts_per_s": textMedian > 0 ? Double(texts.count) / textMedian : 0,
            "text_full_context_s": BenchClock.median(fullTextTimes),
            "peak_rss_mb": peakKiB / 1024,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Preprocesses the images of one batch concurrently, as SkySearch's `CLIPEncoder` does; output in input order.
    static func tensors(_ paths: [String], _ preprocessor: CLIPPreprocessor) throws -> [Float] {
        let slots = Slots(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            slots.set(index, Result { () throws(CLIPError) in try preprocessor.tensor(file: paths[index]) })
        }
        var pixels: [Float] = []
        for index in paths.indices {
            guard let result = slots.value(index) else { throw CLIPError.badInput(what: paths[index], reason: "was not preprocessed") }
            pixels += try result.get()
        }
        return pixels
    }

    /// Per-image result slots written once each from worker threads.
    private final class Slots: @unchecked Sendable {
        private var storage: [Result<[Float], CLIPError>?]
        private let lock = NSLock()
        init(count: Int) { storage = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<[Float], CLIPError>) { lock.withLock { storage[index] = value } }
        func value(_ index: Int) -> Result<[Float], CLIPError>? { lock.withLock { storage[index] } }
    }
}
