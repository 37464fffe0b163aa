import Foundation
import Testing
@testable import SkyIndex

/// The batch-at-a-time build: the same graph, ids and fingerprint as the build over the whole matrix, and every
/// misuse (too many or too few rows, a ragged batch) a typed error.
@Suite struct ApproximateIndexBuilderTests {
    static let d = 24, n = 1200
    static let vectors = TestData.clustered(count: n, dimension: d, clusters: 30, spread: 0.1, seed: 31)
    static let ids = (0..<n).map { Int64($0) * 3 + 7 }
    static let parameters = HNSWParameters(m: 8, efConstruction: 40)

    func saved(_ index: ApproximateIndex) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skyindex-\(UUID().uuidString).idx")
        defer { try? FileManager.default.removeItem(at: url) }
        try index.save(to: url)
        return try Data(contentsOf: url)
    }

    func batched(_ sizes: [Int], threads: Int, progress: ((Int, Int) -> Void)? = nil) throws -> ApproximateIndex {
        var builder = try ApproximateIndexBuilder(dimension: Self.d, ids: Self.ids, parameters: Self.parameters,
                                                  threads: threads, progress: progress)
        var row = 0
        for size in sizes {
            try builder.add(Array(Self.vectors[row * Self.d..<(row + size) * Self.d]))
            row += size
        }
        #expect(row == Self.n && builder.added == Self.n)
        return try builder.finish()
    }

    @Test func oneThreadBatchedBuildEqualsTheWholeMatrixBuildByteForByte() throws {
        let whole = try ApproximateIndex(dimension: Self.d, ids: Self.ids, vectors: Self.vectors,
                                         parameters: Self.parameters, threads: 1)
        var reports: [(Int, Int)] = []
        let streamed = try batched([1, 0, 2, 300, 97, 800], threads: 1, progress: { reports.append(($0, $1)) })
        #expect(streamed.ids == whole.ids)
        #expect(streamed.fingerprint == whole.fingerprint)
        #expect(try saved(streamed) == saved(whole))
        #expect(reports.last.map { $0 == (Self.n, Self.n) } == true)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 <= $1.0 && $1.1 == Self.n })
        // A different split into batches gives the same graph again.
        #expect(try saved(batched([Self.n - 1, 1], threads: 1)) == saved(whole))
    }

    @Test func twoThreadBatchedBuildHoldsTheSameRowsAndFindsThem() throws {
        let streamed = try batched([500, 500, 200], threads: 2)
        let whole = try ApproximateIndex(dimension: Self.d, ids: Self.ids, vectors: Self.vectors,
                                         parameters: Self.parameters, threads: 1)
        #expect(streamed.fingerprint == whole.fingerprint)
        for row in stride(from: 0, to: Self.n, by: 97) {
            let vector = Array(Self.vectors[row * Self.d..<(row + 1) * Self.d])
            #expect(try streamed.vector(row: row) == vector)
            #expect(try streamed.search(vector, k: 1, ef: 64).first?.id == Self.ids[row])
        }
    }

    @Test func missingExtraOrRaggedRowsAreTypedErrors() throws {
        var builder = try ApproximateIndexBuilder(dimension: Self.d, ids: Self.ids, parameters: Self.parameters, threads: 1)
        try builder.add(Array(Self.vectors.prefix(10 * Self.d)))
        #expect(throws: IndexError.countMismatch(ids: Self.n, vectorCount: 10 * Self.d, dimension: Self.d)) {
            try builder.finish()
        }
        #expect(throws: IndexError.self) { try builder.add([Float](repeating: 0.1, count: Self.d + 1)) }
        #expect(throws: IndexError.nonFinite(row: 0, context: "vectors to index (rows 10...)")) {
            try builder.add([Float.nan] + [Float](repeating: 0.1, count: Self.d - 1))
        }
        #expect(throws: IndexError.countMismatch(ids: Self.n, vectorCount: (Self.n + 1) * Self.d, dimension: Self.d)) {
            try builder.add(Array(Self.vectors.dropFirst(9 * Self.d)))
        }
        #expect(builder.added == 10)
        #expect(throws: IndexError.self) { try ApproximateIndexBuilder(dimension: Self.d, ids: []) }
        #expect(throws: IndexError.invalidDimension(0)) { try ApproximateIndexBuilder(dimension: 0, ids: [1]) }
    }
}
