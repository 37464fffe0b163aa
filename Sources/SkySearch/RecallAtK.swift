/// The standard retrieval evaluation: recall at k.
public enum RecallAtK {
    /// The fraction of queries whose ranked results hold a relevant item within the first `k`.
    ///
    /// `rankings[q]` lists result ids best first; `relevant[q]` holds the ids that count as hits.
    public static func recall(rankings: [[Int]], relevant: [Set<Int>], k: Int) -> Double {
        precondition(rankings.count == relevant.count, "one relevant set per query")
        guard !rankings.isEmpty else { return 0 }
        var hits = 0
        for (ranking, targets) in zip(rankings, relevant) where ranking.prefix(k).contains(where: targets.contains) {
            hits += 1
        }
        return Double(hits) / Double(rankings.count)
    }
}
