/// Why a CLIP model, checkpoint or input could not be used.
public enum CLIPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a checkpoint SkyCorpus can read.
    case notACheckpoint(path: String, reason: String)
    /// A tensor the architecture needs is missing or has the wrong shape.
    case missingTensor(path: String, name: String, expected: String)

    public var description: String {
        switch self {
        case .notACheckpoint(let path, let reason):
            "\(path): not a CLIP checkpoint SkyCorpus can read: \(reason)"
        case .missingTensor(let path, let name, let expected):
            "\(path): the checkpoint lacks \(name) (expected \(expected))"
        }
    }
}
