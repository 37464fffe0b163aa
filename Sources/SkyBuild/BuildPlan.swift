import SkyPipeline
import SkyRecipe

/// What a build does: the whole recipe, one shard of it, or the cross-shard stages after a merge.
public enum BuildMode: Sendable, Equatable, CustomStringConvertible {
    /// Every stage on every image.
    case whole
    /// The per-image stages (ingest, m2b, captions, change sentences, hashes, embeddings) on one shard's images.
    case shard(ImageShard)
    /// The stages over the whole corpus (dedup, prompts, exports) on a merged corpus.
    case afterMerge

    public var description: String {
        switch self {
        case .whole: "build"
        case .shard(let shard): "build --shard \(shard)"
        case .afterMerge: "build --after-merge"
        }
    }
}

/// One stage of a build: its name (the key of `build_stage`) and what it runs.
public struct BuildStage: Sendable, Equatable {
    /// What a stage runs.
    public enum Kind: Sendable, Equatable {
        /// Ingest of one source of a dataset; `ordinal` numbers the ingest stages from 1.
        case ingest(dataset: Int, source: Int, ordinal: Int)
        case m2b, caption, changes, hash, embed, dedup
        case prompts(Int)
        case export(Int)

        /// Whether the stage works image by image (and so runs in shards) or needs the whole corpus.
        public var perImage: Bool {
            switch self {
            case .ingest, .m2b, .caption, .changes, .hash, .embed: true
            case .dedup, .prompts, .export: false
            }
        }
    }

    public var name: String
    public var kind: Kind
}

extension Recipe {
    /// The recipe's stages in order: ingest of every source of every dataset, M2B, B2C captions, change sentences,
    /// p-Hashes, embeddings (the per-image stages), then dedup, prompts and exports (over the whole corpus).
    public var stages: [BuildStage] {
        var stages: [BuildStage] = []
        var ordinal = 0
        for (datasetIndex, dataset) in datasets.enumerated() {
            for sourceIndex in dataset.sources.indices {
                ordinal += 1
                stages.append(BuildStage(name: "ingest:\(dataset.name):\(sourceIndex + 1)",
                                         kind: .ingest(dataset: datasetIndex, source: sourceIndex, ordinal: ordinal)))
            }
        }
        if m2b != nil { stages.append(BuildStage(name: "m2b", kind: .m2b)) }
        if caption != nil { stages.append(BuildStage(name: "caption", kind: .caption)) }
        if changes != nil { stages.append(BuildStage(name: "changes", kind: .changes)) }
        if dedup != nil { stages.append(BuildStage(name: "hash", kind: .hash)) }
        if embed != nil { stages.append(BuildStage(name: "embed", kind: .embed)) }
        if dedup != nil { stages.append(BuildStage(name: "dedup", kind: .dedup)) }
        for index in prompts.indices { stages.append(BuildStage(name: "prompts:\(index + 1)", kind: .prompts(index))) }
        for index in exports.indices { stages.append(BuildStage(name: "export:\(index + 1)", kind: .export(index))) }
        return stages
    }

    /// The stages a mode runs.
    public func stages(for mode: BuildMode) -> [BuildStage] {
        switch mode {
        case .whole: stages
        case .shard: stages.filter { $0.kind.perImage }
        case .afterMerge: stages.filter { !$0.kind.perImage }
        }
    }
}
