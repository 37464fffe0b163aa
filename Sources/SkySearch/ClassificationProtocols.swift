import SkyText

/// k-nearest-neighbour classification by cosine similarity on embeddings, majority vote of the `k` most similar
/// training rows (scikit-learn's `KNeighborsClassifier(n_neighbors=k, metric="cosine")`: uniform weights, a tied
/// vote goes to the lowest class index; equally similar neighbours are taken in training order).
public enum NearestNeighbors {
    /// Neighbours unless asked otherwise (DINO's k-NN protocol uses 20).
    public static let defaultK = 20

    public static func predict(train: EmbeddingMatrix, labels: [Int], classes: Int, test: EmbeddingMatrix,
                               k: Int) throws(SearchError) -> [Int] {
        guard train.rows == labels.count, train.rows > 0 else {
            throw .shapeMismatch("\(train.rows) training rows but \(labels.count) labels")
        }
        guard k >= 1 else { throw .invalidInput("k must be at least 1, not \(k)") }
        let neighbours = min(k, train.rows)
        let trainRows = train.normalized(), testRows = test.normalized()
        var predictions: [Int] = []
        predictions.reserveCapacity(test.rows)
        // Blocks of test rows keep the similarity matrix small (a 6,000 x 30,000 one would take 720 MB).
        for blockStart in stride(from: 0, to: test.rows, by: 256) {
            let block = try testRows.rows(Array(blockStart..<min(test.rows, blockStart + 256)))
            let similarity = try block.similarities(to: trainRows)
            for row in 0..<block.rows {
                predictions.append(vote(similarity: similarity, row: row, trainRows: train.rows, labels: labels,
                                        classes: classes, neighbours: neighbours))
            }
        }
        return predictions
    }

    static func vote(similarity: [Float], row: Int, trainRows: Int, labels: [Int], classes: Int, neighbours: Int) -> Int {
        // The k best so far, best first; a later row enters only when strictly more similar (training order on ties).
        var nearest: [(score: Float, index: Int)] = []
        nearest.reserveCapacity(neighbours + 1)
        let base = row * trainRows
        for index in 0..<trainRows {
            let score = similarity[base + index]
            if nearest.count == neighbours, let last = nearest.last, score <= last.score { continue }
            var position = nearest.count
            while position > 0 && nearest[position - 1].score < score { position -= 1 }
            nearest.insert((score, index), at: position)
            if nearest.count > neighbours { nearest.removeLast() }
        }
        var votes = [Int](repeating: 0, count: classes)
        for neighbour in nearest { votes[labels[neighbour.index]] += 1 }
        var best = 0
        for k in 1..<classes where votes[k] > votes[best] { best = k }
        return best
    }
}

/// The train / validation / test rows of a labelled dataset for the probes.
public struct ClassificationSplits: Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]
    /// How the rows were split, in words.
    public var origin: String

    public init(train: [Int], validation: [Int], test: [Int], origin: String) {
        self.train = train
        self.validation = validation
        self.test = test
        self.origin = origin
    }

    /// The fraction of training rows held out for validation when the dataset has no validation split, and of all
    /// rows for validation and for test when it has no splits at all.
    public static let heldOutFraction = 0.2

    /// The dataset's own splits when it has train and test ("val"/"validation" as validation, else a seeded
    /// stratified fifth of train); otherwise a seeded stratified 60/20/20 split of every row.
    public static func make(splits: [String?], labels: [Int], seed: UInt64) -> ClassificationSplits {
        let names = splits.map { $0?.lowercased() }
        let train = names.indices.filter { names[$0] == "train" }
        let test = names.indices.filter { names[$0] == "test" }
        let validation = names.indices.filter { names[$0] == "val" || names[$0] == "validation" }
        if !train.isEmpty && !test.isEmpty {
            if !validation.isEmpty {
                return ClassificationSplits(train: train, validation: validation, test: test, origin: "the dataset's train/val/test splits")
            }
            let (kept, held) = stratifiedHoldOut(train, labels: labels, fraction: heldOutFraction, seed: seed)
            return ClassificationSplits(train: kept, validation: held, test: test,
                                        origin: "the dataset's train/test splits, a seeded fifth of train for validation")
        }
        let all = Array(labels.indices)
        let (rest, testRows) = stratifiedHoldOut(all, labels: labels, fraction: heldOutFraction, seed: seed)
        let (trainRows, validationRows) = stratifiedHoldOut(rest, labels: labels, fraction: heldOutFraction / (1 - heldOutFraction),
                                                            seed: seed &+ 1)
        return ClassificationSplits(train: trainRows, validation: validationRows, test: testRows,
                                    origin: "a seeded stratified 60/20/20 split (the dataset has no train/test splits)")
    }

    /// Per class, a seeded shuffle of its rows with `fraction` of them (rounded, at least one when the class has two
    /// or more) held out.
    static func stratifiedHoldOut(_ rows: [Int], labels: [Int], fraction: Double, seed: UInt64) -> (kept: [Int], held: [Int]) {
        var random = SeededRandom(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for row in rows { byClass[labels[row], default: []].append(row) }
        var kept: [Int] = [], held: [Int] = []
        for label in byClass.keys.sorted() {
            let shuffled = random.shuffled(byClass[label] ?? [])
            let count = shuffled.count >= 2 ? max(1, Int((Double(shuffled.count) * fraction).rounded())) : 0
            held += shuffled.prefix(count)
            kept += shuffled.dropFirst(count)
        }
        return (kept.sorted(), held.sorted())
    }

    /// `shots` rows per class drawn from `rows` with a seed (all of a class's rows when it has fewer).
    public static func fewShot(_ rows: [Int], labels: [Int], shots: Int, seed: UInt64) -> [Int] {
        var random = SeededRandom(seed: seed &+ UInt64(shots) &* 1_000_003)
        var byClass: [Int: [Int]] = [:]
        for row in rows { byClass[labels[row], default: []].append(row) }
        return byClass.keys.sorted().flatMap { random.shuffled(byClass[$0] ?? []).prefix(shots) }.sorted()
    }
}

