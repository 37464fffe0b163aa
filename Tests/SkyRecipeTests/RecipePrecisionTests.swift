import Foundation
import SkyCLIP
import SkyRecipe
import SkyTestSupport
import Testing

/// `steps.embed.precision`: fp32 by default, bf16 on request, any other value (or a machine that cannot run it)
/// an error naming the file, the line and the key; a recipe without the key keeps its digest.
@Suite struct RecipePrecisionTests {
    static let dota = TestPaths.package("Examples/dota").path
    static let model = TestPaths.tinyCheckpoint

    static func recipe(_ embed: String) -> String {
        "datasets:\n  - name: d\n    path: \(dota)\nsteps:\n  embed:\n    model: \(model)\n" + embed
    }

    static func parse(_ text: String, checkFiles: Bool = false) throws(RecipeError) -> Recipe {
        try Recipe.parse(text, file: "r.yaml", folder: "/", checkFiles: checkFiles)
    }

    @Test func defaultIsFP32AndBF16IsTaken() throws {
        let plain = try Self.parse(Self.recipe(""))
        let fp32 = try Self.parse(Self.recipe("    precision: fp32\n"))
        let bf16 = try Self.parse(Self.recipe("    precision: bf16\n"))
        #expect(plain.embed?.precision == .fp32 && fp32.embed?.precision == .fp32 && bf16.embed?.precision == .bf16)
        // The default, written or not, is the same recipe; bf16 is another one (a corpus built at fp32 refuses it).
        #expect(plain.digest == fp32.digest && plain.digest != bf16.digest)
    }

    /// Recipes written before the key existed keep their digest: the default is not part of the canonical form.
    @Test func theDefaultIsLeftOutOfTheCanonicalForm() throws {
        let plain = try Self.parse(Self.recipe(""))
        let json = String(decoding: try JSONEncoder().encode(try #require(plain.embed)), as: UTF8.self)
        #expect(!json.contains("precision"), "\(json)")
        let bf16 = try #require(try Self.parse(Self.recipe("    precision: bf16\n")).embed)
        let bf16JSON = try JSONEncoder().encode(bf16)
        #expect(String(decoding: bf16JSON, as: UTF8.self).contains(#""precision":"bf16""#))
        #expect(try JSONDecoder().decode(EmbedSettings.self, from: bf16JSON).precision == .bf16)
        #expect(try JSONDecoder().decode(EmbedSettings.self, from: Data(json.utf8)).precision == .fp32)
    }

    @Test(arguments: [("    precision: fp16\n", "unknown precision 'fp16'; precisions: fp32, bf16"),
                      ("    precision: BF16\n", "unknown precision 'BF16'"),
                      ("    precision: [bf16]\n", "expected a text value, found a list"),
                      ("    precison: bf16\n", "unknown key; allowed here: model, name, what, batch_size, precision")])
    func badValuesNameTheLineAndKey(embed: String, mentions: String) {
        do {
            _ = try Self.parse(Self.recipe(embed))
            Issue.record("accepted: \(embed)")
        } catch {
            #expect(error.file == "r.yaml" && error.line == 7, "\(error)")
            #expect(error.key == (embed.contains("precison") ? "steps.embed.precison" : "steps.embed.precision"), "\(error)")
            #expect(error.description.hasPrefix("r.yaml:7: steps.embed.") && error.description.contains(mentions), "\(error)")
        }
    }

    @Test func anInlineMappingNamesItsLineToo() {
        let text = "datasets:\n  - name: d\n    path: \(Self.dota)\nsteps:\n  embed: {model: m.pt, precision: fp64}\n"
        #expect(throws: RecipeError(file: "r.yaml", line: 5, key: "steps.embed.precision",
                                    problem: "unknown precision 'fp64'; precisions: fp32, bf16")) {
            try Self.parse(text)
        }
    }

    /// With the file checks on (as `skycorpus build` parses), bf16 is refused at its line on a CPU without
    /// AVX512-BF16, with the message loading a model would give; where the CPU has it, the recipe is taken.
    @Test func bf16OnAMachineWithoutItIsRefusedAtItsLine() throws {
        let text = Self.recipe("    precision: bf16\n")
        do {
            try Precision.bf16.checkAvailable()
        } catch {
            #expect(throws: RecipeError(file: "r.yaml", line: 7, key: "steps.embed.precision", problem: "\(error)")) {
                try Self.parse(text, checkFiles: true)
            }
            #expect("\(error)".contains("AVX512-BF16") || "\(error)".contains("self-check"))
            return
        }
        #expect(try Self.parse(text, checkFiles: true).embed?.precision == .bf16)
    }
}
