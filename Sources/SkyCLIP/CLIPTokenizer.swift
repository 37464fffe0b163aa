import Foundation

/// CLIP's byte-level BPE tokenizer, token for token as open_clip's `SimpleTokenizer` (`clean='lower'`).
///
/// The vocabulary is open_clip's `bpe_simple_vocab_16e6.txt.gz` (MIT licence, bundled with its LICENSE):
/// 256 byte symbols, the same with `</w>`, 48,894 merges and the two special tokens, 49,408 ids in all.
public final class CLIPTokenizer: @unchecked Sendable {
    /// The id of `<start_of_text>`.
    public let startToken: Int32 = 49406
    /// The id of `<end_of_text>`; the highest id, which is how the text tower finds it.
    public let endToken: Int32 = 49407
    /// The number of ids.
    public let vocabularySize = 49408
    /// The context length every CLIP text tower uses.
    public static let contextLength = 77

    private let cleaner: TextCleaner
    /// The vocabulary id of each byte's symbol (`bytes_to_unicode`).
    private let byteSymbol: [Int32]
    /// Merge rank and merged id, keyed by the two symbol ids.
    private let merges: [UInt64: (rank: Int32, merged: Int32)]
    private let decoderTable: [String]
    private let byteOfCharacter: [Character: UInt8]
    private let lock = NSLock()
    private var cache: [String: [Int32]] = [:]

