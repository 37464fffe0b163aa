import Foundation
import SkyStorage
import SkyText

/// What `zero-shot --write` labels and how.
public struct ZeroShotLabelingRequest: Sendable {
    /// The dataset whose images are labelled.
    public var dataset: String
    /// The classes, cleaned (``PromptClassList``).
    public var classNames: [String]
    /// The template ensemble of each class's text embedding.
    public var templates: PromptTemplateSet
    /// Labels stored per image, most probable first.
    public var topK: Int
    /// Also store the top-1 label as a caption of source `zero-shot` (``captionTemplate``).
    public var captions: Bool
    /// Only images with no object and no ground-truth label.
    public var onlyUnannotated: Bool
    /// Replace this model's labels (and zero-shot captions) on the dataset instead of leaving labelled images alone.
    public var relabel: Bool
    /// Images per forward pass.
    public var batchSize: Int

    /// Labels stored per image unless asked otherwise.
    public static let defaultTopK = 3
    /// The most labels per image.
    public static let maximumTopK = 100
    /// The caption made from the top-1 label: "a satellite image of a harbor.".
    public static let captionTemplate = "a satellite image of {}."

    public init(dataset: String, classNames: [String], templates: PromptTemplateSet, topK: Int = defaultTopK,
                captions: Bool = false, onlyUnannotated: Bool = false, relabel: Bool = false, batchSize: Int = 16) {
        self.dataset = dataset
        self.classNames = classNames
        self.templates = templates
        self.topK = topK
        self.captions = captions
        self.onlyUnannotated = onlyUnannotated
        self.relabel = relabel
        self.batchSize = batchSize
    }
}

/// What `zero-shot --write` did.
public struct ZeroShotLabelingSummary: Sendable, Codable, Equatable {
    public var dataset: String
    public var model: String
    public var templates: String
    public var classes: Int
    /// Images labelled by this run, and labels and captions added.
    public var imagesLabelled = 0
    public var labelsAdded = 0
    public var captionsAdded = 0
    /// Images whose stored embedding of this model was used instead of decoding the file.
    public var fromStoredEmbeddings = 0
    /// Labels of this model replaced (`relabel`).
    public var labelsReplaced = 0
    /// Images left as they were because this model had labelled them (a re-run).
    public var alreadyLabelled = 0
    /// Images that could not be decoded: marked unreadable in the same transaction, not labelled.
    public var unreadable: [String] = []
}

