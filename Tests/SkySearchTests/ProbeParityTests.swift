import Foundation
import SkySearch
import SkyTestSupport
import Testing

/// The linear probe, k-NN and zero-shot accuracy against scikit-learn and numpy on the same embeddings
/// (`Scripts/sklearn_probe_fixtures.py`): accuracies within 0.1 point, the same chosen C.
@Suite struct ProbeParityTests {
    struct Fixture: Decodable {
        struct Fit: Decodable { var c: Double; var accuracy: Double; var predictions: [Int]; var coef: [[Double]]; var intercept: [Double] }
        struct Probe: Decodable { var grid: [Double]; var validation: [Double]; var chosen: Double; var accuracy: Double }
        struct KNN: Decodable { var k: Int; var accuracy: Double; var predictions: [Int] }
        struct ZeroShot: Decodable { var text: [[Float]]; var logitScale: Float; var top1: Double; var top5: Double }
        var classes: Int
        var train: [[Float]], trainLabels: [Int]
        var validation: [[Float]], validationLabels: [Int]
        var test: [[Float]], testLabels: [Int]
        var fits: [Fit]
        var probe: Probe
        var knn: [KNN]
        var zeroShot: ZeroShot
    }

    static let fixture: Fixture = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let url = TestPaths.package("Tests/SkySearchTests/Fixtures/sklearn_probe.json")
        return try! decoder.decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static let tight = LogisticRegression.Options(maxIterations: 10_000, tolerance: 1e-9)

    @Test func logisticRegressionMatchesScikitLearn() throws {
        let f = Self.fixture
        let test = try EmbeddingMatrix(f.test)
        for fit in f.fits {
            let model = try LogisticRegression.fit(features: EmbeddingMatrix(f.train), labels: f.trainLabels, classes: f.classes,
                                                   c: fit.c, options: Self.tight)
            let predicted = try model.predict(test)
            let accuracy = LinearProbe.accuracy(predicted, f.testLabels)
            #expect(abs(accuracy - fit.accuracy) * 100 <= 0.1, "C=\(fit.c): \(accuracy) vs scikit-learn \(fit.accuracy)")
            // The same optimum: coefficients and intercepts agree closely.
            let coefficients = fit.coef.flatMap { $0 }
            let worst = zip(model.weights, coefficients).map { abs($0 - $1) }.max() ?? 1
            let scale = coefficients.map(abs).max() ?? 1
            #expect(worst / scale < 1e-4, "C=\(fit.c): coefficient error \(worst) of \(scale)")
            #expect(zip(model.bias, fit.intercept).allSatisfy { abs($0 - $1) < 1e-3 * max(1, scale) })
        }
    }

    @Test func theProbeChoosesScikitLearnsCAndAccuracy() throws {
        let f = Self.fixture
        let rows = f.train + f.validation + f.test
        let labels = f.trainLabels + f.validationLabels + f.testLabels
        let splits = ClassificationSplits(train: Array(0..<f.train.count),
                                          validation: Array(f.train.count..<f.train.count + f.validation.count),
                                          test: Array(f.train.count + f.validation.count..<rows.count), origin: "fixture")
        let outcome = try LinearProbe.run(features: EmbeddingMatrix(rows), labels: labels, classes: f.classes, splits: splits,
                                          cs: f.probe.grid, options: Self.tight)
        #expect(outcome.c == f.probe.chosen)
        for (c, expected) in zip(f.probe.grid, f.probe.validation) {
            let accuracy = outcome.validationAccuracy[c] ?? -1
            #expect(abs(accuracy - expected) * 100 <= 0.5, "C=\(c): \(accuracy) vs \(expected)")
        }
        #expect(abs(outcome.testAccuracy - f.probe.accuracy) * 100 <= 0.1, "\(outcome.testAccuracy) vs \(f.probe.accuracy)")
    }