    /// Loads the bundled vocabulary and cleaning tables.
    public init() throws(CLIPError) {
        let path = "SkyCLIP/Resources/bpe_simple_vocab_16e6.txt.gz"
        let compressed: [UInt8]
        do {
            compressed = [UInt8](try Data(contentsOf: CLIPResources.url("bpe_simple_vocab_16e6.txt.gz")))
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let text = String(decoding: try Gzip.inflate(compressed, name: path), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let mergeCount = 49152 - 256 - 2
        guard lines.count > mergeCount else {
            throw .badData(path: path, reason: "\(lines.count) lines, expected at least \(mergeCount + 1)")
        }
        // bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards.
        var bytes = Array(33...126) + Array(161...172) + Array(174...255)
        var characters = bytes.map { Character(Unicode.Scalar(UInt8($0))) }
        var next = 0
        for byte in 0..<256 where !bytes.contains(byte) {
            bytes.append(byte)
            characters.append(Character(Unicode.Scalar(UInt32(256 + next))!))
            next += 1
        }
        var vocabulary = characters.map { String($0) }
        vocabulary += characters.map { String($0) + "</w>" }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(mergeCount)
        for line in lines[1...mergeCount] {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard parts.count == 2 else {
                throw .badData(path: path, reason: "merge line \"\(line)\" does not hold two symbols")
            }
            pairs.append((String(parts[0]), String(parts[1])))
            vocabulary.append(String(parts[0]) + String(parts[1]))
        }
        vocabulary += ["<start_of_text>", "<end_of_text>"]
        // Python builds dicts from the list, so a repeated string keeps its last id.
        var encoder: [String: Int32] = [:]
        for (id, symbol) in vocabulary.enumerated() { encoder[symbol] = Int32(id) }
        var symbolOfByte = [Int32](repeating: 0, count: 256)
        var byteOfCharacter: [Character: UInt8] = [:]
        for (index, byte) in bytes.enumerated() {
            symbolOfByte[byte] = encoder[String(characters[index])] ?? 0
            byteOfCharacter[characters[index]] = UInt8(byte)
        }
        var merges: [UInt64: (rank: Int32, merged: Int32)] = [:]
        for (rank, pair) in pairs.enumerated() {
            guard let first = encoder[pair.0], let second = encoder[pair.1], let merged = encoder[pair.0 + pair.1] else {
                throw .badData(path: path, reason: "merge \(pair.0) \(pair.1) uses a symbol outside the vocabulary")
            }
            merges[UInt64(UInt32(first)) << 32 | UInt64(UInt32(second))] = (Int32(rank), merged)
        }
        self.cleaner = try TextCleaner()
        self.byteSymbol = symbolOfByte
        self.merges = merges
        self.decoderTable = vocabulary
        self.byteOfCharacter = byteOfCharacter
    }

    /// The BPE ids of a text, without start/end tokens or truncation (open_clip's `encode`).
    public func encode(_ text: String) -> [Int32] {
        let cleaned = cleaner.clean(text)
        var ids: [Int32] = []
        for piece in Self.pieces(of: cleaned) {
            switch piece {
            case .special(let id): ids.append(id == 0 ? startToken : endToken)
            case .word(let word): ids += bpe(word)
            }
        }
        return ids
    }

    /// open_clip's `tokenize`: start token, ids, end token, truncated to `contextLength` with the last id
    /// forced to the end token, then zero-padded.
    public func tokenize(_ text: String, contextLength: Int = CLIPTokenizer.contextLength) -> [Int32] {
        var ids = [startToken] + encode(text) + [endToken]
        if ids.count > contextLength {
            ids.removeSubrange(contextLength...)
            ids[contextLength - 1] = endToken
        }
        return ids + [Int32](repeating: 0, count: contextLength - ids.count)
    }

    /// The text of a sequence of ids (open_clip's `decode`: `</w>` becomes a space; padding is skipped).
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id > 0 && Int(id) < decoderTable.count {
            let symbol = decoderTable[Int(id)]
            if id >= startToken { bytes += Array(symbol.utf8); continue }
            for character in symbol.replacingOccurrences(of: "</w>", with: " ") {
                if character == " " { bytes.append(0x20) } else if let byte = byteOfCharacter[character] { bytes.append(byte) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: BPE

    private func bpe(_ word: String) -> [Int32] {
        lock.lock()
        if let cached = cache[word] { lock.unlock(); return cached }
        lock.unlock()
        let utf8 = Array(word.utf8)
        var symbols = utf8.map { byteSymbol[Int($0)] }
        // The last symbol carries "</w>": the second block of 256 ids.
        symbols[symbols.count - 1] += 256
        while symbols.count > 1 {
            var best: (rank: Int32, merged: Int32, first: Int32, second: Int32)?
            for index in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[index])) << 32 | UInt64(UInt32(symbols[index + 1]))
                if let merge = merges[key], best == nil || merge.rank < best!.rank {
                    best = (merge.rank, merge.merged, symbols[index], symbols[index + 1])
                }
            }
            guard let chosen = best else { break }
            var merged: [Int32] = []
            merged.reserveCapacity(symbols.count)
            var index = 0
            while index < symbols.count {
                if index + 1 < symbols.count && symbols[index] == chosen.first && symbols[index + 1] == chosen.second {
                    merged.append(chosen.merged)
                    index += 2
                } else {
                    merged.append(symbols[index])
                    index += 1
                }
            }
            symbols = merged
        }
        lock.lock()
        if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
        cache[word] = symbols
        lock.unlock()
        return symbols
    }

    // MARK: Splitting

    enum Piece: Equatable {
        /// 0 for `<start_of_text>`, 1 for `<end_of_text>`.
        case special(Int)
        case word(String)
    }

    /// The matches of open_clip's split pattern over the cleaned text, in order:
    /// `<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`.
    static func pieces(of text: String) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        var index = 0
        func startsWith(_ literal: String, at position: Int) -> Bool {
            let needle = Array(literal.unicodeScalars)
            guard position + needle.count <= scalars.count else { return false }
            for offset in 0..<needle.count where lowerASCII(scalars[position + offset]) != needle[offset] { return false }
            return true
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" {
                if startsWith("<start_of_text>", at: index) {
                    pieces.append(.special(0)); index += 15; continue
                }
                if startsWith("<end_of_text>", at: index) {
                    pieces.append(.special(1)); index += 13; continue
                }
            }
            if scalar == "'" {
                var matched = false
                for suffix in ["s", "t", "re", "ve", "m", "ll", "d"] where startsWith("'" + suffix, at: index) {
                    pieces.append(.word("'" + suffix)); index += 1 + suffix.count; matched = true; break
                }
                if matched { continue }
            }
            let kind = classify(scalar)
            switch kind {
            case .letter:
                var end = index + 1
                while end < scalars.count && classify(scalars[end]) == .letter { end += 1 }
                pieces.append(.word(String(String.UnicodeScalarView(scalars[index..<end]))))
                index = end
            case .number:
                pieces.append(.word(String(Character(scalar))))
                index += 1
            case .other:
                var end = index + 1
                while end < scalars.count && classify(scalars[end]) == .other { end += 1 }
                pieces.append(.word(String(String.UnicodeScalarView(scalars[index..<end]))))
                index = end
            case .space:
                index += 1
            }
        }
        return pieces
    }

    private enum Kind { case letter, number, other, space }

    private static func classify(_ scalar: Unicode.Scalar) -> Kind {
        if PythonText.isSpace(scalar) { return .space }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    private static func lowerASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}
