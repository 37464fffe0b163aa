/// A rendered noun phrase and whether the verb after it is plural.
///
/// The one place where a class name meets a determiner: B2C's captions and the prompt templates
/// (``PromptGrammar``) both build their class phrases here, so "a"/"an" and mass nouns agree everywhere.
struct NounPhrase {
    var text: String
    var isPlural: Bool

    /// One counted object of a class with its indefinite article: "a ship", "an airport". B2C counts boxes, so a
    /// box of a mass-noun class is still one thing ("a forest"); areas of mass nouns have their own phrases.
    static func single(_ name: ClassName) -> NounPhrase {
        var counted = name
        counted.isMass = false
        return NounPhrase(text: indefinite(counted, modifiers: ""), isPlural: false)
    }

    /// The class after an indefinite article and optional `modifiers` ("large", "embroidered"): the article
    /// agrees with the first word that follows it ("an embroidered ship", "a large airport"); a mass noun
    /// drops it ("large water"). `modifiers` is empty or words without the surrounding spaces.
    static func indefinite(_ name: ClassName, modifiers: String) -> String {
        let rest = modifiers.isEmpty ? name.singular : modifiers + " " + name.singular
        if name.isMass { return rest }
        return EnglishGrammar.indefiniteArticle(before: rest) + " " + rest
    }

    /// Several of a class after a counting word ("many"): the plural ("many storage tanks"); a mass noun
    /// is counted in areas through `massAreas`, a phrase with `{name}` ("areas of {name}" -> "areas of water").
    static func counted(_ name: ClassName, massAreas: String) -> String {
        name.isMass ? massAreas.replacingOccurrences(of: "{name}", with: name.singular) : name.plural
    }
}
