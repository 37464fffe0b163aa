import CSkyIndex
import Foundation
import Testing
@testable import SkyIndex

@Suite struct ApproximateIndexTests {
    static let d = 32, n = 4000
    static let vectors = TestData.clustered(count: n, dimension: d, clusters: 40, spread: 0.08, seed: 20)
    static let ids = (0..<n).map { Int64($0) + 1000 }
    static let index = try! ApproximateIndex(dimension: d, ids: ids, vectors: vectors,
                                             parameters: HNSWParameters(m: 16, efConstruction: 100))
    static let queries = TestData.clustered(count: 100, dimension: d, clusters: 40, spread: 0.08, seed: 20 &+ 99)

    func recall(_ index: ApproximateIndex, k: Int = 10, ef: Int = 64, filter: RowFilter? = nil,
                allowed: (Int) -> Bool = { _ in true }) throws -> Double {
        let d = Self.d
        var found = 0, total = 0
        for q in 0..<100 {
            let query = Self.queries[q * d..<(q + 1) * d]
            let hits = try index.search(Array(query), k: k, ef: ef, filter: filter)
            let truth = TestData.bruteForce(Self.vectors, dimension: d, query: query, allowed: allowed).prefix(k)
            #expect(hits.count == k)
            found += Set(truth.map(\.row)).intersection(hits.map(\.row)).count
            total += truth.count
        }
        return Double(found) / Double(total)
    }

    /// The beam a graph starts with follows its size (ef 64 lost recall at 1M vectors).
    @Test func defaultBeamFollowsTheGraphSize() throws {
        #expect(ApproximateIndex.defaultEfSearch(count: 100_000) == ApproximateIndex.defaultEfSearch)
        #expect(ApproximateIndex.defaultEfSearch(count: ApproximateIndex.largeGraphCount - 1) == ApproximateIndex.defaultEfSearch)
        #expect(ApproximateIndex.defaultEfSearch(count: ApproximateIndex.largeGraphCount) == ApproximateIndex.largeGraphEfSearch)
        #expect(ApproximateIndex.largeGraphEfSearch > ApproximateIndex.defaultEfSearch)
        #expect(Self.index.efSearch == ApproximateIndex.defaultEfSearch)
    }

    @Test func recallAt10OnClusteredData() throws {
        let recall = try recall(Self.index, ef: 100)
        #expect(recall >= 0.95, "recall@10 \(recall)")
        // Small d: links weigh more than at 512-d, and hnswlib holds 65,536 update locks (2.5 MiB) at any size.
        #expect(Self.index.memoryBytes < Self.n * Self.d * 4 * 3 + 3 << 20)
    }

    @Test func scoresAreExactAndSorted() throws {
        let query = Array(Self.queries[0..<Self.d])
        let hits = try Self.index.search(query, k: 10)
        for hit in hits {
            let exact = TestData.dot(Self.vectors[hit.row * Self.d..<(hit.row + 1) * Self.d], query[...])
            #expect(abs(Double(hit.score) - exact) < 1e-5)
            #expect(hit.id == Self.ids[hit.row])
        }
        #expect(hits == hits.sorted(by: SearchHit.ranksBefore))
    }

    @Test func filtersReturnKPassingRows() throws {
        let n = Self.n
        let half = RowSet(rowCount: n, rows: stride(from: 0, to: n, by: 2))          // over-fetch from the graph
        let halfRecall = try recall(Self.index, filter: .rows(half), allowed: { $0 % 2 == 0 })
        #expect(halfRecall >= 0.9)
        let predicate = RowFilter.ids { $0 % 5 == 0 }                                 // ids are row + 1000
        let predicateRecall = try recall(Self.index, filter: predicate, allowed: { $0 % 5 == 0 })
        #expect(predicateRecall >= 0.9)
        let rare = RowSet(rowCount: n, rows: stride(from: 3, to: n, by: 97))         // selective: exact
        #expect(try recall(Self.index, filter: .rows(rare), allowed: { $0 % 97 == 3 }) == 1)
        let twelve = RowFilter.ids { $0 >= 1000 + 3988 }                              // rare predicate: grows to exact
        #expect(try recall(Self.index, k: 12, filter: twelve, allowed: { $0 >= 3988 }) == 1)
    }

    @Test func batchEqualsSingle() throws {
        let batch = try Self.index.search(queries: Array(Self.queries[0..<(20 * Self.d)]), k: 5, ef: 40)
        for q in 0..<20 {
            #expect(batch[q] == (try Self.index.search(Array(Self.queries[q * Self.d..<(q + 1) * Self.d]), k: 5, ef: 40)))
        }
    }

