import Foundation
import SkySchemas

/// Maps each dataset's raw class names to clean English through the tables in `Schemas/classes/`.
///
/// Lookup order for `name(raw:dataset:)`: the table of the dataset's family (exact key, then the key folded
/// through ``ClassNameCleaning/clean(_:)``), then every other table, then the cleaned raw name with a regular
/// English plural. The lookup never fails: an unknown name still gets a readable singular and plural.
public struct ClassTable: Sendable {
    /// One family's table, as in one JSON file.
    public struct Family: Sendable {
        /// The file name without `.json`.
        public var name: String
        /// Prefixes of folded dataset names this table applies to.
        public var datasetPrefixes: [String]
        /// Raw name -> clean name.
        public var classes: [String: ClassName]
        /// Cleaned raw name -> clean name, for names spelled differently (`Small_Vehicle` for `small-vehicle`).
        var folded: [String: ClassName]

        public init(name: String, datasetPrefixes: [String], classes: [String: ClassName]) {
            self.name = name
            self.datasetPrefixes = datasetPrefixes.map(ClassTable.foldDatasetName)
            self.classes = classes
            var folded: [String: ClassName] = [:]
            for (raw, clean) in classes.sorted(by: { $0.key < $1.key }) {
                folded[ClassNameCleaning.clean(raw), default: clean] = clean
            }
            self.folded = folded
        }

        /// The clean name of `raw` in this table, if it has one.
        public func lookup(_ raw: String) -> ClassName? {
            classes[raw] ?? folded[ClassNameCleaning.clean(raw)]
        }
    }

    /// The families, sorted by name.
    public let families: [Family]

    /// A table over the given families.
    public init(families: [Family]) {
        self.families = families.sorted { $0.name < $1.name }
    }

    /// Every table of `Schemas/classes/`, loaded once. Empty (fallback only) if the package resources are missing;
    /// call ``load()`` to see that error.
    public static let standard: ClassTable = (try? load()) ?? ClassTable(families: [])

    /// Loads every `*.json` table of `Schemas/classes/`.
    public static func load() throws -> ClassTable {
        var families: [Family] = []
        for file in SkySchemas.files(in: "classes") where file.hasSuffix(".json") {
            families.append(try parse(SkySchemas.data("classes/" + file), file: "classes/" + file))
        }
        return ClassTable(families: families)
    }

    /// Parses one table file; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> Family {
        struct Entry: Decodable { var singular: String; var plural: String }
        struct Table: Decodable { var family: String; var datasets: [String]; var classes: [String: Entry] }
        let table: Table
        do {
            table = try JSONDecoder().decode(Table.self, from: data)
        } catch {
            throw ClassTableError(file: file, reason: "\(error)")
        }
        return Family(name: table.family, datasetPrefixes: table.datasets,
                      classes: table.classes.mapValues { ClassName(singular: $0.singular, plural: $0.plural) })
    }

    /// The family whose dataset prefix matches `dataset` best (longest prefix), if any.
    public func family(forDataset dataset: String) -> Family? {
        let folded = Self.foldDatasetName(dataset)
        var best: (family: Family, length: Int)? = nil
        for family in families {
            for prefix in family.datasetPrefixes where !prefix.isEmpty && folded.hasPrefix(prefix) {
                if prefix.count > (best?.length ?? 0) { best = (family, prefix.count) }
            }
        }
        return best?.family
    }

    /// The clean singular and plural of `raw` as `dataset` spells it (`dataset` may be nil when unknown).
    public func name(raw: String, dataset: String? = nil) -> ClassName {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let own = dataset.flatMap { family(forDataset: $0) }
        if let found = own?.lookup(trimmed) { return found }
        // Numeric ids mean different things in each family: only the dataset's own table may answer them.
        if !trimmed.allSatisfy(\.isNumber) {
            for family in families where family.name != own?.name {
                if let found = family.lookup(trimmed) { return found }
            }
        }
        let singular = ClassNameCleaning.clean(trimmed)
        return ClassName(singular: singular, plural: Self.pluralize(singular))
    }

    /// The clean singular of `raw`: what the corpus stores in `object.class`.
    public func singular(raw: String, dataset: String? = nil) -> String {
        name(raw: raw, dataset: dataset).singular
    }

    /// A regular English plural of the last word of `phrase` (`storage tank` -> `storage tanks`).
    public static func pluralize(_ phrase: String) -> String {
        guard !phrase.isEmpty else { return phrase }
        var words = phrase.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let last = words.last, !last.isEmpty else { return phrase }
        words[words.count - 1] = pluralizeWord(last)
        return words.joined(separator: " ")
    }

    static let irregular: [String: String] = [
        "person": "people", "man": "men", "woman": "women", "child": "children", "foot": "feet",
        "people": "people", "sheep": "sheep", "deer": "deer", "fish": "fish", "aircraft": "aircraft",
        "vegetation": "vegetation", "clutter": "clutter", "leaf": "leaves",
    ]

    static func pluralizeWord(_ word: String) -> String {
        let lower = word.lowercased()
        if let plural = irregular[lower] { return plural }
        if lower.allSatisfy(\.isNumber) { return word + "s" }
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("z")
            || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            return word + "es"
        }
        if lower.hasSuffix("y"), lower.count > 1, !vowels.contains(lower[lower.index(lower.endIndex, offsetBy: -2)]) {
            return String(word.dropLast()) + "ies"
        }
        return word + "s"
    }

    /// Folds a dataset name for prefix matching: lower-case letters and digits only.
    public static func foldDatasetName(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }
}

/// A class table file is malformed (a packaging or editing mistake in `Schemas/classes/`).
public struct ClassTableError: Error, Sendable, CustomStringConvertible {
    /// The file below `Schemas/`.
    public let file: String
    /// What the decoder said.
    public let reason: String
    public var description: String {
        "Schemas/\(file): expected {\"family\", \"datasets\": [...], \"classes\": {raw: {\"singular\", \"plural\"}}}; "
            + "fix the file (see Schemas/classes/README.md): \(reason)"
    }
}
