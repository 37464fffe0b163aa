import Foundation
import Testing
@testable import SkyDatasets

/// Regression tests for a fuzzing finding: JSON nested 300,000 arrays deep overflowed the stack in the
/// recursive scanner (COCO and caption files). Nesting is limited to ``JSONScanner/maximumDepth``.
@Suite("JSON nesting limit")
struct JSONDepthTests {
    static func nested(_ depth: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
    }

    @Test("nesting up to the limit parses; deeper, parsed or skipped, is an error naming the line")
    func limit() throws {
        _ = try JSONScanner.scan(Self.nested(JSONScanner.maximumDepth), file: "a.json") { scanner throws(DatasetError) in
            try scanner.parseValue()
        }
        for depth in [JSONScanner.maximumDepth + 1, 300_000] {
            for skip in [false, true] {
                #expect {
                    try JSONScanner.scan(Self.nested(depth), file: "a.json") { scanner throws(DatasetError) in
                        if skip { try scanner.skipValue() } else { _ = try scanner.parseValue() }
                    }
                } throws: { error in
                    let error = error as? DatasetError
                    return error?.file == "a.json" && error?.location == "line 1" && error?.problem.contains("512") == true
                }
            }
        }
    }

    @Test("a deep COCO file and a deep JSON-lines caption are errors, or counted skips")
    func readers() throws {
        let coco = try TempDataset("coco")
        try Data(Array(#"{"images": [], "annotations": "#.utf8) + Self.nested(300_000) + Array("}".utf8))
            .write(to: URL(fileURLWithPath: coco.path("instances_train.json")))
        #expect(throws: DatasetError.self) { try COCOReader.read(root: coco.root) }

        let captions = try TempDataset("captions")
        try captions.write("ok.jsonl", "{\"filename\": \"a.jpg\", \"captions\": [\"x\"]}\n")
        try Data(Array(#"{"filename": "b.jpg", "captions": "#.utf8) + Self.nested(300_000) + Array("}\n".utf8))
            .write(to: URL(fileURLWithPath: captions.path("deep.jsonl")))
        #expect { try CaptionReader.read(root: captions.root) } throws: { error in
            (error as? DatasetError)?.file == "deep.jsonl" && (error as? DatasetError)?.location == "line 1"
        }
        let skipped = try CaptionReader.read(root: captions.root, options: ReadOptions(skipInvalid: true))
        #expect(skipped.images.map(\.relativePath) == ["a.jpg"] && skipped.report.skipped == [.unreadableFile: 1])
    }
}
