import Foundation
import SkyRecipe
import SkyTestSupport
import Testing

/// Every validation error names the file, the line and the key.
@Suite struct RecipeValidationTests {
    static let dota = TestPaths.package("Examples/dota").path

    /// The error parsing `text` gives.
    func failure(_ text: String) -> RecipeError? {
        do {
            _ = try Recipe.parse(text, file: "bad.yaml", folder: "/")
            return nil
        } catch {
            return error
        }
    }

    /// The fuzzer's stack overflow in Yams (`{{{{...` about 1,800 deep): deep nesting is refused, naming the line,
    /// before Yams recurses; flow brackets carried over lines and chains of `- ` entries count alike.
    @Test func deepNestingIsRefusedBeforeYamsRecurses() {
        let deep = Recipe.maximumNesting + 1
        expectFailure("datasets:\n  - {name: a, path: " + String(repeating: "{", count: 2_000) + "\n",
                      line: 2, key: "", mentions: "nested deeper than \(Recipe.maximumNesting) levels")
        expectFailure("datasets:\n" + String(repeating: "[\n", count: deep), line: deep + 1, key: "",
                      mentions: "nested deeper")
        expectFailure("datasets:\n" + String(repeating: "- ", count: 5_000) + "x\n", line: 2, key: "",
                      mentions: "nested deeper")
        // Twenty levels are still YAML for Yams: the error is about the recipe's content, not its depth.
        let shallow = failure("datasets:\n  - " + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "\n")
        #expect(shallow != nil && !(shallow!.description.contains("nested deeper")), "\(String(describing: shallow))")
    }

