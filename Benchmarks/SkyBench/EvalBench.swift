import Foundation
import SkyCLIP
import SkyHashing
import SkyPipeline
import SkySearch
import SkyStorage
import SkyText

/// `skybench probe --train X.npy --train-labels Y.npy --val ... --val-labels ... --test ... --test-labels ...
/// [--c 0.01,0.1,1,10,100,1000] [--tol 1e-4] [--max-iter 1000] [--repeats 3]`: the linear probe protocol of
/// `evaluate --task linear-probe` (each C fitted on train with warm starts, C chosen on validation, refitted on
/// train + validation, test accuracy); labels are `n x 1` float32 matrices. Prints one JSON object.
///
/// `skybench zero-shot-label --model CKPT --root DIR --classes a,b,c [--templates remoteclip] [--batch 16] [--top-k 3]`:
/// DIR (class folders) ingested into a temporary corpus, then `zero-shot --write` timed over all of it (decode,
/// preprocess, encode, classify, store). Prints one JSON object with images per second.
enum EvalBench {
    static func options(_ arguments: [String]) -> [String: String] {
        var options: [String: String] = [:]
        var index = 0
        while index + 1 < arguments.count {
            options[arguments[index]] = arguments[index + 1]
            index += 2
        }
        return options
    }

    static func labels(_ path: String) throws -> [Int] {
        try IndexBench.readNPY(path).0.map { Int($0) }
    }

    static func probe(_ arguments: [String]) throws {
        let options = options(arguments)
        func matrix(_ key: String) throws -> EmbeddingMatrix {
            guard let path = options[key] else { throw IndexBench.BenchError("missing \(key)") }
            let (values, rows, columns) = try IndexBench.readNPY(path)
            return try EmbeddingMatrix(rows: rows, dimension: columns, values: values)
        }
        let train = try matrix("--train"), validation = try matrix("--val"), test = try matrix("--test")
        let trainLabels = try labels(options["--train-labels"] ?? ""), validationLabels = try labels(options["--val-labels"] ?? "")
        let testLabels = try labels(options["--test-labels"] ?? "")
        let cs = (options["--c"] ?? "0.01,0.1,1,10,100,1000").split(separator: ",").compactMap { Double($0) }
        let solver = LogisticRegression.Options(maxIterations: Int(options["--max-iter"] ?? "") ?? 1000,
                                                tolerance: Double(options["--tol"] ?? "") ?? 1e-4)
        let all = try EmbeddingMatrix(rows: train.rows + validation.rows + test.rows, dimension: train.dimension,
                                      values: train.values + validation.values + test.values)
        let labels = trainLabels + validationLabels + testLabels
        let classes = (labels.max() ?? 0) + 1
        let splits = ClassificationSplits(train: Array(0..<train.rows),
                                          validation: Array(train.rows..<train.rows + validation.rows),
                                          test: Array(train.rows + validation.rows..<all.rows), origin: "given")
        var outcome: LinearProbe.Outcome? = nil
        let times = try BenchClock.measure(repeats: Int(options["--repeats"] ?? "") ?? 3) {
            outcome = try LinearProbe.run(features: all, labels: labels, classes: classes, splits: splits, cs: cs, options: solver)
        }
        let report: [String: Any] = [
            "seconds": BenchClock.median(times), "times": times, "c": outcome?.c ?? 0, "accuracy": outcome?.testAccuracy ?? 0,
            "iterations": outcome?.iterations ?? 0, "rows": all.rows, "dimension": all.dimension, "classes": classes,
            "validation": Dictionary(uniqueKeysWithValues: (outcome?.validationAccuracy ?? [:]).map { ("\($0.key)", $0.value) }),
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
    }

    static func zeroShot(_ arguments: [String]) throws {
        let options = options(arguments)
        guard let modelPath = options["--model"], let root = options["--root"], let classList = options["--classes"] else {
            throw IndexBench.BenchError("usage: skybench zero-shot-label --model CKPT --root DIR --classes a,b,c")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skybench-zero-shot-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = try Corpus(path: folder.appendingPathComponent("corpus.sqlite").path, create: true)
        let ingest = try DatasetIngest.run(IngestRequest(name: "bench", root: root, format: .classFolders), into: corpus)
        var encoder = try CLIPEncoder(modelPath: modelPath)
        let batch = Int(options["--batch"] ?? "") ?? 16
        encoder.batchSize = batch
        let model = encoder.model
        let info = EncoderModelInfo(name: "bench", architecture: model.architecture.description,
                                    checksum: try FileDigest.sha256(ofFile: modelPath), dimension: model.embedDim)
        let request = ZeroShotLabelingRequest(dataset: "bench", classNames: try PromptClassList.parse(classList),
                                              templates: try PromptTemplateSet.named(options["--templates"] ?? "remoteclip"),
                                              topK: Int(options["--top-k"] ?? "") ?? 3, relabel: true, batchSize: batch)
        var summary: ZeroShotLabelingSummary? = nil
        let times = try BenchClock.measure(repeats: Int(options["--repeats"] ?? "") ?? 1) {
            summary = try ZeroShotLabeling.run(request, encoder: encoder, model: info, corpus: corpus)
        }
        let seconds = BenchClock.median(times)
        let report: [String: Any] = [
            "images": ingest.imagesAdded, "labelled": summary?.imagesLabelled ?? 0, "seconds": seconds, "times": times,
            "images_per_second": Double(summary?.imagesLabelled ?? 0) / seconds, "batch": batch,
            "architecture": model.architecture.description,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
    }
}
