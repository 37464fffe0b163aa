import Testing
@testable import SkyIndex

@Suite struct PairsTests {
    func bruteForcePairs(_ vectors: [Float], dimension d: Int, minScore: Double) -> (sure: Set<[Int]>, borderline: Set<[Int]>) {
        let n = vectors.count / d
        var sure = Set<[Int]>(), borderline = Set<[Int]>()
        for i in 0..<n {
            for j in (i + 1)..<n {
                let s = TestData.dot(vectors[i * d..<(i + 1) * d], vectors[j * d..<(j + 1) * d])
                if abs(s - minScore) <= 1e-5 { borderline.insert([i, j]) } else if s >= minScore { sure.insert([i, j]) }
            }
        }
        return (sure, borderline)
    }

    @Test(arguments: [VectorPrecision.float32, .float16])
    func exactPairsEqualBruteForce(precision: VectorPrecision) throws {
        let d = 24, n = 700
        let vectors = TestData.clustered(count: n, dimension: d, clusters: 30, spread: 0.1, seed: 30)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) }, vectors: vectors, precision: precision)
        let expected = bruteForcePairs(vectors, dimension: d, minScore: 0.8)
        for blockRows in [64, 1024] {
            let pairs = try index.pairs(minScore: 0.8, blockRows: blockRows)
            let found = Set(pairs.map { [$0.first, $0.second] })
            if precision == .float32 {
                #expect(found.subtracting(expected.borderline) == expected.sure, "blocks of \(blockRows)")
            } else {  // float16: scores within ~1e-3, so only pairs well clear of the threshold must agree
                let clear = bruteForcePairs(vectors, dimension: d, minScore: 0.803).sure
                #expect(clear.isSubset(of: found))
                #expect(found.isSubset(of: bruteForcePairs(vectors, dimension: d, minScore: 0.797).sure
                    .union(bruteForcePairs(vectors, dimension: d, minScore: 0.797).borderline)))
            }
            #expect(pairs.allSatisfy { $0.first < $0.second && $0.score >= 0.8 })
            #expect(pairs == pairs.sorted { ($0.first, $0.second) < ($1.first, $1.second) })
            #expect(expected.sure.count > 1000)
        }
    }

    @Test func approximatePairsRecallAgainstExact() throws {
        let d = 32, n = 3000
        let vectors = TestData.clustered(count: n, dimension: d, clusters: 60, spread: 0.06, seed: 31)
        let ids = (0..<n).map { Int64($0) }
        let exact = try ExactIndex(dimension: d, ids: ids, vectors: vectors).pairs(minScore: 0.92)
        let graph = try ApproximateIndex(dimension: d, ids: ids, vectors: vectors, parameters: HNSWParameters(efConstruction: 100))
        let approximate = try graph.pairs(minScore: 0.92, ef: 64)
        let recall = SimilarPair.recall(approximate, of: exact)
        #expect(exact.count > 5000)
        #expect(recall >= 0.95, "recall \(recall) of \(exact.count) pairs")
        let exactKeys = Set(exact.map { [$0.first, $0.second] })
        #expect(approximate.allSatisfy { exactKeys.contains([$0.first, $0.second]) || abs($0.score - 0.92) < 1e-5 })
    }

    @Test func exactPairsInvolvingRowsAreTheFullPairsTouchingThem() throws {
        let d = 16, n = 900
        let vectors = TestData.clustered(count: n, dimension: d, clusters: 40, spread: 0.1, seed: 32)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) + 1000 }, vectors: vectors)
        let all = try index.pairs(minScore: 0.8, blockRows: 64)
        for rows in [0..<100, 250..<700, 899..<900, 0..<n, 5..<5] {
            let sample = try index.pairs(involving: rows, minScore: 0.8, blockRows: 64)
            #expect(sample == all.filter { rows.contains($0.first) || rows.contains($0.second) }, "rows \(rows)")
        }
        #expect(all.count > 1000)
        #expect(throws: IndexError.self) { try index.pairs(involving: 800..<901, minScore: 0.8) }
    }

    @Test func approximatePairsDoNotDependOnTheThreadCount() throws {
        let d = 32, n = 2000
        let vectors = TestData.clustered(count: n, dimension: d, clusters: 50, spread: 0.06, seed: 33)
        let graph = try ApproximateIndex(dimension: d, ids: (0..<n).map { Int64($0) }, vectors: vectors,
                                         parameters: HNSWParameters(efConstruction: 64))
        let one = try graph.pairs(minScore: 0.92, ef: 32, threads: 1)
        #expect(one.count > 1000)
        for threads in [2, 3, 7] {
            let other = try graph.pairs(minScore: 0.92, ef: 32, threads: threads)
            #expect(other == one, "\(threads) threads")
        }
        #expect(throws: IndexError.self) { try graph.pairs(minScore: 0.92, threads: 0) }
    }
}
