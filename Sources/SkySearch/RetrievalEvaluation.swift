/// Image-text retrieval evaluation as RemoteCLIP reports it: R@1, R@5, R@10 both ways and their mean.
public struct RetrievalEvaluation: Sendable, Codable, Equatable {
    /// Recall at 1, 5, 10 of text queries retrieving their image.
    public var textToImage: [Int: Double]
    /// Recall at 1, 5, 10 of image queries retrieving any of their captions.
    public var imageToText: [Int: Double]
    /// The mean of the six recalls.
    public var meanRecall: Double

    /// Evaluates unit-normalised embeddings; `captionImage[t]` is the image row of caption `t`.
    public static func evaluate(images: EmbeddingMatrix, captions: EmbeddingMatrix, captionImage: [Int],
                                ks: [Int] = [1, 5, 10]) throws(SearchError) -> RetrievalEvaluation {
        guard captions.rows == captionImage.count else {
            throw .shapeMismatch("\(captions.rows) caption embeddings but \(captionImage.count) caption-image links")
        }
        if let bad = captionImage.first(where: { $0 < 0 || $0 >= images.rows }) {
            throw .invalidInput("caption linked to image \(bad), but there are \(images.rows) images")
        }
        let similarity = try captions.normalized().similarities(to: images.normalized())
        let imageCount = images.rows, captionCount = captions.rows
        // Rank of the true image for each caption: how many images score strictly higher.
        var textRanks: [Int] = []
        for caption in 0..<captionCount {
            let row = similarity[caption * imageCount..<(caption + 1) * imageCount]
            let target = row[row.startIndex + captionImage[caption]]
            textRanks.append(row.filter { $0 > target }.count)
        }
        // Best rank among an image's captions.
        var imageRanks = [Int](repeating: Int.max, count: imageCount)
        for image in 0..<imageCount {
            let scores = (0..<captionCount).map { similarity[$0 * imageCount + image] }
            for caption in 0..<captionCount where captionImage[caption] == image {
                imageRanks[image] = min(imageRanks[image], scores.filter { $0 > scores[caption] }.count)
            }
        }
        let withCaptions = imageRanks.filter { $0 != Int.max }
        var textToImage: [Int: Double] = [:], imageToText: [Int: Double] = [:]
        for k in ks {
            textToImage[k] = Double(textRanks.filter { $0 < k }.count) / Double(max(1, textRanks.count))
            imageToText[k] = Double(withCaptions.filter { $0 < k }.count) / Double(max(1, withCaptions.count))
        }
        let all = Array(textToImage.values) + Array(imageToText.values)
        return RetrievalEvaluation(textToImage: textToImage, imageToText: imageToText,
                                   meanRecall: all.reduce(0, +) / Double(max(1, all.count)))
    }
}
