import SkyStorage

/// Counting accuracy on a counting set: each image's stored embedding against its candidate captions.
public enum CountingEvaluation {
    /// Per image, the candidate indices ranked by cosine similarity (ties to the lower count).
    public static func rankings(images: EmbeddingMatrix, captions: [EmbeddingMatrix]) throws(SearchError) -> [[Int]] {
        guard images.rows == captions.count else {
            throw .shapeMismatch("\(images.rows) image embeddings but \(captions.count) caption groups")
        }
        return try (0..<images.rows).map { (row: Int) throws(SearchError) -> [Int] in
            let image = try images.rows([row])
            let scores = try image.similarities(to: captions[row].normalized())
            return scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        }
    }

    /// Top-1 and top-2 accuracy and the confusion matrix (true count x predicted count) of `set` for a model: image
    /// embeddings from the corpus, caption embeddings from the encoder.
    public static func evaluate(corpus: Corpus, encoder: CLIPEncoder, model: (id: Int64, name: String),
                                set name: String) throws -> EvaluationReport {
        guard let set = try corpus.read({ try $0.countingSet(named: name) }) else {
            throw SearchError.invalidInput("no counting set '\(name)' in \(corpus.path); make one with 'skycorpus counting-set'")
        }
        let stored = try corpus.embeddings(model: model.id, kind: .image, dataset: set.dataset)
        let missing = set.items.filter { stored[$0.imageId] == nil }
        guard missing.isEmpty else {
            throw SearchError.invalidInput("model '\(model.name)' has no stored image embedding for \(missing.count) of the "
                + "\(set.items.count) images of counting set '\(name)' (first: \(missing[0].path)); run 'skycorpus embed' with it first")
        }
        let images = try EmbeddingMatrix(set.items.map { stored[$0.imageId]! })
        let captions = try set.items.map { try encoder.encodeTexts($0.captions) }
        let ranked = try rankings(images: images, captions: captions)
        let size = set.maximum - set.minimum + 1
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: size), count: size)
        var top1 = 0, top2 = 0
        for (item, order) in zip(set.items, ranked) {
            let truth = item.count - set.minimum
            confusion[truth][order[0]] += 1
            if order[0] == truth { top1 += 1 }
            if order.prefix(2).contains(truth) { top2 += 1 }
        }
        let total = Double(set.items.count)
        return EvaluationReport(task: .counting, model: model.name, dataset: set.dataset, split: nil,
                                settings: ["set": name, "min": "\(set.minimum)", "max": "\(set.maximum)",
                                           "template": set.template, "images": "\(set.items.count)"],
                                metrics: ["top-1": Double(top1) / total * 100, "top-2": Double(top2) / total * 100],
                                metricOrder: ["top-1", "top-2"], confusion: confusion)
    }
}
