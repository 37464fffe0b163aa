import Foundation
import SkySearch
import Testing

/// Zero-shot probabilities, accuracy and retrieval recall on hand-built embeddings.
@Suite struct ZeroShotAndRetrievalTests {
    @Test func softmaxOfScaledCosines() throws {
        let classes = try EmbeddingMatrix([[1, 0], [0, 1], [1, 1]])
        let classifier = try ZeroShotClassifier(classNames: ["a", "b", "c"], classEmbeddings: classes, logitScale: 100)
        let probabilities = try classifier.probabilities(for: EmbeddingMatrix([[2, 0], [0, 3]]))
        #expect(abs(probabilities[0].reduce(0, +) - 1) < 1e-6)
        // cos to a = 1, to c = 0.7071: softmax(100, 0, 70.71) puts almost all mass on a.
        #expect(probabilities[0][0] > 0.999_999)
        #expect(classifier.ranked(probabilities[1]).map(\.name) == ["b", "c", "a"])
        let expectedC = 1 / (1 + Float(exp(-29.289_32)) + Float(exp(-100.0 + 29.289_32)))
        #expect(abs(try classifier.probabilities(for: EmbeddingMatrix([[1, 1]]))[0][2] - expectedC) < 1e-6)
        #expect(try ZeroShotAccuracy.topK(probabilities, truth: [0, 2], k: 1) == 0.5)
        #expect(try ZeroShotAccuracy.topK(probabilities, truth: [0, 2], k: 2) == 1)
        #expect(throws: SearchError.self) {
            _ = try ZeroShotClassifier(classNames: ["a"], classEmbeddings: classes, logitScale: 100)
        }
    }

    @Test func retrievalRecallCountsRanks() throws {
        let images = try EmbeddingMatrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        // Captions 0-1 describe image 0, 2-3 image 1, 4 image 2; caption 3 points at image 2 instead.
        let captions = try EmbeddingMatrix([[1, 0.1, 0], [0.9, 0, 0.1], [0, 1, 0], [0, 0.2, 1], [0.1, 0, 1]])
        let result = try RetrievalEvaluation.evaluate(images: images, captions: captions,
                                                      captionImage: [0, 0, 1, 1, 2], ks: [1, 2])
        #expect(result.textToImage[1] == 0.8)
        #expect(result.textToImage[2] == 1.0)
        #expect(result.imageToText[1] == 1.0)
        #expect(abs(result.meanRecall - (0.8 + 1 + 1 + 1) / 4) < 1e-12)
        #expect(throws: SearchError.self) {
            _ = try RetrievalEvaluation.evaluate(images: images, captions: captions, captionImage: [0, 9, 1, 1, 2])
        }
    }

    @Test func similaritiesOnBLASMatchDotProducts() throws {
        let a = try EmbeddingMatrix((0..<7).map { row in (0..<5).map { Float(row * 5 + $0) / 10 } })
        let b = try EmbeddingMatrix((0..<3).map { row in (0..<5).map { Float(row - $0) } })
        let product = try a.similarities(to: b)
        for row in 0..<7 {
            for column in 0..<3 {
                let dot = zip(a.row(row), b.row(column)).map { $0 * $1 }.reduce(0, +)
                #expect(abs(product[row * 3 + column] - dot) < 1e-4)
            }
        }
        #expect(throws: SearchError.self) { _ = try a.similarities(to: EmbeddingMatrix([[1, 2]])) }
    }
}
