import CSkyIndex

/// HNSW build parameters (hnswlib's names): `m` links per node (2m at level 0), `efConstruction` the build beam,
/// `seed` the level generator's seed. The defaults reach recall@10 >= 0.95 on 512-d CLIP-like data with ef 64-128.
public struct HNSWParameters: Sendable, Hashable, Codable {
    public var m: Int
    public var efConstruction: Int
    public var seed: Int

    public init(m: Int = 16, efConstruction: Int = 200, seed: Int = 100) {
        self.m = m
        self.efConstruction = efConstruction
        self.seed = seed
    }
}

/// Approximate top-k by inner product: an HNSW graph (hnswlib) over the rows, with an `Int64` id per row.
///
/// Built once from row-major vectors, searched from any number of threads, saved to and loaded from one file whose
/// header records what it was built from (`fingerprint`). The graph keeps the vectors (float32) and the links, about
/// 1.1x the raw vectors for m = 16; nothing else is copied.
public struct ApproximateIndex: Sendable {
    let graph: HNSWGraph
    /// The id of each row.
    public let ids: [Int64]
    /// Dimension, count, metric, build parameters and content hash of the (ids, vectors) it was built from.
    public let fingerprint: IndexFingerprint
    /// The default search beam (at least k is used): ``defaultEfSearch(count:)`` of the graph's size unless set.
    public var efSearch: Int
    /// The search beam a new or loaded graph of fewer than ``largeGraphCount`` vectors starts with.
    public static let defaultEfSearch = 64
    /// The beam of larger graphs. Larger graphs need a larger beam for the same recall: measured on clustered
    /// 512-d vectors (m 16, efConstruction 200; `Benchmarks/index_results.md`), ef 64 gives recall@10 0.99 at
    /// 100,000 vectors but 0.90 at 1,000,000, where ef 128 gives 0.97.
    public static let largeGraphEfSearch = 128
    /// From this many vectors a graph starts with ``largeGraphEfSearch``.
    public static let largeGraphCount = 500_000

    /// The beam a graph of `count` vectors starts with.
    public static func defaultEfSearch(count: Int) -> Int {
        count >= largeGraphCount ? largeGraphEfSearch : defaultEfSearch
    }
    /// Search beams one may ask for.
    public static let efSearchRange = 1...4096

    init(graph: HNSWGraph, ids: [Int64], fingerprint: IndexFingerprint) {
        self.graph = graph
        self.ids = ids
        self.fingerprint = fingerprint
        efSearch = Self.defaultEfSearch(count: ids.count)
    }

    /// Builds the graph over `vectors` (row-major, `ids.count` rows of `dimension` finite values) on `threads`
    /// threads (default: every core). `progress(inserted, total)` is called now and then from a build thread.
    /// (`ApproximateIndexBuilder` builds the same graph from rows that arrive in batches.)
    public init(dimension: Int, ids: [Int64], vectors: [Float], parameters: HNSWParameters = HNSWParameters(),
                threads: Int? = nil, progress: ((Int, Int) -> Void)? = nil) throws {
        guard dimension >= 1 else { throw IndexError.invalidDimension(dimension) }
        guard vectors.count == ids.count * dimension else {
            throw IndexError.countMismatch(ids: ids.count, vectorCount: vectors.count, dimension: dimension)
        }
        var builder = try ApproximateIndexBuilder(dimension: dimension, ids: ids, parameters: parameters,
                                                  threads: threads, progress: progress)
        try builder.add(vectors)
        self = try builder.finish()
    }

    public var dimension: Int { fingerprint.dimension }

    /// This index with `source` recorded as its fingerprint's `sourceStamp` (saved with it).
    public func stamped(source: String?) -> ApproximateIndex {
        var fingerprint = fingerprint
        fingerprint.sourceStamp = source
        var index = ApproximateIndex(graph: graph, ids: ids, fingerprint: fingerprint)
        index.efSearch = efSearch
        return index
    }
    public var count: Int { ids.count }
    /// Bytes the graph holds (vectors, links, labels, locks, label table) plus the ids.
    public var memoryBytes: Int { graph.memoryBytes + ids.count * MemoryLayout<Int64>.size }

