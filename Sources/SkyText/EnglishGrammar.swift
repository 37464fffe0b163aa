/// The small pieces of English grammar that generated captions need.
public enum EnglishGrammar {
    /// Irregular plurals of the last word of a class name.
    static let irregularPlurals: [String: String] = [
        "person": "people", "man": "men", "woman": "women", "child": "children", "foot": "feet",
        "sheep": "sheep", "deer": "deer", "fish": "fish", "aircraft": "aircraft", "species": "species",
        "series": "series", "bus": "buses", "gas": "gases", "roof": "roofs", "chief": "chiefs",
        "leaf": "leaves", "shelf": "shelves", "knife": "knives", "life": "lives", "people": "people",
        "pedestrian": "pedestrians", "photo": "photos", "piano": "pianos", "zoo": "zoos",
        "potato": "potatoes", "tomato": "tomatoes", "volcano": "volcanoes", "cactus": "cacti",
    ]

    /// The plural of a (possibly multi-word) English noun phrase: only its last word changes.
    ///
    /// "storage tank" -> "storage tanks", "bus" -> "buses", "ground track field" -> "ground track fields",
    /// "person" -> "people", "ferry" -> "ferries", "box" -> "boxes".
    public static func plural(of phrase: String) -> String {
        let words = phrase.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let last = words.last else { return phrase }
        let head = words.dropLast().joined(separator: " ")
        let pluralLast = pluralOfWord(last)
        return head.isEmpty ? pluralLast : head + " " + pluralLast
    }

    static func pluralOfWord(_ word: String) -> String {
        let lower = word.lowercased()
        if let irregular = irregularPlurals[lower] { return irregular }
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("z")
            || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            return word + "es"
        }
        if lower.hasSuffix("y"), lower.count >= 2 {
            let beforeY = lower[lower.index(lower.endIndex, offsetBy: -2)]
            if !vowels.contains(beforeY) { return String(word.dropLast()) + "ies" }
        }
        return word + "s"
    }

    /// "a" or "an" before `word`, by its first sound (with the usual spelling exceptions).
    public static func indefiniteArticle(before word: String) -> String {
        let lower = word.lowercased()
        guard let first = lower.first else { return "a" }
        for prefix in ["hour", "honest", "honor", "honour", "heir"] where lower.hasPrefix(prefix) { return "an" }
        for prefix in ["uni", "use", "usu", "uti", "one", "once", "eu", "ewe", "ur"] where lower.hasPrefix(prefix) {
            return "a"
        }
        return "aeiou".contains(first) ? "an" : "a"
    }

    /// Joins phrases the English way: "a", "a and b", "a, b and c".
    public static func joinList(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    /// The sentence with its first letter upper-cased.
    public static func capitalizingFirstLetter(_ sentence: String) -> String {
        guard let first = sentence.first else { return sentence }
        return first.uppercased() + sentence.dropFirst()
    }

    /// The sentence ending in exactly one period (any trailing periods and spaces collapse into one).
    public static func endingWithOnePeriod(_ sentence: String) -> String {
        var trimmed = Substring(sentence)
        while let last = trimmed.last, last == "." || last == " " { trimmed = trimmed.dropLast() }
        return trimmed + "."
    }
}
