import Foundation
import SkySchemas

/// One caption template: its text with `{objects}` and `{be}`, and how `{be}` agrees.
public struct CaptionTemplate: Sendable, Hashable, Codable {
    /// How the verb `{be}` agrees with the object list.
    public enum Verb: String, Sendable, Hashable, Codable {
        /// The template has no `{be}`.
        case none
        /// "{objects} {be} ...": plural for a list of two or more, or one plural phrase.
        case subject
        /// "There {be} {objects} ...": agrees with the first phrase of the list.
        case existential
    }

    /// The template text, such as "There {be} {objects} in the picture.".
    public var text: String
    /// How `{be}` agrees.
    public var verb: Verb

    public init(text: String, verb: Verb) {
        self.text = text
        self.verb = verb
    }

    /// True when the object list starts the sentence (its first number is then written as a word).
    public var startsWithObjects: Bool { text.hasPrefix("{objects}") }
}

/// The B2C phrasings: data from `Schemas/captions/b2c.json`, chosen among at random.
public struct CaptionPhrasings: Sendable, Hashable, Codable {
    /// Phrases for areas (objects from M2B), by how many regions: `{name}` is the class name.
    public struct AreaPhrases: Sendable, Hashable, Codable {
        /// One region: "an area of {name}".
        public var one: [String]
        /// Two to ten regions: "some areas of {name}".
        public var several: [String]
        /// More than ten regions: "many areas of {name}".
        public var many: [String]
        /// More than ten regions, only at the start of a sentence: "numerous places with {name}".
        public var manyLead: [String]

        /// Every phrase, for checks.
        var all: [String] { one + several + many + manyLead }
    }

    /// Area phrases for mass nouns (name singular) and for countable classes (name plural).
    public struct AreaPhrasings: Sendable, Hashable, Codable {
        /// "an area of water".
        public var mass: AreaPhrases
        /// "a place with buildings".
        public var countable: AreaPhrases
    }

    /// Templates for objects whose box centre is in the central region.
    public var center: [CaptionTemplate]
    /// Templates for objects whose box centre is outside the central region.
    public var edge: [CaptionTemplate]
    /// Templates for the count captions.
    public var count: [CaptionTemplate]
    /// General words for counts above ten that read well anywhere: "many", "lots of".
    public var many: [String]
    /// General words for counts above ten that only open a sentence: "a crowd of" ("There are a crowd of" is wrong).
    public var manyLead: [String]
    /// Words for two to ten areas whose class name is already an area ("some", "several").
    public var few: [String]
    /// Phrases for areas.
    public var area: AreaPhrasings
    /// Last words that make a class name an area already ("water area"): such areas read "a water area".
    public var areaNouns: [String]
    /// "zero" ... "ten".
    public var numberWords: [String]
    /// Clean class names that are mass nouns.
    public var massNouns: [String]
    /// Clean class names that are adjectives only ("agricultural", "barren"): they never stand alone as a noun
    /// but take their class table's noun phrase, or "<adjective> area" (``RuleBasedClassNaming``).
    public var adjectives: [String]?

    /// The phrasings shipped in `Schemas/captions/b2c.json`, checked.
    public static func standard() throws -> CaptionPhrasings {
        try load(relativePath: "captions/b2c.json")
    }

    /// Reads and checks a phrasings file below `Schemas/`.
    public static func load(relativePath: String) throws -> CaptionPhrasings {
        let data = try SkySchemas.data(relativePath)
        return try decode(data, name: relativePath)
    }

    /// Decodes and checks phrasings from JSON bytes; `name` is used in errors.
    public static func decode(_ data: Data, name: String) throws -> CaptionPhrasings {
        let phrasings: CaptionPhrasings
        do {
            phrasings = try JSONDecoder().decode(CaptionPhrasings.self, from: data)
        } catch {
            throw TextError.badSchemaFile(path: name, reason: "not valid B2C phrasings JSON (\(error))")
        }
        try phrasings.check(name: name)
        return phrasings
    }

    /// Every rule that the generator relies on, so a bad data file fails loudly at load, not mid-run.
    func check(name: String) throws {
        for (rule, templates) in [("center", center), ("edge", edge), ("count", count)] {
            guard !templates.isEmpty else {
                throw TextError.badSchemaFile(path: name, reason: "'\(rule)' has no templates")
            }
            for template in templates {
                guard template.text.contains("{objects}") else {
                    throw TextError.badSchemaFile(path: name, reason: "'\(rule)' template '\(template.text)' lacks {objects}")
                }
                guard template.text.contains("{be}") == (template.verb != .none) else {
                    throw TextError.badSchemaFile(
                        path: name, reason: "'\(rule)' template '\(template.text)': {be} and verb '\(template.verb.rawValue)' disagree")
                }
                guard template.startsWithObjects || template.text.hasPrefix("There {be}") else {
                    throw TextError.badSchemaFile(
                        path: name, reason: "'\(rule)' template '\(template.text)' must start with {objects} or 'There {be}'")
                }
            }
        }
        guard !few.isEmpty else {
            throw TextError.badSchemaFile(path: name, reason: "'few' needs at least one word")
        }
        for areas in [area.mass, area.countable]
        where many.isEmpty || areas.one.isEmpty || areas.several.isEmpty || areas.many.isEmpty {
            throw TextError.badSchemaFile(path: name, reason: "'many' and each 'area' list but 'manyLead' need a phrase")
        }
        for phrase in area.mass.all + area.countable.all where !phrase.contains("{name}") {
            throw TextError.badSchemaFile(path: name, reason: "area phrase '\(phrase)' lacks {name}")
        }
        guard numberWords.count == 11 else {
            throw TextError.badSchemaFile(path: name, reason: "'numberWords' must list zero to ten (11 words)")
        }
    }
}
