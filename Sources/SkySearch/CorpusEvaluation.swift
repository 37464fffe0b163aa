import Foundation
import SkyStorage
import SkyText

/// One evaluation's result: what ran, on what, with which settings, and its metrics (percentages).
public struct EvaluationReport: Sendable, Codable, Equatable {
    public var task: EvaluationTask
    public var model: String
    public var dataset: String?
    public var split: String?
    /// Settings as text (templates, k, seed, chosen C, how the splits were made, ...).
    public var settings: [String: String]
    /// Metric name -> value in percent, printed in `metricOrder`.
    public var metrics: [String: Double]
    public var metricOrder: [String]
    /// Counting: rows = true count, columns = predicted count (from the set's minimum).
    public var confusion: [[Int]]? = nil
    /// The saved run's id and date (set once saved).
    public var id: Int64? = nil
    public var date: String? = nil
}

/// A labelled dataset's stored image embeddings, in image-path order.
public struct LabelledEmbeddings: Sendable {
    public var features: EmbeddingMatrix
    /// Class index of each row into `classNames`.
    public var labels: [Int]
    /// The ground-truth classes, sorted.
    public var classNames: [String]
    public var splits: [String?]

    /// Loads the ground-truth labelled images of `dataset` (and `split`) with `model`'s stored embeddings; a dataset
    /// without ground-truth labels, or images without an embedding of the model, is an error naming both.
    public static func load(corpus: Corpus, model: (id: Int64, name: String), dataset: String,
                            split: String? = nil) throws -> LabelledEmbeddings {
        let images = try corpus.read { transaction in
            try transaction.groundTruthImages(dataset: try transaction.requireDataset(dataset).id ?? -1, split: split)
        }
        guard !images.isEmpty else {
            throw SearchError.invalidInput("dataset '\(dataset)'\(split.map { " split \($0)" } ?? "") has no ground-truth image "
                + "labels; ingest a class-folder or EuroSAT layout (--format class-folders|eurosat)")
        }
        let stored = try corpus.embeddings(model: model.id, kind: .image, dataset: dataset, split: split)
        let missing = images.filter { stored[$0.id] == nil }
        guard missing.isEmpty else {
            throw SearchError.invalidInput("model '\(model.name)' has no stored image embedding for \(missing.count) of the "
                + "\(images.count) labelled images of '\(dataset)' (first: image \(missing[0].id)); run 'skycorpus embed' with it first")
        }
        let classNames = Array(Set(images.map(\.className))).sorted()
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        return LabelledEmbeddings(features: try EmbeddingMatrix(images.map { stored[$0.id]! }),
                                  labels: images.map { index[$0.className]! }, classNames: classNames,
                                  splits: images.map(\.split))
    }
}

/// RemoteCLIP's evaluation suite over a corpus's stored embeddings.
public enum CorpusEvaluation {
    /// Shots per class of the few-shot probe, as RemoteCLIP reports them.
    public static let defaultShots = [1, 2, 4, 8, 16, 32]

    /// Retrieval on a dataset's human captions (``CorpusSearch/evaluate(in:model:dataset:split:ks:)``).
    public static func retrieval(corpus: Corpus, model: (id: Int64, name: String), dataset: String,
                                 split: String?) throws -> EvaluationReport {
        let (result, images, captions) = try CorpusSearch.evaluate(in: corpus, model: model.id, dataset: dataset, split: split)
        var metrics: [String: Double] = [:]
        var order: [String] = []
        for k in result.textToImage.keys.sorted() {
            metrics["text->image R@\(k)"] = (result.textToImage[k] ?? 0) * 100
            order.append("text->image R@\(k)")
        }
        for k in result.imageToText.keys.sorted() {
            metrics["image->text R@\(k)"] = (result.imageToText[k] ?? 0) * 100
            order.append("image->text R@\(k)")
        }
        metrics["mean recall"] = result.meanRecall * 100
        return EvaluationReport(task: .retrieval, model: model.name, dataset: dataset, split: split,
                                settings: ["images": "\(images)", "captions": "\(captions)"], metrics: metrics,
                                metricOrder: order + ["mean recall"])
    }

    /// Zero-shot top-1/top-5 accuracy of the stored image embeddings against the classes' template ensembles.
    /// `classNames` defaults to the dataset's ground-truth classes; every ground-truth class must be among them.
    public static func zeroShot(corpus: Corpus, encoder: CLIPEncoder, model: (id: Int64, name: String), dataset: String,
                                split: String?, classNames given: [String]?, templates: PromptTemplateSet) throws -> EvaluationReport {
        let data = try LabelledEmbeddings.load(corpus: corpus, model: model, dataset: dataset, split: split)
        let classNames = given ?? data.classNames
        let truth = try data.labels.map { label -> Int in
            guard let index = classNames.firstIndex(of: data.classNames[label]) else {
                throw SearchError.invalidInput("ground-truth class '\(data.classNames[label])' of '\(dataset)' is not in the class list")
            }
            return index
        }
        let classifier = try ZeroShotClassifier(
            classNames: classNames, classEmbeddings: encoder.classEmbeddings(classNames: classNames, templates: templates),
            logitScale: encoder.logitMultiplier)
        let probabilities = try classifier.probabilities(for: data.features)
        let top1 = try ZeroShotAccuracy.topK(probabilities, truth: truth, k: 1) * 100
        let top5 = try ZeroShotAccuracy.topK(probabilities, truth: truth, k: 5) * 100
        return EvaluationReport(task: .zeroShot, model: model.name, dataset: dataset, split: split,
                                settings: ["templates": templates.name, "classes": "\(classNames.count)",
                                           "images": "\(truth.count)"],
                                metrics: ["top-1": top1, "top-5": top5], metricOrder: ["top-1", "top-5"])
    }

