import Foundation
import SkyIndex
import SkyStorage

/// What makes two images near-duplicates for `dedup`.
public enum DedupCriterion: String, Sendable, Codable, CaseIterable {
    /// imagehash p-Hashes within a Hamming distance (RemoteCLIP's rule).
    case phash
    /// Stored CLIP image embeddings above a cosine similarity: catches flips, rotations and re-encodings that move a
    /// p-Hash by 30 bits or more.
    case embedding
    /// Either of the two.
    case both

    var usesHashes: Bool { self != .embedding }
    var usesEmbeddings: Bool { self != .phash }
}

/// Near-duplicates by embeddings: every pair of a model's stored image vectors at or above a cosine, found through
/// SkyIndex without the n x n matrix (blocked exact products up to ``exactLimit`` images, an HNSW graph above).
public struct EmbeddingCriterion: Sendable, Equatable {
    /// The default cosine at or above which two images are duplicates.
    public static let defaultMinCosine: Float = 0.95
    /// The cosines a threshold may take.
    public static let minCosineRange: ClosedRange<Float> = 0.5...1
    /// Up to this many images, pairs are found exactly (blocked sgemm, n^2/2 products); above, through an HNSW graph
    /// (each image asks for its neighbours, following dense clusters to their end).
    public static let exactLimit = 200_000

    /// The encoder model's id in the corpus (`encoder(named:)`).
    public var model: Int64
    /// The cosine threshold.
    public var minCosine: Float

    /// A criterion over `model`'s stored image embeddings.
    public init(model: Int64, minCosine: Float = EmbeddingCriterion.defaultMinCosine) {
        self.model = model
        self.minCosine = minCosine
    }

    /// The stored vectors, and every pair (by row) at or above `minCosine`.
    func pairs(in corpus: Corpus) throws -> (vectors: StoredVectors, pairs: [SimilarPair]) {
        guard Self.minCosineRange.contains(minCosine) else {
            throw CorpusError.invalidRequest("minimum cosine \(minCosine): give \(Self.minCosineRange.lowerBound) to "
                                             + "\(Self.minCosineRange.upperBound)")
        }
        let vectors = try corpus.storedVectors(model: model, kind: .image)
        guard vectors.ids.count >= 2 else { return (vectors, []) }
        if vectors.ids.count <= Self.exactLimit {
            let index = try ExactIndex(dimension: vectors.dimension, ids: vectors.ids, vectors: vectors.values)
            return (vectors, try index.pairs(minScore: minCosine))
        }
        let index = try ApproximateIndex(dimension: vectors.dimension, ids: vectors.ids, vectors: vectors.values)
        return (vectors, try index.pairs(minScore: minCosine))
    }
}
