/// Everything SkyIndex refuses, with what was wrong and where. Bad input is always one of these, never a crash.
public enum IndexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A dimension below 1.
    case invalidDimension(Int)
    /// A vector (or batch of vectors) whose length does not fit the index's dimension; `context` says which input.
    case dimensionMismatch(expected: Int, got: Int, context: String)
    /// `ids.count` rows were announced but the flat vector array holds `vectorCount` floats.
    case countMismatch(ids: Int, vectorCount: Int, dimension: Int)
    /// A NaN or infinite value in row `row` of `context`.
    case nonFinite(row: Int, context: String)
    /// `k` outside `1...count` for an index of `count` rows.
    case kOutOfRange(k: Int, count: Int)
    /// A row filter made for `filterRows` rows used on an index of `indexRows` rows.
    case filterSizeMismatch(filterRows: Int, indexRows: Int)
    /// A build or search parameter outside its range, named in the message.
    case invalidParameter(String)
    /// The index file was built from other embeddings than the ones given: rebuild it.
    case stale(path: String, reason: String)
    /// The index file is damaged, truncated or not an index file at all.
    case corruptFile(path: String, reason: String)
    /// Reading or writing a file failed.
    case io(path: String, reason: String)
    /// hnswlib reported an error (allocation, capacity).
    case hnsw(String)

    public var description: String {
        switch self {
        case .invalidDimension(let dimension): return "index dimension must be at least 1, got \(dimension)"
        case .dimensionMismatch(let expected, let got, let context):
            return "\(context): expected vectors of dimension \(expected), got \(got)"
        case .countMismatch(let ids, let vectorCount, let dimension):
            return "\(ids) ids need \(ids * dimension) floats (dimension \(dimension)), got \(vectorCount)"
        case .nonFinite(let row, let context): return "\(context): row \(row) holds a NaN or infinite value"
        case .kOutOfRange(let k, let count): return "k must be in 1...\(count) for this index, got \(k)"
        case .filterSizeMismatch(let filterRows, let indexRows):
            return "row filter covers \(filterRows) rows but the index has \(indexRows)"
        case .invalidParameter(let message): return message
        case .stale(let path, let reason): return "\(path): stale index, rebuild it (\(reason))"
        case .corruptFile(let path, let reason): return "\(path): not a valid SkyIndex file (\(reason))"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .hnsw(let message): return "HNSW: \(message)"
        }
    }
}

/// Checks one flat row-major batch: a whole number of rows of `dimension`, every value finite.
func validateRows(_ values: [Float], dimension: Int, context: String) throws -> Int {
    guard values.count % dimension == 0 else {
        throw IndexError.dimensionMismatch(expected: dimension, got: values.count % dimension, context: context)
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw IndexError.nonFinite(row: bad / dimension, context: context)
    }
    return values.count / dimension
}
