import SkyCLIP
import SkyRecipe
import SkySearch
import SkyStorage

/// The recipe's `embed` step: the checkpoint loaded with its default architecture at the recipe's `precision`, then ``CorpusEmbedding`` (what
/// `skycorpus embed` runs).
struct EmbedStage {
    var settings: EmbedSettings

    func run(on corpus: Corpus, progress: @escaping @Sendable (Int, Int) -> Void) throws -> CorpusEmbedding.Summary {
        let model = try CLIPModel(checkpoint: try Checkpoint(path: settings.resolvedModel), precision: settings.precision)
        let step = CorpusEmbedding(model: model, checkpointPath: settings.resolvedModel, name: settings.name,
                                   kinds: settings.what, batchSize: settings.batchSize)
        return try step.run(on: corpus) { _, done, total in progress(done, total) }
    }
}
