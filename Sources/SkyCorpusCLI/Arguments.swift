import ArgumentParser
import SkyCLIP
import SkyDatasets
import SkyHashing
import SkyPipeline
import SkyStorage
import SkyText

// The library's fixed vocabularies as command-line values: the enum's raw value is the spelling, and
// ArgumentParser lists the choices in --help and refuses any other value before a command runs.

extension CaptionSource: ExpressibleByArgument {}
extension LabelSource: ExpressibleByArgument {}
extension EvaluationTask: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension WebDatasetLayout: ExpressibleByArgument {}
extension DifficultPolicy: ExpressibleByArgument {}
extension HashKind: ExpressibleByArgument {}
extension DedupCriterion: ExpressibleByArgument {}
extension DatasetFormat: ExpressibleByArgument {}
extension HRSCClassLevel: ExpressibleByArgument {}
extension ISPRSLabels: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}

extension Activation: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// `--format` of `ingest`: a dataset format, or `auto` to detect it from the layout.
enum DatasetFormatChoice: ExpressibleByArgument, Equatable {
    case auto
    case format(DatasetFormat)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let format = DatasetFormat(rawValue: argument) {
            self = .format(format)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ["auto"] + DatasetFormat.allCases.map(\.rawValue) }

    var defaultValueDescription: String {
        switch self {
        case .auto: "auto"
        case .format(let format): format.rawValue
        }
    }

    /// The format given, or nil to detect it.
    var format: DatasetFormat? {
        if case .format(let format) = self { return format }
        return nil
    }
}
