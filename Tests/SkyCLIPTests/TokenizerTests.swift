import Foundation
import Testing
@testable import SkyCLIP

/// Fixture files committed under Tests/SkyCLIPTests/Fixtures.
enum Fixtures {
    static func url(_ name: String) -> URL {
        let root = Bundle.module.resourceURL ?? Bundle.module.bundleURL
        return root.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func json(_ name: String) throws -> Any {
        var bytes = [UInt8](try Data(contentsOf: url(name)))
        if name.hasSuffix(".gz") { bytes = try Gzip.inflate(bytes, name: name) }
        return try JSONSerialization.jsonObject(with: Data(bytes))
    }
}

let sharedTokenizer = Result { try CLIPTokenizer() }

@Suite struct TokenizerTests {
    @Test func knownSentence() throws {
        let tokenizer = try sharedTokenizer.get()
        #expect(tokenizer.encode("a photo of a cat") == [320, 1125, 539, 320, 2368])
        let ids = tokenizer.tokenize("a photo of a cat")
        #expect(ids.count == 77)
        #expect(Array(ids.prefix(7)) == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(ids[7...].allSatisfy { $0 == 0 })
    }

    /// Every string of the fixture (real RSICD/RSITMD captions plus crafted unicode, emoji, entity, digit and
    /// truncation cases) tokenizes to open_clip's ids, the flagged mojibake one included (ftfy's encoding repair,
    /// Mojibake.swift).
    @Test func openClipParityOnFixture() throws {
        let tokenizer = try sharedTokenizer.get()
        let root = try #require(try Fixtures.json("tokenizer.json.gz") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count > 6000)
        var compared = 0
        var mismatches: [String] = []
        var truncated = 0
        var mojibake = 0
        for item in cases {
            let text = try #require(item["t"] as? String)
            let expected = try #require(item["ids"] as? [Int]).map(Int32.init)
            if item["mojibake"] as? Bool == true { mojibake += 1 }
            let ids = tokenizer.tokenize(text)
            compared += 1
            if expected.count == 77 { truncated += 1 }
            let padded = expected + [Int32](repeating: 0, count: 77 - expected.count)
            if ids != padded { mismatches.append(text) }
        }
        #expect(compared > 6000)
        #expect(truncated > 50)
        #expect(mojibake == 1)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5).map { $0.debugDescription })")
    }

    @Test func splitPatternOrder() {
        let pieces = CLIPTokenizer.pieces(of: "it's 12ab!!'s <end_of_text>x")
        #expect(pieces == [.word("it"), .word("'s"), .word("1"), .word("2"), .word("ab"), .word("!!'"), .word("s"),
                           .special(1), .word("x")])
    }

    @Test func decodeRoundTrip() throws {
        let tokenizer = try sharedTokenizer.get()
        let ids = tokenizer.encode("many planes are parked near the terminal")
        #expect(tokenizer.decode(ids) == "many planes are parked near the terminal ")
    }
}
