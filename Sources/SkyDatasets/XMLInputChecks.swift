/// The checks ``XMLByteReader`` makes on the whole input before parsing: declared encoding, UTF-8, and the
/// characters XML 1.0 allows. After them every name and text slice decodes to a valid string.
extension XMLByteReader {
    /// The lower-cased `encoding` of an `<?xml ...?>` declaration at the start, if any.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        let end = bytes.indices.dropFirst(5).first { $0 + 1 < bytes.count && bytes[$0] == 0x3F && bytes[$0 + 1] == 0x3E }
        let declaration = String(decoding: bytes[..<(end ?? min(bytes.count, 200))], as: UTF8.self)
        guard let key = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote }).lowercased()
    }

    static func latin1ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte < 0x80 { result.append(byte) } else { result += [0xC0 | (byte >> 6), 0x80 | (byte & 0x3F)] }
        }
        return result
    }

    /// Whether a scalar may appear in an XML 1.0 document.
    static func isXMLCharacter(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    /// The first byte that is not well-formed UTF-8 or starts a character XML forbids, with the reason.
    static func firstInvalidCharacter(_ bytes: [UInt8]) -> (offset: Int, problem: String)? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead < 0x20 && lead != 0x9 && lead != 0xA && lead != 0xD {
                    return (index, "control character 0x\(hex(lead)) is not allowed in XML")
                }
                index += 1
                continue
            }
            let length: Int, minimum: UInt32
            switch lead {
            case 0xC2...0xDF: (length, minimum) = (2, 0x80)
            case 0xE0...0xEF: (length, minimum) = (3, 0x800)
            case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
            default: return (index, "byte 0x\(hex(lead)) is not UTF-8; expected a UTF-8 (or declared ISO-8859-1) file")
            }
            guard index + length <= bytes.count else {
                return (index, "a UTF-8 sequence is cut off by the end of the file")
            }
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else {
                    return (index, "byte 0x\(hex(lead)) followed by 0x\(hex(next)) is not UTF-8; expected a UTF-8 file")
                }
                value = value << 6 | UInt32(next & 0x3F)
            }
            guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else {
                return (index, "bytes at 0x\(hex(lead)) are not well-formed UTF-8 (overlong, surrogate or too large)")
            }
            guard isXMLCharacter(value) else {
                return (index, "character U+\(String(value, radix: 16, uppercase: true)) is not allowed in XML")
            }
            index += length
        }
        return nil
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
