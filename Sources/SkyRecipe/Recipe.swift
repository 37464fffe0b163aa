import Foundation
import SkyCLIP
import SkyDatasets
import SkyHashing
import SkyPipeline
import SkyStorage
import SkyText

/// A recipe: the datasets, the steps and their settings, and the exports of one corpus (`Schemas/recipe.md`).
///
/// Every path is kept as written (what the digest covers) and resolved: dataset paths against the recipe's
/// folder, output paths (`out`, `report`) against the corpus's folder when the build runs.
public struct Recipe: Sendable, Equatable, Codable {
    /// The datasets, in build order.
    public var datasets: [RecipeDataset]
    /// Ingest settings for every dataset.
    public var ingest: IngestSettings
    /// The steps; nil when the recipe leaves a step out.
    public var m2b: M2BSettings?
    public var caption: CaptionSettings?
    public var changes: ChangeSettings?
    public var dedup: DedupSettings?
    public var prompts: [PromptSettings]
    public var embed: EmbedSettings?
    /// The exports, in order.
    public var exports: [RecipeExport]

    /// SHA-256 of the recipe's canonical JSON form: what a corpus remembers to refuse an edited recipe. Comments,
    /// key order and layout of the YAML do not count; every setting and every path as written does.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(self)) ?? Data()
        var hash = SHA256()
        hash.update(Array(bytes))
        return hash.finalizeHex()
    }

    /// Every protected split, as dedup takes them.
    public var protectedSplits: [ProtectedSplit] {
        datasets.flatMap { dataset in dataset.protect.map { ProtectedSplit(dataset: dataset.name, split: $0) } }
    }
}

/// One dataset: its name in the corpus and the sources it is read from.
public struct RecipeDataset: Sendable, Equatable, Codable {
    public var name: String
    /// Where it is read from: the dataset folder as distributed, then any further sources (a caption file beside
    /// the labels, a second download).
    public var sources: [RecipeSource]
    /// The palette of its segmentation masks; nil picks it from the name.
    public var palette: String?
    /// Only this split (a layout with splits), or the split of every image (a layout without).
    public var split: String?
    /// Dedup keeps the image of the dataset of higher priority.
    public var priority: Int
    /// Splits kept by dedup, whose near-duplicates in other splits are leakage (benchmark test splits).
    public var protect: [String]
}

/// One folder or file a dataset is read from.
public struct RecipeSource: Sendable, Equatable, Codable {
    /// The path as written in the recipe.
    public var path: String
    /// The format; nil detects it from the layout.
    public var format: DatasetFormat?
    /// The path resolved against the recipe's folder (not part of the digest).
    public var resolvedPath: String

    enum CodingKeys: String, CodingKey { case path, format }

    public init(path: String, format: DatasetFormat?, resolvedPath: String) {
        self.path = path
        self.format = format
        self.resolvedPath = resolvedPath
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        format = try container.decodeIfPresent(DatasetFormat.self, forKey: .format)
        resolvedPath = path
    }
}

/// `steps.ingest`: how bad records and missing images are treated.
public struct IngestSettings: Sendable, Equatable, Codable {
    /// The step's defaults (the library's own).
    public init() {}

    public var skipInvalid = false
    public var skipMissing = true
}

/// `steps.m2b`: M2B over the registered masks.
public struct M2BSettings: Sendable, Equatable, Codable {
    /// The step's defaults (the library's own).
    public init() {}

    /// Datasets whose masks to read; all when empty.
    public var datasets: [String] = []
    public var minArea: Double = M2BStep().options.minimumArea
    public var rotated = M2BStep().options.rotated
    public var legacyAngles = false
    public var polygons = M2BStep().options.keepPolygons
    public var keepDefaultIgnored = M2BStep().keepDefaultIgnored
    public var ignoreUnknownColours = M2BStep().ignoreUnknownValues
    public var skipInvalid = M2BStep().skipInvalid
}

/// `steps.caption`: B2C captions.
public struct CaptionSettings: Sendable, Equatable, Codable {
    /// The step's defaults (the library's own).
    public init() {}

