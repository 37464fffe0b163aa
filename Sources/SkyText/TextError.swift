/// Why a text step failed. Each case says what, where and what to do.
public enum TextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A data file under `Schemas/` is malformed.
    case badSchemaFile(path: String, reason: String)
    /// An option is out of range.
    case invalidOption(name: String, value: String, expected: String)
    /// An input file (class list, mask) is bad.
    case badInput(path: String, reason: String)

    public var description: String {
        switch self {
        case .badSchemaFile(let path, let reason):
            "Schemas/\(path): \(reason); fix the data file or reinstall SkyCorpus"
        case .invalidOption(let name, let value, let expected):
            "option \(name) = \(value) is invalid: expected \(expected)"
        case .badInput(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
