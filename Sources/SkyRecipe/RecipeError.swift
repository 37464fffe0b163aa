/// Why a recipe was refused: the file, the line, the key (as a path like `datasets[2].format`) and what is wrong.
/// Every check runs before a build writes anything.
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The recipe file.
    public var file: String
    /// The 1-based line of the offending key or value (0 when the file could not be read at all).
    public var line: Int
    /// The key path, `datasets[1].format`; empty for the document itself.
    public var key: String
    /// What is wrong and what is allowed.
    public var problem: String

    public init(file: String, line: Int, key: String, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        "\(file):\(line): " + (key.isEmpty ? "" : "\(key): ") + problem
    }
}
