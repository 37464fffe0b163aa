import Foundation
import Testing
@testable import SkyDatasets

/// The XML reader: what it accepts, and a clean error (file, line, column) for every malformed input,
/// including the byte sequences that made Foundation's XMLParser trap (issue #15).
@Suite("XML reader")
struct XMLTreeTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("elements, attributes, entities, character references, CDATA, comments, PIs, BOM, DOCTYPE")
    func accepts() throws {
        let document = [0xEF, 0xBB, 0xBF] + Self.bytes("""
            <?xml version="1.0" encoding="utf-8"?>
            <!DOCTYPE annotation [ <!ELEMENT annotation ANY> <!-- a > inside --> ]>
            <!-- labelled by hand -->
            <annotation verified='yes' source="a &amp; b">
              <filename>P&#48;01&#x32;.jpg</filename>
              <?tool keep going?>
              <name><![CDATA[a <raw> & name]]></name>
              <note>x &lt; y &gt; z &quot;q&apos;</note>
              <empty/><empty a="1" />
              <size><width>80</width>
                <height>60</height></size>
              <multi>one\r\ntwo</multi>
              <名前>船</名前>
            </annotation>
            <!-- after -->
            """)
        let root = try XMLElementNode.parse(bytes: document, file: "a.xml")
        #expect(root.name == "annotation" && root.line == 4)
        #expect(root.attributes == ["verified": "yes", "source": "a & b"])
        #expect(root.text(of: "filename") == "P0012.jpg")
        #expect(root.text(of: "name") == "a <raw> & name")
        #expect(root.text(of: "note") == "x < y > z \"q'")
        #expect(root.children("empty").count == 2 && root.children("empty")[1].attributes == ["a": "1"])
        #expect(root.child("size")?.text(of: "height") == "60" && root.child("size")?.child("height")?.line == 11)
        #expect(root.text(of: "multi") == "one\ntwo")
        #expect(root.text(of: "名前") == "船")
        #expect(root.text == "", "only white space directly inside the root")
    }

    @Test("a document declared ISO-8859-1 is decoded as Latin-1")
    func latin1() throws {
        let document = Self.bytes("<?xml version='1.0' encoding='ISO-8859-1'?>\n<a><b>caf") + [0xE9] + Self.bytes("</b></a>")
        #expect(try XMLElementNode.parse(bytes: document, file: "a.xml").text(of: "b") == "café")
    }

    /// Malformed documents with the error location each must give. The first ten put a non-UTF-8 byte in a
    /// name, the trigger of XMLParser's SIGILL in `_NSXMLParserStartElementNs`.
    static let malformed: [(name: String, bytes: [UInt8], location: String)] = [
        ("0xFF in an element name", bytes("<a>\n<s") + [0xFF] + bytes("ze>1</s") + [0xFF] + bytes("ze></a>"), "line 2, column 3"),
        ("0xFF opening a name", bytes("<") + [0xFF] + bytes("a/>"), "line 1, column 2"),
        ("0xC0 0xAF overlong in a name", bytes("<a><b") + [0xC0, 0xAF] + bytes("/></a>"), "line 1, column 6"),
        ("lone continuation byte in a name", bytes("<a><x") + [0x80] + bytes("y/></a>"), "line 1, column 6"),
        ("cut UTF-8 sequence in a closing name", bytes("<ab></a") + [0xE2, 0x82] + bytes(">"), "line 1, column 8"),
        ("0xFE in an attribute name", bytes("<a>\n  <b x") + [0xFE] + bytes("=\"1\"/></a>"), "line 2, column 7"),
        ("0xFF in an attribute value", bytes("<a b=\"") + [0xFF] + bytes("\"/>"), "line 1, column 7"),
        ("encoded surrogate in a name", bytes("<a") + [0xED, 0xA0, 0x80] + bytes("/>"), "line 1, column 3"),
        ("0xF5 lead byte in a name", bytes("<a") + [0xF5, 0x80, 0x80, 0x80] + bytes("/>"), "line 1, column 3"),
        ("non-UTF-8 byte in text", bytes("<a>\n\n ok") + [0xFF] + bytes("</a>"), "line 3, column 4"),
        ("NUL byte", bytes("<a>") + [0x00] + bytes("</a>"), "line 1, column 4"),
        ("control character in a name", bytes("<a\u{01}b/>"), "line 1, column 3"),
        ("UTF-16 byte-order mark", [0xFF, 0xFE, 0x3C, 0x00], "line 1, column 1"),
        ("mismatched closing tag", bytes("<annotation>\n<size></sise>\n</annotation>"), "line 2, column 7"),
        ("unclosed root", bytes("<annotation><object><name>x</name>"), "line 1, column 35"),
        ("empty document", [], "line 1, column 1"),
        ("only a BOM", [0xEF, 0xBB, 0xBF], "line 1, column 1"),
        ("text before the root", bytes("hello <a/>"), "line 1, column 1"),
        ("second root element", bytes("<a/>\n<b/>"), "line 2, column 1"),
        ("unknown entity", bytes("<a>&nbsp;</a>"), "line 1, column 4"),
        ("entity without ';'", bytes("<a>&amp</a>"), "line 1, column 4"),
        ("character reference to NUL", bytes("<a>&#0;</a>"), "line 1, column 4"),
        ("character reference past U+10FFFF", bytes("<a>&#x1100000000;</a>"), "line 1, column 4"),
        ("character reference to a surrogate", bytes("<a>&#xD800;</a>"), "line 1, column 4"),
        ("'<' in an attribute value", bytes("<a b=\"<\"/>"), "line 1, column 7"),
        ("unquoted attribute value", bytes("<a b=1/>"), "line 1, column 6"),
        ("attribute without value", bytes("<a b/>"), "line 1, column 5"),
        ("duplicate attribute", bytes("<a b='1' b='2'/>"), "line 1, column 10"),
        ("no space between attributes", bytes("<a b='1'c='2'/>"), "line 1, column 9"),
        ("unclosed comment", bytes("<a><!-- x</a>"), "line 1, column 4"),
        ("unclosed CDATA", bytes("<a><![CDATA[x</a>"), "line 1, column 4"),
        ("']]>' in text", bytes("<a>x]]>y</a>"), "line 1, column 5"),
        ("declaration inside content", bytes("<a><!ENTITY x 'y'></a>"), "line 1, column 4"),
        ("encoding that is not supported", bytes("<?xml version='1.0' encoding='GBK'?><a/>"), "line 1, column 1"),
        ("nesting deeper than the limit", bytes(String(repeating: "<a>", count: 300)), "line 1, column 769"),
        ("unclosed attribute value", bytes("<a b='x"), "line 1, column 4"),
        ("CR line ends count as lines", bytes("<a>\r\n<b>\r<c></a>"), "line 3, column 4"),
    ]

    @Test("every malformed document is a clean error naming file, line and column",
          arguments: malformed.indices)
    func malformedInput(_ index: Int) {
        let sample = Self.malformed[index]
        #expect {
            _ = try XMLElementNode.parse(bytes: sample.bytes, file: "Annotations/x.xml")
        } throws: { error in
            guard let error = error as? DatasetError else { return false }
            let ok = error.file == "Annotations/x.xml" && error.location == sample.location
                && error.kind == .unreadableFile && error.problem.hasPrefix("not well-formed XML: ")
            if !ok { Issue.record("\(sample.name): \(error)") }
            return ok
        }
    }

    static let dior = VOCReaderTests.dior

    @Test("every single-byte substitution, insertion and truncation of a DIOR file parses or fails cleanly")
    func mutations() {
        let base = Self.bytes(Self.dior)
        var parsed = 0, refused = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                _ = try XMLElementNode.parse(bytes: bytes, file: "m.xml")
                parsed += 1
            } catch {
                #expect(error.location?.hasPrefix("line ") == true && error.location?.contains(", column ") == true)
                refused += 1
            }
        }
        for position in base.indices {
            for byte: UInt8 in [0xFF, 0xC3, 0x00, 0x3C, 0x26, 0x3E, 0x22] {
                var copy = base
                copy[position] = byte
                attempt(copy)
                copy = base
                copy.insert(byte, at: position)
                attempt(copy)
            }
            attempt(Array(base[..<position]))
        }
        #expect(parsed + refused == base.count * 15)
        #expect(refused > base.count * 8, "most mutations break the document")
    }

    @Test("a VOC dataset with a non-UTF-8 name: an error, or a counted skip with --skip-invalid")
    func vocDataset() throws {
        let data = try TempDataset("dior")
        try data.image("JPEGImages/00001.jpg", width: 80, height: 60)
        try data.image("JPEGImages/00002.jpg", width: 80, height: 60)
        try data.write("Annotations/00001.xml", Self.dior)
        var broken = Self.bytes(Self.dior.replacingOccurrences(of: "<difficult>1</difficult>", with: "<s?ze>1</s?ze>"))
        for index in broken.indices where broken[index] == UInt8(ascii: "?") { broken[index] = 0xFF }
        try Data(broken).write(to: URL(fileURLWithPath: data.path("Annotations/00002.xml")))
        #expect {
            try VOCReader.read(root: data.root)
        } throws: { error in
            let error = error as? DatasetError
            return error?.file == "Annotations/00002.xml" && error?.location == "line 6, column 39"
        }
        let skipped = try VOCReader.read(root: data.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.report.skipped == [.unreadableFile: 1])
        #expect(skipped.images.filter { !$0.objects.isEmpty }.map(\.relativePath) == ["JPEGImages/00001.jpg"])
    }
}
