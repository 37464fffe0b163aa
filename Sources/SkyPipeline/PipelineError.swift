import SkyImaging

/// Why a pipeline step stopped on an input file. Like ``CorpusError`` it says what and where; the command adds
/// which flag changes the outcome.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// An image could not be read or decoded; the step wrote nothing.
    case image(ImageError)

    public var description: String {
        switch self {
        case .image(let error): "\(error); nothing was written"
        }
    }
}
