import SkyDatasets
import SkyGeometry
import SkyImaging

/// Why a pipeline step stopped on an input file. Like ``CorpusError`` it says what and where; the command adds
/// which flag changes the outcome.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// An image could not be read or decoded; the step wrote nothing.
    case image(ImageError)
    /// No known dataset layout was found under a root; the format must be given.
    case unknownLayout(root: String)
    /// A segmentation dataset whose name implies no mask palette; the palette must be given.
    case noDefaultPalette(dataset: String)
    /// A shard given as something other than K/N with 1 <= K <= N.
    case badShard(String)

    public var description: String {
        switch self {
        case .image(let error): "\(error); nothing was written"
        case .unknownLayout(let root):
            "\(root): cannot tell the dataset format from its layout (formats: "
                + DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case .noDefaultPalette(let dataset):
            "dataset '\(dataset)': no default mask palette for this name (palettes: "
                + Palette.available.joined(separator: ", ") + ")"
        case .badShard(let message): "shard \(message)"
        }
    }
}
