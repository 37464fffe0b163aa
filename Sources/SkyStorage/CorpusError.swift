import Foundation
import GRDB

/// Why a corpus operation failed. Each case says what and where; commands add which flag to change.
public enum CorpusError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The schema file is malformed (a packaging problem).
    case schema(String)
    /// The corpus file does not exist and the step does not create one.
    case missingCorpus(path: String)
    /// The named dataset is not in the corpus.
    case unknownDataset(name: String)
    /// An input file is bad; the step wrote nothing.
    case badInput(path: String, reason: String)
    /// The corpus file could not be opened or migrated (not a SQLite file, no such folder, ...).
    case unopenable(path: String, reason: String)
    /// Another process held the write lock longer than ``Corpus/busyTimeout``.
    case busy(path: String, waited: Double)
    /// The corpus was opened read-only and a step tried to write.
    case readOnly(path: String)
    /// The corpus's schema is older than this build and a read-only command will not migrate it.
    case outdatedSchema(path: String, pending: [String])
    /// The input to a step is invalid (an option, an empty folder, ...).
    case invalidRequest(String)

    /// A database error of the corpus at `path`, classified; `waited` is the busy timeout it was opened with.
    init(_ error: DatabaseError, path: String, waited: Double = Corpus.busyTimeout) {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            self = .busy(path: path, waited: waited)
        case .SQLITE_READONLY:
            self = .readOnly(path: path)
        default:
            self = .unopenable(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// Whole seconds as an integer, shorter waits with one decimal.
    static func seconds(_ value: Double) -> String {
        value >= 1 && value == value.rounded() ? "\(Int(value))" : String(format: "%.1f", value)
    }

    public var description: String {
        switch self {
        case .schema(let message):
            "corpus schema: \(message)"
        case .missingCorpus(let path):
            "\(path): no corpus here; create one with 'skycorpus init'"
        case .unknownDataset(let name):
            "dataset '\(name)' is not in the corpus; 'skycorpus stats' lists the datasets"
        case .badInput(let path, let reason):
            "\(path): \(reason); nothing was written"
        case .unopenable(let path, let reason):
            "\(path): cannot open the corpus: \(reason); is it a SkyCorpus corpus? 'skycorpus init' creates one"
        case .busy(let path, let waited):
            "\(path): the corpus is busy: another skycorpus process is writing (waited \(Self.seconds(waited)) s); "
                + "run this step again when it has finished"
        case .readOnly(let path):
            "\(path): the corpus was opened read-only and this step writes"
        case .outdatedSchema(let path, let pending):
            "\(path): the corpus schema is older than this skycorpus (missing migrations: "
                + "\(pending.joined(separator: ", "))); 'skycorpus init' migrates it"
        case .invalidRequest(let message):
            message
        }
    }
}
