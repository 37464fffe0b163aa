import Foundation

/// ftfy's mojibake repair (`fix_encoding`, ftfy 6.3.1), which open_clip's text cleaning runs through
/// `ftfy.fix_text`: text that ftfy's badness expression finds suspicious ("Ã©", "â€™") is encoded with the first
/// of ftfy's single-byte codecs that can hold it and decoded as UTF-8, after restoring spaces that were once byte
/// A0 and marking bytes lost to U+FFFD; failing that, runs of UTF-8-looking characters are repaired on their own,
/// and C1 controls read as windows-1252. Repeated until nothing changes.
///
/// The expressions and codec tables are ftfy's own, exported by Scripts/ftfy_mojibake_tables.py. Not ported:
/// ftfy's "utf-8-variants" decoder beyond CESU-8 surrogate pairs and the C0 80 null (any other malformed
/// UTF-8 leaves the text as it is, as a failed decode does in ftfy).
struct Mojibake: Sendable {
    struct Tables: Decodable {
        struct Codec: Decodable {
            var name: String
            /// What bytes 0x80...0xFF, then 0x1A, decode to.
            var chars: [UInt32]
        }
        var badness: String
        var alteredUTF8: String
        var aGraveWord: String
        var lossyUTF8: String
        var utf8Detector: String
        var encodings: [Codec]
    }

    /// One single-byte codec: character -> byte for the characters outside plain ASCII.
    struct Codec: Sendable {
        var name: String
        var bytes: [UInt32: UInt8]
        /// Whether the ASCII control 0x1A is its own character (not in the sloppy codecs, where it stands for U+FFFD).
        var keepsSubstitute: Bool

        /// The text's bytes, or nil when a character is not in this codec (ftfy's `possible_encoding`).
        func encode(_ text: String) -> [UInt8]? {
            var result: [UInt8] = []
            result.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars {
                let value = scalar.value
                if value < 0x80 && (value != 0x1A || keepsSubstitute) {
                    result.append(UInt8(value))
                } else if let byte = bytes[value] {
                    result.append(byte)
                } else {
                    return nil
                }
            }
            return result
        }
    }

    private let badness: NSRegularExpression
    private let alteredUTF8: NSRegularExpression
    private let aGraveWord: NSRegularExpression
    private let lossyUTF8: NSRegularExpression
    private let utf8Detector: NSRegularExpression
    private let codecs: [Codec]

    init(tables: Tables) throws {
        badness = try NSRegularExpression(pattern: tables.badness)
        alteredUTF8 = try NSRegularExpression(pattern: tables.alteredUTF8)
        aGraveWord = try NSRegularExpression(pattern: tables.aGraveWord)
        lossyUTF8 = try NSRegularExpression(pattern: tables.lossyUTF8)
        utf8Detector = try NSRegularExpression(pattern: tables.utf8Detector)
        codecs = tables.encodings.map { codec in
            var bytes: [UInt32: UInt8] = [:]
            for (index, value) in codec.chars.enumerated() {
                let byte = index < 128 ? UInt8(0x80 + index) : 0x1A
                if value >= 0x80 || byte == 0x1A { bytes[value] = byte }
            }
            return Codec(name: codec.name, bytes: bytes, keepsSubstitute: codec.chars.last == 0x1A)
        }
    }

