import Foundation
import Testing
@testable import SkyText

/// Golden tests for the template sets: the CLIP sets against open_clip's own lists (fixture written by
/// Scripts/prompt_reference_fixtures.py), the others against the counts and strings of their sources.
@Suite struct PromptTemplateTests {
    struct OpenCLIPTemplates: Decodable {
        var openai_imagenet: [String]
        var simple_imagenet: [String]
    }

    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }

    @Test func everyShippedSetLoads() throws {
        let names = PromptTemplateSet.availableNames()
        #expect(names == ["bare", "clip-eurosat", "clip-imagenet-80", "clip-imagenet-best7", "clip-resisc45",
                          "georsclip-105", "remoteclip", "segclip", "skyscript"])
        for name in names {
            let set = try PromptTemplateSet.named(name)
            #expect(set.templates.allSatisfy { $0.components(separatedBy: "{}").count == 2 })
        }
        #expect(throws: TextError.self) { try PromptTemplateSet.named("imagenet") }
    }

    @Test func clipSetsMatchOpenCLIP() throws {
        let reference = try JSONDecoder().decode(OpenCLIPTemplates.self, from: try Self.fixture("openclip_templates.json"))
        let all = try PromptTemplateSet.named("clip-imagenet-80")
        let best = try PromptTemplateSet.named("clip-imagenet-best7")
        #expect(all.templates == reference.openai_imagenet)
        #expect(all.templates.count == 80)
        #expect(best.templates == reference.simple_imagenet)
        #expect(Set(best.templates).isSubset(of: Set(all.templates)))
        #expect(all.ensemble == .normalizeMeanNormalize)
    }

    @Test func remoteSensingSetsMatchTheirSources() throws {
        let geo = try PromptTemplateSet.named("georsclip-105")
        #expect(geo.templates.count == 105 && Set(geo.templates).count == 105)
        #expect(geo.ensemble == .meanNormalize)
        for kind in ["remote sensing image", "aerial image", "satellite image"] {
            #expect(geo.templates.filter { $0.contains(kind) }.count == 35)
        }
        #expect(geo.templates.first == "a remote sensing image of many {}.")
        #expect(geo.templates.last == "a satellite image of a cool {}.")
        #expect(try PromptTemplateSet.named("skyscript").templates == ["a satellite photo of {}.", "a satellite image of {}"])
        let resisc = try PromptTemplateSet.named("clip-resisc45").templates
        #expect(resisc.count == 18 && resisc.first == "satellite imagery of {}." && resisc.last == "aerial view of the {}.")
        #expect(try PromptTemplateSet.named("clip-eurosat").templates == [
            "a centered satellite photo of {}.", "a centered satellite photo of a {}.",
            "a centered satellite photo of the {}."])
        #expect(try PromptTemplateSet.named("remoteclip").prompts(for: "airport") == ["a satellite photo of airport."])
        #expect(try PromptTemplateSet.named("segclip").prompts(for: "building") == ["a photo with a building."])
        #expect(try PromptTemplateSet.named("bare").prompts(for: "bare land") == ["bare land"])
    }

    @Test func changeCLIPVocabularyHas56Classes() throws {
        let vocabulary = try PromptVocabulary.named("changeclip-rscls56")
        #expect(vocabulary.classes.count == 56 && Set(vocabulary.classes).count == 56)
        #expect(vocabulary.classes.first == "airport" && vocabulary.classes.last == "cabin")
        #expect(vocabulary.classes[29] == "single-family residential" && vocabulary.classes[44] == "cars")
        #expect(throws: TextError.self) { try PromptVocabulary.named("nope") }
    }

    @Test(arguments: [
        ("Expressway_Service_area", "expressway service area"), ("dense/residential", "dense residential"),
        ("single-family residential", "single-family residential"), ("  Bare__Land ", "bare land"),
        ("Residential buildings or homes or apartments", "residential buildings or homes or apartments"),
    ])
    func classNamesAreCleanedForPrompts(raw: String, expected: String) {
        #expect(PromptClassList.clean(raw) == expected)
    }

    @Test func classListsComeFromFilesOrArguments() throws {
        #expect(try PromptClassList.parse("airport,Bare_Land, river ,airport") == ["airport", "bare land", "river"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("skytext-classes-\(getpid()).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# ChangeCLIP style\nairport, 机场\ndense residential, 密集住宅区  #\n\nforest\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try PromptClassList.parse(file.path) == ["airport", "dense residential", "forest"])
        #expect(throws: TextError.self) { try PromptClassList.parse(" , ,") }
    }

    @Test func segCLIPPromptsPerDatasetAndPerImage() throws {
        let set = try PromptTemplateSet.named("segclip")
        let prompts = SegCLIPPrompts.datasetPrompts(classes: ["building", "road"], templates: set)
        #expect(prompts.map(\.text) == ["a photo with a building.", "a photo with a road."])
        let mask: [UInt8] = [0, 0, 2, 2, 7, 1, 0, 255]
        let names = [2: "building", 3: "road", 4: "water", 7: "agricultural land"]
        #expect(SegCLIPPrompts.classesPresent(labels: mask, names: names) == ["building", "agricultural land"])
    }
}
