import ArgumentParser
import Foundation
import SkyPipeline
import SkyStorage
import SkySearch
import SkyText

/// `skycorpus evaluate --task T (--model PATH | --name NAME) --dataset NAME`: RemoteCLIP's evaluation suite over stored embeddings.
struct Evaluate: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model: retrieval, zero-shot, linear probe, k-NN, few-shot, counting; results saved in the corpus.",
        discussion: """
            Every task reads the image (and caption) embeddings 'skycorpus embed' stored for the model. retrieval: \
            R@1/5/10 both ways and their mean on the dataset's human captions. zero-shot: top-1/top-5 accuracy of the \
            ground-truth labels against the classes' template ensemble. linear-probe: multinomial logistic regression \
            (L-BFGS), C chosen on a validation split from --c, refitted on train + validation, accuracy on test. knn: \
            majority vote of the k most cosine-similar train + validation images. few-shot: the probe trained on \
            --shots images per class (seeded), C chosen on the validation split. Splits: the dataset's train/val/test \
            when it has train and test (a seeded fifth of train for validation when it has no val), else a seeded \
            stratified 60/20/20. counting: top-1/top-2 accuracy and the confusion matrix by count on a counting set \
            ('skycorpus counting-set'). Each run is saved in the corpus (table evaluation) with the model and date.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The CLIP checkpoint that 'embed' used: checked against the stored model's SHA-256; needed by zero-shot and counting (they encode texts), optional for the other tasks when --name is given.",
                               valueName: "path"))
    var model: String?

    @OptionGroup var flags: EncoderFlags

    @Option(help: "What to evaluate.")
    var task: EvaluationTask = .retrieval

    @Option(help: "The name the model was registered under by 'embed' (default: the checkpoint's file name).")
    var name: String?

    @Option(help: "The dataset evaluated.")
    var dataset: String

    @Option(help: "counting: the counting set made by 'counting-set' (default: the dataset's name).")
    var set: String?

    @Option(help: "retrieval, zero-shot: the split to evaluate (all images when omitted).")
    var split: String?

    @Option(help: "zero-shot: classes, a file or a comma-separated list (default: the dataset's ground-truth classes).")
    var classes: String?

    @Option(help: "zero-shot: a template set of Schemas/prompts.")
    var templates = "remoteclip"

    @Option(help: "knn: neighbours.")
    var k = NearestNeighbors.defaultK

    @Option(help: "few-shot: images per class, comma-separated.")
    var shots = CorpusEvaluation.defaultShots.map(String.init).joined(separator: ",")

    @Option(help: "linear-probe, few-shot: the C values tried on the validation split, comma-separated.")
    var c = LinearProbe.defaultCs.map { "\($0)" }.joined(separator: ",")

    @Option(help: "linear-probe, knn, few-shot: the seed of the splits and the few-shot samples.")
    var seed: UInt64 = 0

    func validate() throws {
        if model == nil {
            guard task.usesStoredEmbeddingsOnly else { throw ValidationError("--task \(task.rawValue) encodes texts: pass --model") }
            guard name != nil else { throw ValidationError("pass --model (the checkpoint) or --name (the model's name in the corpus)") }
        }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        guard let shotList = parsedShots, !shotList.isEmpty, shotList.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--shots takes positive whole numbers, e.g. 1,2,4,8,16,32")
        }
        guard let cs = parsedCs, !cs.isEmpty, cs.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ValidationError("--c takes positive numbers, e.g. 0.1,1,10")
        }
    }

    var parsedShots: [Int]? {
        let values = shots.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    var parsedCs: [Double]? {
        let values = c.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    func hint(for error: Error) -> String? {
        if let error = error as? SearchError, error.description.contains("embed") { return "run 'skycorpus embed --model \(model ?? "CHECKPOINT")'" }
        if error is TextError { return "--classes takes a file with one class per line or a comma-separated list" }
        return CommandError.generalHint(for: error)
    }

    func run() throws {
        let corpus = try global.openCorpus()
        // validate() guarantees a name or a checkpoint.
        let modelName = name ?? URL(fileURLWithPath: model ?? "").lastPathComponent
        let registered = try SearchEngine.registeredModel(in: corpus, modelPath: model, name: modelName)
        let model = (id: registered.id, name: modelName)
        var report: EvaluationReport
        switch task {
        case .retrieval:
            report = try CorpusEvaluation.retrieval(corpus: corpus, model: model, dataset: dataset, split: split)
        case .zeroShot:
            let classNames = try classes.map { try PromptClassList.parse($0) }
            let templateSet = try PromptTemplateSet.named(templates)
            report = try CorpusEvaluation.zeroShot(corpus: corpus, encoder: try encoder(), model: model, dataset: dataset,
                                                   split: split, classNames: classNames, templates: templateSet)
        case .linearProbe, .knn, .fewShot:
            report = try CorpusEvaluation.probe(task, corpus: corpus, model: model, dataset: dataset, k: k,
                                                shots: parsedShots ?? [], seed: seed, cs: parsedCs ?? [])
        case .counting:
            report = try CountingEvaluation.evaluate(corpus: corpus, encoder: try encoder(), model: model, set: set ?? dataset)
        }
        // Which arithmetic made the stored embeddings, and (tasks that encode texts) the queries: saved with the run.
        report.settings["precision"] = registered.info.precision
        if !task.usesStoredEmbeddingsOnly { report.settings["query precision"] = flags.precision.rawValue }
        report = try CorpusEvaluation.save(report, modelID: model.id, corpus: corpus)
        if global.json { return try Output.json(report) }
        Self.printTable(report)
    }

    func encoder() throws -> CLIPEncoder {
        let (loaded, _) = try flags.load(model ?? "")
        return try CLIPEncoder(model: loaded, reducedJPEGDecode: flags.fastJpeg)
    }

    /// The report as a table: one metric per row, then the settings and any confusion matrix.
    static func printTable(_ report: EvaluationReport) {
        print("\(report.task.rawValue) of \(report.model) on \(report.dataset ?? "-")\(report.split.map { "/\($0)" } ?? "")"
              + " (saved as evaluation \(report.id ?? 0), \(report.date ?? ""))")
        let width = max(6, report.metricOrder.map(\.count).max() ?? 0)
        print("  " + "metric".padding(toLength: width, withPad: " ", startingAt: 0) + "  value")
        for key in report.metricOrder {
            print("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(format: "%6.2f", report.metrics[key] ?? 0))
        }
        for (key, value) in report.settings.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
        if let confusion = report.confusion, let first = report.settings["min"].flatMap(Int.init) {
            print("  confusion (rows: true count, columns: predicted count)")
            print("     " + confusion.indices.map { String(format: "%4d", first + $0) }.joined())
            for (row, counts) in confusion.enumerated() {
                print(String(format: "  %2d ", first + row) + counts.map { String(format: "%4d", $0) }.joined())
            }
        }
    }
}
