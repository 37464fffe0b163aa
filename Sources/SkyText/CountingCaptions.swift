import Foundation

/// RemoteCount-style counting captions: "a photo of three planes." and its counterfactuals, which differ only in the
/// number (and the noun's number: "a photo of one plane.").
public struct CountingCaptions: Sendable {
    /// The template; `{number}` and `{class}` are filled in.
    public var template: String
    /// Class names in the singular and plural.
    public var table: ClassTable

    /// The default template, as "Teaching CLIP to Count to Ten" (which RemoteCount follows) phrases its captions.
    public static let defaultTemplate = "a photo of {number} {class}."
    /// The counts a set may use: number words exist for one to twenty.
    public static let countRange = 1...20
    /// RemoteCount's counts.
    public static let defaultRange = 1...10

    static let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]

    public init(template: String = defaultTemplate, table: ClassTable = .standard) {
        self.template = template
        self.table = table
    }

    /// The number as a word.
    public static func word(_ count: Int) -> String {
        words.indices.contains(count) ? words[count] : String(count)
    }

    /// The caption for `count` objects of a clean class name.
    public func caption(count: Int, className: String) -> String {
        let name = table.name(raw: className)
        let noun = count == 1 ? name.singular : name.plural
        return template.replacingOccurrences(of: "{number}", with: Self.word(count)).replacingOccurrences(of: "{class}", with: noun)
    }

    /// One caption per count of `range`, in order: the true one is at `count - range.lowerBound`.
    public func candidates(className: String, range: ClosedRange<Int>) -> [String] {
        range.map { caption(count: $0, className: className) }
    }
}
