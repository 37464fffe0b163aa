import Foundation
import Testing
@testable import SkyText

@Suite struct CaptionPhrasingsTests {
    @Test func shippedPhrasingsLoadAndOfferVariety() throws {
        let phrasings = try CaptionPhrasings.standard()
        #expect(phrasings.center.count >= 3 && phrasings.edge.count >= 3 && phrasings.count.count >= 5)
        #expect(phrasings.many.contains("many") && phrasings.many.contains("a lot of"))
        #expect(phrasings.numberWords[10] == "ten")
    }

    @Test func malformedPhrasingsNameTheFileAndTheProblem() throws {
        let good = try JSONEncoder().encode(try CaptionPhrasings.standard())
        var object = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
        object["center"] = [["text": "In the middle.", "verb": "none"]]
        let bad = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: TextError.badSchemaFile(path: "captions/test.json",
                                                reason: "'center' template 'In the middle.' lacks {objects}")) {
            try CaptionPhrasings.decode(bad, name: "captions/test.json")
        }
        #expect(throws: TextError.self) { try CaptionPhrasings.decode(Data("{".utf8), name: "captions/x.json") }
    }
}
