import Foundation
import SkyDatasets
import SkyPipeline
import SkyRecipe
import SkyTestSupport
import Testing

/// Recipe parsing: the sections, the library's defaults, paths, the digest.
@Suite struct RecipeParsingTests {
    static let examples = TestPaths.package("Examples").path

    /// A recipe text over the bundled examples (absolute paths, so the folder does not matter).
    static func recipe(_ body: String) -> String {
        """
        datasets:
          - name: dota
            path: \(examples)/dota
            format: dota
            protect: [test]
            priority: 2
        \(body)
        """
    }

    @Test func demoRecipeParsesWithItsSources() throws {
        let recipe = try Recipe.load(path: TestPaths.package("Examples/recipes/demo.yaml").path)
        #expect(recipe.datasets.map(\.name) == ["examples-dota", "examples-loveda", "examples-levir"])
        #expect(recipe.datasets[0].sources.map(\.format) == [.dota, .captions])
        #expect(recipe.datasets[0].sources[0].resolvedPath == Self.examples + "/dota")
        #expect(recipe.datasets[2].sources[0].format == nil)
        #expect(recipe.datasets[1].palette == "loveda")
        #expect(recipe.m2b?.minArea == 20)
        #expect(recipe.caption?.seed == 7)
        #expect(recipe.dedup?.threshold == 2)
        #expect(recipe.protectedSplits == [ProtectedSplit(dataset: "examples-dota", split: "test")])
        #expect(recipe.exports.map(\.format) == [.csv, .webdataset, .jsonl, .csv])
        #expect(recipe.exports[1].shardSize == 50)
        #expect(recipe.exports[3].sources == [.change])
    }

    @Test func remoteCLIPRecipeParsesWithPlaceholderPaths() throws {
        let path = TestPaths.package("Examples/recipes/remoteclip.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let recipe = try Recipe.parse(text, file: path, folder: "/data", checkFiles: false)
        #expect(recipe.datasets.count >= 17)
        #expect(recipe.datasets.allSatisfy { !$0.sources.isEmpty })
        // Without checkFiles off, the placeholder paths are refused, naming the first dataset's path.
        #expect(throws: RecipeError.self) { try Recipe.load(path: path) }
    }

    @Test func stepsLeftOutDoNotRunAndEmptyStepsTakeTheLibraryDefaults() throws {
        let bare = try Recipe.parse(Self.recipe(""), file: "r.yaml", folder: "/")
        #expect(bare.m2b == nil && bare.caption == nil && bare.dedup == nil && bare.exports.isEmpty)
        let defaults = try Recipe.parse(Self.recipe("steps:\n  m2b:\n  caption: {}\n  dedup:\n"), file: "r.yaml", folder: "/")
        #expect(defaults.dedup?.threshold == Deduplication.defaultThreshold)
        #expect(defaults.caption?.perImage == CaptionSettings().perImage)
        #expect(defaults.m2b == M2BSettings())
    }

    @Test func relativePathsResolveAgainstTheRecipeFolder() throws {
        let text = "datasets:\n  - {name: d, path: dota, format: dota}\n"
        let recipe = try Recipe.parse(text, file: "r.yaml", folder: Self.examples)
        #expect(recipe.datasets[0].sources[0].resolvedPath == Self.examples + "/dota")
        let export = RecipeExport(format: .csv, out: "sub/train.csv").request(resolvingAgainst: "/tmp/x")
        #expect(export.out == "/tmp/x/sub/train.csv")
    }

    @Test func digestIgnoresCommentsAndLayoutButNotSettings() throws {
        let a = try Recipe.parse(Self.recipe("steps:\n  caption: {seed: 7}\n"), file: "a", folder: "/")
        let b = try Recipe.parse("# a comment\n" + Self.recipe("steps:\n  caption:\n    seed: 7   # same\n"),
                                 file: "b", folder: "/")
        let c = try Recipe.parse(Self.recipe("steps:\n  caption: {seed: 8}\n"), file: "c", folder: "/")
        #expect(a.digest == b.digest)
        #expect(a.digest != c.digest)
        #expect(a.digest.count == 64)
    }

    @Test func promptsTakeAListAFileOrMasks() throws {
        let recipe = try Recipe.parse(Self.recipe("""
            steps:
              prompts:
                - {templates: clip-imagenet-80, classes: [Storage_Tank, ship], dataset: dota}
                - {from_masks: true, dataset: dota}
            """), file: "r.yaml", folder: "/")
        #expect(recipe.prompts[0].classes == ["storage tank", "ship"])
        #expect(recipe.prompts[1].fromMasks)
    }
}
