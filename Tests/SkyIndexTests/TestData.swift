import Foundation
@testable import SkyIndex

/// SplitMix64: a seeded, reproducible generator for the test data.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func gaussian() -> Float {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
    }
}

enum TestData {
    static func normalize(_ v: inout ArraySlice<Float>) {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in v.indices { v[i] /= norm }
    }

    /// `count` random unit vectors.
    static func unitVectors(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        var values = (0..<count * dimension).map { _ in random.gaussian() }
        for row in 0..<count { normalize(&values[row * dimension..<(row + 1) * dimension]) }
        return values
    }

    /// Unit vectors around `clusters` random unit centres (Gaussian spread `spread` per coordinate).
    static func clustered(count: Int, dimension: Int, clusters: Int, spread: Float, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        let centres = unitVectors(count: clusters, dimension: dimension, seed: seed &+ 1)
        var values = [Float](repeating: 0, count: count * dimension)
        for row in 0..<count {
            let c = Int.random(in: 0..<clusters, using: &random)
            for i in 0..<dimension { values[row * dimension + i] = centres[c * dimension + i] + spread * random.gaussian() }
            normalize(&values[row * dimension..<(row + 1) * dimension])
        }
        return values
    }

    /// Small integers (exactly representable, exact sums): many exactly tied scores.
    static func integerVectors(count: Int, dimension: Int, seed: UInt64, range: ClosedRange<Int> = -2...2) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count * dimension).map { _ in Float(Int.random(in: range, using: &random)) }
    }

    static func dot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = 0.0
                for i in 0..<a.count { sum += Double(a[i]) * Double(b[i]) }
                return sum
            }
        }
    }

    /// Every row's score against `query`, in double precision, sorted best first (ties by row).
    static func bruteForce(_ vectors: [Float], dimension: Int, query: ArraySlice<Float>,
                           allowed: (Int) -> Bool = { _ in true }) -> [(row: Int, score: Double)] {
        (0..<vectors.count / dimension).filter(allowed).map { row in
            (row, dot(vectors[row * dimension..<(row + 1) * dimension], query))
        }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
    }

    /// Whether `hits` is the brute-force top-k: scores within `tolerance`, rows equal wherever the brute-force
    /// scores are not within `tolerance` of a neighbour (a near-tie may swap under float rounding).
    static func matches(_ hits: [SearchHit], _ expected: [(row: Int, score: Double)], k: Int, tolerance: Double) -> Bool {
        guard hits.count == min(k, expected.count) else { return false }
        for (i, hit) in hits.enumerated() {
            guard abs(Double(hit.score) - expected[i].score) <= tolerance else { return false }
            let nearTie = (i > 0 && expected[i - 1].score - expected[i].score <= tolerance)
                || (i + 1 < expected.count && expected[i].score - expected[i + 1].score <= tolerance)
            if !nearTie && hit.row != expected[i].row { return false }
        }
        return true
    }
}
