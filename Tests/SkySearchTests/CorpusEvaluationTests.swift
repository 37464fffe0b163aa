import Foundation
import GRDB
import SkyImaging
import SkyPipeline
import SkySearch
import SkyStorage
import SkyTestSupport
import SkyText
import Testing

/// The evaluation suite over a corpus: probes on stored embeddings, saved runs, and the bad requests.
@Suite struct CorpusEvaluationTests {
    /// A class-folder dataset (`classes` classes of `perClass` tiny images) with a model whose stored embeddings put
    /// each class around its own axis, so every probe should be right on every image.
    static func corpus(_ folder: TemporaryFolder, classes: Int = 3, perClass: Int = 12,
                       embed: Bool = true) throws -> (Corpus, (id: Int64, name: String)) {
        for label in 0..<classes {
            let classFolder = folder.url.appendingPathComponent("scenes/class\(label)")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for index in 0..<perClass {
                try ImageEncoder.write(RasterImage(width: 4, height: 4, layout: .gray, filledWith: UInt8(label * 50 + index)),
                                       to: classFolder.appendingPathComponent("\(index).png").path)
            }
        }
        let corpus = try Corpus(path: folder.path("corpus.sqlite"), create: true)
        _ = try DatasetIngest.run(IngestRequest(name: "scenes", root: folder.path("scenes")), into: corpus)
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "synthetic", architecture: "none",
                                                                checksum: String(repeating: "c", count: 64), dimension: 8))
        if embed {
            var random = SplitMix64(seed: 11)
            let rows = try corpus.read { try $0.groundTruthImages(dataset: try $0.requireDataset("scenes").id ?? -1) }
            let vectors = rows.map { row -> (id: Int64, vector: [Float]) in
                let label = Int(row.className.filter(\.isNumber)) ?? 0
                var vector = (0..<8).map { _ in Float(Double(random.next() >> 40) / Double(1 << 24) - 0.5) * 0.3 }
                vector[label] += 1
                return (row.id, vector)
            }
            try corpus.storeEmbeddings(model: model, kind: .image, vectors)
        }
        return (corpus, (model, "synthetic"))
    }

    @Test func probesOnSeparableEmbeddingsAreRightAndRunsAreSaved() throws {
        let folder = try TemporaryFolder("evaluation")
        let (corpus, model) = try Self.corpus(folder)
        let probe = try CorpusEvaluation.probe(.linearProbe, corpus: corpus, model: model, dataset: "scenes")
        #expect(probe.metrics["accuracy"] == 100 && probe.settings["splits"]?.contains("60/20/20") == true)
        #expect(probe.settings["test"] == "6" && probe.settings["validation"] == "9" && probe.settings["train"] == "21", "\(probe.settings)")
        let knn = try CorpusEvaluation.probe(.knn, corpus: corpus, model: model, dataset: "scenes", k: 5)
        #expect(knn.metrics["accuracy"] == 100 && knn.settings["k"] == "5")
        let few = try CorpusEvaluation.probe(.fewShot, corpus: corpus, model: model, dataset: "scenes", shots: [1, 2, 4], seed: 4)
        #expect(few.metricOrder == ["1-shot", "2-shot", "4-shot"] && few.metrics["4-shot"] == 100)
        #expect(few.settings["C per shots"]?.split(separator: ",").count == 3)
        let saved = try CorpusEvaluation.save(probe, modelID: model.id, corpus: corpus)
        #expect(saved.id != nil && saved.date?.hasSuffix("Z") == true)
        let stored = try corpus.read { try $0.evaluations() }
        #expect(stored.count == 1 && stored[0].task == .linearProbe && stored[0].model == "synthetic" && stored[0].dataset == "scenes")
        #expect(stored[0].metrics == "{\"accuracy\":100}" && stored[0].settings.contains("\"C\""))
        // Saving the same evaluation again replaces it (same id, one row); another evaluation adds a row.
        let again = try CorpusEvaluation.save(probe, modelID: model.id, corpus: corpus)
        #expect(try again.id == saved.id && corpus.read { try $0.evaluations() }.count == 1)
        _ = try CorpusEvaluation.save(knn, modelID: model.id, corpus: corpus)
        #expect(try corpus.read { try $0.evaluations() }.map(\.task) == [.knn, .linearProbe])
    }

    @Test func aModelWithoutEmbeddingsAndADatasetWithoutLabelsAreNamed() throws {
        let folder = try TemporaryFolder("evaluation-bad")
        let (corpus, model) = try Self.corpus(folder, embed: false)
        let missing = #expect(throws: SearchError.self) {
            _ = try CorpusEvaluation.probe(.linearProbe, corpus: corpus, model: model, dataset: "scenes")
        }
        #expect(missing?.description.contains("model 'synthetic'") == true && missing?.description.contains("'scenes'") == true)
        #expect(missing?.description.contains("36 of the 36") == true)
        try corpus.write { transaction in _ = try transaction.insertDataset(DatasetRecord(name: "empty", root: "/nowhere")) }
        let unlabelled = #expect(throws: SearchError.self) {
            _ = try CorpusEvaluation.probe(.knn, corpus: corpus, model: model, dataset: "empty")
        }
        #expect(unlabelled?.description.contains("no ground-truth image labels") == true)
        #expect(try corpus.read { try $0.evaluations() }.isEmpty)
    }

    @Test func datasetSplitsAreUsedWhenPresent() {
        let splits: [String?] = ["train", "train", "train", "train", "test", "test", "val", "train", "train", "train"]
        let labels = [0, 1, 0, 1, 0, 1, 0, 0, 1, 1]
        let made = ClassificationSplits.make(splits: splits, labels: labels, seed: 1)
        #expect(made.test == [4, 5] && made.validation == [6] && made.train == [0, 1, 2, 3, 7, 8, 9])
        let noVal = ClassificationSplits.make(splits: splits.map { $0 == "val" ? "train" : $0 }, labels: labels, seed: 1)
        #expect(noVal.test == [4, 5] && noVal.validation.count == 2 && Set(noVal.validation).isSubset(of: [0, 1, 2, 3, 6, 7, 8, 9]))
    }
}
