/// Disjoint sets over `0..<count` with union by size and path halving.
public struct UnionFind: Sendable {
    private var parent: [Int32]
    private var size: [Int32]

    /// `count` singletons.
    public init(count: Int) {
        parent = (0..<count).map { Int32($0) }
        size = [Int32](repeating: 1, count: count)
    }

    /// The representative of `element`'s set.
    public mutating func find(_ element: Int) -> Int {
        var node = element
        while Int(parent[node]) != node {
            let grandparent = parent[Int(parent[node])]
            parent[node] = grandparent
            node = Int(grandparent)
        }
        return node
    }

    /// Merges the sets of `a` and `b`.
    public mutating func union(_ a: Int, _ b: Int) {
        var rootA = find(a), rootB = find(b)
        if rootA == rootB { return }
        if size[rootA] < size[rootB] { swap(&rootA, &rootB) }
        parent[rootB] = Int32(rootA)
        size[rootA] += size[rootB]
    }
}

/// Duplicate groups: the connected components of the near-duplicate pairs.
public enum DuplicateGroups {
    /// Components with at least two members, each sorted so that its first member is the one to keep.
    ///
    /// `keepsBefore(a, b)` must be a strict total order (for example protected split, then dataset
    /// priority, then path); the groups come out ordered by their keeper, so the result is deterministic.
    public static func groups(count: Int, pairs: [NearPair], keepsBefore: (Int, Int) -> Bool) -> [[Int]] {
        var sets = UnionFind(count: count)
        for pair in pairs { sets.union(pair.first, pair.second) }
        var members: [Int: [Int]] = [:]
        for pair in pairs {
            for element in [pair.first, pair.second] {
                members[sets.find(element), default: []].append(element)
            }
        }
        var groups = members.values.map { group in
            Array(Set(group)).sorted(by: keepsBefore)
        }
        groups.sort { keepsBefore($0[0], $1[0]) }
        return groups
    }
}
