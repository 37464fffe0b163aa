/// A JSON value, for one small record at a time (a COCO annotation, a caption entry).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member of an object, if this is one and it has the key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The number, if this is one.
    public var double: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an integer, if this is an integral number.
    public var int: Int? {
        guard let value = double, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

/// A pull parser over JSON bytes that walks big arrays one element at a time, so a COCO file of a million
/// annotations is never turned into one huge tree: memory stays near the file's size.
///
/// A scanner reads through a buffer pointer (no reference counting per byte) and lives only inside
/// ``scan(_:file:_:)``, which keeps the bytes alive.
public struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The byte offset of the next unread byte.
    public private(set) var position = 0
    /// The file name for errors.
    public let file: String
    /// Arrays and objects open around the position.
    private var depth = 0
    /// The deepest nesting of arrays and objects read (parsing recurses, so a file of a million `[` must not
    /// overflow the stack; found by the `coco` and `captions` fuzz targets).
    public static let maximumDepth = 512

    private init(buffer: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = buffer
        self.file = file
    }

    /// Runs `body` with a scanner over `bytes`; `file` names them in errors. The scanner must not escape `body`.
    public static func scan<Result>(_ bytes: [UInt8], file: String,
                                    _ body: (inout JSONScanner) throws(DatasetError) -> Result) throws(DatasetError) -> Result {
        try bytes.withUnsafeBufferPointer { buffer throws(DatasetError) in
            var scanner = JSONScanner(buffer: buffer, file: file)
            return try body(&scanner)
        }
    }

    /// The 1-based line of a byte offset (computed only for error messages).
    func line(at offset: Int) -> Int {
        var line = 1
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A { line += 1 }
        return line
    }

    func error(_ expected: String) -> DatasetError {
        let found = position < bytes.count ? "'\(Character(Unicode.Scalar(bytes[position])))'" : "the end of the file"
        return DatasetError(.unreadableFile, file: file, location: "line \(line(at: position))",
                            "malformed JSON: expected \(expected), found \(found)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(DatasetError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw error(what) }
        position += 1
    }

    /// Whether the next value is an object (`{`), without consuming it.
    public mutating func peekIsObject() -> Bool {
        skipWhitespace()
        return position < bytes.count && bytes[position] == UInt8(ascii: "{")
    }

    /// Whether the next value is an array (`[`), without consuming it.
    public mutating func peekIsArray() -> Bool {
        skipWhitespace()
        return position < bytes.count && bytes[position] == UInt8(ascii: "[")
    }

    /// Counts one more open array or object; an error past ``maximumDepth``.
    private mutating func enter() throws(DatasetError) {
        guard depth < Self.maximumDepth else {
            position -= 1
            throw error("at most \(Self.maximumDepth) nested arrays and objects")
        }
        depth += 1
    }

    /// Walks an object's members: `body` gets each key and must consume its value.
    public mutating func forEachMember(_ body: (String, inout JSONScanner) throws(DatasetError) -> Void) throws(DatasetError) {
        try expect(UInt8(ascii: "{"), "an object '{'")
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            try body(key, &self)
            skipWhitespace()
            guard position < bytes.count else { throw error("',' or '}'") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return }
            throw error("',' or '}' in an object")
        }
    }

    /// Walks an array's elements: `body` gets the element index and must consume the element.
    public mutating func forEachElement(_ body: (Int, inout JSONScanner) throws(DatasetError) -> Void) throws(DatasetError) {
        try expect(UInt8(ascii: "["), "an array '['")
        try enter()
        defer { depth -= 1 }
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") { position += 1; return }
        var index = 0
        while true {
            try body(index, &self)
            index += 1
            skipWhitespace()
            guard position < bytes.count else { throw error("',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return }
            throw error("',' or ']' in an array")
        }
    }

    /// Parses an array of numbers without building a tree; nil (with the array consumed) when an element is
    /// not a number. `count` gets the number of elements either way.
    public mutating func parseNumbers(count: inout Int) throws(DatasetError) -> [Double]? {
        var values: [Double] = []
        var allNumbers = true
        count = 0
        try forEachElement { _, scanner throws(DatasetError) in
            count += 1
            scanner.skipWhitespace()
            let next = scanner.position < scanner.bytes.count ? scanner.bytes[scanner.position] : 0
            if next == UInt8(ascii: "-") || (next >= 0x30 && next <= 0x39) {
                values.append(try scanner.parseNumber())
            } else {
                allNumbers = false
                try scanner.skipValue()
            }
        }
        return allNumbers ? values : nil
    }

    /// Parses the next value into a tree.
    public mutating func parseValue() throws(DatasetError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw error("a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try forEachMember { key, scanner throws(DatasetError) in members[key] = try scanner.parseValue() }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try forEachElement { _, scanner throws(DatasetError) in elements.append(try scanner.parseValue()) }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true"); return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false"); return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null"); return .null
        default:
            return .number(try parseNumber())
        }
    }

    /// Skips the next value without building it.
    public mutating func skipValue() throws(DatasetError) {
        skipWhitespace()
        guard position < bytes.count else { throw error("a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try forEachMember { _, scanner throws(DatasetError) in try scanner.skipValue() }
        case UInt8(ascii: "["):
            try forEachElement { _, scanner throws(DatasetError) in try scanner.skipValue() }
        case UInt8(ascii: "\""):
            try skipString()
        default:
            _ = try parseValue()
        }
    }

    /// Skips a string without decoding it.
    mutating func skipString() throws(DatasetError) {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("a string") }
        position += 1
        while position < bytes.count && bytes[position] != UInt8(ascii: "\"") {
            if bytes[position] == UInt8(ascii: "\\") { position += 1 }
            position += 1
        }
        guard position < bytes.count else { throw error("the closing '\"' of a string") }
        position += 1
    }

    mutating func literal(_ word: StaticString) throws(DatasetError) {
        let count = word.utf8CodeUnitCount
        let matches = position + count <= bytes.count && word.withUTF8Buffer { buffer in
            (0..<count).allSatisfy { bytes[position + $0] == buffer[$0] }
        }
        guard matches else { throw error("'\(word)'") }
        position += count
    }

    mutating func parseNumber() throws(DatasetError) -> Double {
        let start = position
        var integral = true
        var value = 0
        var negative = false
        if position < bytes.count && bytes[position] == UInt8(ascii: "-") { negative = true; position += 1 }
        let digitsStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte >= 0x30 && byte <= 0x39 {
                if integral && position - digitsStart < 15 { value = value * 10 + Int(byte - 0x30) } else { integral = false }
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                        || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                integral = false
            } else {
                break
            }
            position += 1
        }
        guard position > digitsStart else { position = start; throw error("a value") }
        if integral { return Double(negative ? -value : value) }
        let end = position
        guard let parsed = DecimalParser.parse(bytes, start..<end) else {
            position = start
            throw error("a number")
        }
        return parsed
    }

    /// Parses a string, with its escapes.
    public mutating func parseString() throws(DatasetError) -> String {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("a string") }
        position += 1
        let start = position
        var hasEscapes = false
        while position < bytes.count && bytes[position] != UInt8(ascii: "\"") {
            if bytes[position] == UInt8(ascii: "\\") { hasEscapes = true; position += 1 }
            position += 1
        }
        guard position < bytes.count else { throw error("the closing '\"' of a string") }
        let end = position
        position += 1
        if !hasEscapes { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
        return try unescape(start..<end)
    }

    func unescape(_ range: Range<Int>) throws(DatasetError) -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8 = [] }
        }
        var index = range.lowerBound
        var pendingHigh: UInt32? = nil
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < range.upperBound else { utf8.append(byte); index += 1; continue }
            flush()
            let code = bytes[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                guard index + 4 <= range.upperBound,
                      let unit = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16) else {
                    throw DatasetError(.unreadableFile, file: file, location: "line \(line(at: index))",
                                       "malformed JSON: expected 4 hex digits after \\u")
                }
                index += 4
                if (0xD800..<0xDC00).contains(unit) { pendingHigh = unit; continue }
                if (0xDC00..<0xE000).contains(unit), let high = pendingHigh {
                    let combined = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                    scalars.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
                } else {
                    scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                }
            default: scalars.append(Unicode.Scalar(code))
            }
            pendingHigh = nil
        }
        flush()
        return String(scalars)
    }
}
