import Foundation
import SkySearch
import SkyText
import Testing

/// Template ensembles follow each set's recipe: CLIP's normalise-mean-normalise or GeoRSCLIP's mean-normalise.
@Suite struct TemplateEnsembleTests {
    func set(_ ensemble: String) throws -> PromptTemplateSet {
        let json = """
            {"name": "t", "description": "", "source": "", "ensemble": "\(ensemble)",
             "templates": ["a satellite photo of {}.", "{} seen from above, in a very long sentence about {}."]}
            """
        return try JSONDecoder().decode(PromptTemplateSet.self, from: Data(json.utf8))
    }

    func unit(_ vector: [Float]) -> [Float] {
        let norm = vector.map { $0 * $0 }.reduce(0, +).squareRoot()
        return vector.map { $0 / norm }
    }

    @Test func recipesMatchTheirDefinitions() throws {
        let encoder = try CLIPEncoder(modelPath: ChangeCLIPEndToEndTests.tinyModel)
        let prompts = ["a satellite photo of harbor.", "harbor seen from above, in a very long sentence about harbor."]
        let rows = try encoder.model.encodeTokens(prompts.map { encoder.tokenizer.tokenize($0) })
        let clip = unit(zip(unit(rows[0]), unit(rows[1])).map { ($0 + $1) / 2 })
        let geo = unit(zip(rows[0], rows[1]).map { ($0 + $1) / 2 })
        let clipEnsemble = try encoder.classEmbeddings(classNames: ["harbor"], templates: set("normalize-mean-normalize")).row(0)
        let geoEnsemble = try encoder.classEmbeddings(classNames: ["harbor"], templates: set("mean-normalize")).row(0)
        #expect(zip(clip, geo).contains { abs($0 - $1) > 1e-3 }, "the two recipes must differ here for the test to mean anything")
        #expect(zip(clipEnsemble, clip).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(geoEnsemble, geo).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(try PromptTemplateSet.named("georsclip-105").ensemble == .meanNormalize)
    }
}
