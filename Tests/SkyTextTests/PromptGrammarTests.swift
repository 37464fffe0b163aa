import Foundation
import SkyGeometry
import Testing
@testable import SkyText

/// Prompt templates are filled through B2C's naming and noun phrases: articles agree with the sound, mass nouns
/// take none, adjective-only class names take a noun. Checked on examples and over every class of every shipped
/// palette with every shipped template set.
@Suite struct PromptGrammarTests {
    @Test(arguments: [
        ("a photo with a {}.", "water", "a photo with water."),
        ("a photo with a {}.", "agricultural", "a photo with agricultural land."),
        ("a photo with a {}.", "barren", "a photo with a barren area."),
        ("a photo with a {}.", "airport", "a photo with an airport."),
        ("a photo with a {}.", "building", "a photo with a building."),
        ("a photo with a {}.", "unlabeled", "a photo with an unlabeled area."),
        ("a embroidered {}.", "ship", "an embroidered ship."),
        ("a photo of a large {}.", "airport", "a photo of a large airport."),
        ("a photo of a large {}.", "low vegetation", "a photo of large low vegetation."),
        ("a origami {}.", "water", "origami water."),
        ("a {} in a video game.", "impervious surface", "impervious surface in a video game."),
        ("a photo of many {}.", "storage tank", "a photo of many storage tanks."),
        ("a photo of many {}.", "water", "a photo of many areas of water."),
        ("a photo of one {}.", "forest", "a photo of one area of forest."),
        ("a photo of one {}.", "car", "a photo of one car."),
        ("a photo of the {}.", "water", "a photo of the water."),
        ("a satellite photo of {}.", "airport", "a satellite photo of airport."),
        ("a satellite photo of {}.", "agricultural", "a satellite photo of agricultural land."),
        ("A {}.", "oil tank", "An oil tank."),
        ("{}", "bare land", "bare land"),
        ("{} seen from above, a photo of a {}.", "airport", "airport seen from above, a photo of an airport."),
    ])
    func templatesAreFilledGrammatically(template: String, className: String, expected: String) {
        #expect(PromptGrammar.standard.fill(template, with: className) == expected)
    }

    @Test func shippedSetsUseTheGrammar() throws {
        #expect(try PromptTemplateSet.named("segclip").prompts(for: "water") == ["a photo with water."])
        #expect(try PromptTemplateSet.named("segclip").prompts(for: "agricultural") == ["a photo with agricultural land."])
        let best = try PromptTemplateSet.named("clip-imagenet-best7").prompts(for: "airport")
        #expect(best.contains("an origami airport.") && best.contains("itap of an airport.")
                && best.contains("an airport in a video game."))
        let segclip = try PromptTemplateSet.named("segclip")
        #expect(SegCLIPPrompts.datasetPrompts(classes: ["water", "agricultural", "harbor"], templates: segclip).map(\.text)
                == ["a photo with water.", "a photo with agricultural land.", "a photo with a harbor."])
    }

    @Test func adjectivesTakeTheirTableNounInB2CNamingToo() throws {
        let naming = RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard(), table: .standard)
        #expect(naming.name(for: "agricultural") == ClassName(singular: "agricultural land", plural: "agricultural land",
                                                             isMass: true))
        #expect(naming.name(for: "barren") == ClassName(singular: "barren area", plural: "barren areas"))
        #expect(naming.name(for: "no-data").singular == "no-data area")
        #expect(naming.name(for: "water").isMass)
    }

    /// Every class of every palette through every template of every set: no "a"/"an"/"many"/"one" before a mass
    /// noun, no "a" before a vowel sound nor "an" before a consonant, no adjective left without its noun.
    @Test func everyPaletteClassWithEveryTemplateSetReadsRight() throws {
        let phrasings = try CaptionPhrasings.standard()
        let massNouns = Set(phrasings.massNouns)
        let adjectives = ["agricultural", "barren", "unchanged", "unlabeled", "no-data", "impervious"]
        var classes: [String] = []
        for name in Palette.available {
            classes += try Palette.named(name).classes.map { PromptClassList.clean($0.name) }
        }
        #expect(classes.contains("agricultural") && classes.contains("water") && classes.contains("barren"))
        var checked = 0
        var problems: [String] = []
        for setName in PromptTemplateSet.availableNames() {
            let set = try PromptTemplateSet.named(setName)
            for className in Set(classes).sorted() {
                for text in set.prompts(for: className) {
                    checked += 1
                    if let problem = Self.problem(in: text, massNouns: massNouns, adjectives: adjectives) {
                        problems.append("\(setName): \(text) (\(problem))")
                    }
                }
            }
        }
        #expect(checked > 5_000)
        #expect(problems.isEmpty, "\(problems.count) bad prompts, e.g. \(problems.prefix(5))")
    }

    /// Catches what the checker must catch: the plain `format` of the templates fails it.
    @Test func theCheckerCatchesUngrammaticalPrompts() {
        let mass: Set<String> = ["water", "low vegetation"]
        let adjectives = ["agricultural"]
        for bad in ["a photo with a water.", "a photo of a airport.", "a photo with a agricultural.",
                    "an building.", "a photo of many low vegetation.", "a satellite photo of agricultural.",
                    "a photo of a large water."] {
            #expect(Self.problem(in: bad, massNouns: mass, adjectives: adjectives) != nil, "\(bad)")
        }
        for good in ["a photo with water.", "a photo of an airport.", "a photo with agricultural land.",
                     "a photo of a large low vegetation area."] {
            #expect(Self.problem(in: good, massNouns: mass, adjectives: adjectives) == nil, "\(good)")
        }
    }

    /// What is wrong with `text`, if anything, by rules independent of `PromptGrammar`.
    static func problem(in text: String, massNouns: Set<String>, adjectives: [String]) -> String? {
        let raw = text.split(separator: " ").map(String.init)
        let words = raw.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?")) }
        for (index, word) in words.enumerated() {
            let rest = words[(index + 1)...].joined(separator: " ")
            if ["a", "an", "many", "one"].contains(word),
               let mass = massNouns.first(where: { rest == $0 || rest.hasPrefix($0 + " ") }),
               !rest.hasPrefix(mass + " area") {
                return "'\(word)' before the mass noun '\(mass)'"
            }
            if ["a", "an"].contains(word), index + 2 < words.count,
               let mass = massNouns.first(where: { words[(index + 2)...].joined(separator: " ").hasPrefix($0) }),
               !words[(index + 2)...].joined(separator: " ").hasPrefix(mass + " area") {
                return "'\(word) \(words[index + 1])' before the mass noun '\(mass)'"
            }
            if index + 1 < words.count, let next = words[index + 1].first {
                if word == "a", "aeio".contains(next) { return "'a' before a vowel" }
                if word == "an", !"aeiouh".contains(next) { return "'an' before a consonant" }
            }
            if adjectives.contains(word), index + 1 == words.count || raw[index].last?.isLetter == false {
                return "the adjective '\(word)' stands alone"
            }
        }
        return nil
    }
}