    /// ftfy's `is_bad`: the badness expression matches somewhere.
    func isBad(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..., in: text)
        return badness.firstMatch(in: text, range: range) != nil
    }

    /// ftfy's `fix_encoding`: one repair step after another until the text stops changing.
    func fixEncoding(_ text: String, c1: (String) -> String) -> String {
        var current = text
        while true {
            let next = oneStep(current, c1: c1)
            if next == current { return current }
            current = next
        }
    }

    /// `_fix_encoding_one_step_and_explain`; `c1` is ftfy's `fix_c1_controls`.
    private func oneStep(_ text: String, c1: (String) -> String) -> String {
        if text.isEmpty || text.unicodeScalars.allSatisfy({ $0.value < 0x80 }) || !isBad(text) { return text }
        for codec in codecs {
            guard var bytes = codec.encode(text) else { continue }
            if codec.name != "macroman" && matches(alteredUTF8, in: bytes) { bytes = restoreByteA0(bytes) }
            if codec.name.hasPrefix("sloppy") {
                bytes = Self.bytes(replacing(lossyUTF8, in: Self.latin1(bytes)) { _ in "\u{EF}\u{BF}\u{BD}" })
            }
            let variants = bytes.contains(0xED) || bytes.contains(0xC0)
            if let fixed = Self.decodeUTF8(bytes, variants: variants) { return fixed }
        }
        if utf8Detector.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
            let fixed = replacing(utf8Detector, in: text) { part in
                part.unicodeScalars.count < text.unicodeScalars.count && isBad(part) ? fixEncoding(part, c1: c1) : part
            }
            if fixed != text { return fixed }
        }
        // ftfy's latin-1 -> windows-1252 step and its fix_c1_controls give the same text: C1 controls as
        // windows-1252 (the undefined five stay, where the strict codec fails and the sloppy one keeps them).
        if text.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) { return c1(text) }
        return text
    }

    /// `restore_byte_a0`: "Ã " before a word becomes "à ", then spaces inside would-be UTF-8 become A0.
    private func restoreByteA0(_ bytes: [UInt8]) -> [UInt8] {
        var text = replacing(aGraveWord, in: Self.latin1(bytes)) { _ in "\u{C3}\u{A0} " }
        text = replacing(alteredUTF8, in: text) { $0.replacingOccurrences(of: " ", with: "\u{A0}") }
        return Self.bytes(text)
    }

    private func matches(_ expression: NSRegularExpression, in bytes: [UInt8]) -> Bool {
        let text = Self.latin1(bytes)
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Every match of `expression` in `text` replaced by `transform` of it.
    private func replacing(_ expression: NSRegularExpression, in text: String,
                           _ transform: (String) -> String) -> String {
        let source = text as NSString
        var result = ""
        var last = 0
        for match in expression.matches(in: text, range: NSRange(location: 0, length: source.length)) {
            result += source.substring(with: NSRange(location: last, length: match.range.location - last))
            result += transform(source.substring(with: match.range))
            last = match.range.location + match.range.length
        }
        return result + source.substring(from: last)
    }

    static func latin1(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    static func bytes(_ latin1: String) -> [UInt8] {
        latin1.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }

    /// Strict UTF-8, or with `variants` ftfy's "utf-8-variants" extras: C0 80 as U+0000 and CESU-8 surrogate pairs.
    static func decodeUTF8(_ bytes: [UInt8], variants: Bool) -> String? {
        var input = bytes
        if variants {
            var output: [UInt8] = []
            var index = 0
            while index < input.count {
                if input[index] == 0xC0, index + 1 < input.count, input[index + 1] == 0x80 {
                    output.append(0)
                    index += 2
                } else if index + 5 < input.count, input[index] == 0xED, (0xA0...0xAF).contains(input[index + 1]),
                          (0x80...0xBF).contains(input[index + 2]), input[index + 3] == 0xED,
                          (0xB0...0xBF).contains(input[index + 4]), (0x80...0xBF).contains(input[index + 5]) {
                    let high = 0xD000 | (UInt32(input[index + 1] & 0x3F) << 6) | UInt32(input[index + 2] & 0x3F)
                    let low = 0xD000 | (UInt32(input[index + 4] & 0x3F) << 6) | UInt32(input[index + 5] & 0x3F)
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    output += [UInt8(0xF0 | (code >> 18)), UInt8(0x80 | ((code >> 12) & 0x3F)),
                               UInt8(0x80 | ((code >> 6) & 0x3F)), UInt8(0x80 | (code & 0x3F))]
                    index += 6
                } else {
                    output.append(input[index])
                    index += 1
                }
            }
            input = output
        }
        return String(validating: input, as: UTF8.self)
    }
}