    /// The fuzzer's trap in Yams' YAML 1.1 sexagesimal conversion (`priority: 2777777777777777777:77777:7777`):
    /// integers and numbers are read as decimals by the recipe itself, so such values are errors naming the key.
    @Test func numbersAreDecimalAndNeverTrap() throws {
        // The crashing input as the fuzzer wrote it (non-UTF-8 bytes decoded as the fuzz target decodes them).
        let artifact = try #require(Data(base64Encoded: "ZGF0YXNldHM6CiAgLSB7bmFtZTogZCwgcGF0aDogZGF0YSwgZm9ybWF0OiBkb3RhLCBwcm90ZWN0OiBbdGVzdF0sIHByaW9yaXR5OiAyNzc3Nzc3Nzc3Nzc3Nzc3Nzc3Ojc3Nzc3Ojc3Nze3N8U3Nzc3Nzd9CnN0ZXBzOgogIG09YjoKICBjYXB0aW9uOiB7c2VlZGUgc3BsaXRzOiBbdHJhaW5dfQo="))
        #expect {
            _ = try Recipe.parse(String(decoding: artifact, as: UTF8.self), file: "fuzz.yaml", folder: "/", checkFiles: false)
        } throws: { error in
            (error as? RecipeError)?.key == "datasets[0].priority"
        }
        expectFailure(dataset + "    priority: 2777777777777777777:77777:7777\n", line: 4, key: "datasets[0].priority",
                      mentions: "expected an integer")
        for value in ["1:30", "0x10", "0o17", "99999999999999999999", "1.5", ".inf"] {
            expectFailure(dataset + "    priority: \(value)\n", line: 4, key: "datasets[0].priority", mentions: "expected an integer")
        }
        for value in ["1:30", "190:20:30.15", "0x1p3", "nan", "inf", ".inf", "1e999", "-"] {
            expectFailure(dataset + "steps:\n  m2b: {min_area: \(value)}\n", line: 5, key: "steps.m2b.min_area",
                          mentions: "expected a number")
        }
        // Decimal spellings still read, `_` separators included.
        let recipe = try Recipe.parse(dataset + "    priority: -1_000\nsteps:\n  m2b: {min_area: 2.5e1}\n  caption: {per_image: +5}\n",
                                      file: "good.yaml", folder: "/")
        #expect(recipe.datasets[0].priority == -1_000)
        #expect(recipe.m2b?.minArea == 25)
        #expect(recipe.caption?.perImage == 5)
    }

    func expectFailure(_ text: String, line: Int, key: String, mentions: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = failure(text) else {
            Issue.record("the recipe was accepted", sourceLocation: sourceLocation)
            return
        }
        #expect(error.file == "bad.yaml", sourceLocation: sourceLocation)
        #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.key == key, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(mentions), "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("bad.yaml:\(line): "), sourceLocation: sourceLocation)
    }

    var dataset: String { "datasets:\n  - name: d\n    path: \(Self.dota)\n" }

    @Test func unknownKeys() {
        expectFailure(dataset + "stepz: {}\n", line: 4, key: "stepz", mentions: "unknown key; allowed here: datasets, steps")
        expectFailure(dataset + "    formt: dota\n", line: 4, key: "datasets[0].formt", mentions: "unknown key")
        expectFailure(dataset + "steps:\n  caption: {sed: 7}\n", line: 5, key: "steps.caption.sed", mentions: "per_image")
        expectFailure(dataset + "steps:\n  ingest: {skip: true}\n", line: 5, key: "steps.ingest.skip", mentions: "skip_invalid")
        expectFailure(dataset + "exports:\n  - {format: csv, out: a.csv, shards: 3}\n", line: 5, key: "exports[0].shards",
                      mentions: "shard_size")
        expectFailure(dataset + "    name: e\n", line: 4, key: "datasets[0].name", mentions: "appears twice")
    }

    @Test func wrongTypes() {
        expectFailure(dataset + "    priority: high\n", line: 4, key: "datasets[0].priority", mentions: "expected an integer, found 'high'")
        expectFailure("datasets: {name: d}\n", line: 1, key: "datasets", mentions: "expected a list, found a mapping")
        expectFailure(dataset + "steps:\n  caption: {seed: -1}\n", line: 5, key: "steps.caption.seed", mentions: "non-negative integer")
        expectFailure(dataset + "steps:\n  m2b: {rotated: maybe}\n", line: 5, key: "steps.m2b.rotated", mentions: "true or false")
        expectFailure(dataset + "steps:\n  m2b: {min_area: [1]}\n", line: 5, key: "steps.m2b.min_area", mentions: "expected a number")
        expectFailure(dataset + "steps: [m2b]\n", line: 4, key: "steps", mentions: "expected a mapping")
        expectFailure("- a\n- b\n", line: 1, key: "", mentions: "expected a mapping")
    }

    @Test func missingKeysAndPaths() {
        expectFailure("steps: {}\n", line: 1, key: "", mentions: "missing key 'datasets'")
        expectFailure("datasets:\n  - path: \(Self.dota)\n", line: 2, key: "datasets[0]", mentions: "missing key 'name'")
        expectFailure("datasets:\n  - name: d\n", line: 2, key: "datasets[0]", mentions: "missing key 'path'")
        expectFailure("datasets:\n  - name: d\n    path: /no/such/folder\n", line: 3, key: "datasets[0].path",
                      mentions: "no such dataset file or folder: /no/such/folder")
        expectFailure("datasets: []\n", line: 1, key: "datasets", mentions: "at least one dataset")
        expectFailure(dataset + "exports:\n  - {format: csv}\n", line: 5, key: "exports[0]", mentions: "missing key 'out'")
        expectFailure(dataset + "steps:\n  embed: {model: /no/model.pt}\n", line: 5, key: "steps.embed.model",
                      mentions: "no such checkpoint")
    }

    @Test func unknownValues() {
        expectFailure(dataset + "    format: dotaa\n", line: 4, key: "datasets[0].format",
                      mentions: "unknown format 'dotaa'; formats: dota, voc")
        expectFailure(dataset + "    palette: mars\n", line: 4, key: "datasets[0].palette", mentions: "unknown palette 'mars'")
        expectFailure(dataset + "exports:\n  - {format: parquet, out: a}\n", line: 5, key: "exports[0].format",
                      mentions: "unknown export format 'parquet'")
        expectFailure(dataset + "exports:\n  - {format: csv, out: a, sources: [gpt]}\n", line: 5, key: "exports[0].sources",
                      mentions: "unknown caption source 'gpt'")
        expectFailure(dataset + "exports:\n  - {format: webdataset, out: a, layout: flat}\n", line: 5, key: "exports[0].layout",
                      mentions: "unknown layout 'flat'")
        expectFailure(dataset + "steps:\n  caption: {difficult: maybe}\n", line: 5, key: "steps.caption.difficult",
                      mentions: "unknown difficult policy")
        expectFailure(dataset + "steps:\n  prompts:\n    - {templates: nope, classes: [a]}\n", line: 6,
                      key: "steps.prompts[0].templates", mentions: "unknown template set 'nope'")
        expectFailure(dataset + "steps:\n  m2b: {datasets: [other]}\n", line: 5, key: "steps.m2b.datasets",
                      mentions: "dataset 'other' is not among the recipe's datasets")
    }

    @Test func valuesOutOfRange() {
        expectFailure(dataset + "steps:\n  dedup: {threshold: 65}\n", line: 5, key: "steps.dedup.threshold", mentions: "0 to 64")
        expectFailure(dataset + "steps:\n  caption: {per_image: 0}\n", line: 5, key: "steps.caption.per_image", mentions: "per-image")
        expectFailure(dataset + "steps:\n  changes: {per_pair: 21}\n", line: 5, key: "steps.changes.per_pair", mentions: "1 to 20")
        expectFailure(dataset + "exports:\n  - {format: webdataset, out: s, shard_size: 0}\n", line: 5,
                      key: "exports[0].shard_size", mentions: "at least 1")
        expectFailure(dataset + "exports:\n  - {format: csv, out: a.csv}\n  - {format: jsonl, out: a.csv}\n", line: 6,
                      key: "exports[1]", mentions: "two exports write to 'a.csv'")
        expectFailure(dataset + "  - name: d\n    path: \(Self.dota)\n", line: 4, key: "datasets[1].name", mentions: "appears twice")
        expectFailure(dataset + "steps:\n  prompts:\n    - {templates: clip-imagenet-80}\n", line: 6, key: "steps.prompts[0]",
                      mentions: "give 'classes'")
    }

    @Test func yamlSyntaxErrorsNameTheLine() {
        let error = failure(dataset + "steps:\n  caption: {seed: 7\n")
        #expect(error?.description.hasPrefix("bad.yaml:") == true)
        #expect(error?.problem.contains("not valid YAML") == true)
        #expect((error?.line ?? 0) >= 5)
        expectFailure("", line: 1, key: "", mentions: "the recipe is empty")
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: RecipeError.self) { try Recipe.load(path: "/no/such/recipe.yaml") }
    }
}
