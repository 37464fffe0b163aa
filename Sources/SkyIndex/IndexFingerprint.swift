import CSkyIndex

/// What an approximate index was built from, stored in its file's header: enough to tell a caller that the
/// embeddings changed since (`stale`), or that a file belongs to another model (dimension) or build.
public struct IndexFingerprint: Sendable, Hashable, Codable {
    /// File format version.
    public var format: Int = 1
    public var dimension: Int
    public var count: Int
    /// Always "inner-product" (cosine on unit vectors).
    public var metric: String = "inner-product"
    /// The index kind and the library that built it.
    public var kind: String = "hnsw (hnswlib 0.6)"
    public var parameters: HNSWParameters
    /// XXH64 (16 hex digits) of the dimension, count, ids and vectors (little-endian), `contentHash(ids:...)`.
    public var contentHash: String
    /// What the source of the vectors said about itself at build time (a corpus's embedding change stamp), if
    /// anything: a caller that reads an equal stamp from the same source may trust the index without hashing the
    /// vectors again. Absent in files written before it existed.
    public var sourceStamp: String?

    public init(dimension: Int, count: Int, parameters: HNSWParameters, contentHash: String) {
        self.dimension = dimension
        self.count = count
        self.parameters = parameters
        self.contentHash = contentHash
    }

    /// The content hash of (ids, vectors) as an index records it: XXH64 over a tag, the dimension and count as
    /// 64-bit little-endian integers, the ids, then the vectors as float32.
    public static func contentHash(ids: [Int64], vectors: [Float], dimension: Int) -> String {
        var hasher = ContentHasher(dimension: dimension, ids: ids)
        vectors.withUnsafeBufferPointer { hasher.update($0) }
        return hasher.digest()
    }

    /// `contentHash` over vectors that arrive in batches (ids first, as they are hashed before the vectors).
    struct ContentHasher {
        private var state = skyidx_xxh64_state()

        init(dimension: Int, ids: [Int64]) {
            skyidx_xxh64_reset(&state, 0)
            let header: [UInt64] = [0x3176_7865_646E_6973, UInt64(dimension), UInt64(ids.count)]  // "sindexv1"
            header.withUnsafeBytes { skyidx_xxh64_update(&state, $0.baseAddress, $0.count) }
            ids.withUnsafeBytes { skyidx_xxh64_update(&state, $0.baseAddress, $0.count) }
        }

        /// The next rows' float32 values.
        mutating func update(_ vectors: UnsafeBufferPointer<Float>) {
            skyidx_xxh64_update(&state, vectors.baseAddress, vectors.count * MemoryLayout<Float>.size)
        }

        func digest() -> String {
            var state = state
            return IndexFingerprint.hex(skyidx_xxh64_digest(&state))
        }
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Throws `stale` unless these (ids, vectors) are the ones the index was built from.
    public func check(ids: [Int64], vectors: [Float], dimension: Int, path: String = "index") throws {
        if dimension != self.dimension {
            throw IndexError.stale(path: path, reason: "built for dimension \(self.dimension), embeddings have \(dimension)")
        }
        if ids.count != count {
            throw IndexError.stale(path: path, reason: "built from \(count) vectors, there are \(ids.count) now")
        }
        let current = IndexFingerprint.contentHash(ids: ids, vectors: vectors, dimension: dimension)
        if current != contentHash {
            throw IndexError.stale(path: path, reason: "content hash \(contentHash) at build, \(current) now: the embeddings changed")
        }
    }
}
