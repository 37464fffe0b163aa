/// A small deterministic random generator (SplitMix64), the same on every machine and Swift version.
///
/// B2C seeds one per image from the run's seed and the image's identity, so each image's captions
/// depend on nothing else: not on the order images are processed, nor on other images.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one item: `seed` mixed with the FNV-1a hash of `identity`'s UTF-8 bytes.
    public init(seed: UInt64, identity: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in identity.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = Self.mix(seed ^ Self.mix(hash))
    }

    public mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound` (`bound` > 0), by multiply-shift so it is the same everywhere.
    public mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let product = next().multipliedFullWidth(by: UInt64(bound))
        return Int(product.high)
    }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    /// The array in a random order (Fisher-Yates with ``below(_:)``).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var result = items
        var index = result.count - 1
        while index > 0 {
            result.swapAt(index, below(index + 1))
            index -= 1
        }
        return result
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
