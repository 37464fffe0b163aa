import Foundation
import SkyDatasets
import SkyGeometry
import SkyPipeline
import SkyRecipe
import SkyStorage
import SkyText

extension RecipeBuild {
    /// Runs one stage through the step's library function; the stage's summary as JSON.
    func runStage(_ stage: BuildStage, on corpus: Corpus) throws -> String {
        let name = stage.name
        let report: @Sendable (Int, Int) -> Void = { [progress] done, total in progress(name, done, total) }
        switch stage.kind {
        case .ingest(let datasetIndex, let sourceIndex, let ordinal):
            return try ingest(recipe.datasets[datasetIndex], source: recipe.datasets[datasetIndex].sources[sourceIndex],
                              ordinal: ordinal, corpus: corpus, progress: report)
        case .m2b:
            let settings = recipe.m2b ?? M2BSettings()
            let step = M2BStep(datasets: settings.datasets,
                               options: M2BOptions(minimumArea: settings.minArea, rotated: settings.rotated,
                                                   rotatedConvention: settings.legacyAngles ? .legacy : .current,
                                                   keepPolygons: settings.polygons),
                               keepDefaultIgnored: settings.keepDefaultIgnored,
                               ignoreUnknownValues: settings.ignoreUnknownColours, skipInvalid: settings.skipInvalid)
            return try JSONValue.text(of: try step.run(in: corpus, progress: report))
        case .caption:
            let settings = recipe.caption ?? CaptionSettings()
            let options = B2COptions(perImage: settings.perImage, centerFraction: settings.centerRegion,
                                     difficult: settings.difficult)
            let store = try B2CCaptionStore.standard(options: options, seed: settings.seed)
            return try JSONValue.text(of: try store.run(on: corpus, datasets: settings.datasets, dryRun: false,
                                                        progress: report))
        case .changes:
            let settings = recipe.changes ?? ChangeSettings()
            let store = try ChangeSentenceStore.standard(perPair: settings.perPair, seed: settings.seed)
            return try JSONValue.text(of: try store.run(on: corpus, datasets: settings.datasets, dryRun: false,
                                                        progress: report))
        case .hash:
            let settings = recipe.dedup ?? DedupSettings()
            let step = Deduplication(threshold: settings.threshold, retryUnreadable: settings.retryUnreadable)
            return try JSONValue.text(of: try step.storeHashes(in: corpus, progress: report))
        case .embed:
            guard let settings = recipe.embed else { return "{}" }
            return try JSONValue.text(of: try EmbedStage(settings: settings).run(on: corpus, progress: report))
        case .dedup:
            return try dedup(corpus: corpus, progress: report)
        case .prompts(let index):
            let settings = recipe.prompts[index]
            let store = PromptStore(templates: try PromptTemplateSet.named(settings.templates))
            let summary = settings.fromMasks
                ? try store.storeImagePrompts(dataset: settings.dataset ?? "", in: corpus)
                : try store.storeClassPrompts(classes: settings.classes, dataset: settings.dataset, in: corpus)
            return try JSONValue.text(of: summary)
        case .export(let index):
            let request = recipe.exports[index].request(resolvingAgainst: outputFolder)
            return try JSONValue.text(of: try request.run(on: corpus, progress: report))
        }
    }

    /// One source of a dataset: `DatasetIngest.run` (the function `skycorpus ingest` calls) with the shard's filter and
    /// the recipe order of its images; then the dataset's priority.
    func ingest(_ dataset: RecipeDataset, source: RecipeSource, ordinal: Int, corpus: Corpus,
                progress: @escaping @Sendable (Int, Int) -> Void) throws -> String {
        let request = IngestRequest(name: dataset.name, root: source.resolvedPath, format: source.format,
                                    options: ReadOptions(skipInvalid: recipe.ingest.skipInvalid, split: dataset.split),
                                    palette: dataset.palette, skipMissing: recipe.ingest.skipMissing)
        var shard: ImageShard? = nil
        if case .shard(let part) = mode { shard = part }
        let summary: IngestSummary
        do {
            summary = try DatasetIngest.run(request, into: corpus, shard: shard, ordinalBase: Int64(ordinal) << 32,
                                            progress: progress)
        } catch let error as DatasetError {
            let path = error.file.hasPrefix("/") ? error.file : source.resolvedPath + "/" + error.file
            throw CorpusError.badInput(path: path, reason: "dataset '\(dataset.name)': "
                                       + (error.location.map { $0 + ": " } ?? "") + error.problem)
        }
        try corpus.write { transaction in
            let id = try transaction.requireDataset(dataset.name).id ?? 0
            try transaction.setPriority(dataset: id, dataset.priority)
        }
        return try JSONValue.text(of: summary)
    }

    /// Dedup over the whole corpus on the stored hashes (the shards or the hash stage hashed every image), with the
    /// recipe's protected splits; the report when the recipe names one.
    func dedup(corpus: Corpus, progress: @escaping @Sendable (Int, Int) -> Void) throws -> String {
        let settings = recipe.dedup ?? DedupSettings()
        let outcome = try Deduplication(threshold: settings.threshold, protected: recipe.protectedSplits,
                                        retryUnreadable: settings.retryUnreadable).run(in: corpus, progress: progress)
        if let report = settings.report {
            try DedupReport.write(outcome.removals, to: RecipePaths.resolve(report, against: outputFolder))
        }
        var leaked: [String: Int] = [:]
        let names = recipe.datasets.map(\.name).sorted { $0.count > $1.count }
        for removal in outcome.removals where removal.kind == .leakage {
            if let name = names.first(where: { removal.removed.hasPrefix($0 + ":") }) { leaked[name, default: 0] += 1 }
        }
        return try JSONValue.text(of: DedupStageReport(
            summary: outcome.summary,
            leaked: leaked.sorted { $0.key < $1.key }.map { DedupStageReport.Leaks(dataset: $0.key, images: $0.value) }))
    }
}

/// The dedup stage's stored summary: the step's, and the leaked images per dataset (a list, so that dataset names
/// stay as spelled).
struct DedupStageReport: Encodable {
    struct Leaks: Encodable {
        var dataset: String
        var images: Int
    }

    var summary: Deduplication.Summary
    var leaked: [Leaks]
}
