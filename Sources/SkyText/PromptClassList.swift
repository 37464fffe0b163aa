import Foundation

/// Class lists for prompts: read from a file or a comma-separated argument, cleaned for CLIP.
public enum PromptClassList {
    /// The prompt form of a raw class name, as GeoRSCLIP and CLIP's evaluation code clean folder names:
    /// underscores and slashes become spaces, runs of spaces collapse, lower case.
    /// Hyphens stay ("single-family residential" is ChangeCLIP's own spelling).
    public static func clean(_ raw: String) -> String {
        let spaced = raw.map { $0 == "_" || $0 == "/" ? " " : $0 }
        return String(spaced).split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

    /// The classes of `argument`: when it names an existing file, one class per line (blank lines and
    /// `#` comments skipped; of a line "english, gloss" only the part before the first ", " counts, as
    /// ChangeCLIP's rscls.txt reader does); otherwise a comma-separated list. Each is cleaned; duplicates
    /// after cleaning are dropped, keeping the first.
    public static func parse(_ argument: String) throws -> [String] {
        var raw: [String]
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), !isDirectory.boolValue {
            let text: String
            do {
                text = try String(contentsOfFile: argument, encoding: .utf8)
            } catch {
                throw TextError.badInput(path: argument, reason: "cannot read the class list as UTF-8 text (\(error))")
            }
            raw = []
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                raw.append(trimmed.components(separatedBy: ", ")[0])
            }
        } else {
            raw = argument.split(separator: ",").map(String.init)
        }
        var seen = Set<String>()
        let classes = raw.map(clean).filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !classes.isEmpty else {
            throw TextError.badInput(path: argument, reason: "no class names: give a file with one class per line "
                                     + "or a comma-separated list")
        }
        return classes
    }
}
