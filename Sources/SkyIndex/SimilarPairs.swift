import CSkyBLAS

/// Two rows whose inner product reaches a threshold (cosine similarity for unit vectors), `first < second`.
public struct SimilarPair: Sendable, Hashable, CustomStringConvertible {
    public let first: Int
    public let second: Int
    public let firstID: Int64
    public let secondID: Int64
    public let score: Float

    public var description: String { "(\(firstID), \(secondID)): \(score)" }

    /// The fraction of `exact` pairs (by rows) that `found` holds; 1 when `exact` is empty.
    public static func recall(_ found: [SimilarPair], of exact: [SimilarPair]) -> Double {
        guard !exact.isEmpty else { return 1 }
        let keys = Set(found.map { Int64($0.first) << 32 | Int64($0.second) })
        return Double(exact.filter { keys.contains(Int64($0.first) << 32 | Int64($0.second)) }.count) / Double(exact.count)
    }
}

extension ExactIndex {
    /// Every pair of rows with inner product >= `minScore`, exactly, sorted by (first, second). Blocks of
    /// `blockRows` rows are multiplied against each other (`sgemm`), so memory stays at a few blocks per thread,
    /// never the n x n matrix; the work is n^2/2 dot products, which suits up to about 10^5 rows.
    public func pairs(minScore: Float, blockRows: Int = 1024) throws -> [SimilarPair] {
        try pairs(involving: 0..<count, minScore: minScore, blockRows: blockRows)
    }

    /// Every pair with inner product >= `minScore` that has at least one row in `rows`, exactly, sorted by (first,
    /// second): blocks of `rows` multiplied against blocks of all rows (`rows.count` x n dot products, for checking
    /// an approximate all-pairs result on a sample of rows of a large index).
    public func pairs(involving rows: Range<Int>, minScore: Float, blockRows: Int = 1024) throws -> [SimilarPair] {
        guard minScore.isFinite else { throw IndexError.invalidParameter("minScore must be finite, got \(minScore)") }
        guard blockRows >= 1 else { throw IndexError.invalidParameter("blockRows must be at least 1, got \(blockRows)") }
        guard rows.lowerBound >= 0 && rows.upperBound <= count else {
            throw IndexError.invalidParameter("rows \(rows) outside 0..<\(count)")
        }
        func block(_ range: Range<Int>, _ index: Int) -> Range<Int> {
            range.lowerBound + index * blockRows..<min(range.upperBound, range.lowerBound + (index + 1) * blockRows)
        }
        // (a, b) is kept when b is outside `rows` or b > a, so a pair inside `rows` is found once; pairs of blocks
        // where no b > a can be kept are skipped (all of j < i when `rows` is every row).
        var tasks: [(Range<Int>, Range<Int>)] = []
        for i in 0..<(rows.count + blockRows - 1) / blockRows {
            let a = block(rows, i)
            for j in 0..<(count + blockRows - 1) / blockRows {
                let b = block(0..<count, j)
                if b.lowerBound >= rows.lowerBound && b.upperBound <= rows.upperBound && b.upperBound <= a.lowerBound + 1 { continue }
                tasks.append((a, b))
            }
        }
        let threads = Parallel.threads(forWork: rows.count * count / 2 * dimension, limit: tasks.count)
        let d = dimension
        let parts = Parallel.map(parts: threads) { part -> [SimilarPair] in
            var found: [SimilarPair] = []
            var scratchA: [Float] = [], scratchB: [Float] = []
            var scores = [Float](repeating: 0, count: blockRows * blockRows)
            for task in stride(from: part, to: tasks.count, by: threads) {
                let (rowsA, rowsB) = tasks[task]
                self.rows.withFloat32Rows(rowsA, gather: nil, scratch: &scratchA) { a in
                    self.rows.withFloat32Rows(rowsB, gather: nil, scratch: &scratchB) { b in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rowsA.count), Int32(rowsB.count), Int32(d),
                                    1, a, Int32(d), b, Int32(d), 0, &scores, Int32(rowsB.count))
                    }
                }
                for i in 0..<rowsA.count {
                    let first = rowsA.lowerBound + i
                    for j in 0..<rowsB.count where scores[i * rowsB.count + j] >= minScore {
                        let second = rowsB.lowerBound + j
                        guard second > first || (second != first && !rows.contains(second)) else { continue }
                        let (low, high) = first < second ? (first, second) : (second, first)
                        found.append(SimilarPair(first: low, second: high, firstID: ids[low], secondID: ids[high],
                                                 score: scores[i * rowsB.count + j]))
                    }
                }
            }
            return found
        }
        return parts.flatMap { $0 }.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
    }
}

extension ApproximateIndex {
    /// Pairs of rows with inner product >= `minScore` through the graph, sorted by (first, second): each row asks
    /// for its `initialK` nearest neighbours, doubling k while the k-th is still above the threshold, so dense
    /// clusters of near-duplicates are followed to their end. Approximate: compare with `ExactIndex.pairs` on a
    /// sample (`SimilarPair.recall`). The rows are split over `threads` threads (default: every core); each row's
    /// search depends only on the graph, so the result is the same for any thread count.
    public func pairs(minScore: Float, ef: Int? = nil, initialK: Int = 16, threads: Int? = nil) throws -> [SimilarPair] {
        guard minScore.isFinite else { throw IndexError.invalidParameter("minScore must be finite, got \(minScore)") }
        guard initialK >= 1 else { throw IndexError.invalidParameter("initialK must be at least 1, got \(initialK)") }
        if let threads, threads < 1 { throw IndexError.invalidParameter("threads must be at least 1, got \(threads)") }
        let ef = ef ?? efSearch
        let threads = max(1, min(threads ?? Parallel.cores, count))
        let parts = Parallel.map(parts: threads) { part -> Result<[SimilarPair], Error> in
            Result {
                var found: [SimilarPair] = []
                for row in stride(from: part, to: count, by: threads) {
                    let query = try graph.vector(row: row)
                    var k = min(initialK + 1, count)  // + 1: the row finds itself
                    var result = try query.withUnsafeBufferPointer { try graph.search($0.baseAddress!, k: k, ef: max(ef, k)) }
                    while k < count, result.rows.count == k, let last = result.scores.last, last >= minScore {
                        k = min(count, k * 2)
                        result = try query.withUnsafeBufferPointer { try graph.search($0.baseAddress!, k: k, ef: max(ef, k)) }
                    }
                    for (other, score) in zip(result.rows, result.scores) where other != row && score >= minScore {
                        let (first, second) = row < other ? (row, other) : (other, row)
                        found.append(SimilarPair(first: first, second: second, firstID: ids[first], secondID: ids[second],
                                                 score: score))
                    }
                }
                return found
            }
        }
        var all: [SimilarPair] = []
        for part in parts { all += try part.get() }
        all.sort { ($0.first, $0.second, $1.score) < ($1.first, $1.second, $0.score) }
        var unique: [SimilarPair] = []
        unique.reserveCapacity(all.count)
        for pair in all where unique.last.map({ $0.first != pair.first || $0.second != pair.second }) ?? true {
            unique.append(pair)
        }
        return unique
    }
}
