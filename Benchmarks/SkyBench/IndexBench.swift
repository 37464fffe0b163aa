import Foundation
import SkyIndex

/// `skybench index --vectors V.npy --queries Q.npy [--k 10] [--ef 16,32,64,128] [--m 16] [--ef-construction 200]
/// [--pairs 0.95] [--pairs-sample 20000] [--skip-hnsw] [--float16] [--graph SAVED --graph-build-seconds S]`: SkyIndex on float32 `.npy` matrices (row-major,
/// as numpy writes them). Exact search (per-query latencies and a batch), then the HNSW index (build time, memory,
/// per-query latency and recall@k against exact for each ef), then pairs above a threshold over all rows through
/// the graph, and on the first `--pairs-sample` rows both exact and approximate (recall). Memory is the change in
/// resident memory from building an index, once the input vectors are released. Prints one JSON object.
enum IndexBench {
    static func run(_ arguments: [String]) throws {
        var options: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let key = arguments[index]
            if key == "--skip-hnsw" || key == "--float16" { options[key] = "1"; index += 1; continue }
            options[key] = index + 1 < arguments.count ? arguments[index + 1] : ""
            index += 2
        }
        guard let vectorPath = options["--vectors"], let queryPath = options["--queries"] else {
            throw BenchError("usage: skybench index --vectors V.npy --queries Q.npy [options]")
        }
        let k = Int(options["--k"] ?? "") ?? 10
        let efs = (options["--ef"] ?? "16,24,32,48,64,96,128").split(separator: ",").compactMap { Int($0) }
        let parameters = HNSWParameters(m: Int(options["--m"] ?? "") ?? 16,
                                        efConstruction: Int(options["--ef-construction"] ?? "") ?? 200)
        let (queries, queryCount, d) = try readNPY(queryPath)
        var report: [String: Any] = ["k": k, "queries": queryCount, "threads": ProcessInfo.processInfo.activeProcessorCount]

        // Exact.
        let precision: VectorPrecision = options["--float16"] != nil ? .float16 : .float32
        let baseline = residentBytes()
        var (vectors, n, dimension) = try readNPY(vectorPath)
        guard dimension == d else { throw BenchError("queries have dimension \(d), vectors \(dimension)") }
        let ids = (0..<n).map { Int64($0) }
        var start = BenchClock.now()
        var exact: ExactIndex? = try ExactIndex(dimension: d, ids: ids, vectors: vectors, precision: precision)
        let exactBuild = BenchClock.now() - start
        vectors = []
        let exactResident = residentBytes() - baseline
        var truth: [[Int]] = []
        var latencies: [Double] = []
        for q in 0..<queryCount {
            let query = Array(queries[q * d..<(q + 1) * d])
            start = BenchClock.now()
            let hits = try exact!.search(query, k: k)
            latencies.append(BenchClock.now() - start)
            truth.append(hits.map(\.row))
        }
        start = BenchClock.now()
        let batch = try exact!.search(queries: queries, k: k)
        let batchSeconds = BenchClock.now() - start
        let batchAgrees = zip(batch, truth).filter { Set($0.map(\.row)) == Set($1) }.count
        report["count"] = n
        report["dimension"] = d
        report["exact"] = ["precision": precision.rawValue, "build_s": exactBuild, "p50_ms": percentile(latencies, 50) * 1000,
                           "p99_ms": percentile(latencies, 99) * 1000, "batch_s": batchSeconds,
                           "batch_agrees": batchAgrees, "memory_bytes": exact!.memoryBytes,
                           "resident_bytes": exactResident] as [String: Any]
        exact = nil

