import CSkyBLAS

/// Row-major float32 embeddings, one row per item, with similarity products on OpenBLAS.
public struct EmbeddingMatrix: Sendable, Equatable {
    /// Number of rows (items).
    public let rows: Int
    /// Embedding dimension.
    public let dimension: Int
    /// `rows * dimension` values.
    public private(set) var values: [Float]

    /// Wraps values; the count must be `rows * dimension`.
    public init(rows: Int, dimension: Int, values: [Float]) throws(SearchError) {
        guard rows >= 0, dimension > 0, values.count == rows * dimension else {
            throw .shapeMismatch("\(values.count) values do not make \(rows) rows of dimension \(dimension)")
        }
        self.rows = rows
        self.dimension = dimension
        self.values = values
    }

    /// Stacks vectors of one dimension.
    public init(_ vectors: [[Float]]) throws(SearchError) {
        guard let dimension = vectors.first?.count, dimension > 0 else {
            throw .shapeMismatch("no vectors, or vectors of dimension 0")
        }
        if let odd = vectors.firstIndex(where: { $0.count != dimension }) {
            throw .shapeMismatch("vector \(odd) has dimension \(vectors[odd].count), not \(dimension)")
        }
        try self.init(rows: vectors.count, dimension: dimension, values: vectors.flatMap { $0 })
    }

    /// Row `index` as an array.
    public func row(_ index: Int) -> [Float] {
        Array(values[index * dimension..<(index + 1) * dimension])
    }

    /// The same rows scaled to unit length (rows of zeros stay zero), as CLIP normalises features.
    public func normalized() -> EmbeddingMatrix {
        var copy = self
        copy.values.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rows {
                let start = row * dimension
                var sum: Float = 0
                for index in start..<start + dimension { sum += buffer[index] * buffer[index] }
                let norm = sum.squareRoot()
                guard norm > 0 else { continue }
                for index in start..<start + dimension { buffer[index] /= norm }
            }
        }
        return copy
    }

    /// `self * other^T`: a `rows x other.rows` matrix of dot products (cosine similarities for unit rows).
    public func similarities(to other: EmbeddingMatrix) throws(SearchError) -> [Float] {
        guard dimension == other.dimension else {
            throw .shapeMismatch("dimension \(dimension) cannot be compared with dimension \(other.dimension)")
        }
        var result = [Float](repeating: 0, count: rows * other.rows)
        guard rows > 0, other.rows > 0 else { return result }
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(other.rows),
                                Int32(dimension), 1, a.baseAddress, Int32(dimension), b.baseAddress,
                                Int32(dimension), 0, c.baseAddress, Int32(other.rows))
                }
            }
        }
        return result
    }
}

/// Why a search or evaluation could not run.
public enum SearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Embeddings or labels of mismatched sizes.
    case shapeMismatch(String)
    /// An input is invalid (empty vocabulary, unknown label, ...).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let message): "embedding shapes do not match: \(message)"
        case .invalidInput(let message): message
        }
    }
}
