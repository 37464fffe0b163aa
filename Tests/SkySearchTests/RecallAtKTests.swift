import SkySearch
import Testing

/// Recall at k counts queries with a relevant item among the first k results.
@Suite struct RecallAtKTests {
    @Test func countsHitsWithinK() {
        let rankings = [[3, 1, 2], [0, 2, 1], [2, 0, 1], [1, 0, 2]]
        let relevant: [Set<Int>] = [[1], [1], [2], [7]]
        #expect(RecallAtK.recall(rankings: rankings, relevant: relevant, k: 1) == 0.25)
        #expect(RecallAtK.recall(rankings: rankings, relevant: relevant, k: 2) == 0.5)
        #expect(RecallAtK.recall(rankings: rankings, relevant: relevant, k: 3) == 0.75)
        #expect(RecallAtK.recall(rankings: [], relevant: [], k: 5) == 0)
    }
}
