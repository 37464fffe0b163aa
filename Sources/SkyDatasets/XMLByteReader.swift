import Foundation

/// The XML reader behind ``XMLElementNode/parse(_:file:)``: a byte-level, non-recursive parser that validates
/// its input itself, so no byte sequence can crash it (Foundation's `XMLParser` traps on a non-UTF-8 byte in a
/// name). Errors name the file, line and column (1-based; the column counts bytes).
struct XMLByteReader {
    private let bytes: [UInt8]
    private let file: String
    /// The offset where each line starts (a line ends at LF, CR LF or a lone CR).
    private let lineStarts: [Int]
    private var position = 0

    /// Decodes and checks `bytes` (BOM, declared encoding, UTF-8, XML's allowed characters).
    init(bytes input: [UInt8], file: String) throws(DatasetError) {
        self.file = file
        var bytes = input
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE])
            || bytes.starts(with: [0x00, 0x3C]) || bytes.starts(with: [0x3C, 0x00]) {
            throw DatasetError(.unreadableFile, file: file, location: "line 1, column 1",
                               "not well-formed XML: UTF-16 is not supported; convert the file to UTF-8")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let encoding = Self.declaredEncoding(bytes)
        switch encoding {
        case nil, "utf-8", "utf8", "us-ascii", "ascii":
            break
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
            bytes = Self.latin1ToUTF8(bytes)
        case let other?:
            throw DatasetError(.unreadableFile, file: file, location: "line 1, column 1",
                               "not well-formed XML: encoding '\(other)' is not supported; expected UTF-8 or ISO-8859-1")
        }
        self.bytes = bytes
        var starts = [0]
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A || (bytes[index] == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A)) {
                starts.append(index + 1)
            }
            index += 1
        }
        self.lineStarts = starts
        if let bad = Self.firstInvalidCharacter(bytes) {
            position = bad.offset
            throw error(bad.problem)
        }
    }

    // MARK: Errors

    /// The 1-based line and byte column of an offset.
    func place(_ offset: Int) -> (line: Int, column: Int) {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }

    func error(_ problem: String, at offset: Int? = nil) -> DatasetError {
        let (line, column) = place(offset ?? position)
        return DatasetError(.unreadableFile, file: file, location: "line \(line), column \(column)",
                            "not well-formed XML: \(problem)")
    }

    /// What is at the current position, for messages.
    var found: String {
        guard position < bytes.count else { return "the end of the file" }
        var end = position + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        return text == "\n" || text == "\r" ? "a line break" : "'\(text)'"
    }

    // MARK: Scanning

    func at(_ pattern: String) -> Bool {
        var index = position
        for byte in pattern.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// Moves past the next `terminator`; an error naming `what`, which opened at `start`, when there is none.
    mutating func skip(past terminator: String, _ what: String, openedAt start: Int) throws(DatasetError) {
        while position < bytes.count {
            if at(terminator) {
                position += terminator.utf8.count
                return
            }
            position += 1
        }
        throw error("\(what) is not closed by '\(terminator)'", at: start)
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = position
        while position < bytes.count && Self.isSpace(bytes[position]) { position += 1 }
        return position > start
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte == 0x3A || byte >= 0x80
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
    }

    /// A name (of an element, attribute or processing instruction); the input is valid UTF-8 by now.
    mutating func name(_ what: String) throws(DatasetError) -> String {
        guard position < bytes.count, Self.isNameStart(bytes[position]) else {
            throw error("expected \(what), found \(found)")
        }
        let start = position
        while position < bytes.count && Self.isNameByte(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// An entity or character reference at `&`, appended to `text` as UTF-8.
    mutating func reference(into text: inout [UInt8]) throws(DatasetError) {
        let start = position
        position += 1
        var value: UInt32
        if at("#") {
            position += 1
            let radix: UInt32 = at("x") ? 16 : 10
            if radix == 16 { position += 1 }
            value = 0
            var digits = 0
            while position < bytes.count, let digit = Self.digit(bytes[position], radix: radix) {
                value = digits < 8 ? value * radix + digit : 0x110000
                digits += 1
                position += 1
            }
            guard digits > 0, at(";") else { throw error("expected a character reference '&#N;' or '&#xH;'", at: start) }
            position += 1
            guard Self.isXMLCharacter(value), let scalar = Unicode.Scalar(value) else {
                throw error("character reference to \(value > 0x10FFFF ? "a too large value" : "U+\(String(value, radix: 16, uppercase: true))") is not an XML character", at: start)
            }
            text += Array(String(Character(scalar)).utf8)
            return
        }
        let entity = try name("an entity name after '&'")
        guard at(";") else { throw error("expected ';' after '&\(entity)'", at: start) }
        position += 1
        switch entity {
        case "lt": text.append(0x3C)
        case "gt": text.append(0x3E)
        case "amp": text.append(0x26)
        case "apos": text.append(0x27)
        case "quot": text.append(0x22)
        default: throw error("unknown entity '&\(entity);'; expected &lt; &gt; &amp; &apos; &quot; or a character reference", at: start)
        }
    }

    static func digit(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x61...0x66 where radix == 16: return UInt32(byte - 0x61 + 10)
        case 0x41...0x46 where radix == 16: return UInt32(byte - 0x41 + 10)
        default: return nil
        }
    }

    // MARK: Structure

    /// Comments, processing instructions, white space and (before the root) one DOCTYPE.
    mutating func skipMisc(allowDoctype: Bool) throws(DatasetError) {
        while true {
            skipSpace()
            if at("<!--") {
                let start = position
                position += 4
                try skip(past: "-->", "a comment", openedAt: start)
            } else if at("<?") {
                let start = position
                position += 2
                _ = try name("a processing-instruction target after '<?'")
                try skip(past: "?>", "a processing instruction", openedAt: start)
            } else if allowDoctype && at("<!DOCTYPE") {
                try skipDoctype()
            } else {
                return
            }
        }
    }

    /// Skips `<!DOCTYPE ...>` with its quoted strings, comments and `[...]` internal subset.
    mutating func skipDoctype() throws(DatasetError) {
        let start = position
        position += 9
        var bracket = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x22 || byte == 0x27 {
                let quote = byte
                position += 1
                while position < bytes.count && bytes[position] != quote { position += 1 }
            } else if at("<!--") {
                let comment = position
                position += 4
                try skip(past: "-->", "a comment", openedAt: comment)
                continue
            } else if byte == 0x5B {
                bracket = true
            } else if byte == 0x5D {
                bracket = false
            } else if byte == 0x3E && !bracket {
                position += 1
                return
            }
            position += 1
        }
        throw error("the DOCTYPE is not closed by '>'", at: start)
    }

    /// A start tag at `<`: the new element, and whether it closed itself (`/>`).
    mutating func startTag() throws(DatasetError) -> (node: XMLElementNode, empty: Bool) {
        let start = position
        position += 1
        let node = XMLElementNode(name: try name("an element name after '<'"), line: place(start).line)
        while true {
            let spaced = skipSpace()
            if at("/>") {
                position += 2
                return (node, true)
            }
            if at(">") {
                position += 1
                return (node, false)
            }
            guard spaced else { throw error("expected white space, '>' or '/>' in <\(node.name)>, found \(found)") }
            let attributeStart = position
            let key = try name("an attribute name or the end of <\(node.name)>")
            skipSpace()
            guard at("=") else { throw error("expected '=' after attribute '\(key)', found \(found)") }
            position += 1
            skipSpace()
            guard position < bytes.count, bytes[position] == 0x22 || bytes[position] == 0x27 else {
                throw error("expected a quoted value for attribute '\(key)', found \(found)")
            }
            let quote = bytes[position]
            position += 1
            var value: [UInt8] = []
            while true {
                guard position < bytes.count else { throw error("the value of attribute '\(key)' is not closed", at: attributeStart) }
                let byte = bytes[position]
                if byte == quote { position += 1; break }
                if byte == 0x3C { throw error("'<' is not allowed in the value of attribute '\(key)'") }
                if byte == 0x26 { try reference(into: &value); continue }
                value.append(Self.isSpace(byte) ? 0x20 : byte)
                position += 1
            }
            guard node.attributes[key] == nil else {
                throw error("attribute '\(key)' appears twice in <\(node.name)>", at: attributeStart)
            }
            node.attributes[key] = String(decoding: value, as: UTF8.self)
        }
    }

    /// The whole document: its one root element with everything below it.
    mutating func document() throws(DatasetError) -> XMLElementNode {
        try skipMisc(allowDoctype: true)
        guard at("<") else {
            throw error(position < bytes.count ? "expected the root element '<', found \(found)" : "no root element")
        }
        let root = try element()
        try skipMisc(allowDoctype: false)
        guard position == bytes.count else { throw error("expected nothing after the root element, found \(found)") }
        return root
    }

    /// The element starting at `<`, read with an explicit stack (no recursion).
    mutating func element() throws(DatasetError) -> XMLElementNode {
        let first = try startTag()
        if first.empty { return first.node }
        var open: [(node: XMLElementNode, text: [UInt8], offset: Int)] = [(first.node, [], position)]
        while let top = open.last {
            guard position < bytes.count else {
                throw error("<\(top.node.name)> opened on line \(top.node.line) is not closed")
            }
            let byte = bytes[position]
            if byte == 0x26 {
                try reference(into: &open[open.count - 1].text)
            } else if byte != 0x3C {
                let start = position
                while position < bytes.count && bytes[position] != 0x3C && bytes[position] != 0x26 {
                    if bytes[position] == 0x5D && at("]]>") { throw error("']]>' is not allowed in text") }
                    position += 1
                }
                open[open.count - 1].text += bytes[start..<position]
            } else if at("</") {
                let tag = position
                position += 2
                let closing = try name("an element name after '</'")
                guard closing == top.node.name else {
                    throw error("expected </\(top.node.name)> (opened on line \(top.node.line)), found </\(closing)>", at: tag)
                }
                skipSpace()
                guard at(">") else { throw error("expected '>' to end </\(closing)>, found \(found)") }
                position += 1
                open.removeLast()
                top.node.text = Self.trimmedText(top.text)
                if open.isEmpty { return top.node }
            } else if at("<!--") {
                let start = position
                position += 4
                try skip(past: "-->", "a comment", openedAt: start)
            } else if at("<![CDATA[") {
                let start = position
                position += 9
                try skip(past: "]]>", "a CDATA section", openedAt: start)
                open[open.count - 1].text += bytes[(start + 9)..<(position - 3)]
            } else if at("<?") {
                let start = position
                position += 2
                _ = try name("a processing-instruction target after '<?'")
                try skip(past: "?>", "a processing instruction", openedAt: start)
            } else if at("<!") {
                throw error("expected an element, comment or CDATA section after '<!', found a declaration")
            } else {
                let tag = position
                let child = try startTag()
                top.node.children.append(child.node)
                if !child.empty {
                    guard open.count < XMLElementNode.maximumDepth else {
                        throw error("elements nest deeper than \(XMLElementNode.maximumDepth) levels", at: tag)
                    }
                    open.append((child.node, [], position))
                }
            }
        }
        throw error("no root element")
    }

    /// Text with XML's line-end normalisation (CR LF and lone CR become LF), trimmed.
    static func trimmedText(_ bytes: [UInt8]) -> String {
        var normalised: [UInt8] = []
        if bytes.contains(0x0D) {
            normalised.reserveCapacity(bytes.count)
            for (index, byte) in bytes.enumerated() {
                if byte == 0x0D {
                    if index + 1 < bytes.count && bytes[index + 1] == 0x0A { continue }
                    normalised.append(0x0A)
                } else {
                    normalised.append(byte)
                }
            }
        }
        let text = String(decoding: bytes.contains(0x0D) ? normalised : bytes, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
