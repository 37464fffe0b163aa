import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small XML element tree, enough for VOC and HRSC annotation files.
public final class XMLElementNode: @unchecked Sendable {
    /// The element name.
    public let name: String
    /// The line where the element starts (1-based), for error messages.
    public let line: Int
    /// The text directly inside the element, trimmed.
    public fileprivate(set) var text = ""
    /// The child elements, in document order.
    public fileprivate(set) var children: [XMLElementNode] = []

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

    /// Parses a document; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws(DatasetError) -> XMLElementNode {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        if !parser.parse() || builder.root == nil {
            let line = parser.lineNumber
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw DatasetError(.unreadableFile, file: file, location: "line \(line)", "not well-formed XML: \(reason)")
        }
        guard let root = builder.root else {
            throw DatasetError(.unreadableFile, file: file, "not well-formed XML: no root element")
        }
        return root
    }
}

/// Builds the tree from parser events; lives only for one parse.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLElementNode?
    var stack: [XMLElementNode] = []
    var texts: [String] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let node = XMLElementNode(name: elementName, line: parser.lineNumber)
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
        texts.append("")
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !texts.isEmpty { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName: String?) {
        guard let node = stack.popLast(), let text = texts.popLast() else { return }
        node.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
