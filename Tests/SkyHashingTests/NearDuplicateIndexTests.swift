@testable import SkyHashing
import Testing
import SkyTestSupport


/// Random hashes with planted near-duplicates at every distance 0...12, and low-entropy clusters
/// (hashes sharing three blocks), so every threshold has pairs to find and buckets are uneven.
func plantedHashes(count: Int, seed: UInt64) -> [UInt64] {
    var generator = SplitMix64(seed: seed)
    var hashes: [UInt64] = []
    while hashes.count < count {
        let base = generator.next()
        hashes.append(base)
        switch generator.next() % 4 {
        case 0:
            var copy = base
            for _ in 0..<Int(generator.next() % 13) { copy ^= 1 << (generator.next() % 64) }
            hashes.append(copy)
        case 1:
            hashes.append(base & 0xFFFF_FFFF_FFFF_0000 | generator.next() & 0xFFFF)
        default:
            break
        }
    }
    return Array(hashes.prefix(count))
}

@Suite("near-duplicate index")
struct NearDuplicateIndexTests {
    @Test("the index finds exactly the brute-force pairs at every threshold 0...10", arguments: Array(0...10))
    func matchesBruteForce(threshold: Int) {
        let hashes = plantedHashes(count: 3000, seed: 42 + UInt64(threshold))
        let expected = NearDuplicateIndex.bruteForcePairs(hashes, within: threshold)
        let found = NearDuplicateIndex(bits: hashes).pairs(within: threshold)
        #expect(!expected.isEmpty)
        #expect(found == expected)
    }

    @Test("single-threaded and parallel searches agree; exact duplicates are distance 0")
    func workersAgree() {
        var hashes = plantedHashes(count: 5000, seed: 7)
        hashes.append(hashes[10])
        let index = NearDuplicateIndex(bits: hashes)
        let one = index.pairs(within: 2, workers: 1)
        #expect(one == index.pairs(within: 2, workers: 4))
        #expect(one.contains(NearPair(first: 10, second: 5000, distance: 0)))
    }

    @Test("an empty or single-hash index has no pairs")
    func degenerate() {
        #expect(NearDuplicateIndex(bits: []).pairs(within: 5).isEmpty)
        #expect(NearDuplicateIndex(bits: [42]).pairs(within: 64).isEmpty)
    }

    @Test("groups are connected components, keeper first, in a deterministic order")
    func groups() {
        // 0-1 and 1-2 chain into one group; 3-4 another; 5 stays alone.
        let pairs = [NearPair(first: 0, second: 1, distance: 1), NearPair(first: 1, second: 2, distance: 2),
                     NearPair(first: 3, second: 4, distance: 0)]
        let names = ["b", "c", "a", "z", "y", "x"]
        let groups = DuplicateGroups.groups(count: 6, pairs: pairs) { names[$0] < names[$1] }
        #expect(groups == [[2, 0, 1], [4, 3]])
    }
}
