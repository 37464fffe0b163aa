import CSkyBLAS

/// Exact top-k by inner product over vectors held in memory as one contiguous row-major matrix (float32, or float16
/// at half the memory), with an `Int64` id per row.
///
/// One query is an `sgemv` per block of rows, a batch an `sgemm` per block of queries and rows, so memory beyond the
/// vectors stays bounded (a few MiB per thread); large scans are split over the cores. Top-k keeps a bounded heap per
/// query. Results are best first, equal scores by lower row, so the same input always gives the same list.
public struct ExactIndex: Sendable {
    /// Values per vector.
    public let dimension: Int
    /// How the vectors are stored.
    public var precision: VectorPrecision { rows.precision }
    /// The id of each row, in insertion order.
    public private(set) var ids: [Int64] = []
    var rows: VectorRows

    /// Rows per block of a single-query scan and of a batch scan; queries per block of a batch.
    static let singleBlockRows = 8192, batchBlockRows = 2048, queryBlock = 256

    /// An empty index for vectors of `dimension` values.
    public init(dimension: Int, precision: VectorPrecision = .float32) throws {
        guard dimension >= 1 else { throw IndexError.invalidDimension(dimension) }
        self.dimension = dimension
        rows = VectorRows(dimension: dimension, precision: precision)
    }

    /// An index over `vectors` (row-major, `ids.count` rows of `dimension` values).
    public init(dimension: Int, ids: [Int64], vectors: [Float], precision: VectorPrecision = .float32) throws {
        try self.init(dimension: dimension, precision: precision)
        try add(ids: ids, vectors: vectors)
    }

    /// Number of rows.
    public var count: Int { ids.count }

    /// Bytes held: the vectors and the ids.
    public var memoryBytes: Int { rows.bytes + ids.count * MemoryLayout<Int64>.size }

    /// Appends rows: `vectors` is row-major with `ids.count` rows of `dimension` finite values.
    public mutating func add(ids newIDs: [Int64], vectors: [Float]) throws {
        guard vectors.count == newIDs.count * dimension else {
            throw IndexError.countMismatch(ids: newIDs.count, vectorCount: vectors.count, dimension: dimension)
        }
        _ = try validateRows(vectors, dimension: dimension, context: "vectors added")
        rows.reserve(rows: count + newIDs.count)
        rows.append(vectors)
        ids.append(contentsOf: newIDs)
    }

    /// The stored vector of `row` as float32 (rounded through float16 if stored so).
    public func vector(row: Int) -> [Float] { rows.row(row) }

    /// The `k` rows with the highest inner product with `query`, best first; with a filter, only rows it allows
    /// (fewer than `k` only when fewer pass).
    public func search(_ query: [Float], k: Int, filter: RowFilter? = nil) throws -> [SearchHit] {
        guard query.count == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, got: query.count, context: "query")
        }
        return try search(queries: query, k: k, filter: filter)[0]
    }

    /// `search` for each row of `queries` (row-major, `dimension` values per query), in query order.
    public func search(queries: [Float], k: Int, filter: RowFilter? = nil) throws -> [[SearchHit]] {
        let queryCount = try validateRows(queries, dimension: dimension, context: "queries")
        guard k >= 1 && k <= count else { throw IndexError.kOutOfRange(k: k, count: count) }
        try filter?.validate(rowCount: count)
        let heaps = queries.withUnsafeBufferPointer { scan($0.baseAddress!, queryCount: queryCount, k: k, filter: filter) }
        return heaps.map { $0.hits(ids: ids) }
    }

    /// The scan behind every search: blocks of rows (all, or only those of a selective row set), split over threads,
    /// one heap per query per thread, merged at the end.
    func scan(_ queries: UnsafePointer<Float>, queryCount: Int, k: Int, filter: RowFilter?) -> [TopK] {
        var candidates: [Int]? = nil
        if let filter, case .rows(let set) = filter.kind, set.count * 4 < count {
            candidates = set.rows  // selective: read only the rows that pass
        }
        let filter = candidates == nil ? filter : nil
        let total = candidates?.count ?? count
        let blockRows = queryCount == 1 ? Self.singleBlockRows : Self.batchBlockRows
        let threads = Parallel.threads(forWork: total * dimension * queryCount, limit: (total + 1023) / 1024)
        let parts = Parallel.map(parts: threads) { part in
            scanPart(queries, queryCount: queryCount, k: k, positions: total * part / threads..<total * (part + 1) / threads,
                     candidates: candidates, filter: filter, blockRows: blockRows)
        }
        var heaps = parts[0]
        for part in parts.dropFirst() {
            for q in 0..<queryCount { heaps[q].merge(part[q]) }
        }
        return heaps
    }

    private func scanPart(_ queries: UnsafePointer<Float>, queryCount: Int, k: Int, positions: Range<Int>,
                          candidates: [Int]?, filter: RowFilter?, blockRows: Int) -> [TopK] {
        let d = dimension
        var heaps = [TopK](repeating: TopK(k: k), count: queryCount)
        var scratch: [Float] = []
        var scores = [Float](repeating: 0, count: min(queryCount, Self.queryBlock) * blockRows)
        for queryStart in stride(from: 0, to: queryCount, by: Self.queryBlock) {
            let qb = min(Self.queryBlock, queryCount - queryStart)
            for start in stride(from: positions.lowerBound, to: positions.upperBound, by: blockRows) {
                let end = min(start + blockRows, positions.upperBound), b = end - start
                let gathered = candidates?[start..<end]
                scores.withUnsafeMutableBufferPointer { out in
                    rows.withFloat32Rows(start..<end, gather: gathered, scratch: &scratch) { block in
                        if qb == 1 {
                            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(b), Int32(d), 1, block, Int32(d),
                                        queries + queryStart * d, 1, 0, out.baseAddress, 1)
                        } else {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(qb), Int32(b), Int32(d), 1,
                                        queries + queryStart * d, Int32(d), block, Int32(d), 0, out.baseAddress, Int32(b))
                        }
                    }
                    for q in 0..<qb {
                        collect(UnsafeBufferPointer(rebasing: out[q * b..<(q + 1) * b]), firstRow: start,
                                gathered: gathered, filter: filter, into: &heaps[queryStart + q])
                    }
                }
            }
        }
        return heaps
    }

    @inline(__always)
    private func collect(_ scores: UnsafeBufferPointer<Float>, firstRow: Int, gathered: ArraySlice<Int>?,
                         filter: RowFilter?, into heap: inout TopK) {
        var threshold = heap.threshold
        for j in 0..<scores.count {
            let score = scores[j]
            if score < threshold { continue }
            let row = gathered.map { $0[$0.startIndex + j] } ?? firstRow + j
            guard heap.accepts(score, row: row) else { continue }
            if let filter, !filter.allows(row: row, id: ids[row]) { continue }
            heap.insert(score, row: row)
            threshold = heap.threshold
        }
    }
}