    /// The linear probe (C chosen on the validation split) and k-NN on the same splits.
    public static func probe(_ task: EvaluationTask, corpus: Corpus, model: (id: Int64, name: String), dataset: String,
                             k: Int = NearestNeighbors.defaultK, shots: [Int] = defaultShots, seed: UInt64 = 0,
                             cs: [Double] = LinearProbe.defaultCs) throws -> EvaluationReport {
        let data = try LabelledEmbeddings.load(corpus: corpus, model: model, dataset: dataset)
        guard data.classNames.count >= 2 else {
            throw SearchError.invalidInput("dataset '\(dataset)' has one class (\(data.classNames[0])); a probe needs two or more")
        }
        let splits = ClassificationSplits.make(splits: data.splits, labels: data.labels, seed: seed)
        var settings = ["splits": splits.origin, "train": "\(splits.train.count)", "validation": "\(splits.validation.count)",
                        "test": "\(splits.test.count)", "classes": "\(data.classNames.count)", "seed": "\(seed)"]
        var report = EvaluationReport(task: task, model: model.name, dataset: dataset, split: nil, settings: [:], metrics: [:],
                                      metricOrder: [])
        switch task {
        case .linearProbe:
            let outcome = try LinearProbe.run(features: data.features, labels: data.labels, classes: data.classNames.count,
                                              splits: splits, cs: cs)
            settings["C"] = "\(outcome.c)"
            settings["C tried"] = cs.map { "\($0)" }.joined(separator: ",")
            report.metrics = ["accuracy": outcome.testAccuracy * 100]
            report.metricOrder = ["accuracy"]
        case .knn:
            let train = splits.train + splits.validation
            let predicted = try NearestNeighbors.predict(train: try data.features.rows(train), labels: train.map { data.labels[$0] },
                                                         classes: data.classNames.count, test: try data.features.rows(splits.test), k: k)
            settings["k"] = "\(k)"
            report.metrics = ["accuracy": LinearProbe.accuracy(predicted, splits.test.map { data.labels[$0] }) * 100]
            report.metricOrder = ["accuracy"]
        case .fewShot:
            var chosen: [String] = []
            for shot in shots {
                var few = splits
                few.train = ClassificationSplits.fewShot(splits.train, labels: data.labels, shots: shot, seed: seed)
                // Few-shot keeps its validation rows for choosing C only: the final model sees the shots alone.
                let outcome = try fewShotProbe(data: data, splits: few, cs: cs)
                report.metrics["\(shot)-shot"] = outcome.testAccuracy * 100
                report.metricOrder.append("\(shot)-shot")
                chosen.append("\(shot):\(outcome.c)")
            }
            settings["C per shots"] = chosen.joined(separator: ",")
        case .retrieval, .zeroShot, .counting:
            throw SearchError.invalidInput("\(task.rawValue) is not a probe")
        }
        report.settings = settings
        return report
    }

    /// A few-shot probe: C chosen on the validation rows, the final model fitted on the few shots only.
    static func fewShotProbe(data: LabelledEmbeddings, splits: ClassificationSplits, cs: [Double]) throws -> LinearProbe.Outcome {
        let chosen = try LinearProbe.run(features: data.features, labels: data.labels, classes: data.classNames.count,
                                         splits: ClassificationSplits(train: splits.train, validation: splits.validation,
                                                                      test: splits.validation, origin: splits.origin), cs: cs)
        let model = try LogisticRegression.fit(features: try data.features.rows(splits.train), labels: splits.train.map { data.labels[$0] },
                                               classes: data.classNames.count, c: chosen.c)
        let accuracy = LinearProbe.accuracy(try model.predict(try data.features.rows(splits.test)), splits.test.map { data.labels[$0] })
        return LinearProbe.Outcome(c: chosen.c, validationAccuracy: chosen.validationAccuracy, testAccuracy: accuracy,
                                   iterations: model.iterations)
    }

    /// Saves a report in the corpus (one transaction), replacing the saved result of the same evaluation (task, model,
    /// dataset, split, settings), and returns it with its id and date.
    public static func save(_ report: EvaluationReport, modelID: Int64, corpus: Corpus) throws -> EvaluationReport {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metrics: [String: Double] = report.metrics
        metrics = metrics.mapValues { ($0 * 1e6).rounded() / 1e6 }
        var metricsJSON = String(decoding: try encoder.encode(metrics), as: UTF8.self)
        if let confusion = report.confusion {
            struct WithConfusion: Encodable { var metrics: [String: Double]; var confusion: [[Int]] }
            metricsJSON = String(decoding: try encoder.encode(WithConfusion(metrics: metrics, confusion: confusion)), as: UTF8.self)
        }
        let settings = String(decoding: try encoder.encode(report.settings), as: UTF8.self)
        let saved = try corpus.write { transaction in
            let dataset = try report.dataset.map { try transaction.requireDataset($0).id }
            return try transaction.saveEvaluation(task: report.task, model: modelID, dataset: dataset ?? nil, split: report.split,
                                                  settings: settings, metrics: metricsJSON)
        }
        var result = report
        result.id = saved.id
        result.date = saved.createdAt
        return result
    }
}
