/// A set of row numbers `0..<rowCount` as a bitset: the fast filter (one bit per row).
public struct RowSet: Sendable, Hashable {
    public let rowCount: Int
    private(set) var words: [UInt64]

    /// An empty set over `rowCount` rows.
    public init(rowCount: Int) {
        self.rowCount = rowCount
        words = Array(repeating: 0, count: (rowCount + 63) / 64)
    }

    /// The set holding `rows` (each in `0..<rowCount`; others are ignored).
    public init<S: Sequence>(rowCount: Int, rows: S) where S.Element == Int {
        self.init(rowCount: rowCount)
        for row in rows { insert(row) }
    }

    /// Adds `row` (ignored outside `0..<rowCount`).
    public mutating func insert(_ row: Int) {
        guard row >= 0 && row < rowCount else { return }
        words[row >> 6] |= 1 << UInt64(row & 63)
    }

    public mutating func remove(_ row: Int) {
        guard row >= 0 && row < rowCount else { return }
        words[row >> 6] &= ~(1 << UInt64(row & 63))
    }

    @inline(__always)
    public func contains(_ row: Int) -> Bool {
        row >= 0 && row < rowCount && words[row >> 6] & (1 << UInt64(row & 63)) != 0
    }

    /// How many rows are in the set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The rows in the set, ascending.
    public var rows: [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for (index, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                result.append(index * 64 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return result
    }
}

/// Which rows a search may return, applied inside the search so that a selective filter still yields k results
/// when k rows pass.
public struct RowFilter: Sendable {
    enum Kind: Sendable {
        case rows(RowSet)
        case ids(@Sendable (Int64) -> Bool)
    }

    let kind: Kind

    /// Only the rows in `set` (a bitset over the index's rows).
    public static func rows(_ set: RowSet) -> RowFilter { RowFilter(kind: .rows(set)) }

    /// Only the rows whose id satisfies `predicate` (called from several threads).
    public static func ids(_ predicate: @escaping @Sendable (Int64) -> Bool) -> RowFilter { RowFilter(kind: .ids(predicate)) }

    /// The rows of an index of `rowCount` rows with `ids` that pass, as a bitset.
    public func rowSet(ids: [Int64]) -> RowSet {
        switch kind {
        case .rows(let set): return set
        case .ids(let predicate): return RowSet(rowCount: ids.count, rows: ids.indices.filter { predicate(ids[$0]) })
        }
    }

    @inline(__always)
    func allows(row: Int, id: Int64) -> Bool {
        switch kind {
        case .rows(let set): return set.contains(row)
        case .ids(let predicate): return predicate(id)
        }
    }

    func validate(rowCount: Int) throws {
        if case .rows(let set) = kind, set.rowCount != rowCount {
            throw IndexError.filterSizeMismatch(filterRows: set.rowCount, indexRows: rowCount)
        }
    }
}