    public var datasets: [String] = []
    public var seed: UInt64 = 0
    public var perImage = B2COptions().perImage
    public var centerRegion = B2COptions().centerFraction
    public var difficult = B2COptions().difficult
}

/// `steps.changes`: change sentences for the change pairs.
public struct ChangeSettings: Sendable, Equatable, Codable {
    /// The step's defaults (the library's own).
    public init() {}

    public var datasets: [String] = []
    public var seed: UInt64 = 0
    public var perPair = ChangeSentenceGenerator.defaultPerPair
}

/// `steps.dedup`: p-Hash dedup with the datasets' protected splits.
public struct DedupSettings: Sendable, Equatable, Codable {
    /// The step's defaults (the library's own).
    public init() {}

    public var threshold = Deduplication.defaultThreshold
    /// The report file as written (resolved against the corpus's folder).
    public var report: String?
    public var retryUnreadable = false
}

/// One entry of `steps.prompts`: a template set over a class list, or over each mask's classes.
public struct PromptSettings: Sendable, Equatable, Codable {
    public var templates: String
    /// Class names (a list in the recipe, or read from a file when `classes` names one).
    public var classes: [String]
    /// The dataset the prompts belong to (required with `fromMasks`).
    public var dataset: String?
    public var fromMasks: Bool
}

/// `steps.embed`: CLIP embeddings, when a model is given.
public struct EmbedSettings: Sendable, Equatable, Codable {
    /// The checkpoint as written, and resolved against the recipe's folder.
    public var model: String
    public var resolvedModel: String
    /// The registered name (default: the checkpoint's file name).
    public var name: String?
    /// What to embed: images, captions, prompts.
    public var what: [EmbeddingItemKind]
    public var batchSize: Int
    /// The arithmetic of the weight products (`embed --precision`); the corpus records it with the model.
    public var precision: Precision

    enum CodingKeys: String, CodingKey { case model, name, what, batchSize, precision }

    public init(model: String, resolvedModel: String, name: String?, what: [EmbeddingItemKind], batchSize: Int,
                precision: Precision = .defaultValue) {
        self.model = model
        self.resolvedModel = resolvedModel
        self.name = name
        self.what = what
        self.batchSize = batchSize
        self.precision = precision
    }

    /// The default precision is left out, so a recipe without the key keeps the digest it had before the key
    /// existed (corpora built from it are not refused as built from an edited recipe).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(what, forKey: .what)
        try container.encode(batchSize, forKey: .batchSize)
        if precision != .defaultValue { try container.encode(precision, forKey: .precision) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        resolvedModel = model
        name = try container.decodeIfPresent(String.self, forKey: .name)
        what = try container.decode([EmbeddingItemKind].self, forKey: .what)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        precision = try container.decodeIfPresent(Precision.self, forKey: .precision) ?? .defaultValue
    }
}

/// One export: the library's request with `out` as written in the recipe.
public struct RecipeExport: Sendable, Equatable, Codable {
    public var format: ExportFormat
    /// The output as written (relative paths land beside the corpus).
    public var out: String
    public var datasets: [String] = []
    public var splits: [String] = []
    public var sources: [CaptionSource] = []
    public var includeDuplicates = false
    public var shardSize = ExportRequest.defaultShardSize
    public var layout = WebDatasetLayout.perImage

    /// An export of everything in `format` to `out`, with the library's defaults.
    public init(format: ExportFormat, out: String) {
        self.format = format
        self.out = out
    }

    /// The library's request, writing to `out` resolved against `folder`.
    public func request(resolvingAgainst folder: String) -> ExportRequest {
        ExportRequest(format: format, out: RecipePaths.resolve(out, against: folder), datasets: datasets, splits: splits,
                      sources: sources, includeDuplicates: includeDuplicates, shardSize: shardSize, layout: layout)
    }
}

/// How recipe paths resolve.
public enum RecipePaths {
    /// `path` itself when absolute (or `~/...`), else `folder/path`, standardised.
    public static func resolve(_ path: String, against folder: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
        return URL(fileURLWithPath: folder).appendingPathComponent(expanded).standardizedFileURL.path
    }
}