        if options["--skip-hnsw"] == nil {
            var (vectors, _, _) = try readNPY(vectorPath)
            let before = residentBytes()
            start = BenchClock.now()
            var graph: ApproximateIndex
            var buildSeconds: Double, buildCPU: Double
            if let saved = options["--graph"] {
                // A graph `skycorpus index build` saved over these same vectors (stored as a corpus's embeddings):
                // loaded, not built; its build time is the command's, passed in.
                vectors = []
                graph = try ApproximateIndex(contentsOf: URL(fileURLWithPath: saved))
                guard graph.count == n, graph.dimension == d else {
                    throw BenchError("\(saved): \(graph.count) x \(graph.dimension), the vectors are \(n) x \(d)")
                }
                let (check, _, _) = try readNPY(vectorPath)
                // The corpus stores each vector divided by its norm again: equal to the file's within rounding.
                for row in [0, n / 2, n - 1] {
                    let difference = zip(try graph.vector(row: row), check[row * d..<(row + 1) * d]).map { abs($0 - $1) }.max() ?? 0
                    if difference > 1e-5 { throw BenchError("\(saved): row \(row) differs from \(vectorPath) by \(difference)") }
                }
                buildSeconds = Double(options["--graph-build-seconds"] ?? "") ?? -1
                buildCPU = Double(options["--graph-build-cpu-seconds"] ?? "") ?? -1
            } else {
                let cpuStart = cpuSeconds()
                graph = try ApproximateIndex(dimension: d, ids: ids, vectors: vectors, parameters: parameters)
                buildSeconds = BenchClock.now() - start
                buildCPU = cpuSeconds() - cpuStart
            }
            vectors = []
            let graphResident = residentBytes() - before + (before - baseline)
            var sweep: [[String: Any]] = []
            for ef in efs {
                var times: [Double] = []
                var found = 0
                for q in 0..<queryCount {
                    let query = Array(queries[q * d..<(q + 1) * d])
                    start = BenchClock.now()
                    let hits = try graph.search(query, k: k, ef: ef)
                    times.append(BenchClock.now() - start)
                    found += Set(hits.map(\.row)).intersection(truth[q]).count
                }
                sweep.append(["ef": ef, "p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000,
                              "recall": Double(found) / Double(queryCount * k)])
            }
            let built = graph.fingerprint.parameters
            report["hnsw"] = ["m": built.m, "ef_construction": built.efConstruction, "build_s": buildSeconds,
                              "build_cpu_s": buildCPU, "loaded": options["--graph"] != nil,
                              "memory_bytes": graph.memoryBytes, "resident_bytes": graphResident, "sweep": sweep] as [String: Any]
            if let threshold = Float(options["--pairs"] ?? "") {
                graph.efSearch = Int(options["--pairs-ef"] ?? "") ?? 32
                start = BenchClock.now()
                let pairs = try graph.pairs(minScore: threshold)
                report["pairs_all"] = ["threshold": threshold, "ef": graph.efSearch, "seconds": BenchClock.now() - start,
                                       "pairs": pairs.count] as [String: Any]
            }
        }
        if let threshold = Float(options["--pairs"] ?? "") {
            let sample = min(n, Int(options["--pairs-sample"] ?? "") ?? 20_000)
            let (all, _, _) = try readNPY(vectorPath)
            let vectors = Array(all.prefix(sample * d))
            let sampleIDs = Array(ids.prefix(sample))
            start = BenchClock.now()
            let exactPairs = try ExactIndex(dimension: d, ids: sampleIDs, vectors: vectors).pairs(minScore: threshold)
            let exactSeconds = BenchClock.now() - start
            var graph = try ApproximateIndex(dimension: d, ids: sampleIDs, vectors: vectors, parameters: parameters)
            graph.efSearch = Int(options["--pairs-ef"] ?? "") ?? 32
            start = BenchClock.now()
            let approximate = try graph.pairs(minScore: threshold)
            report["pairs_sample"] = ["rows": sample, "exact_s": exactSeconds, "exact_pairs": exactPairs.count,
                                      "approximate_s": BenchClock.now() - start, "approximate_pairs": approximate.count,
                                      "recall": SimilarPair.recall(approximate, of: exactPairs)] as [String: Any]
        }
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p / 100).rounded()))]
    }

    /// CPU seconds of this process so far, every thread.
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Resident bytes now (/proc/self/statm), 0 where unavailable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A 2-d little-endian float32 C-order `.npy` file: (values, rows, columns).
    static func readNPY(_ path: String) throws -> ([Float], Int, Int) {
        let file = try MappedNPY(path)
        return (file.rows(0..<file.rows), file.rows, file.columns)
    }

    /// A 2-d little-endian float32 C-order `.npy` file mapped, not read: rows are copied out on demand.
    struct MappedNPY {
        let data: Data, offset: Int, rows: Int, columns: Int

        init(_ path: String) throws {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            guard data.count > 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else { throw BenchError("\(path): not a .npy file") }
            let major = data[6]
            let headerLength = major == 1 ? Int(data[8]) | Int(data[9]) << 8
                : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
            let headerStart = major == 1 ? 10 : 12
            let header = String(decoding: data[headerStart..<headerStart + headerLength], as: UTF8.self)
            guard header.contains("'descr': '<f4'"), header.contains("'fortran_order': False"),
                  let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
                throw BenchError("\(path): need a C-order <f4 matrix, header \(header)")
            }
            let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard shape.count == 2 else { throw BenchError("\(path): need a 2-d matrix, shape \(shape)") }
            offset = headerStart + headerLength
            (rows, columns) = (shape[0], shape[1])
            guard data.count == offset + rows * columns * 4 else {
                throw BenchError("\(path): \(data.count) bytes, expected \(offset + rows * columns * 4)")
            }
        }

        /// The values of `range`'s rows, row-major.
        func rows(_ range: Range<Int>) -> [Float] {
            let count = range.count * columns, start = offset + range.lowerBound * columns * 4
            return data.withUnsafeBytes { raw in
                [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    memcpy(buffer.baseAddress!, raw.baseAddress! + start, count * 4)
                    initialized = count
                }
            }
        }
    }
}
