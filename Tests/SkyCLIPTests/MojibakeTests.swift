import Foundation
import Testing
@testable import SkyCLIP

/// ftfy's mojibake repair as open_clip's cleaning applies it (Scripts/ftfy_mojibake_fixture.py, ftfy 6.3.1).
@Suite struct MojibakeTests {
    static let cases: [(text: String, clean: String, fixed: String)] = {
        let root = (try? Fixtures.json("mojibake.json")) as? [String: Any]
        let cases = root?["cases"] as? [[String: Any]] ?? []
        return cases.compactMap { item in
            guard let text = item["t"] as? String, let clean = item["clean"] as? String,
                  let fixed = item["fixed"] as? String else { return nil }
            return (text, clean, fixed)
        }
    }()

    @Test("every case cleans to open_clip's text and fix_text's output")
    func parity() throws {
        let cleaner = try TextCleaner()
        #expect(Self.cases.count >= 150)
        var wrong: [String] = []
        for item in Self.cases {
            if cleaner.fixText(item.text) != item.fixed || cleaner.clean(item.text) != item.clean {
                wrong.append(item.text)
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) differ, first: \(wrong.prefix(5).map { $0.debugDescription })")
        // The fixture holds real repairs, not only texts that stay as they are.
        #expect(Self.cases.filter { $0.fixed != $0.text }.count >= 100)
    }

    @Test("known repairs and texts left alone")
    func examples() throws {
        let cleaner = try TextCleaner()
        #expect(cleaner.fixText("the waterâ€™s edge") == "the water's edge")
        #expect(cleaner.fixText("cafÃ© near the sea") == "café near the sea")
        #expect(cleaner.fixText("voilÃ le travail") == "voilà le travail")
        #expect(cleaner.fixText("São Paulo, naïve café, 1×2") == "São Paulo, naïve café, 1×2")
    }
}