    /// The stored vector of `row`.
    public func vector(row: Int) throws -> [Float] {
        guard row >= 0 && row < count else { throw IndexError.invalidParameter("row \(row) outside 0..<\(count)") }
        return try graph.vector(row: row)
    }

    /// About the `k` rows with the highest inner product with `query`, best first (equal scores by row), scores
    /// exact. `ef` is the beam (default `efSearch`; larger: better recall, slower). With a filter, only rows it
    /// allows: the graph is asked for more results, growing, until k pass; a selective filter (or one that still
    /// misses after a wide search) is answered exactly over the rows that pass. Fewer than k only when fewer pass.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: RowFilter? = nil) throws -> [SearchHit] {
        guard query.count == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, got: query.count, context: "query")
        }
        _ = try validateRows(query, dimension: dimension, context: "query")
        guard k >= 1 && k <= count else { throw IndexError.kOutOfRange(k: k, count: count) }
        let ef = ef ?? efSearch
        guard ef >= 1 else { throw IndexError.invalidParameter("ef must be at least 1, got \(ef)") }
        try filter?.validate(rowCount: count)
        return try query.withUnsafeBufferPointer { try search($0.baseAddress!, k: k, ef: ef, filter: filter) }
    }

    /// `search` for each row of `queries` (row-major), spread over the cores, in query order.
    public func search(queries: [Float], k: Int, ef: Int? = nil, filter: RowFilter? = nil) throws -> [[SearchHit]] {
        let queryCount = try validateRows(queries, dimension: dimension, context: "queries")
        guard k >= 1 && k <= count else { throw IndexError.kOutOfRange(k: k, count: count) }
        let ef = ef ?? efSearch
        guard ef >= 1 else { throw IndexError.invalidParameter("ef must be at least 1, got \(ef)") }
        try filter?.validate(rowCount: count)
        let threads = min(Parallel.cores, queryCount)
        let parts: [Result<[(Int, [SearchHit])], Error>] = queries.withUnsafeBufferPointer { all in
            Parallel.map(parts: threads) { part in
                Result {
                    try stride(from: part, to: queryCount, by: threads).map { q in
                        (q, try search(all.baseAddress! + q * dimension, k: k, ef: ef, filter: filter))
                    }
                }
            }
        }
        var results = [[SearchHit]](repeating: [], count: queryCount)
        for part in parts {
            for (q, hits) in try part.get() { results[q] = hits }
        }
        return results
    }

    func search(_ query: UnsafePointer<Float>, k: Int, ef: Int, filter: RowFilter?) throws -> [SearchHit] {
        guard let filter else { return try graphHits(query, k: k, ef: ef) }
        var passing: Int? = nil
        if case .rows(let set) = filter.kind { passing = set.count }
        if let passing, passing <= max(2048, count / 50) {
            return try exact(query, k: k, rows: filter.rowSet(ids: ids).rows)
        }
        // Over-fetch by the expected pass rate (unknown for a predicate: start at 2k) and grow until k pass.
        var fetch = min(count, passing.map { k * count / max($0, 1) * 3 / 2 + 8 } ?? 2 * k)
        while fetch <= max(count / 10, k) {
            let hits = try graphHits(query, k: fetch, ef: max(ef, fetch))
            let passed = hits.filter { filter.allows(row: $0.row, id: $0.id) }
            if passed.count >= k || hits.count == count { return Array(passed.prefix(k)) }
            if fetch == count { break }
            fetch = min(count, fetch * 2)
        }
        return try exact(query, k: k, rows: filter.rowSet(ids: ids).rows)
    }

    private func graphHits(_ query: UnsafePointer<Float>, k: Int, ef: Int) throws -> [SearchHit] {
        let found = try graph.search(query, k: k, ef: ef)
        return zip(found.rows, found.scores).map { SearchHit(id: ids[$0], row: $0, score: $1) }
            .sorted(by: SearchHit.ranksBefore)
    }

    /// Exact top-k over the given rows, with the graph's stored vectors.
    private func exact(_ query: UnsafePointer<Float>, k: Int, rows: [Int]) throws -> [SearchHit] {
        let scores = try graph.scores(query, rows: rows)
        var heap = TopK(k: k)
        for (row, score) in zip(rows, scores) { heap.insert(score, row: row) }
        return heap.hits(ids: ids)
    }
}
