import CSkyIndex
import SkyConcurrency

/// Owns one hnswlib graph through CSkyIndex's C API and frees it with the last reference. Internal: the public face is
/// `ApproximateIndex`, a value type sharing an immutable graph.
final class HNSWGraph: Sendable {
    /// The C handle. Mutated only while building, before the graph is shared; afterwards only read, and hnswlib's
    /// search is safe from several threads (per-call ef, per-thread visited lists from a locked pool).
    nonisolated(unsafe) let handle: OpaquePointer
    let dimension: Int

    private init(handle: OpaquePointer, dimension: Int) {
        self.handle = handle
        self.dimension = dimension
    }

    deinit { skyidx_hnsw_free(handle) }

    /// Calls a C function that reports failure by a non-zero status and a message in a buffer.
    static func check(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        if status != 0 { throw IndexError.hnsw(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
    }

    static func make(_ body: (UnsafeMutablePointer<CChar>, Int) -> OpaquePointer?, dimension: Int,
                     error: (String) -> IndexError) throws -> HNSWGraph {
        var message = [CChar](repeating: 0, count: 512)
        let handle = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard let handle else {
            throw error(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return HNSWGraph(handle: handle, dimension: dimension)
    }

    /// An empty graph with room for `capacity` rows.
    static func create(capacity: Int, dimension: Int, parameters: HNSWParameters) throws -> HNSWGraph {
        try make({ skyidx_hnsw_create(dimension, capacity, parameters.m, parameters.efConstruction, parameters.seed, $0, $1) },
                 dimension: dimension, error: IndexError.hnsw)
    }

    /// Inserts rows `rows` (labels = row numbers; `vectors` points at the first of them) from `threads` threads
    /// (hnswlib's `addPoint` is safe to call concurrently): row 0, the entry point, first and alone, then thread `t`
    /// takes every `threads`-th row from the `t`-th on. With one thread the rows go in in order, so the graph is
    /// a function of the rows alone, however they are split into calls. `progress(done, total)` is called from the
    /// first thread every `progressStride` rows it inserts, `done` counting from `before` (rows inserted earlier).
    func insert(_ vectors: UnsafePointer<Float>, rows: Range<Int>, threads: Int, before: Int, total: Int,
                progress: ((Int, Int) -> Void)?) throws {
        var first = rows.lowerBound, vectors = vectors
        if first == 0 && !rows.isEmpty {
            try HNSWGraph.check { skyidx_hnsw_add(handle, vectors, 0, $0, $1) }
            first = 1
            vectors += dimension
        }
        let remaining = rows.upperBound - first, dimension = dimension
        guard remaining > 0 else { return }
        let threads = max(1, min(threads, remaining))
        let inserted = Locked(before + first - rows.lowerBound)
        let failures = Parallel.map(parts: threads) { part -> IndexError? in
            var offset = part, pending = 0
            while offset < remaining {
                do {
                    try HNSWGraph.check { skyidx_hnsw_add(handle, vectors + offset * dimension, first + offset, $0, $1) }
                } catch {
                    return error as? IndexError
                }
                offset += threads
                pending += 1
                if pending == HNSWGraph.progressStride {
                    let done = inserted.withLock { $0 += pending; return $0 }
                    pending = 0
                    if part == 0 { progress?(done, total) }
                }
            }
            return nil
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
    }

    /// Rows a build thread inserts between progress reports.
    static let progressStride = 256

    var count: Int { skyidx_hnsw_count(handle) }
    var memoryBytes: Int { skyidx_hnsw_memory_bytes(handle) }

    /// Up to `k` (row, score) best first from the graph with beam `ef`.
    func search(_ query: UnsafePointer<Float>, k: Int, ef: Int) throws -> (rows: [Int], scores: [Float]) {
        var labels = [UInt64](repeating: 0, count: k)
        var scores = [Float](repeating: 0, count: k)
        var found = 0
        try HNSWGraph.check { message, size in
            labels.withUnsafeMutableBufferPointer { l in
                scores.withUnsafeMutableBufferPointer { s in
                    skyidx_hnsw_search(handle, query, k, ef, l.baseAddress, s.baseAddress, &found, message, size)
                }
            }
        }
        return (labels.prefix(found).map { Int($0) }, Array(scores.prefix(found)))
    }

    /// Inner products of `query` with the stored vectors of `rows`.
    func scores(_ query: UnsafePointer<Float>, rows: [Int]) throws -> [Float] {
        let labels = rows.map { UInt64($0) }
        var scores = [Float](repeating: 0, count: rows.count)
        try HNSWGraph.check { message, size in
            scores.withUnsafeMutableBufferPointer { skyidx_hnsw_scores(handle, query, labels, labels.count, $0.baseAddress, message, size) }
        }
        return scores
    }

    /// The stored vector of `row`.
    func vector(row: Int) throws -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        try HNSWGraph.check { message, size in
            vector.withUnsafeMutableBufferPointer { skyidx_hnsw_vector(handle, UInt64(row), $0.baseAddress, message, size) }
        }
        return vector
    }
}
