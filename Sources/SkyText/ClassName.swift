/// How a class is written in English: singular, plural, and whether it is a mass noun.
///
/// B2C never invents a spelling: it takes these from a ``ClassNaming`` (the class tables of
/// `Schemas/classes/`, or ``RuleBasedClassNaming`` until a dataset has a table).
public struct ClassName: Sendable, Hashable, Codable {
    /// One object: "bus", "storage tank", "person".
    public var singular: String
    /// Several objects: "buses", "storage tanks", "people".
    public var plural: String
    /// True for stuff that is not counted ("water", "forest", "low vegetation"): areas of it read
    /// "an area of forest" rather than "a place with forests".
    public var isMass: Bool

    public init(singular: String, plural: String, isMass: Bool = false) {
        self.singular = singular
        self.plural = plural
        self.isMass = isMass
    }
}

/// Anything that turns a clean class name (as stored in the corpus) into its English forms.
///
/// The class tables conform with one line; B2C depends only on this protocol.
public protocol ClassNaming: Sendable {
    /// The English forms of the clean class name `clean` (e.g. "small vehicle").
    func name(for clean: String) -> ClassName
}

/// English forms for B2C and prompts: mass nouns from the phrasings, plurals from the class tables when they
/// agree on the singular, otherwise by rule (``EnglishGrammar/plural(of:)``). The singular is the corpus's class
/// name, except for an adjective-only name ("agricultural"), which takes a noun: the singular its class table
/// gives it ("agricultural land"), or "<adjective> area" when no table names it differently.
public struct RuleBasedClassNaming: ClassNaming {
    /// Clean class names that are mass nouns ("water", "forest").
    public var massNouns: Set<String>
    /// Clean class names that are adjectives only ("agricultural", "barren").
    public var adjectives: Set<String>
    /// The class tables of `Schemas/classes/`, consulted for plurals and for the nouns of adjectives.
    public var table: ClassTable?

    /// Naming with the mass nouns and adjectives of `Schemas/captions/b2c.json` and, optionally, the class tables.
    public init(phrasings: CaptionPhrasings, table: ClassTable? = nil) {
        self.massNouns = Set(phrasings.massNouns)
        self.adjectives = Set(phrasings.adjectives ?? [])
        self.table = table
    }

    /// Naming with explicit lists of mass nouns and adjectives.
    public init(massNouns: Set<String>, adjectives: Set<String> = [], table: ClassTable? = nil) {
        self.massNouns = massNouns
        self.adjectives = adjectives
        self.table = table
    }

    public func name(for clean: String) -> ClassName {
        var singular = clean.lowercased()
        if adjectives.contains(singular) {
            let tableNoun = table?.families.lazy.compactMap { $0.lookup(singular)?.singular }.first
            singular = tableNoun.flatMap { $0 != singular && !adjectives.contains($0) ? $0 : nil } ?? singular + " area"
        }
        if massNouns.contains(singular) {
            return ClassName(singular: singular, plural: singular, isMass: true)
        }
        if let found = table?.name(raw: singular), found.singular == singular, !found.plural.isEmpty {
            return ClassName(singular: singular, plural: found.plural)
        }
        return ClassName(singular: singular, plural: EnglishGrammar.plural(of: singular))
    }
}
