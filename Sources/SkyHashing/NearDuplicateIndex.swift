import SkyConcurrency
import Dispatch
import Foundation

/// Two hashes within the threshold: indices into the hash list (`first < second`) and their distance.
public struct NearPair: Sendable, Hashable, Comparable {
    /// The smaller index.
    public var first: Int
    /// The larger index.
    public var second: Int
    /// The Hamming distance between the two hashes.
    public var distance: Int

    /// A pair of hash indices and their distance.
    public init(first: Int, second: Int, distance: Int) {
        self.first = first
        self.second = second
        self.distance = distance
    }

    public static func < (lhs: NearPair, rhs: NearPair) -> Bool {
        (lhs.first, lhs.second) < (rhs.first, rhs.second)
    }
}

/// Multi-index hashing over 64-bit hashes: every pair within a Hamming distance, exactly, without
/// comparing all pairs.
///
/// The hash is cut into four 16-bit blocks. If two hashes differ in at most `d` bits, at least one
/// block differs in at most `d / 4` bits (pigeonhole), so each hash only visits the buckets of its
/// own block values and of their neighbours within `d / 4` bits (1 bucket per block for d <= 3,
/// 17 for d <= 7, 137 for d <= 11). Candidates are confirmed on the full 64 bits, and a pair is
/// reported only from the first block that could have found it, so each pair comes out once.
/// Memory: four bucket tables of `count` 32-bit indices plus 65,537 offsets each.
public struct NearDuplicateIndex: Sendable {
    /// Blocks the hash is cut into.
    public static let blockCount = 4
    static let blockBits = 16
    static let bucketCount = 1 << blockBits

    /// The indexed hashes, in the caller's order.
    public let hashes: [UInt64]
    /// Per block: where each bucket starts in `members` (bucketCount + 1 entries).
    private let offsets: [[Int32]]
    /// Per block: hash indices grouped by block value, ascending within a bucket.
    private let members: [[Int32]]

    /// Indexes `hashes` (at most 2^31 - 1 of them).
    public init(_ hashes: [Hash64]) {
        self.init(bits: hashes.map(\.bits))
    }

    /// Indexes raw 64-bit hash values.
    public init(bits: [UInt64]) {
        hashes = bits
        var offsets: [[Int32]] = []
        var members: [[Int32]] = []
        for block in 0..<Self.blockCount {
            // Counting sort by block value: linear time, indices stay ascending within a bucket.
            var counts = [Int32](repeating: 0, count: Self.bucketCount + 1)
            for hash in bits { counts[Self.block(hash, block) + 1] += 1 }
            for bucket in 0..<Self.bucketCount { counts[bucket + 1] += counts[bucket] }
            var next = counts
            var order = [Int32](repeating: 0, count: bits.count)
            for (index, hash) in bits.enumerated() {
                let bucket = Self.block(hash, block)
                order[Int(next[bucket])] = Int32(index)
                next[bucket] += 1
            }
            offsets.append(counts)
            members.append(order)
        }
        self.offsets = offsets
        self.members = members
    }

    @inline(__always)
    static func block(_ hash: UInt64, _ block: Int) -> Int {
        Int(truncatingIfNeeded: (hash >> UInt64(block * blockBits)) & 0xFFFF)
    }

    /// Every pair of indexed hashes within `threshold` bits (0...64), sorted by (first, second).
    ///
    /// Work is split over `workers` threads (default: all cores).
    public func pairs(within threshold: Int, workers: Int = ProcessorCount.online) -> [NearPair] {
        let threshold = min(max(threshold, 0), 64)
        let radius = threshold / Self.blockCount
        let probes = Self.probeMasks(radius: radius)
        let count = hashes.count
        let chunkCount = max(1, min(workers * 8, count / 1024 + 1))
        let results = Locked([[NearPair]](repeating: [], count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let start = count * chunk / chunkCount, end = count * (chunk + 1) / chunkCount
            var found: [NearPair] = []
            for index in start..<end {
                collect(from: index, threshold: threshold, radius: radius, probes: probes, into: &found)
            }
            found.sort()
            results.withLock { $0[chunk] = found }
        }
        return Array(results.value.joined())
    }

    /// The pairs `(index, j)` with `j > index`, each found from its first qualifying block.
    private func collect(from index: Int, threshold: Int, radius: Int, probes: [Int], into found: inout [NearPair]) {
        let hash = hashes[index]
        for block in 0..<Self.blockCount {
            let value = Self.block(hash, block)
            let blockOffsets = offsets[block], blockMembers = members[block]
            for probe in probes {
                let bucket = value ^ probe
                var at = Int(blockOffsets[bucket])
                let end = Int(blockOffsets[bucket + 1])
                while at < end {
                    let other = Int(blockMembers[at])
                    at += 1
                    if other <= index { continue }
                    let otherHash = hashes[other]
                    let distance = (hash ^ otherHash).nonzeroBitCount
                    if distance > threshold { continue }
                    if foundInEarlierBlock(hash, otherHash, before: block, radius: radius) { continue }
                    found.append(NearPair(first: index, second: other, distance: distance))
                }
            }
        }
    }

    @inline(__always)
    private func foundInEarlierBlock(_ a: UInt64, _ b: UInt64, before block: Int, radius: Int) -> Bool {
        var earlier = 0
        while earlier < block {
            if (Self.block(a, earlier) ^ Self.block(b, earlier)).nonzeroBitCount <= radius { return true }
            earlier += 1
        }
        return false
    }

    /// All 16-bit masks with at most `radius` bits set, zero first.
    static func probeMasks(radius: Int) -> [Int] {
        (0..<bucketCount).filter { $0.nonzeroBitCount <= radius }
    }

    /// Every pair within `threshold` by comparing all pairs: the reference the index is tested against.
    public static func bruteForcePairs(_ hashes: [UInt64], within threshold: Int) -> [NearPair] {
        var pairs: [NearPair] = []
        for first in hashes.indices {
            for second in (first + 1)..<hashes.count {
                let distance = (hashes[first] ^ hashes[second]).nonzeroBitCount
                if distance <= threshold { pairs.append(NearPair(first: first, second: second, distance: distance)) }
            }
        }
        return pairs
    }
}

/// The number of processors, for sizing parallel work.
public enum ProcessorCount {
    /// Processors online (at least 1).
    public static var online: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return max(1, Int(sysconf(_SC_NPROCESSORS_ONLN)))
        #endif
    }
}
