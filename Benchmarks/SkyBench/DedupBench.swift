#if canImport(Glibc)
import Glibc
#endif
import SkyHashing

/// `skybench dedup [--count 1000000] [--planted 10000] [--threshold 2] [--workers N] [--seed S] [--write PATH] [--write-pairs PATH]`:
/// all pairs within the threshold among random 64-bit hashes with planted near-duplicates (each a copy of
/// a random hash with 0...threshold bits flipped). Prints seconds to index and search, the pairs found, how
/// many planted pairs were found, and the peak resident memory. `--write` saves the hashes as hex lines
/// (the runner feeds the same hashes to imagededup); `--write-pairs` saves the pairs as `FIRST SECOND DISTANCE`.
enum DedupBench {
    static func run(_ arguments: [String]) throws {
        var count = 1_000_000, planted = 10_000, threshold = 2, workers = ProcessorCount.online
        var seed: UInt64 = 2026
        var output: String? = nil, pairsOutput: String? = nil
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--count": count = Int(value) ?? count
            case "--planted": planted = Int(value) ?? planted
            case "--threshold": threshold = Int(value) ?? threshold
            case "--workers": workers = Int(value) ?? workers
            case "--seed": seed = UInt64(value) ?? seed
            case "--write": output = value
            case "--write-pairs": pairsOutput = value
            default: break
            }
            index += 2
        }
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var hashes = (0..<count).map { _ in next() }
        var plantedPairs = Set<Int>()
        for copy in 0..<min(planted, count / 2) {
            // The copy overwrites a slot in the second half; its source is in the first half.
            let source = Int(next() % UInt64(count / 2)), target = count / 2 + copy
            var value = hashes[source]
            for _ in 0..<Int(next() % UInt64(threshold + 1)) { value ^= 1 << (next() % 64) }
            hashes[target] = value
            plantedPairs.insert(source * count + target)
        }
        if let output {
            let text = hashes.map { Hash64(bits: $0).description }.joined(separator: "\n") + "\n"
            try FileBytesWriter.write(text, to: output)
        }
        let start = BenchClock.now()
        let nearIndex = NearDuplicateIndex(bits: hashes)
        let indexed = BenchClock.now()
        let pairs = nearIndex.pairs(within: threshold, workers: workers)
        let searched = BenchClock.now()
        if let pairsOutput {
            let text = pairs.map { "\($0.first) \($0.second) \($0.distance)" }.joined(separator: "\n") + "\n"
            try FileBytesWriter.write(text, to: pairsOutput)
        }
        let found = pairs.filter { plantedPairs.contains($0.first * count + $0.second) }.count
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("{\"hashes\": \(count), \"threshold\": \(threshold), \"workers\": \(workers), "
              + "\"index_s\": \(indexed - start), \"search_s\": \(searched - indexed), \"total_s\": \(searched - start), "
              + "\"pairs\": \(pairs.count), \"planted\": \(plantedPairs.count), \"planted_found\": \(found), "
              + "\"peak_rss_mb\": \(Double(usage.ru_maxrss) / 1024)}")
    }
}

/// Plain file writing for the benchmark's hash list.
enum FileBytesWriter {
    static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "w") else { throw BenchError.cannotWrite(path) }
        defer { fclose(file) }
        fputs(text, file)
    }

    enum BenchError: Error { case cannotWrite(String) }
}
