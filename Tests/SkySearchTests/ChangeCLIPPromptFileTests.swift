import Foundation
import SkySearch
import Testing

/// ChangeCLIP prompt files: byte-identical to ChangeCLIP's own writer, and readable the way its loader reads them.
@Suite struct ChangeCLIPPromptFileTests {
    struct Input: Decodable {
        var classes: [String]
        var paths: [String]
        var probabilityBits: [[UInt32]]
        enum CodingKeys: String, CodingKey {
            case classes, paths
            case probabilityBits = "probability_bits"
        }
    }

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)"))
    }

    /// Records ranked by SkySearch from the fixture's probabilities.
    static func records() throws -> [ChangeCLIPRecord] {
        let input = try JSONDecoder().decode(Input.self, from: fixture("changeclip_input.json"))
        let classifier = try ZeroShotClassifier(
            classNames: input.classes,
            classEmbeddings: EmbeddingMatrix(rows: input.classes.count, dimension: 1,
                                             values: [Float](repeating: 1, count: input.classes.count)),
            logitScale: 100)
        return zip(input.paths, input.probabilityBits).map { path, bits in
            ChangeCLIPRecord(imagePath: path, ranked: classifier.ranked(bits.map(Float.init(bitPattern:))))
        }
    }

    @Test func encodingIsByteIdenticalToChangeCLIP() throws {
        let expected = String(decoding: try Self.fixture("changeclip_expected.json"), as: UTF8.self)
        let written = ChangeCLIPPromptFile.encode(try Self.records())
        #expect(written == expected)
        #expect(ChangeCLIPPromptFile.encode([]) == "[]")
    }

    @Test func loaderReadsTheTopNineAfterImagePath() throws {
        let records = try Self.records()
        let text = ChangeCLIPPromptFile.encode(records)
        let top = try ChangeCLIPPromptFile.topClasses(fromJSON: text)
        #expect(top.count == records.count)
        for record in records {
            let classes = try #require(top[record.imagePath])
            #expect(classes == Array(record.ranked.prefix(9).map(\.name)))
            #expect(classes.count == 9)
        }
        // The planted tie at the top keeps vocabulary order, as Python's stable sort does.
        let tied = try #require(top["/data/SYSU-CD/train/time1/0002 \"quoted\".png"])
        #expect(Array(tied.prefix(2)) == ["harbor", "stadium"])
    }

    @Test func promptsAreChangeCLIPsStrings() {
        let prompts = ChangeCLIPPromptFile.prompts(topClasses: ["mountain", "bare land", "road"])
        #expect(prompts.background == "remote sensing image background objects")
        #expect(prompts.foreground == "remote sensing image foreground objects, mountain, bare land, road")
    }

    @Test func fileNamesFollowOsPathJoin() {
        #expect(ChangeCLIPPromptFile.fileName(root: "/d/SYSU-CD", split: "train", timeFolder: "time1")
                == "/d/SYSU-CD/train/time1_clipcls_56_vit16.json")
        #expect(ChangeCLIPPromptFile.fileName(root: "/d/LEVIR/", split: "", timeFolder: "A", tag: "x")
                == "/d/LEVIR/A_clipcls_x.json")
    }

    @Test func malformedFilesAreRejected() {
        #expect(throws: SearchError.self) { _ = try ChangeCLIPPromptFile.topClasses(fromJSON: "{\"a\": 1}") }
        #expect(throws: SearchError.self) { _ = try ChangeCLIPPromptFile.topClasses(fromJSON: "[{\"x\": \"1\"}]") }
        #expect(throws: SearchError.self) { _ = try ChangeCLIPPromptFile.topClasses(fromJSON: "[{\"image_path\": ") }
    }
}
