import SkyStorage

/// Retrieval over the embeddings stored in a corpus.
public enum CorpusSearch {
    /// One retrieved image.
    public struct Hit: Sendable, Codable, Equatable {
        public var imageId: Int64
        public var path: String
        public var score: Float
    }

    /// The images most similar to a query embedding, best first (ties by image id). Images that dedup marked as
    /// duplicates of another are left out unless `includeDuplicates` (a top 10 would otherwise hold copies).
    public static func images(in corpus: Corpus, model: Int64, query: [Float], dataset: String? = nil,
                              top: Int = 10, includeDuplicates: Bool = false) throws -> [Hit] {
        let index = try CorpusIndex(corpus: corpus, model: model, mode: .exact, captions: false)
        return try index.images(near: query, top: top,
                                filter: SearchFilter(dataset: dataset, includeDuplicates: includeDuplicates))
    }

    /// RemoteCLIP's retrieval evaluation on a dataset's human captions, from stored embeddings.
    public static func evaluate(in corpus: Corpus, model: Int64, dataset: String, split: String?,
                                ks: [Int] = [1, 5, 10]) throws -> (result: RetrievalEvaluation, images: Int, captions: Int) {
        let set = try corpus.retrievalSet(dataset: dataset, split: split)
        guard !set.imageIds.isEmpty else {
            throw SearchError.invalidInput("dataset '\(dataset)'\(split.map { " split \($0)" } ?? "") has no images with human captions")
        }
        let images = try corpus.embeddings(model: model, kind: .image, dataset: dataset, split: split)
        let captions = try corpus.embeddings(model: model, kind: .caption, dataset: dataset, split: split)
        let missingImages = set.imageIds.filter { images[$0] == nil }.count
        let missingCaptions = set.captionIds.filter { captions[$0] == nil }.count
        guard missingImages == 0, missingCaptions == 0 else {
            throw SearchError.invalidInput("\(missingImages) images and \(missingCaptions) captions of '\(dataset)' have no "
                                           + "embedding for this model; embed them first")
        }
        let result = try RetrievalEvaluation.evaluate(images: EmbeddingMatrix(set.imageIds.map { images[$0]! }),
                                                      captions: EmbeddingMatrix(set.captionIds.map { captions[$0]! }),
                                                      captionImage: set.captionImage, ks: ks)
        return (result, set.imageIds.count, set.captionIds.count)
    }
}