    @Test func nearestNeighboursMatchScikitLearn() throws {
        let f = Self.fixture
        for knn in f.knn {
            let predicted = try NearestNeighbors.predict(train: EmbeddingMatrix(f.train), labels: f.trainLabels, classes: f.classes,
                                                         test: EmbeddingMatrix(f.test), k: knn.k)
            let accuracy = LinearProbe.accuracy(predicted, f.testLabels)
            #expect(abs(accuracy - knn.accuracy) * 100 <= 0.1, "k=\(knn.k): \(accuracy) vs \(knn.accuracy)")
        }
    }

    @Test func zeroShotAccuracyMatchesOpenCLIPsComputation() throws {
        let f = Self.fixture
        let classifier = try ZeroShotClassifier(classNames: (0..<f.classes).map { "class \($0)" },
                                                classEmbeddings: EmbeddingMatrix(f.zeroShot.text), logitScale: f.zeroShot.logitScale)
        let probabilities = try classifier.probabilities(for: EmbeddingMatrix(f.test))
        let top1 = try ZeroShotAccuracy.topK(probabilities, truth: f.testLabels, k: 1)
        let top5 = try ZeroShotAccuracy.topK(probabilities, truth: f.testLabels, k: 5)
        #expect(abs(top1 - f.zeroShot.top1) * 100 <= 0.1 && abs(top5 - f.zeroShot.top5) * 100 <= 0.1, "\(top1) \(top5)")
    }

    /// Linearly separable classes (the sign pattern of two coordinates): the probe's known optimum is every test
    /// image right, and weak regularisation reaches it.
    @Test func theProbeReachesTheOptimumOnASeparableSet() throws {
        var random = SplitMix64(seed: 5)
        func sample(_ count: Int) -> (rows: [[Float]], labels: [Int]) {
            var rows: [[Float]] = [], labels: [Int] = []
            for _ in 0..<count {
                var row = (0..<8).map { _ in Float(Double(random.next() >> 11) / Double(1 << 53) * 2 - 1) }
                // A margin of 0.2 around both separating planes.
                for axis in 0..<2 where abs(row[axis]) < 0.2 { row[axis] = row[axis] < 0 ? row[axis] - 0.2 : row[axis] + 0.2 }
                labels.append((row[0] > 0 ? 1 : 0) + (row[1] > 0 ? 2 : 0))
                rows.append(row)
            }
            return (rows, labels)
        }
        let train = sample(300), test = sample(300)
        let model = try LogisticRegression.fit(features: EmbeddingMatrix(train.rows), labels: train.labels, classes: 4, c: 1000,
                                               options: .init(maxIterations: 5000, tolerance: 1e-8))
        #expect(LinearProbe.accuracy(try model.predict(EmbeddingMatrix(train.rows)), train.labels) == 1)
        #expect(LinearProbe.accuracy(try model.predict(EmbeddingMatrix(test.rows)), test.labels) == 1)
        let splits = ClassificationSplits.make(splits: [String?](repeating: nil, count: 600), labels: train.labels + test.labels, seed: 3)
        let probe = try LinearProbe.run(features: EmbeddingMatrix(train.rows + test.rows), labels: train.labels + test.labels,
                                        classes: 4, splits: splits)
        #expect(probe.testAccuracy == 1, "C \(probe.c), accuracy \(probe.testAccuracy)")
        #expect(Set(splits.train + splits.validation + splits.test).count == 600 && abs(splits.test.count - 120) <= 4)
    }

    @Test func fewShotSamplesAreSeededAndPerClass() {
        let labels = (0..<100).map { $0 % 5 }
        let rows = Array(0..<100)
        let four = ClassificationSplits.fewShot(rows, labels: labels, shots: 4, seed: 9)
        #expect(four.count == 20 && Dictionary(grouping: four) { labels[$0] }.values.allSatisfy { $0.count == 4 })
        #expect(four == ClassificationSplits.fewShot(rows, labels: labels, shots: 4, seed: 9))
        #expect(four != ClassificationSplits.fewShot(rows, labels: labels, shots: 4, seed: 10))
        #expect(ClassificationSplits.fewShot(rows, labels: labels, shots: 32, seed: 9).count == 100)
    }
}
