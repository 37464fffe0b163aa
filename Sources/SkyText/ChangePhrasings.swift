import Foundation
import SkySchemas

/// The phrasings of change sentences: data from `Schemas/captions/change.json`.
public struct ChangePhrasings: Sendable, Hashable, Codable {
    /// A size word for regions whose share of the image is below a bound.
    public struct SizeWord: Sendable, Hashable, Codable {
        public var below: Double
        public var word: String
    }

    /// Sentences for an empty change mask (LEVIR-CC's no-change sentences).
    public var noChange: [String]
    /// Templates for the count rule.
    public var count: [String]
    /// Templates for the location rule.
    public var location: [String]
    /// Templates for the size rule.
    public var size: [String]
    /// Templates for the semantic rule.
    public var semantic: [String]
    /// Templates for the combined rule.
    public var combined: [String]
    /// Size words by share of the image, in increasing bounds.
    public var sizes: [SizeWord]
    /// The phrase of each grid position ("top left" -> "in the top left corner").
    public var positions: [String: String]
    /// "{from} {was} replaced by {to} {at}" and variants ({at}: where that transition happened).
    public var replaced: [String]
    /// "zero" ... "ten".
    public var numberWords: [String]

    /// The phrasings shipped in `Schemas/captions/change.json`, checked.
    public static func standard() throws -> ChangePhrasings {
        let path = "captions/change.json"
        let phrasings: ChangePhrasings
        do {
            phrasings = try JSONDecoder().decode(ChangePhrasings.self, from: try SkySchemas.data(path))
        } catch let error as SchemaFileError {
            throw error
        } catch {
            throw TextError.badSchemaFile(path: path, reason: "not valid change phrasings JSON (\(error))")
        }
        try phrasings.check(name: path)
        return phrasings
    }

    func check(name: String) throws {
        let lists: [(String, [String])] = [("noChange", noChange), ("count", count), ("location", location),
                                           ("size", size), ("semantic", semantic), ("combined", combined),
                                           ("replaced", replaced)]
        for (key, list) in lists where list.isEmpty {
            throw TextError.badSchemaFile(path: name, reason: "'\(key)' needs at least one phrase")
        }
        for position in ChangePosition.allCases where positions[position.rawValue] == nil {
            throw TextError.badSchemaFile(path: name, reason: "'positions' lacks '\(position.rawValue)'")
        }
        guard numberWords.count == 11 else {
            throw TextError.badSchemaFile(path: name, reason: "'numberWords' must list zero to ten (11 words)")
        }
        guard let last = sizes.last, last.below > 1, zip(sizes, sizes.dropFirst()).allSatisfy({ $0.below < $1.below }) else {
            throw TextError.badSchemaFile(path: name, reason: "'sizes' bounds must increase and the last exceed 1")
        }
    }
}
