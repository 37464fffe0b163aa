import Foundation
import Testing
@testable import SkyText

/// ChangeCLIP's prompt files: byte-exact against its own writer (fixture from Scripts/prompt_reference_fixtures.py),
/// and read back the way its loader reads them.
@Suite struct ChangeCLIPPromptFileTests {
    struct Fixture: Decodable {
        struct Input: Decodable {
            var image_path: String
            var classes: [String]
            var logits: [Double]
            var probabilities: [Double]
        }
        var inputs: [Input]
        var expected: String
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: try PromptTemplateTests.fixture("changeclip_clipcls.json"))
    }

    static func records(_ fixture: Fixture) -> [ChangeCLIPPromptFile.Record] {
        fixture.inputs.map { input in
            ChangeCLIPPromptFile.Record(imagePath: input.image_path,
                                        probabilities: Array(zip(input.classes, input.probabilities)).map {
                                            (className: $0.0, probability: $0.1) })
        }
    }

    @Test func fileIsByteExactWithChangeCLIPsWriter() throws {
        let fixture = try Self.fixture()
        #expect(ChangeCLIPPromptFile.json(Self.records(fixture)) == fixture.expected)
        #expect(ChangeCLIPPromptFile.relativePath(split: "train", time: "A") == "train/A_clipcls_56_vit16.json")
        #expect(ChangeCLIPPromptFile.relativePath(split: "val", time: "time2", tag: "56_vit14")
                == "val/time2_clipcls_56_vit14.json")
    }

    @Test func softmaxMatchesTheReference() throws {
        for input in try Self.fixture().inputs.dropLast() {
            let probabilities = ChangeCLIPPromptFile.softmax(input.logits)
            for (mine, theirs) in zip(probabilities, input.probabilities) {
                #expect(abs(mine - theirs) < 1e-12)
            }
        }
    }

    /// Reads the written file as `TXTCDDatasetJSON.load_json` does: per record, the keys after
    /// `image_path` in file order, first nine; then builds the model's two prompts.
    @Test func loaderReadsTopNineAndBuildsThePrompts() throws {
        let fixture = try Self.fixture()
        let text = ChangeCLIPPromptFile.json(Self.records(fixture))
        let parsed = try OrderedJSON.parseRecords(text)
        #expect(parsed.count == fixture.inputs.count)
        for (record, source) in zip(parsed, Self.records(fixture)) {
            #expect(record.first?.key == "image_path" && record.first?.value == source.imagePath)
            let topNine = Array(record.dropFirst().prefix(9).map(\.key))
            #expect(topNine == source.top(9))
            let values = record.dropFirst().map { Double($0.value) ?? -1 }
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
            #expect(record.dropFirst().allSatisfy { $0.value.count == 6 && $0.value.hasPrefix("0.") || $0.value == "1.0000" })
        }
        let first = try #require(parsed.first)
        let prompt = ChangeCLIPPromptFile.foregroundPrompt(classes: first.dropFirst().prefix(9).map(\.key))
        #expect(prompt.hasPrefix("remote sensing image foreground objects, "))
        #expect(prompt.components(separatedBy: ", ").count == 10)
        // The maintainer's example string (ChangeCLIP issue #4).
        #expect(ChangeCLIPPromptFile.foregroundPrompt(classes: [
            "mountain", "bare land", "ground track field", "road", "farmland", "dense residential", "island",
            "highway", "fertile land"])
            == "remote sensing image foreground objects, mountain, bare land, ground track field, road, farmland, "
            + "dense residential, island, highway, fertile land")
        #expect(ChangeCLIPPromptFile.backgroundPrompt == "remote sensing image background objects")
    }
}

/// A small JSON reader for a list of flat string-valued objects that keeps key order, as Python's json does.
enum OrderedJSON {
    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "ordered JSON: unexpected character at \(offset)" }
    }

    static func parseRecords(_ text: String) throws -> [[(key: String, value: String)]] {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func skipSpace() { while index < scalars.count, [" ", "\n", "\t", "\r"].contains(scalars[index]) { index += 1 } }
        func expect(_ character: Unicode.Scalar) throws {
            skipSpace()
            guard index < scalars.count, scalars[index] == character else { throw ParseError(offset: index) }
            index += 1
        }
        func string() throws -> String {
            try expect("\"")
            var out = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "\"" {
                if scalars[index] == "\\" {
                    index += 1
                    switch scalars[index] {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "u":
                        let hex = String(String.UnicodeScalarView(scalars[(index + 1)...(index + 4)]))
                        out.append(Unicode.Scalar(UInt32(hex, radix: 16) ?? 0) ?? "?")
                        index += 4
                    default: out.append(scalars[index])
                    }
                } else {
                    out.append(scalars[index])
                }
                index += 1
            }
            index += 1
            return String(out)
        }
        var records: [[(key: String, value: String)]] = []
        try expect("[")
        skipSpace()
        while index < scalars.count, scalars[index] != "]" {
            try expect("{")
            var record: [(key: String, value: String)] = []
            skipSpace()
            while index < scalars.count, scalars[index] != "}" {
                let key = try string()
                try expect(":")
                record.append((key, try string()))
                skipSpace()
                if scalars[index] == "," { index += 1; skipSpace() }
            }
            index += 1
            records.append(record)
            skipSpace()
            if index < scalars.count, scalars[index] == "," { index += 1; skipSpace() }
        }
        return records
    }
}
