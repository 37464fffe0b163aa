import Foundation

/// How the paths and text the corpus stores become files and fields.
enum CorpusPaths {
    /// The file a stored path names: a relative path lives under its dataset's root; an absolute one (a mask kept
    /// outside the root) stands as it is, and so does any path of a dataset without a root.
    static func file(_ path: String, root: String?) -> String {
        guard let root, !root.isEmpty, !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: root).appendingPathComponent(path).path
    }

    /// A field of a delimited text file, quoted (quotes doubled) when it holds the separator, a quote or a line
    /// break, as Python's csv module and pandas read it.
    static func delimitedField(_ text: String, separator: Character) -> String {
        guard text.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
