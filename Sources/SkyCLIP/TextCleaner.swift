import Foundation

/// open_clip's default text cleaning (`clean='lower'`): ftfy.fix_text, html.unescape twice, whitespace
/// collapsing, lower-casing.
///
/// ftfy's fixers are ported step by step from its tables (exported by Scripts/openclip_text_tables.py):
/// HTML entities, C1 controls as windows-1252, Latin ligatures, character width, curly quotes, line breaks,
/// terminal escapes, control characters and NFC, repeated until the text is stable, per line. ftfy's mojibake
/// repair (`fix_encoding`: its badness expression, then re-encoding with its single-byte codecs) runs from
/// ftfy's own expressions and codec tables (``Mojibake``, Scripts/ftfy_mojibake_tables.py).
public struct TextCleaner: Sendable {
    struct Tables: Decodable {
        var html5: [String: String]
        var ftfyEntities: [String: String]
        var invalidCharrefs: [String: String]
        var invalidCodepoints: [UInt32]
        var ligatures: [String: String]
        var widthMap: [String: String]
        var controlChars: [UInt32]
        var c1ToWindows1252: [String: String]
    }

    private let html5: [String: String]
    private let ftfyEntities: [String: String]
    private let invalidCharrefs: [UInt32: String]
    private let invalidCodepoints: Set<UInt32>
    /// One table for ftfy's per-character translations: C1, ligatures, width, quotes, controls.
    private let c1: [UInt32: String]
    private let ligatures: [UInt32: String]
    private let widths: [UInt32: String]
    private let controls: Set<UInt32>
    private let mojibake: Mojibake

    /// Loads the bundled cleaning tables.
    public init() throws(CLIPError) {
        let path = "SkyCLIP/Resources/text-cleaning.json"
        let data: Data
        do {
            data = try Data(contentsOf: CLIPResources.url("text-cleaning.json"))
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let tables: Tables
        do {
            tables = try JSONDecoder().decode(Tables.self, from: data)
        } catch {
            throw .badData(path: path, reason: "\(error)")
        }
        func keyed(_ table: [String: String]) -> [UInt32: String] {
            var result: [UInt32: String] = [:]
            for (key, value) in table { if let code = UInt32(key) { result[code] = value } }
            return result
        }
        html5 = tables.html5
        ftfyEntities = tables.ftfyEntities
        invalidCharrefs = keyed(tables.invalidCharrefs)
        invalidCodepoints = Set(tables.invalidCodepoints)
        c1 = keyed(tables.c1ToWindows1252)
        ligatures = keyed(tables.ligatures)
        widths = keyed(tables.widthMap)
        controls = Set(tables.controlChars)
        let mojibakePath = "SkyCLIP/Resources/mojibake.json"
        do {
            let data = try Data(contentsOf: CLIPResources.url("mojibake.json"))
            mojibake = try Mojibake(tables: JSONDecoder().decode(Mojibake.Tables.self, from: data))
        } catch {
            throw .badData(path: mojibakePath, reason: "\(error)")
        }
    }

    /// The text as open_clip's tokenizer sees it before splitting.
    public func clean(_ text: String) -> String {
        var cleaned = fixText(text)
        cleaned = htmlUnescape(htmlUnescape(cleaned))
        let words = PythonText.split(cleaned)
        return PythonText.lower(words.joined(separator: " "))
    }

    // MARK: ftfy.fix_text

    /// ftfy.fix_text with the default configuration.
    func fixText(_ text: String) -> String {
        var unescape = true
        var output = ""
        // ftfy fixes each line separately (lines keep their "\n"); once a line holds "<", HTML unescaping
        // stays off for the rest of the text.
        for segment in PythonText.linesKeepingBreaks(text) {
            if unescape && segment.unicodeScalars.contains("<") { unescape = false }
            var current = segment
            while true {
                let previous = current
                if unescape { current = ftfyUnescape(current) }
                current = mojibake.fixEncoding(current) { translate($0, c1) }
                current = translate(current, c1)
                current = translate(current, ligatures)
                current = translate(current, widths)
                current = uncurlQuotes(current)
                current = fixLineBreaks(current)
                current = removeTerminalEscapes(current)
                current = removeControls(current)
                current = current.precomposedStringWithCanonicalMapping
                if current == previous { break }
            }
            output += current
        }
        return output
    }

    private func translate(_ text: String, _ table: [UInt32: String]) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let replacement = table[scalar.value] {
                out.append(contentsOf: replacement.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private func uncurlQuotes(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x201C...0x201F: out.append("\"")
            case 0x02BC, 0x2018...0x201B: out.append("'")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    private func fixLineBreaks(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let value = scalars[index].value
            if value == 0x0D {
                out.append("\n")
                if index + 1 < scalars.count && scalars[index + 1].value == 0x0A { index += 1 }
            } else if value == 0x2028 || value == 0x2029 || value == 0x85 {
                out.append("\n")
            } else {
                out.append(scalars[index])
            }
            index += 1
        }
        return String(out)
    }

    /// Removes `ESC [ (digits|;)* letter` sequences (ftfy's ANSI_RE; `\d` is any Unicode decimal digit).
    private func removeTerminalEscapes(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("\u{1B}") else { return text }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\u{1B}", index + 1 < scalars.count, scalars[index + 1] == "[" {
                var end = index + 2
                while end < scalars.count,
                      scalars[end] == ";" || scalars[end].properties.generalCategory == .decimalNumber {
                    end += 1
                }
                if end < scalars.count, scalars[end].isASCII, scalars[end].properties.isAlphabetic {
                    index = end + 1
                    continue
                }
            }
            out.append(scalars[index])
            index += 1
        }
        return String(out)
    }

    private func removeControls(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !controls.contains(scalar.value) { out.append(scalar) }
        return String(out)
    }

    /// ftfy's unescape_html: `&#?[0-9A-Za-z]{1,24};` replaced from its entity table or as a numeric reference.
    private func ftfyUnescape(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("&") else { return text }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "&" else {
                out.append(scalars[index]); index += 1; continue
            }
            var end = index + 1
            if end < scalars.count && scalars[end] == "#" { end += 1 }
            let nameStart = end
            while end < scalars.count, end - nameStart < 25, PythonText.isASCIIAlphanumeric(scalars[end]) { end += 1 }
            let length = end - nameStart
            guard length >= 1, length <= 24, end < scalars.count, scalars[end] == ";" else {
                out.append(scalars[index]); index += 1; continue
            }
            let match = String(String.UnicodeScalarView(scalars[index...end]))
            var replacement = match
            if let entity = ftfyEntities[match] {
                replacement = entity
            } else if match.hasPrefix("&#") {
                let unescaped = htmlUnescape(match)
                replacement = unescaped.unicodeScalars.contains(";") ? match : unescaped
            }
            out.append(contentsOf: replacement.unicodeScalars)
            index = end + 1
        }
        return String(out)
    }

    // MARK: html.unescape

    /// Python's `html.unescape`: numeric references (with the HTML5 replacement rules) and named references,
    /// including the longest-prefix match for names without a semicolon.
    func htmlUnescape(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("&") else { return text }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "&", index + 1 < scalars.count else {
                out.append(scalars[index]); index += 1; continue
            }
            let start = index + 1
            if scalars[start] == "#" {
                var end = start + 1
                var hex = false
                if end < scalars.count, scalars[end] == "x" || scalars[end] == "X" { hex = true; end += 1 }
                let digitsStart = end
                while end < scalars.count, hex ? scalars[end].properties.isASCIIHexDigit : PythonText.isASCIIDigit(scalars[end]) {
                    end += 1
                }
                if end > digitsStart {
                    if end < scalars.count && scalars[end] == ";" { end += 1 }
                    let digits = String(String.UnicodeScalarView(scalars[digitsStart..<end])).filter { $0 != ";" }
                    out.append(contentsOf: numericReference(digits, radix: hex ? 16 : 10).unicodeScalars)
                    index = end
                    continue
                }
                // "&#" without digits matches none of Python's alternatives ("#" cannot start a name).
                out.append(scalars[index]); index += 1; continue
            }
            var end = start
            while end < scalars.count, end - start < 32, !PythonText.isNameStop(scalars[end]) { end += 1 }
            guard end > start else { out.append(scalars[index]); index += 1; continue }
            if end < scalars.count && scalars[end] == ";" { end += 1 }
            let name = Array(scalars[start..<end])
            out.append(contentsOf: namedReference(name).unicodeScalars)
            index = end
        }
        return String(out)
    }

