/// Why a CLIP model, checkpoint or input could not be used.
public enum CLIPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a checkpoint SkyCorpus can read.
    case notACheckpoint(path: String, reason: String)
    /// A tensor the architecture needs is missing or has the wrong shape.
    case missingTensor(path: String, name: String, expected: String)
    /// A data file (bundled resource, fixture, archive member) is damaged.
    case badData(path: String, reason: String)
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The state dict's shapes do not describe an architecture SkyCorpus can run.
    case unsupportedArchitecture(path: String, reason: String)
    /// An input (image, token sequence) does not fit the model.
    case badInput(what: String, reason: String)
    /// The asked-for precision cannot run on this CPU.
    case unsupportedPrecision(Precision, reason: String)

    public var description: String {
        switch self {
        case .notACheckpoint(let path, let reason):
            "\(path): not a CLIP checkpoint SkyCorpus can read: \(reason)"
        case .missingTensor(let path, let name, let expected):
            "\(path): the checkpoint lacks \(name) (expected \(expected))"
        case .badData(let path, let reason):
            "\(path): damaged data: \(reason)"
        case .unreadable(let path, let reason):
            "\(path): cannot read the file: \(reason)"
        case .unsupportedArchitecture(let path, let reason):
            "\(path): unsupported CLIP architecture: \(reason); pass an explicit architecture override if the shapes are unusual"
        case .badInput(let what, let reason):
            "\(what): \(reason)"
        case .unsupportedPrecision(let precision, let reason):
            "precision \(precision.rawValue) is not available: \(reason)"
        }
    }
}