/// A linear probe whose C is chosen on a validation split.
public enum LinearProbe {
    /// The inverse regularisation strengths tried on the validation split, weakest regularisation last.
    public static let defaultCs: [Double] = [0.01, 0.1, 1, 10, 100, 1000]

    /// What a probe found.
    public struct Outcome: Sendable, Equatable {
        /// The chosen C and validation accuracy of each C tried.
        public var c: Double
        public var validationAccuracy: [Double: Double]
        /// Test accuracy of the model refitted with the chosen C on train and validation together.
        public var testAccuracy: Double
        public var iterations: Int
    }

    /// Fits each C on `train` (warm-started in order), picks the best validation accuracy (the smaller C on a tie),
    /// refits on train + validation, and scores the test rows.
    public static func run(features: EmbeddingMatrix, labels: [Int], classes: Int, splits: ClassificationSplits,
                           cs: [Double] = defaultCs, options: LogisticRegression.Options = .init()) throws(SearchError) -> Outcome {
        guard !splits.train.isEmpty, !splits.test.isEmpty else { throw .invalidInput("a linear probe needs training and test rows") }
        let train = try features.rows(splits.train), trainLabels = splits.train.map { labels[$0] }
        var validationAccuracy: [Double: Double] = [:]
        var best = (c: cs.first ?? 1, accuracy: -1.0)
        if cs.count > 1 && !splits.validation.isEmpty {
            let validation = try features.rows(splits.validation), validationLabels = splits.validation.map { labels[$0] }
            var previous: LogisticRegression? = nil
            for c in cs.sorted() {
                let model = try LogisticRegression.fit(features: train, labels: trainLabels, classes: classes, c: c,
                                                       options: options, start: previous)
                let accuracy = Self.accuracy(try model.predict(validation), validationLabels)
                validationAccuracy[c] = accuracy
                if accuracy > best.accuracy { best = (c, accuracy) }
                previous = model
            }
        }
        let refit = splits.train + splits.validation
        let model = try LogisticRegression.fit(features: try features.rows(refit), labels: refit.map { labels[$0] },
                                               classes: classes, c: best.c, options: options)
        let test = try features.rows(splits.test)
        return Outcome(c: best.c, validationAccuracy: validationAccuracy,
                       testAccuracy: accuracy(try model.predict(test), splits.test.map { labels[$0] }),
                       iterations: model.iterations)
    }

    /// The fraction of predictions equal to the truth.
    public static func accuracy(_ predicted: [Int], _ truth: [Int]) -> Double {
        guard !truth.isEmpty else { return 0 }
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }
}

extension EmbeddingMatrix {
    /// The given rows, in order.
    public func rows(_ indices: [Int]) throws(SearchError) -> EmbeddingMatrix {
        var values: [Float] = []
        values.reserveCapacity(indices.count * dimension)
        for index in indices {
            guard index >= 0 && index < rows else { throw .invalidInput("row \(index) of \(rows)") }
            values += self.values[index * dimension..<(index + 1) * dimension]
        }
        return try EmbeddingMatrix(rows: indices.count, dimension: dimension, values: values)
    }
}
