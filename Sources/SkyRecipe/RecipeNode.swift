import Foundation
import Yams

/// A YAML node with where it is (file, line, key path): typed reads that fail with a ``RecipeError``.
struct RecipeNode {
    let node: Node
    let file: String
    /// The key path, `datasets[1].format`.
    let key: String

    var line: Int { node.mark?.line ?? 1 }

    func error(_ problem: String) -> RecipeError {
        RecipeError(file: file, line: line, key: key, problem: problem)
    }

    private func child(_ node: Node, _ key: String) -> RecipeNode {
        RecipeNode(node: node, file: file, key: self.key.isEmpty ? key : self.key + "." + key)
    }

    /// The node's kind in words, for wrong-type errors.
    var kind: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): scalar.string.isEmpty ? "an empty value" : "'\(scalar.string)'"
        }
    }

    /// The entries of a mapping, each checked against `allowed` keys (an unknown key is an error naming the allowed
    /// ones; a repeated key is an error).
    func mapping(allowed: [String]) throws(RecipeError) -> [String: RecipeNode] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value), found \(kind)") }
        var entries: [String: RecipeNode] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let keyed = RecipeNode(node: keyNode, file: file, key: key.isEmpty ? name : key + "." + name)
            guard allowed.contains(name) else {
                throw keyed.error("unknown key; allowed here: \(allowed.joined(separator: ", "))")
            }
            guard entries[name] == nil else { throw keyed.error("the key appears twice") }
            entries[name] = child(value, name)
        }
        return entries
    }

    /// The items of a list.
    func list() throws(RecipeError) -> [RecipeNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { RecipeNode(node: $1, file: file, key: key + "[\($0)]") }
    }

    /// A list, or one scalar read as a list of one.
    func stringList() throws(RecipeError) -> [String] {
        if case .scalar = node { return [try string()] }
        var values: [String] = []
        for item in try list() { values.append(try item.string()) }
        return values
    }

    func string() throws(RecipeError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a text value, found \(kind)") }
        return scalar.string
    }

    func nonEmptyString() throws(RecipeError) -> String {
        let value = try string()
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw error("must not be empty") }
        return value
    }

    /// A decimal integer (sign and `_` digit separators allowed). Read here, not by Yams: its YAML 1.1 forms
    /// (sexagesimal `1:30`, octal, hex) are not recipe values, and its sexagesimal conversion traps on overflow
    /// (`2777777777777777777:77777:7777` crashed the recipe fuzz target).
    func int() throws(RecipeError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(Self.digits(scalar.string)) else {
            throw error("expected an integer, found \(kind)")
        }
        return value
    }

    func unsigned() throws(RecipeError) -> UInt64 {
        guard case .scalar(let scalar) = node, let value = UInt64(scalar.string) else {
            throw error("expected a non-negative integer, found \(kind)")
        }
        return value
    }

    /// A finite decimal number (`0.5`, `1e-3`, `12`, `_` separators allowed), read here for the reason `int()` is.
    func double() throws(RecipeError) -> Double {
        guard case .scalar(let scalar) = node, Self.isDecimal(scalar.string),
              let value = Double(Self.digits(scalar.string)), value.isFinite
        else {
            throw error("expected a number, found \(kind)")
        }
        return value
    }

    /// The text without `_` digit separators, `1_000` as `1000`; other text is left for the conversion to refuse.
    private static func digits(_ text: String) -> String {
        text.contains("_") ? text.replacingOccurrences(of: "_", with: "") : text
    }

    /// Whether the text is spelled as a decimal number (digits, sign, point, exponent, `_`): Swift's `Double(_:)` also
    /// reads hex floats and `nan`/`inf`, which no recipe means.
    private static func isDecimal(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE_".contains($0)) }
    }

    func bool() throws(RecipeError) -> Bool {
        guard case .scalar(let scalar) = node else { throw error("expected true or false, found \(kind)") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(kind)")
        }
    }

    /// A value of a fixed vocabulary (an enum whose raw value is the spelling).
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type, what: String) throws(RecipeError) -> T
        where T.RawValue == String {
        let value = try string()
        guard let choice = T(rawValue: value) else {
            throw error("unknown \(what) '\(value)'; \(what)s: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }
}
