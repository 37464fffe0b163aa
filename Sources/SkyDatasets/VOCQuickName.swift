/// What a shard's VOC reader tells from an annotation file's bytes without parsing the XML: the image it names,
/// so that other shards' annotation files are read but never parsed into trees and objects.
///
/// The look is conservative: anything it cannot settle exactly as ``VOCReader/parse(_:file:collector:)`` would
/// (HRSC files, a second or unusual `<filename>`, entities, CDATA or non-ASCII in the name, UTF-16) is parsed.
enum VOCQuickName: Equatable {
    /// No `<filename>` element, or an empty one: the image is found by the file's stem.
    case absent
    /// The trimmed ASCII text of the only `<filename>` element.
    case named(String)
    /// The file must be parsed.
    case unknown

    static let open = Array("<filename".utf8), close = Array("</filename>".utf8), hrsc = Array("HRSC_Image".utf8)

    /// Reads the `<filename>` of an annotation file's bytes.
    static func of(_ bytes: [UInt8]) -> VOCQuickName {
        if let first = bytes.first, first == 0xFE || first == 0xFF { return .unknown }  // UTF-16 byte-order marks
        func matches(_ word: [UInt8], at index: Int) -> Bool {
            index + word.count <= bytes.count && bytes[index..<(index + word.count)].elementsEqual(word)
        }
        var result = VOCQuickName.absent
        var seen = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 { return .unknown }
            guard byte == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if matches(hrsc, at: index + 1) { return .unknown }
            guard matches(open, at: index) else {
                index += 1
                continue
            }
            let after = index + open.count
            guard after < bytes.count else { return .unknown }
            let next = bytes[after]
            if next == UInt8(ascii: "-") || next == UInt8(ascii: "_") || next == UInt8(ascii: ".") || next == UInt8(ascii: ":")
                || (next >= 0x30 && next <= 0x39) || (next | 0x20 >= 0x61 && next | 0x20 <= 0x7A) || next >= 0x80 {
                index = after  // another element (<filenames>)
                continue
            }
            // Attributes, `<filename/>`, or a second element: parse.
            guard next == UInt8(ascii: ">"), !seen else { return .unknown }
            seen = true
            var end = after + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "<") {
                // Entities, non-ASCII (Latin-1 files), NUL and CR (line ends the parser rewrites): parse.
                guard bytes[end] < 0x80, bytes[end] != UInt8(ascii: "&"), bytes[end] != 0, bytes[end] != 0x0D else {
                    return .unknown
                }
                end += 1
            }
            guard matches(close, at: end) else { return .unknown }
            // Trimmed as the parser trims (ASCII white space: tab, line feed, vertical tab, form feed, return, space).
            var text = bytes[(after + 1)..<end]
            while let last = text.last, last == 0x20 || (0x09...0x0D).contains(last) { text = text.dropLast() }
            while let head = text.first, head == 0x20 || (0x09...0x0D).contains(head) { text = text.dropFirst() }
            result = text.isEmpty ? .absent : .named(String(decoding: text, as: UTF8.self))
            index = end + close.count
        }
        return result
    }

    /// In a shard: the relative path of the image an annotation file names, when the bytes settle it and it is not
    /// kept by `keep`; nil when the file is to be parsed (its image is this shard's, or the bytes do not settle it).
    static func foreignImage(_ bytes: [UInt8], stem: String, folders: [ImageFolder], root: String,
                             keep: ImageFilter) -> String? {
        let named: String?
        switch of(bytes) {
        case .unknown: return nil
        case .absent: named = nil
        case .named(let value): named = value
        }
        func resolve(_ name: String?) -> String? {
            folders.lazy.compactMap { folder in name.flatMap { folder.image(named: $0) } ?? folder.image(stem: stem) }.first
        }
        guard let image = resolve(named) else { return nil }
        // A `<filename>` the parser does not see as the root's (inside a comment, or nested) leaves the stem: both
        // readings must find the same image.
        if let named, DatasetFiles.stem(named) != stem, resolve(nil) != image { return nil }
        let relative = DatasetFiles.relative(image, to: root)
        return keep.keeps(relative) ? nil : relative
    }
}