    @Test func saveLoadRoundTripAndStaleDetection() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skyindex-\(UUID().uuidString).idx")
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.index.save(to: url)
        let loaded = try ApproximateIndex(contentsOf: url, checkingAgainst: Self.ids, vectors: Self.vectors, dimension: Self.d)
        #expect(loaded.fingerprint == Self.index.fingerprint)
        #expect(loaded.fingerprint.parameters == HNSWParameters(m: 16, efConstruction: 100))
        #expect(loaded.ids == Self.ids)
        for q in 0..<10 {
            let query = Array(Self.queries[q * Self.d..<(q + 1) * Self.d])
            #expect(try loaded.search(query, k: 10) == Self.index.search(query, k: 10))
        }
        var changed = Self.vectors
        changed[5] += 0.001
        let error = #expect(throws: IndexError.self) {
            try ApproximateIndex(contentsOf: url, checkingAgainst: Self.ids, vectors: changed, dimension: Self.d)
        }
        guard case .stale(let path, let reason)? = error else { Issue.record("not stale: \(String(describing: error))"); return }
        #expect(path == url.path && reason.contains("embeddings changed"))
        var otherIDs = Self.ids
        otherIDs[0] = -1
        #expect(throws: IndexError.self) {
            try ApproximateIndex(contentsOf: url, checkingAgainst: otherIDs, vectors: Self.vectors, dimension: Self.d)
        }
        let shorter = #expect(throws: IndexError.self) {
            try Self.index.fingerprint.check(ids: Array(Self.ids.dropLast()), vectors: Array(Self.vectors.dropLast(Self.d)),
                                             dimension: Self.d)
        }
        if case .stale? = shorter {} else { Issue.record("not stale: \(String(describing: shorter))") }
    }

    func expectCorrupt(_ bytes: Data, _ why: String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skyindex-bad-\(UUID().uuidString).idx")
        defer { try? FileManager.default.removeItem(at: url) }
        try! bytes.write(to: url)
        do {
            _ = try ApproximateIndex(contentsOf: url)
            Issue.record("\(why): loaded without an error")
        } catch IndexError.corruptFile(let path, _) {
            #expect(path == url.path)
        } catch { Issue.record("\(why): \(error)") }
    }

    @Test func corruptedAndTruncatedFilesAreErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skyindex-\(UUID().uuidString).idx")
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.index.save(to: url)
        let good = try Data(contentsOf: url)
        expectCorrupt(Data(), "empty")
        expectCorrupt(Data("not an index at all, just some text that is long enough".utf8), "text")
        for cut in [16, 40, good.count / 2, good.count - 1] { expectCorrupt(good.prefix(cut), "truncated at \(cut)") }
        for offset in [3, 20, 50, good.count / 3, good.count - 2] {
            var bad = good
            bad[offset] ^= 0x5A
            expectCorrupt(bad, "byte \(offset) flipped")
        }
        // A damaged graph whose checksum was recomputed: the graph reader itself must refuse it.
        let jsonLength = Int(good[12]) | Int(good[13]) << 8
        let graphStart = 32 + jsonLength + Self.n * 8
        // hnswlib's header is 96 bytes: the element count at 16, then level 0 (neighbour count, neighbours, ...).
        for (offset, value) in [(graphStart + 16, UInt8(0xFF)), (graphStart + 96, 0xFF), (graphStart + 96 + 7, 0xFF),
                                (good.count - 3, 0x7F)] {
            var bad = good
            bad[offset] = value
            bad.withUnsafeMutableBytes { raw in
                let hash = skyidx_xxh64(raw.baseAddress! + 32, raw.count - 32, 0)
                raw.storeBytes(of: hash.littleEndian, toByteOffset: 24, as: UInt64.self)
            }
            expectCorrupt(bad, "graph byte \(offset) set, checksum recomputed")
        }
    }

    @Test func buildReportsProgressUpToTheCount() throws {
        let n = 1500, d = Self.d
        var reports: [(Int, Int)] = []
        let index = try ApproximateIndex(dimension: d, ids: Array(Self.ids.prefix(n)), vectors: Array(Self.vectors.prefix(n * d)),
                                         parameters: HNSWParameters(m: 8, efConstruction: 40), threads: 2,
                                         progress: { reports.append(($0, $1)) })
        #expect(index.count == n)
        #expect(reports.count >= 2, "a report every \(HNSWGraph.progressStride) rows of the first thread, and the end")
        #expect(reports.allSatisfy { $0.1 == n && $0.0 >= 1 && $0.0 <= n })
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 <= $1.0 })
        #expect(reports.last?.0 == n)
    }

    @Test func badInputIsATypedError() throws {
        #expect(throws: IndexError.dimensionMismatch(expected: 32, got: 31, context: "query")) {
            try Self.index.search([Float](repeating: 0.1, count: 31), k: 3)
        }
        #expect(throws: IndexError.kOutOfRange(k: Self.n + 1, count: Self.n)) {
            try Self.index.search([Float](repeating: 0.1, count: 32), k: Self.n + 1)
        }
        #expect(throws: IndexError.self) { try Self.index.search([Float](repeating: 0.1, count: 32), k: 3, ef: 0) }
        #expect(throws: IndexError.countMismatch(ids: 2, vectorCount: 5, dimension: 2)) {
            try ApproximateIndex(dimension: 2, ids: [1, 2], vectors: [1, 2, 3, 4, 5])
        }
        #expect(throws: IndexError.self) { try ApproximateIndex(dimension: 2, ids: [], vectors: []) }
        #expect(throws: IndexError.self) {
            try ApproximateIndex(dimension: 2, ids: [1], vectors: [1, 2], parameters: HNSWParameters(m: 1))
        }
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).idx")
        #expect(throws: IndexError.self) { try ApproximateIndex(contentsOf: missing) }
    }
}
