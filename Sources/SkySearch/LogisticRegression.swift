import CSkyBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Multinomial logistic regression on frozen embeddings, fitted by L-BFGS: the linear probe of CLIP and RemoteCLIP.
///
/// The objective is scikit-learn's `LogisticRegression(C=c, solver="lbfgs")` for more than two classes: the mean
/// cross-entropy plus `||W||^2 / (2 C n)` (the intercepts are not penalised), so both reach the same optimum. The
/// stopping rules are scipy's as scikit-learn sets them: the largest gradient entry at most `tolerance`, or a relative
/// decrease of the objective below 64 machine epsilons, or `maxIterations`.
public struct LogisticRegression: Sendable {
    /// How a fit stops.
    public struct Options: Sendable {
        public var maxIterations: Int
        public var tolerance: Double
        /// L-BFGS correction pairs kept.
        public var memory: Int

        /// scikit-learn's defaults: 100 iterations would stop early on CLIP features, so 1000.
        public init(maxIterations: Int = 1000, tolerance: Double = 1e-4, memory: Int = 10) {
            self.maxIterations = maxIterations
            self.tolerance = tolerance
            self.memory = memory
        }
    }

    public let classes: Int
    public let dimension: Int
    /// `classes x dimension`, row-major.
    public private(set) var weights: [Double]
    public private(set) var bias: [Double]
    /// The inverse regularisation strength it was fitted with.
    public let c: Double
    /// L-BFGS iterations run, and whether the gradient tolerance was reached.
    public private(set) var iterations = 0
    public private(set) var converged = false

    /// Fits `labels` (class indices below `classes`) on the rows of `features`; `start` warm-starts from an earlier fit.
    public static func fit(features: EmbeddingMatrix, labels: [Int], classes: Int, c: Double, options: Options = Options(),
                           start: LogisticRegression? = nil) throws(SearchError) -> LogisticRegression {
        guard features.rows == labels.count, features.rows > 0 else {
            throw .shapeMismatch("\(features.rows) feature rows but \(labels.count) labels")
        }
        guard classes >= 2 else { throw .invalidInput("a linear probe needs at least two classes, got \(classes)") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) { throw .invalidInput("label \(bad) is not a class index") }
        guard c > 0, c.isFinite else { throw .invalidInput("C must be a positive number, not \(c)") }
        var model = LogisticRegression(classes: classes, dimension: features.dimension,
                                       weights: [Double](repeating: 0, count: classes * features.dimension),
                                       bias: [Double](repeating: 0, count: classes), c: c)
        if let start, start.classes == classes, start.dimension == features.dimension {
            model.weights = start.weights
            model.bias = start.bias
        }
        let objective = Objective(x: features.values.map(Double.init), labels: labels, rows: features.rows,
                                  dimension: features.dimension, classes: classes, c: c)
        let result = LBFGS.minimize(start: model.weights + model.bias, options: options, objective.evaluate)
        model.weights = Array(result.x[0..<classes * features.dimension])
        model.bias = Array(result.x[(classes * features.dimension)...])
        model.iterations = result.iterations
        model.converged = result.converged
        return model
    }

    /// The most probable class of each row (ties to the lower index, as numpy's argmax).
    public func predict(_ features: EmbeddingMatrix) throws(SearchError) -> [Int] {
        guard features.dimension == dimension else {
            throw .shapeMismatch("features of dimension \(features.dimension), model of dimension \(dimension)")
        }
        let scores = Objective.logits(x: features.values.map(Double.init), rows: features.rows, dimension: dimension,
                                      weights: weights, bias: bias, classes: classes)
        return (0..<features.rows).map { row in
            var best = 0
            for k in 1..<classes where scores[row * classes + k] > scores[row * classes + best] { best = k }
            return best
        }
    }
}

/// The regularised mean cross-entropy and its gradient over parameters `W (K x D) ++ b (K)`.
struct Objective {
    let x: [Double]
    let labels: [Int]
    let rows: Int, dimension: Int, classes: Int
    let c: Double

