import Foundation
import SkySchemas

/// A named set of CLIP prompt templates, kept as data in `Schemas/prompts/<name>.json`.
///
/// Each template holds `{}` once, where the class name goes, exactly as the source project writes it.
public struct PromptTemplateSet: Sendable, Hashable, Codable {
    /// How the text embeddings of one class's prompts are combined into its classifier weight.
    public enum Ensemble: String, Sendable, Hashable, Codable {
        /// CLIP's recipe: normalise each template embedding, average, normalise again.
        case normalizeMeanNormalize = "normalize-mean-normalize"
        /// GeoRSCLIP's recipe: average the raw embeddings, then normalise.
        case meanNormalize = "mean-normalize"
    }

    /// The set's name, also its file name without `.json`.
    public var name: String
    /// What the set is.
    public var description: String
    /// Where the templates come from.
    public var source: String
    /// How embeddings are combined.
    public var ensemble: Ensemble
    /// The templates, in the source's order.
    public var templates: [String]

    /// The folder of the sets below `Schemas/`.
    static let folder = "prompts"

    /// The set named `name` (a file `Schemas/prompts/<name>.json`), checked.
    /// The template set used when none is named: CLIP's 80 ImageNet templates.
    public static let defaultName = "clip-imagenet-80"

    public static func named(_ name: String) throws -> PromptTemplateSet {
        guard availableNames().contains(name) else {
            throw TextError.invalidOption(name: "templates", value: name,
                                          expected: "one of " + availableNames().joined(separator: ", "))
        }
        let path = "\(folder)/\(name).json"
        let set: PromptTemplateSet
        do {
            set = try JSONDecoder().decode(PromptTemplateSet.self, from: try SkySchemas.data(path))
        } catch let error as SchemaFileError {
            throw error
        } catch {
            throw TextError.badSchemaFile(path: path, reason: "not a valid template set (\(error))")
        }
        guard set.name == name, !set.templates.isEmpty else {
            throw TextError.badSchemaFile(path: path, reason: "its name must be '\(name)' and it needs templates")
        }
        for template in set.templates where template.components(separatedBy: "{}").count != 2 {
            throw TextError.badSchemaFile(path: path, reason: "template '\(template)' must hold {} exactly once")
        }
        return set
    }

    /// The names of the shipped sets, sorted.
    public static func availableNames() -> [String] {
        SkySchemas.files(in: folder).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
    }

    /// The prompts for one class: every template with `{}` replaced by the class phrase of `className` (a cleaned
    /// class name), in template order. `grammar` makes the phrase agree with what precedes `{}` ("a photo with
    /// water.", "a photo of an airport."); see ``PromptGrammar``.
    public func prompts(for className: String, grammar: PromptGrammar = .standard) -> [String] {
        templates.map { grammar.fill($0, with: className) }
    }
}

/// A class vocabulary kept as data in `Schemas/prompts/vocabularies/<name>.json`.
public struct PromptVocabulary: Sendable, Hashable, Codable {
    /// The vocabulary's name.
    public var name: String
    /// What it is.
    public var description: String
    /// Where it comes from.
    public var source: String
    /// The class names, in the source's order.
    public var classes: [String]

    /// The vocabulary named `name`.
    public static func named(_ name: String) throws -> PromptVocabulary {
        let path = "\(PromptTemplateSet.folder)/vocabularies/\(name).json"
        guard SkySchemas.files(in: "\(PromptTemplateSet.folder)/vocabularies").contains("\(name).json") else {
            let known = SkySchemas.files(in: "\(PromptTemplateSet.folder)/vocabularies").map { String($0.dropLast(5)) }
            throw TextError.invalidOption(name: "vocabulary", value: name, expected: "one of " + known.joined(separator: ", "))
        }
        do {
            return try JSONDecoder().decode(PromptVocabulary.self, from: try SkySchemas.data(path))
        } catch {
            throw TextError.badSchemaFile(path: path, reason: "not a valid vocabulary (\(error))")
        }
    }
}
