import Foundation

/// A small XML element tree, enough for VOC, DIOR, HRSC and RSOD annotation files.
///
/// Documents are read by ``XMLByteReader``, written in Swift for this purpose: any byte sequence gives either a
/// tree or a ``DatasetError`` naming the file, line and column, never a crash.
public final class XMLElementNode: @unchecked Sendable {
    /// The element name.
    public let name: String
    /// The line where the element starts (1-based), for error messages.
    public let line: Int
    /// The attributes, entities resolved (an element has each name at most once).
    public internal(set) var attributes: [String: String] = [:]
    /// The text directly inside the element (character data and CDATA, entities resolved), trimmed.
    public internal(set) var text = ""
    /// The child elements, in document order.
    public internal(set) var children: [XMLElementNode] = []

    init(name: String, line: Int) {
        self.name = name
        self.line = line
    }

    /// The first child with this name.
    public func child(_ name: String) -> XMLElementNode? {
        children.first { $0.name == name }
    }

    /// Every child with this name.
    public func children(_ name: String) -> [XMLElementNode] {
        children.filter { $0.name == name }
    }

    /// The trimmed text of the first child with this name.
    public func text(of name: String) -> String? {
        child(name)?.text
    }

    /// The deepest nesting of elements a document may have (libxml2's default limit too); deeper documents are
    /// refused, so neither parsing nor releasing a tree can exhaust the stack.
    public static let maximumDepth = 256

    /// Parses a document; `file` names it in errors.
    ///
    /// Accepts UTF-8 (with or without a byte-order mark) and documents declared ISO-8859-1/Latin-1 or US-ASCII;
    /// elements, attributes, character data, the five predefined entities and character references, CDATA,
    /// comments, processing instructions and a DOCTYPE (skipped; its entity declarations are not used).
    public static func parse(_ data: Data, file: String) throws(DatasetError) -> XMLElementNode {
        try parse(bytes: [UInt8](data), file: file)
    }

    /// Parses a document given as bytes; `file` names it in errors.
    public static func parse(bytes: [UInt8], file: String) throws(DatasetError) -> XMLElementNode {
        var reader = try XMLByteReader(bytes: bytes, file: file)
        return try reader.document()
    }
}