/// Labels a dataset's images with a model's zero-shot top-k and stores them in the corpus.
public enum ZeroShotLabeling {
    /// Encodes the images in streaming batches (`progress(done, total)` after each; stored vectors of this model are
    /// read per batch, so memory holds one batch and the labels), then writes every label, caption
    /// and unreadable mark in one transaction: an interrupted run writes nothing, a re-run with the same model adds
    /// nothing, another model adds its own labels.
    public static func run(_ request: ZeroShotLabelingRequest, encoder: CLIPEncoder, model info: EncoderModelInfo,
                           corpus: Corpus, progress: (Int, Int) -> Void = { _, _ in }) throws -> ZeroShotLabelingSummary {
        guard (1...ZeroShotLabelingRequest.maximumTopK).contains(request.topK) else {
            throw SearchError.invalidInput("top-k \(request.topK) is outside 1...\(ZeroShotLabelingRequest.maximumTopK)")
        }
        let classifier = try ZeroShotClassifier(
            classNames: request.classNames,
            classEmbeddings: encoder.classEmbeddings(classNames: request.classNames, templates: request.templates),
            logitScale: encoder.logitMultiplier)
        let registered = try corpus.encoder(named: info.name)
        if let registered, registered.info.checksum != info.checksum {
            throw EmbeddingStoreError.modelConflict(name: info.name, stored: "checksum \(registered.info.checksum.prefix(12))…",
                                                    given: "checksum \(info.checksum.prefix(12))…")
        }
        let (datasetID, all, pending) = try corpus.read { transaction in
            let dataset = try transaction.requireDataset(request.dataset)
            let id = dataset.id ?? -1
            let all = try transaction.labelingCandidates(dataset: id, unlabelledBy: nil, onlyUnannotated: request.onlyUnannotated)
            let pending = request.relabel ? all
                : try transaction.labelingCandidates(dataset: id, unlabelledBy: registered?.id ?? -1,
                                                     onlyUnannotated: request.onlyUnannotated)
            return (id, all, pending)
        }
        var summary = ZeroShotLabelingSummary(dataset: request.dataset, model: info.name, templates: request.templates.name,
                                              classes: request.classNames.count, alreadyLabelled: all.count - pending.count)
        var labels: [(image: Int64, ranked: [(name: String, probability: Float)])] = []
        var unreadable: [(id: Int64, reason: String?)] = []
        for start in stride(from: 0, to: pending.count, by: max(1, request.batchSize)) {
            let batch = Array(pending[start..<min(pending.count, start + max(1, request.batchSize))])
            var rows: [[Float]] = [], ids: [Int64] = []
            // Stored vectors of this model are read a batch at a time: memory stays bounded by the batch.
            let stored = try registered.map { try corpus.embeddings(model: $0.id, kind: .image, ids: batch.map(\.id)) } ?? [:]
            let toDecode = batch.filter { stored[$0.id] == nil }
            let tensors = encoder.preprocessor.tensors(files: toDecode.map(\.file))
            var pixels: [Float] = [], decoded: [Int64] = []
            for (candidate, tensor) in zip(toDecode, tensors) {
                switch tensor {
                case .success(let values):
                    pixels += values
                    decoded.append(candidate.id)
                case .failure(let error):
                    summary.unreadable.append("\(candidate.file): \(error)")
                    // A missing file (an unmounted drive) is not a broken one: only files that exist are marked.
                    if FileManager.default.fileExists(atPath: candidate.file) { unreadable.append((candidate.id, "\(error)")) }
                }
            }
            let encoded = decoded.isEmpty ? [] : try encoder.model.encodeImages(pixels, count: decoded.count)
            var byID = Dictionary(uniqueKeysWithValues: zip(decoded, encoded))
            for candidate in batch {
                if let vector = stored[candidate.id] {
                    byID[candidate.id] = vector
                    summary.fromStoredEmbeddings += 1
                }
                guard let vector = byID[candidate.id] else { continue }
                rows.append(vector)
                ids.append(candidate.id)
            }
            if !rows.isEmpty {
                let probabilities = try classifier.probabilities(for: EmbeddingMatrix(rows))
                for (id, row) in zip(ids, probabilities) {
                    labels.append((id, Array(classifier.ranked(row).prefix(request.topK))))
                }
            }
            progress(start + batch.count, pending.count)
        }
        try corpus.write { transaction in
            let modelID = try transaction.registerEncoder(info)
            if request.relabel {
                summary.labelsReplaced = try transaction.deleteZeroShotLabels(dataset: datasetID, model: modelID, modelName: info.name)
            }
            let captions = request.captions ? try CaptionInserter(transaction, source: .zeroShot) : nil
            for (image, ranked) in labels {
                for (rank, label) in ranked.enumerated() {
                    if try transaction.insertImageLabel(NewImageLabel(
                        imageID: image, className: label.name, score: Double(label.probability), rank: rank + 1,
                        source: .zeroShot, modelID: modelID, templates: request.templates.name)) {
                        summary.labelsAdded += 1
                    }
                }
                summary.imagesLabelled += 1
                // Only images this model had not labelled (or whose labels and captions --relabel just deleted) come
                // here, so the caption is new.
                guard let captions, let best = ranked.first else { continue }
                try captions.insert(image: image, text: PromptGrammar.standard.fill(ZeroShotLabelingRequest.captionTemplate,
                                                                                     with: best.name), rule: info.name)
                summary.captionsAdded += 1
            }
            if !unreadable.isEmpty { try transaction.markUnreadable(unreadable) }
        }
        return summary
    }
}
