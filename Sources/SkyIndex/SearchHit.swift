/// One search result: the row's id, its row number in the index and its inner product with the query.
public struct SearchHit: Sendable, Hashable, CustomStringConvertible {
    public let id: Int64
    public let row: Int
    public let score: Float

    public init(id: Int64, row: Int, score: Float) {
        self.id = id
        self.row = row
        self.score = score
    }

    public var description: String { "\(id)@\(row):\(score)" }

    /// The order of every result list: higher score first, equal scores by lower row.
    public static func ranksBefore(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.score > b.score || (a.score == b.score && a.row < b.row)
    }
}

/// The best `k` (score, row) pairs seen so far, as a bounded min-heap whose root is the worst kept: O(log k) per
/// accepted candidate, one comparison per rejected one. Never sorts all scores.
struct TopK {
    let k: Int
    private(set) var scores: [Float] = []
    private(set) var rows: [Int] = []

    init(k: Int) {
        self.k = k
        scores.reserveCapacity(k)
        rows.reserveCapacity(k)
    }

    var isFull: Bool { scores.count == k }
    /// The score a candidate must at least reach to enter (ties then go by row).
    var threshold: Float { isFull ? scores[0] : -.infinity }

    @inline(__always)
    private func worse(_ i: Int, _ j: Int) -> Bool {  // is entry i ranked below entry j
        scores[i] < scores[j] || (scores[i] == scores[j] && rows[i] > rows[j])
    }

    /// Whether (score, row) would enter; cheap, to test before running a filter.
    @inline(__always)
    func accepts(_ score: Float, row: Int) -> Bool {
        if !isFull { return true }
        return score > scores[0] || (score == scores[0] && row < rows[0])
    }

    mutating func insert(_ score: Float, row: Int) {
        if !isFull {
            scores.append(score)
            rows.append(row)
            var child = scores.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard worse(child, parent) else { break }
                scores.swapAt(child, parent)
                rows.swapAt(child, parent)
                child = parent
            }
            return
        }
        guard accepts(score, row: row) else { return }
        scores[0] = score
        rows[0] = row
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < k && worse(left, smallest) { smallest = left }
            if right < k && worse(right, smallest) { smallest = right }
            if smallest == parent { break }
            scores.swapAt(parent, smallest)
            rows.swapAt(parent, smallest)
            parent = smallest
        }
    }

    mutating func merge(_ other: TopK) {
        for i in 0..<other.scores.count { insert(other.scores[i], row: other.rows[i]) }
    }

    /// The kept entries best first, with ids looked up by row.
    func hits(ids: [Int64]) -> [SearchHit] {
        (0..<scores.count).map { SearchHit(id: ids[rows[$0]], row: rows[$0], score: scores[$0]) }
            .sorted(by: SearchHit.ranksBefore)
    }
}
