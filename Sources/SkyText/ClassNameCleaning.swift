/// Turns raw class names into plain lower-case English words.
public enum ClassNameCleaning {
    /// `small-vehicle` -> `small vehicle`, `Expressway_Service_area` -> `expressway service area`:
    /// separators to spaces, camel case split, lower case, single spaces.
    public static func clean(_ raw: String) -> String {
        var words: [String] = []
        var current = ""
        var previous: Character? = nil
        for character in raw {
            if character == "_" || character == "-" || character == "/" || character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                if let previous, character.isUppercase, previous.isLowercase, !current.isEmpty {
                    words.append(current)
                    current = ""
                }
                current.append(character)
            }
            previous = character
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.joined(separator: " ")
    }
}
