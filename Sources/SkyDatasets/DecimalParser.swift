/// Parses decimal numbers straight from file bytes, with the same result as `Double(String)`.
///
/// The fast path is Clinger's: a mantissa of at most 2^53 and at most 22 fraction digits are both exact in a
/// `Double`, so one division by an exact power of ten rounds correctly. Anything else (exponents, long
/// mantissas, `nan`) goes through `Double(String)`.
public enum DecimalParser {
    /// 10^0 ... 10^22, each exact in a `Double`.
    static let powersOfTen: [Double] = {
        var powers: [Double] = [1]
        for _ in 1...22 { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// The number in `bytes[range]`, or nil when it is not one.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        let end = range.upperBound
        guard index < end else { return nil }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDot = false
        while index < end {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                guard digits < 19 else { return slow(bytes, range) }
                mantissa = mantissa * 10 + UInt64(byte - 0x30)
                digits += 1
                if sawDot { fractionDigits += 1 }
            } else if byte == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                return slow(bytes, range)
            }
            index += 1
        }
        guard digits > 0 else { return slow(bytes, range) }
        guard mantissa <= 1 << 53, fractionDigits <= 22 else { return slow(bytes, range) }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    static func slow(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }
}
