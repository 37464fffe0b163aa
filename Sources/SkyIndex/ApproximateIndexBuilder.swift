import CSkyIndex

/// Builds an ``ApproximateIndex`` from rows that arrive in batches, so that a caller reading them from storage holds
/// the graph (which keeps its own copy of every vector) and one batch, never the whole matrix a second time.
///
/// The ids come first (all of them: they fix the row count and are hashed before the vectors, as the fingerprint
/// records them), then ``add(_:)`` takes consecutive rows in the order of the ids, then ``finish()`` returns the
/// index. Built on one thread, the graph does not depend on how the rows were split into batches: it equals the
/// graph `ApproximateIndex(dimension:ids:vectors:threads: 1)` builds, byte for byte once saved.
public struct ApproximateIndexBuilder {
    public let dimension: Int
    /// The id of each row, as given.
    public let ids: [Int64]
    public let parameters: HNSWParameters
    /// Rows added so far.
    public private(set) var added = 0
    let graph: HNSWGraph
    private var hasher: IndexFingerprint.ContentHasher
    private let threads: Int
    private let progress: ((Int, Int) -> Void)?

    /// An empty graph for `ids.count` rows of `dimension` values, inserted on `threads` threads (default: every
    /// core). `progress(inserted, total)` is called now and then from a build thread and after every batch.
    public init(dimension: Int, ids: [Int64], parameters: HNSWParameters = HNSWParameters(), threads: Int? = nil,
                progress: ((Int, Int) -> Void)? = nil) throws {
        guard dimension >= 1 else { throw IndexError.invalidDimension(dimension) }
        guard parameters.m >= 2 && parameters.m <= 1000, parameters.efConstruction >= 1, parameters.seed >= 0 else {
            throw IndexError.invalidParameter("HNSW parameters out of range: m 2...1000, efConstruction >= 1, seed >= 0 (got \(parameters))")
        }
        guard !ids.isEmpty else { throw IndexError.invalidParameter("an HNSW index needs at least one vector") }
        self.dimension = dimension
        self.ids = ids
        self.parameters = parameters
        self.threads = max(1, min(threads ?? Parallel.cores, ids.count))
        self.progress = progress
        graph = try HNSWGraph.create(capacity: ids.count, dimension: dimension, parameters: parameters)
        hasher = IndexFingerprint.ContentHasher(dimension: dimension, ids: ids)
    }

    /// Inserts the next rows: row-major, a whole number of rows of finite values, at most the rows still missing.
    public mutating func add(_ vectors: [Float]) throws {
        let rows = try validateRows(vectors, dimension: dimension, context: "vectors to index (rows \(added)...)")
        guard added + rows <= ids.count else {
            throw IndexError.countMismatch(ids: ids.count, vectorCount: (added + rows) * dimension, dimension: dimension)
        }
        guard rows > 0 else { return }
        try vectors.withUnsafeBufferPointer { buffer in
            try graph.insert(buffer.baseAddress!, rows: added..<added + rows, threads: threads, before: added,
                             total: ids.count, progress: progress)
            hasher.update(buffer)
        }
        added += rows
        progress?(added, ids.count)
    }

    /// The index, once every row has been added (`countMismatch` otherwise).
    public func finish() throws -> ApproximateIndex {
        guard added == ids.count else {
            throw IndexError.countMismatch(ids: ids.count, vectorCount: added * dimension, dimension: dimension)
        }
        let fingerprint = IndexFingerprint(dimension: dimension, count: ids.count, parameters: parameters,
                                           contentHash: hasher.digest())
        return ApproximateIndex(graph: graph, ids: ids, fingerprint: fingerprint)
    }
}
