/// A 64-bit perceptual hash, printed as imagehash prints it: 16 hex digits.
public struct Hash64: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The bits, first hash bit in the most significant position.
    public var bits: UInt64

    public init(bits: UInt64) { self.bits = bits }

    /// Parses 16 hex digits; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        bits = value
    }

    /// The number of differing bits.
    @inlinable
    public func distance(to other: Hash64) -> Int { (bits ^ other.bits).nonzeroBitCount }

    /// 16 lower-case hex digits.
    public var description: String {
        let digits = String(bits, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func < (lhs: Hash64, rhs: Hash64) -> Bool { lhs.bits < rhs.bits }
}
