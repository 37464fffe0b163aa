import Foundation
import SkyPipeline
import SkyStorage
import SkyDatasets

/// `skybench ingest-dota ROOT [--repeats N] [--corpus PATH]`: median seconds to read a DOTA dataset
/// (label files parsed, image sizes from headers) and to ingest it into a fresh corpus.
/// `skybench ingest-coco ROOT [--corpus PATH]`: seconds to read a COCO dataset once (and, with `--corpus`, to
/// ingest it into a new corpus there), and the process's peak memory after each.
enum IngestBench {
    static func options(_ arguments: [String]) -> (root: String, repeats: Int, corpus: String?) {
        var repeats = 3
        var corpus: String? = nil
        var root = ""
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--repeats":
                index += 1
                repeats = index < arguments.count ? Int(arguments[index]) ?? 3 : 3
            case "--corpus":
                index += 1
                corpus = index < arguments.count ? arguments[index] : nil
            default:
                root = arguments[index]
            }
            index += 1
        }
        return (root, repeats, corpus)
    }

    /// Peak resident memory of this process in bytes (`VmHWM` of /proc/self/status).
    static func peakMemory() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    static func runDOTA(_ arguments: [String]) throws {
        let (root, repeats, corpusPath) = options(arguments)
        var files = 0, objects = 0
        let readTimes = try BenchClock.measure(repeats: repeats) {
            let set = try DOTAReader.read(root: root)
            files = set.report.filesRead
            objects = set.objectCount
        }
        let corpusFile = corpusPath ?? NSTemporaryDirectory() + "skybench-ingest-\(getpid()).sqlite"
        let ingestTimes = try BenchClock.measure(repeats: repeats) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: corpusFile + suffix) }
            let corpus = try Corpus(path: corpusFile, create: true)
            _ = try DatasetIngest.run(IngestRequest(name: "dota-bench", root: root, format: .dota), into: corpus)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: corpusFile + suffix) }
        let read = BenchClock.median(readTimes), ingest = BenchClock.median(ingestTimes)
        print("{\"label_files\": \(files), \"objects\": \(objects), \"read_median_s\": \(read), "
              + "\"ingest_median_s\": \(ingest), \"files_per_s\": \(Double(files) / ingest), "
              + "\"objects_per_s\": \(Double(objects) / ingest)}")
    }

    static func runCOCO(_ arguments: [String]) throws {
        let (root, _, corpusPath) = options(arguments)
        let before = peakMemory()
        var start = BenchClock.now()
        var seconds = 0.0
        var images = 0, objects = 0
        do {
            let set = try COCOReader.read(root: root)
            seconds = BenchClock.now() - start
            images = set.images.count
            objects = set.objectCount
        }
        let readPeak = peakMemory()
        var ingestSeconds = 0.0
        if let corpusPath {
            // The whole step: read, then one transaction into a new corpus.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: corpusPath + suffix) }
            let corpus = try Corpus(path: corpusPath, create: true)
            start = BenchClock.now()
            _ = try DatasetIngest.run(IngestRequest(name: "coco-bench", root: root, format: .coco), into: corpus)
            ingestSeconds = BenchClock.now() - start
        }
        print("{\"images\": \(images), \"objects\": \(objects), \"read_s\": \(seconds), "
              + "\"read_peak_rss_bytes\": \(readPeak), \"ingest_s\": \(ingestSeconds), "
              + "\"peak_rss_bytes\": \(peakMemory()), \"rss_before_bytes\": \(before)}")
    }
}