    /// `X W^T + b`, `rows x classes`.
    static func logits(x: [Double], rows: Int, dimension: Int, weights: [Double], bias: [Double], classes: Int) -> [Double] {
        var z = [Double](repeating: 0, count: rows * classes)
        for row in 0..<rows { for k in 0..<classes { z[row * classes + k] = bias[k] } }
        x.withUnsafeBufferPointer { a in
            weights.withUnsafeBufferPointer { w in
                z.withUnsafeMutableBufferPointer { out in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(classes), Int32(dimension),
                                1, a.baseAddress, Int32(dimension), w.baseAddress, Int32(dimension), 1, out.baseAddress,
                                Int32(classes))
                }
            }
        }
        return z
    }

    func evaluate(_ theta: [Double]) -> (value: Double, gradient: [Double]) {
        let weightCount = classes * dimension
        let weights = Array(theta[0..<weightCount]), bias = Array(theta[weightCount...])
        var residual = Self.logits(x: x, rows: rows, dimension: dimension, weights: weights, bias: bias, classes: classes)
        var loss = 0.0
        for row in 0..<rows {
            let base = row * classes
            var largest = -Double.infinity
            for k in 0..<classes { largest = max(largest, residual[base + k]) }
            var total = 0.0
            for k in 0..<classes { total += exp(residual[base + k] - largest) }
            let logSum = largest + log(total)
            loss += logSum - residual[base + labels[row]]
            for k in 0..<classes { residual[base + k] = exp(residual[base + k] - logSum) }
            residual[base + labels[row]] -= 1
        }
        let n = Double(rows)
        var gradient = [Double](repeating: 0, count: theta.count)
        residual.withUnsafeBufferPointer { r in
            x.withUnsafeBufferPointer { a in
                gradient.withUnsafeMutableBufferPointer { g in
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(classes), Int32(dimension), Int32(rows),
                                1 / n, r.baseAddress, Int32(classes), a.baseAddress, Int32(dimension), 0, g.baseAddress,
                                Int32(dimension))
                }
            }
        }
        var penalty = 0.0
        let strength = 1 / (c * n)
        for index in 0..<weightCount {
            penalty += weights[index] * weights[index]
            gradient[index] += strength * weights[index]
        }
        for row in 0..<rows { for k in 0..<classes { gradient[weightCount + k] += residual[row * classes + k] / n } }
        return (loss / n + 0.5 * strength * penalty, gradient)
    }
}

/// Limited-memory BFGS with a backtracking (Armijo) line search.
enum LBFGS {
    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    static func minimize(start: [Double], options: LogisticRegression.Options,
                         _ evaluate: ([Double]) -> (value: Double, gradient: [Double])) -> Result {
        var x = start
        var (value, gradient) = evaluate(x)
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        var iteration = 0
        while iteration < options.maxIterations {
            if gradient.lazy.map(abs).max() ?? 0 <= options.tolerance { return Result(x: x, value: value, iterations: iteration, converged: true) }
            // Two-loop recursion: direction = -H gradient.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for index in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[index] = rhos[index] * dot(steps[index], q)
                for j in q.indices { q[j] -= alphas[index] * changes[index][j] }
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                let scale = dot(lastStep, lastChange) / dot(lastChange, lastChange)
                for j in q.indices { q[j] *= scale }
            }
            for index in steps.indices {
                let beta = rhos[index] * dot(changes[index], q)
                for j in q.indices { q[j] += (alphas[index] - beta) * steps[index][j] }
            }
            var direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if slope >= 0 {
                direction = gradient.map { -$0 }
                slope = dot(gradient, direction)
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
            }
            var step = steps.isEmpty ? min(1, 1 / max(1e-12, dot(gradient, gradient).squareRoot())) : 1
            var candidate = x, next = (value: value, gradient: gradient)
            var accepted = false
            for _ in 0..<50 {
                for j in x.indices { candidate[j] = x[j] + step * direction[j] }
                next = evaluate(candidate)
                if next.value <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            iteration += 1
            guard accepted else { break }
            let s = zip(candidate, x).map { $0 - $1 }, y = zip(next.gradient, gradient).map { $0 - $1 }
            let curvature = dot(s, y)
            if curvature > 1e-10 * dot(y, y) {
                steps.append(s); changes.append(y); rhos.append(1 / curvature)
                if steps.count > options.memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
            }
            let decrease = (value - next.value) / max(abs(value), abs(next.value), 1)
            x = candidate
            value = next.value
            gradient = next.gradient
            if decrease <= 64 * Double.ulpOfOne {
                return Result(x: x, value: value, iterations: iteration,
                              converged: gradient.lazy.map(abs).max() ?? 0 <= options.tolerance)
            }
        }
        return Result(x: x, value: value, iterations: iteration, converged: gradient.lazy.map(abs).max() ?? 0 <= options.tolerance)
    }
}
