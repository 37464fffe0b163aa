import Testing
@testable import SkyDatasets

/// YOLO's `names:` map: a class id far past any class table is an error naming the line, not a huge allocation.
@Suite struct YOLONamesTests {
    @Test func aHugeClassIdIsAnErrorNamingTheLine() throws {
        // The yolo fuzz target's reproducer: `names:` with an id of 11111111111111112 asked for 1.7e15 bytes.
        let lines = "nc: 2\nnames:\n  0: plane\n  11111111111111112: ship\n".split(separator: "\n", omittingEmptySubsequences: false)
        let error = #expect(throws: DatasetError.self) { _ = try YOLOReader.yamlNames(Array(lines), file: "data.yaml") }
        #expect(error?.description == "data.yaml: line 4: class id 11111111111111112 is outside 0...65535")
        let fine = "names:\n  0: plane\n  2: ship\n".split(separator: "\n").map { $0 }
        #expect(try YOLOReader.yamlNames(fine, file: "data.yaml") == ["plane", "class 1", "ship"])
    }
}
