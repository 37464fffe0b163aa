import Foundation

/// Fills prompt templates grammatically: the class goes through the same naming and noun phrases as B2C's
/// captions (``ClassNaming``, mass nouns and a/an from `Schemas/captions/b2c.json` and the class tables).
///
/// Templates stay verbatim from their sources (`Schemas/prompts/`); what precedes `{}` decides the phrase:
///
/// | before `{}` | countable ("airport") | mass noun ("water") |
/// | --- | --- | --- |
/// | "a"/"an" | "an airport" | "water" (the article is dropped) |
/// | "a"/"an" + one modifier ("a large {}") | "a large airport", "an embroidered airport" | "large water" |
/// | "many" | "many airports" | "many areas of water" (B2C's mass area phrase) |
/// | "one" | "one airport" | "one area of water" |
/// | anything else ("the", "my", "of", nothing) | "airport" | "water" |
///
/// Adjective-only class names ("agricultural", "barren") never stand alone: the naming gives them their class
/// table's noun phrase ("agricultural land", "barren area"), or "<adjective> area" when no table has one
/// (``RuleBasedClassNaming``).
public struct PromptGrammar: Sendable {
    /// English forms of the (cleaned) class names.
    public var naming: any ClassNaming
    /// One area of a mass noun, with `{name}` and its own article: "an area of {name}".
    public var massOne: String
    /// Many areas of a mass noun, with `{name}` and its own counting word: "many areas of {name}".
    public var massMany: String

    /// A grammar over `naming`; the mass phrases default to the first of B2C's area phrasings.
    public init(naming: any ClassNaming, massOne: String = "an area of {name}",
                massMany: String = "many areas of {name}") {
        self.naming = naming
        self.massOne = massOne
        self.massMany = massMany
    }

    /// The grammar of B2C's phrasings (`Schemas/captions/b2c.json`) with the class tables of `Schemas/classes/`.
    public init(phrasings: CaptionPhrasings, table: ClassTable = .standard) {
        self.init(naming: RuleBasedClassNaming(phrasings: phrasings, table: table),
                  massOne: phrasings.area.mass.one.first ?? "an area of {name}",
                  massMany: phrasings.area.mass.many.first ?? "many areas of {name}")
    }

    /// The shipped grammar, loaded once. If `Schemas/captions/b2c.json` cannot be read (a packaging mistake,
    /// reported by ``CaptionPhrasings/standard()``), class names keep their table plurals and no mass nouns.
    public static let standard: PromptGrammar = (try? CaptionPhrasings.standard()).map { PromptGrammar(phrasings: $0) }
        ?? PromptGrammar(naming: RuleBasedClassNaming(massNouns: [], table: .standard))

    /// `template` with each `{}` replaced by the class phrase for `className` (a cleaned class name).
    public func fill(_ template: String, with className: String) -> String {
        let name = naming.name(for: className)
        var output = ""
        var rest = Substring(template)
        while let slot = rest.range(of: "{}") {
            output = phrase(after: output + rest[..<slot.lowerBound], name)
            rest = rest[slot.upperBound...]
        }
        return output + rest
    }

    /// `head` (the text before a slot) with the class phrase appended, and the determiner at its end made to agree.
    func phrase(after head: String, _ name: ClassName) -> String {
        // Only whole words before the slot are determiners: "a {}", not "({})".
        let words = head.isEmpty || head.hasSuffix(" ") ? head.split(separator: " ") : []
        func replacing(_ count: Int, with phrase: String) -> String {
            guard count > 0 else { return head + phrase }
            let first = words[words.count - count]
            let cased = first.first?.isUppercase == true ? EnglishGrammar.capitalizingFirstLetter(phrase) : phrase
            return head[..<first.startIndex] + cased
        }
        let last = words.last.map { $0.lowercased() }
        if last == "a" || last == "an" {
            return replacing(1, with: NounPhrase.indefinite(name, modifiers: ""))
        }
        if words.count >= 2, ["a", "an"].contains(words[words.count - 2].lowercased()),
           let modifier = words.last, modifier.allSatisfy(\.isLetter) {
            return replacing(2, with: NounPhrase.indefinite(name, modifiers: String(modifier)))
        }
        if last == "many" {
            return name.isMass ? replacing(1, with: fillName(massMany, name))
                : replacing(0, with: NounPhrase.counted(name, massAreas: massMany))
        }
        if last == "one", name.isMass {
            return replacing(0, with: Self.droppingArticle(fillName(massOne, name)))
        }
        return replacing(0, with: name.singular)
    }

    private func fillName(_ phrase: String, _ name: ClassName) -> String {
        phrase.replacingOccurrences(of: "{name}", with: name.singular)
    }

    /// "an area of water" -> "area of water".
    static func droppingArticle(_ phrase: String) -> String {
        for article in ["a ", "an "] where phrase.lowercased().hasPrefix(article) {
            return String(phrase.dropFirst(article.count))
        }
        return phrase
    }
}
