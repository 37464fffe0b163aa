/// Fields of delimited text files (CSV, TSV) as Python's csv module and pandas read them.
enum DelimitedText {
    /// A field, quoted (quotes doubled) when it holds the separator, a quote or a line break.
    static func field(_ text: String, separator: Character) -> String {
        guard text.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
