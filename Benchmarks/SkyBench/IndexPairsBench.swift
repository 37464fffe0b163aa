import Foundation
import SkyIndex

/// `skybench index-pairs --vectors V.npy --graph SAVED [--pairs 0.95] [--pairs-ef 32] [--pairs-sample 10000]
/// [--threads N] [--m 16] [--ef-construction 200]`: pairs above a cosine threshold over every row of a saved graph
/// (`skycorpus index build` over the same vectors; when SAVED does not exist, the graph is built here from the
/// vectors with the library's builder, as `index build` builds it, timed, and saved to SAVED for the next run), then, with the graph released, the exact pairs touching the first `--pairs-sample` rows (blocked
/// sgemm of those rows against all rows) and the recall of the graph's pairs on them. Wall and CPU seconds of each
/// phase, peak resident memory after each. Prints one JSON object (the sample's exact pairs included, for the
/// runner to compare with faiss's range_search).
enum IndexPairsBench {
    static func run(_ arguments: [String]) throws {
        var options: [String: String] = [:]
        for index in stride(from: 0, to: arguments.count - 1, by: 2) { options[arguments[index]] = arguments[index + 1] }
        guard let vectorPath = options["--vectors"], let graphPath = options["--graph"] else {
            throw IndexBench.BenchError("usage: skybench index-pairs --vectors V.npy --graph SAVED [options]")
        }
        let threshold = Float(options["--pairs"] ?? "") ?? 0.95
        let ef = Int(options["--pairs-ef"] ?? "") ?? 32
        let threads = Int(options["--threads"] ?? "")
        let file = try IndexBench.MappedNPY(vectorPath)
        let (n, d) = (file.rows, file.columns)
        let sample = min(n, Int(options["--pairs-sample"] ?? "") ?? 10_000)
        var report: [String: Any] = ["count": n, "dimension": d, "threshold": threshold, "ef": ef,
                                     "threads": threads ?? ProcessInfo.processInfo.activeProcessorCount]

        var start = BenchClock.now()
        if !FileManager.default.fileExists(atPath: graphPath) {
            report["build"] = try build(file, saveTo: graphPath, threads: threads, options: options)
            start = BenchClock.now()
        }
        var graph: ApproximateIndex? = try ApproximateIndex(contentsOf: URL(fileURLWithPath: graphPath))
        guard graph!.count == n, graph!.dimension == d else {
            throw IndexBench.BenchError("\(graphPath): \(graph!.count) x \(graph!.dimension), the vectors are \(n) x \(d)")
        }
        for row in [0, n / 2, n - 1] {  // the corpus stores each vector divided by its norm again: equal within rounding
            let difference = zip(try graph!.vector(row: row), file.rows(row..<row + 1)).map { abs($0 - $1) }.max() ?? 0
            if difference > 1e-5 { throw IndexBench.BenchError("\(graphPath): row \(row) differs from \(vectorPath) by \(difference)") }
        }
        report["graph"] = ["load_s": BenchClock.now() - start, "m": graph!.fingerprint.parameters.m,
                           "ef_construction": graph!.fingerprint.parameters.efConstruction] as [String: Any]

        start = BenchClock.now()
        var cpu = IndexBench.cpuSeconds()
        let all = try graph!.pairs(minScore: threshold, ef: ef, threads: threads)
        report["pairs_all"] = ["seconds": BenchClock.now() - start, "cpu_s": IndexBench.cpuSeconds() - cpu,
                               "pairs": all.count, "peak_resident_bytes": peakResidentBytes()] as [String: Any]
        graph = nil

        // Exact on the sample: the matrix is added in slices from the mapped file, never held twice.
        start = BenchClock.now()
        var exact = try ExactIndex(dimension: d)
        for first in stride(from: 0, to: n, by: 65_536) {
            let rows = first..<min(n, first + 65_536)
            try exact.add(ids: rows.map { Int64($0) }, vectors: file.rows(rows))
        }
        let loadSeconds = BenchClock.now() - start
        start = BenchClock.now()
        cpu = IndexBench.cpuSeconds()
        let truth = try exact.pairs(involving: 0..<sample, minScore: threshold)
        let exactSeconds = BenchClock.now() - start, exactCPU = IndexBench.cpuSeconds() - cpu
        let found = all.filter { $0.first < sample || $0.second < sample }
        let truthKeys = Set(truth.map { [$0.first, $0.second] })
        report["pairs_sample"] = ["rows": sample, "exact_load_s": loadSeconds, "exact_s": exactSeconds, "exact_cpu_s": exactCPU,
                                  "exact_pairs": truth.count, "graph_pairs": found.count,
                                  "graph_pairs_not_exact": found.filter { !truthKeys.contains([$0.first, $0.second]) }.count,
                                  "recall": SimilarPair.recall(found, of: truth),
                                  "exact_pair_rows": truth.map { [$0.first, $0.second] },
                                  "peak_resident_bytes": peakResidentBytes()] as [String: Any]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Builds the graph of every row of `file` in batches of 65,536 rows (the way `skycorpus index build` streams a
    /// corpus's vectors into ``ApproximateIndexBuilder``) and saves it; the build's wall and CPU seconds.
    static func build(_ file: IndexBench.MappedNPY, saveTo path: String, threads: Int?, options: [String: String])
        throws -> [String: Any]
    {
        let parameters = HNSWParameters(m: Int(options["--m"] ?? "") ?? HNSWParameters().m,
                                        efConstruction: Int(options["--ef-construction"] ?? "") ?? HNSWParameters().efConstruction)
        let start = BenchClock.now(), cpu = IndexBench.cpuSeconds()
        var builder = try ApproximateIndexBuilder(dimension: file.columns, ids: (0..<file.rows).map { Int64($0) },
                                                  parameters: parameters, threads: threads)
        for first in stride(from: 0, to: file.rows, by: 65_536) {
            try builder.add(file.rows(first..<min(file.rows, first + 65_536)))
        }
        let index = try builder.finish()
        let seconds = BenchClock.now() - start, cpuSeconds = IndexBench.cpuSeconds() - cpu
        try index.save(to: URL(fileURLWithPath: path))
        return ["seconds": seconds, "cpu_s": cpuSeconds, "m": parameters.m, "ef_construction": parameters.efConstruction,
                "peak_resident_bytes": peakResidentBytes()]
    }

    /// The process's peak resident bytes so far (`getrusage`'s maxrss).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
