import Foundation
import SkyStorage

/// What a build did and what the corpus holds: the final summary of `skycorpus build` (human and `--json`).
public struct BuildSummary: Sendable, Codable, Equatable {
    /// One stage: its name, wall time, whether this run ran it (or found it finished), and its own summary.
    public struct Stage: Sendable, Codable, Equatable {
        public var name: String
        public var seconds: Double
        /// False when an earlier run had finished the stage (a resumed or repeated build).
        public var ranNow: Bool
        public var summary: JSONValue
    }

    /// One dataset's counts in the corpus after the build.
    public struct Dataset: Sendable, Codable, Equatable {
        public var name: String
        public var images: Int
        public var objects: Int
        /// Captions by source (human, b2c, change, prompt).
        public var captions: [String: Int]
        public var changePairs: Int
        /// Images marked duplicate of another, and of those the ones near a protected image (leakage).
        public var duplicates: Int
        public var leaked: Int
        public var unreadable: Int
    }

    public var recipe: String
    public var digest: String
    public var corpus: String
    public var mode: String
    public var stages: [Stage]
    public var datasets: [Dataset]
    /// Stages this run ran, and stages an earlier run had finished.
    public var ranNow: Int
    public var alreadyDone: Int
    public var seconds: Double
}

/// A JSON value: a stage's own summary, kept as the stage wrote it.
public enum JSONValue: Sendable, Codable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value && abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The JSON of an encodable value (snake_case keys), as stored in `build_stage.summary`.
    static func text<T: Encodable>(of value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Parses stored JSON text (null when it does not parse).
    static func parse(_ text: String) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    /// A member of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value as an integer, when it is a number.
    public var int: Int? {
        if case .number(let value) = self { return Int(value) }
        return nil
    }
}