    private func numericReference(_ digits: String, radix: Int) -> String {
        // Python parses arbitrarily large numbers; anything past UInt32 is simply "> 0x10FFFF".
        let trimmed = digits.drop { $0 == "0" }
        let number: UInt32 = trimmed.count > 9 ? UInt32.max : (UInt32(trimmed.isEmpty ? "0" : String(trimmed), radix: radix) ?? UInt32.max)
        if let mapped = invalidCharrefs[number] { return mapped }
        if (0xD800...0xDFFF).contains(number) || number > 0x10FFFF { return "\u{FFFD}" }
        if invalidCodepoints.contains(number) { return "" }
        guard let scalar = Unicode.Scalar(number) else { return "\u{FFFD}" }
        return String(Character(scalar))
    }

    private func namedReference(_ name: [Unicode.Scalar]) -> String {
        let whole = String(String.UnicodeScalarView(name))
        if let value = html5[whole] { return value }
        var length = name.count - 1
        while length > 1 {
            let prefix = String(String.UnicodeScalarView(name[0..<length]))
            if let value = html5[prefix] {
                return value + String(String.UnicodeScalarView(name[length...]))
            }
            length -= 1
        }
        return "&" + whole
    }
}

/// Python `str` semantics the tokenizer depends on.
enum PythonText {
    /// Python's `str.isspace`.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default:
            false
        }
    }

    /// Python's `str.split()` with no argument: runs of whitespace separate words; no empty words.
    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isSpace(scalar) {
                if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    /// Lines that each end with their "\n" (the last may not), as ftfy segments text.
    static func linesKeepingBreaks(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            current.append(scalar)
            if scalar == "\n" { lines.append(String(current)); current = String.UnicodeScalarView() }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// Python's `str.lower`: each code point's full lowercase mapping, and capital sigma as final sigma when
    /// it ends a word (preceded by a cased letter, not followed by one, case-ignorable marks skipped).
    /// Swift's `lowercased()` lacks the final-sigma rule.
    static func lower(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar.value == 0x03A3 {
                out.append(isFinalSigma(scalars, at: index) ? "\u{03C2}" : "\u{03C3}")
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0 && scalars[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, scalars[before].properties.isCased else { return false }
        var after = index + 1
        while after < scalars.count && scalars[after].properties.isCaseIgnorable { after += 1 }
        return after == scalars.count || !scalars[after].properties.isCased
    }

    static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { (0x30...0x39).contains(scalar.value) }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// The characters that end an entity name in Python's `html` charref pattern: `[^\t\n\f <&#;]`.
    static func isNameStop(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0C}", " ", "<", "&", "#", ";": true
        default: false
        }
    }
}
