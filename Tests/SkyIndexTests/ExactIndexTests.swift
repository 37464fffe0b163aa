import Testing
@testable import SkyIndex

@Suite struct ExactIndexTests {
    @Test func topKEqualsBruteForceOnRandomData() throws {
        let d = 32, n = 3000
        let vectors = TestData.unitVectors(count: n, dimension: d, seed: 1)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) * 10 }, vectors: vectors)
        let queries = TestData.unitVectors(count: 20, dimension: d, seed: 2)
        for q in 0..<20 {
            let query = queries[q * d..<(q + 1) * d]
            let hits = try index.search(Array(query), k: 10)
            let expected = TestData.bruteForce(vectors, dimension: d, query: query)
            #expect(TestData.matches(hits, expected, k: 10, tolerance: 1e-5), "query \(q): \(hits)")
            #expect(hits.allSatisfy { $0.id == Int64($0.row) * 10 })
        }
    }

    @Test func tiesGoToTheLowerRowExactly() throws {
        let d = 8, n = 500
        let vectors = TestData.integerVectors(count: n, dimension: d, seed: 3, range: -1...1)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) }, vectors: vectors)
        for q in 0..<10 {
            let query = Array(vectors[q * d..<(q + 1) * d])
            let hits = try index.search(query, k: 25)
            let expected = TestData.bruteForce(vectors, dimension: d, query: query[...]).prefix(25)
            #expect(hits.map(\.row) == expected.map(\.row))
            #expect(hits.map { Double($0.score) } == expected.map(\.score))
        }
    }

    /// Large enough to be split over threads (and blocks): ties across the parts still merge deterministically.
    @Test func threadedScanEqualsBruteForceWithTies() throws {
        let d = 256, n = 40_000
        let vectors = TestData.integerVectors(count: n, dimension: d, seed: 4, range: -1...1)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) }, vectors: vectors)
        let queries = TestData.integerVectors(count: 3, dimension: d, seed: 5, range: 0...1)
        let batch = try index.search(queries: queries, k: 50)
        for q in 0..<3 {
            let query = queries[q * d..<(q + 1) * d]
            let expected = TestData.bruteForce(vectors, dimension: d, query: query).prefix(50)
            let single = try index.search(Array(query), k: 50)
            #expect(single.map(\.row) == expected.map(\.row))
            #expect(batch[q] == single)
        }
    }

    @Test func batchEqualsSingle() throws {
        let d = 16, n = 5000
        let vectors = TestData.integerVectors(count: n, dimension: d, seed: 6)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) + 7 }, vectors: vectors)
        let queries = TestData.integerVectors(count: 300, dimension: d, seed: 7)  // more than one query block
        let filter = RowFilter.ids { $0 % 3 != 0 }
        for filter in [nil, filter] {
            let batch = try index.search(queries: queries, k: 7, filter: filter)
            #expect(batch.count == 300)
            for q in stride(from: 0, to: 300, by: 13) {
                #expect(batch[q] == (try index.search(Array(queries[q * d..<(q + 1) * d]), k: 7, filter: filter)))
            }
        }
    }

    @Test func float16WithinTolerance() throws {
        let d = 64, n = 4000
        let vectors = TestData.unitVectors(count: n, dimension: d, seed: 8)
        let ids = (0..<n).map { Int64($0) }
        let full = try ExactIndex(dimension: d, ids: ids, vectors: vectors)
        let half = try ExactIndex(dimension: d, ids: ids, vectors: vectors, precision: .float16)
        #expect(half.memoryBytes - n * 8 == (full.memoryBytes - n * 8) / 2)
        let queries = TestData.unitVectors(count: 20, dimension: d, seed: 9)
        var overlap = 0
        for q in 0..<20 {
            let query = Array(queries[q * d..<(q + 1) * d])
            let a = try full.search(query, k: 10), b = try half.search(query, k: 10)
            for hit in b {
                let exact = TestData.dot(vectors[hit.row * d..<(hit.row + 1) * d], query[...])
                #expect(abs(Double(hit.score) - exact) < 2e-3)
            }
            #expect(b.last!.score >= a.last!.score - 4e-3)
            overlap += Set(a.map(\.row)).intersection(b.map(\.row)).count
        }
        #expect(overlap >= 190)
        for row in [0, 17, n - 1] {
            let stored = half.vector(row: row)
            #expect(zip(stored, vectors[row * d..<(row + 1) * d]).allSatisfy { abs($0 - $1) <= 1e-3 })
        }
    }

    @Test func selectiveFiltersStillReturnK() throws {
        let d = 16, n = 20_000
        let vectors = TestData.unitVectors(count: n, dimension: d, seed: 10)
        let index = try ExactIndex(dimension: d, ids: (0..<n).map { Int64($0) }, vectors: vectors)
        let query = TestData.unitVectors(count: 1, dimension: d, seed: 11)
        for stride in [2, 100, 1500] {  // 50 %, 1 % (gathered), 14 rows
            let set = RowSet(rowCount: n, rows: Swift.stride(from: 0, to: n, by: stride))
            for filter in [RowFilter.rows(set), RowFilter.ids { $0 % Int64(stride) == 0 }] {
                let hits = try index.search(query, k: 10, filter: filter)
                let expected = TestData.bruteForce(vectors, dimension: d, query: query[...]) { $0 % stride == 0 }
                #expect(hits.count == min(10, set.count))
                #expect(hits.allSatisfy { $0.row % stride == 0 })
                #expect(TestData.matches(hits, expected, k: 10, tolerance: 1e-5))
            }
        }
        let one = try index.search(query, k: 10, filter: .rows(RowSet(rowCount: n, rows: [4321])))
        #expect(one.map(\.row) == [4321])
    }

    @Test func badInputIsATypedError() throws {
        var index = try ExactIndex(dimension: 4)
        #expect(throws: IndexError.invalidDimension(0)) { try ExactIndex(dimension: 0) }
        #expect(throws: IndexError.countMismatch(ids: 2, vectorCount: 7, dimension: 4)) {
            try index.add(ids: [1, 2], vectors: [Float](repeating: 0, count: 7))
        }
        #expect(throws: IndexError.nonFinite(row: 1, context: "vectors added")) {
            try index.add(ids: [1, 2], vectors: [0, 0, 0, 0, 0, .nan, 0, 0])
        }
        try index.add(ids: [1, 2, 3], vectors: (0..<12).map { Float($0) })
        #expect(throws: IndexError.dimensionMismatch(expected: 4, got: 3, context: "query")) {
            try index.search([1, 2, 3], k: 1)
        }
        #expect(throws: IndexError.kOutOfRange(k: 0, count: 3)) { try index.search([1, 2, 3, 4], k: 0) }
        #expect(throws: IndexError.kOutOfRange(k: 4, count: 3)) { try index.search([1, 2, 3, 4], k: 4) }
        #expect(throws: IndexError.filterSizeMismatch(filterRows: 10, indexRows: 3)) {
            try index.search([1, 2, 3, 4], k: 1, filter: .rows(RowSet(rowCount: 10)))
        }
        #expect(throws: IndexError.nonFinite(row: 0, context: "queries")) { try index.search([1, .infinity, 3, 4], k: 1) }
    }
}
