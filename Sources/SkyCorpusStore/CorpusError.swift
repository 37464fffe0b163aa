import SkyImaging

/// Why a corpus step failed. Each case says what, where and what to do.
public enum CorpusError: Error, Sendable, CustomStringConvertible {
    /// The schema file is malformed (a packaging problem).
    case schema(String)
    /// The corpus file does not exist and the step does not create one.
    case missingCorpus(path: String)
    /// The named dataset is not in the corpus.
    case unknownDataset(name: String)
    /// An input file is bad; the step wrote nothing.
    case badInput(path: String, reason: String)
    /// An image could not be read; the step wrote nothing.
    case image(ImageError)
    /// The corpus file could not be opened or migrated (not a SQLite file, no such folder, ...).
    case unopenable(path: String, reason: String)
    /// The input to a step is invalid (an option, an empty folder, ...).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .schema(let message):
            "corpus schema: \(message)"
        case .missingCorpus(let path):
            "\(path): no corpus here; create one with 'skycorpus init' or pass --corpus PATH"
        case .unknownDataset(let name):
            "dataset '\(name)' is not in the corpus; 'skycorpus stats' lists the datasets"
        case .badInput(let path, let reason):
            "\(path): \(reason); nothing was written"
        case .image(let error):
            "\(error); nothing was written (pass --skip-invalid to skip such files)"
        case .unopenable(let path, let reason):
            "\(path): cannot open the corpus: \(reason); pass --corpus with a SkyCorpus corpus, or create one with 'skycorpus init'"
        case .invalidRequest(let message):
            message
        }
    }
}
