#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CLIP zero-shot labeling: softmax over `logitScale * cosine(image, class text)`.
public struct ZeroShotClassifier: Sendable {
    /// The class names, in the order of the text embeddings.
    public let classNames: [String]
    /// One unit-length text embedding per class (an ensemble average, or a single prompt).
    public let classEmbeddings: EmbeddingMatrix
    /// CLIP's `logit_scale.exp()` (100 for trained OpenAI models).
    public let logitScale: Float

    /// A classifier; the embeddings are normalised here.
    public init(classNames: [String], classEmbeddings: EmbeddingMatrix, logitScale: Float) throws(SearchError) {
        guard !classNames.isEmpty else { throw .invalidInput("zero-shot labeling needs at least one class") }
        guard classNames.count == classEmbeddings.rows else {
            throw .shapeMismatch("\(classNames.count) class names but \(classEmbeddings.rows) text embeddings")
        }
        self.classNames = classNames
        self.classEmbeddings = classEmbeddings.normalized()
        self.logitScale = logitScale
    }

    /// Class probabilities for each image row (rows normalised here), in class order.
    public func probabilities(for images: EmbeddingMatrix) throws(SearchError) -> [[Float]] {
        let similarity = try images.normalized().similarities(to: classEmbeddings)
        let classes = classNames.count
        return (0..<images.rows).map { row in
            Self.softmax(similarity[row * classes..<(row + 1) * classes].map { $0 * logitScale })
        }
    }

    /// Classes with their probabilities, most probable first; ties keep class order (as Python's stable sort).
    public func ranked(_ probabilities: [Float]) -> [(name: String, probability: Float)] {
        zip(classNames, probabilities).enumerated()
            .sorted { lhs, rhs in
                lhs.element.1 != rhs.element.1 ? lhs.element.1 > rhs.element.1 : lhs.offset < rhs.offset
            }
            .map { (name: $0.element.0, probability: $0.element.1) }
    }

    /// Numerically stable softmax in float32.
    public static func softmax(_ logits: [Float]) -> [Float] {
        guard let largest = logits.max() else { return [] }
        let exponentials = logits.map { expf($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }
}

/// Top-k accuracy of zero-shot labels against ground truth.
public enum ZeroShotAccuracy {
    /// The fraction of rows whose true class index is among the `k` most probable.
    public static func topK(_ probabilities: [[Float]], truth: [Int], k: Int) throws(SearchError) -> Double {
        guard probabilities.count == truth.count else {
            throw .shapeMismatch("\(probabilities.count) predictions but \(truth.count) labels")
        }
        guard !truth.isEmpty else { return 0 }
        var hits = 0
        for (row, label) in zip(probabilities, truth) {
            guard row.indices.contains(label) else { throw .invalidInput("label \(label) is not a class index") }
            let better = row.enumerated().filter { $0.element > row[label] || ($0.element == row[label] && $0.offset < label) }
            if better.count < k { hits += 1 }
        }
        return Double(hits) / Double(truth.count)
    }
}
