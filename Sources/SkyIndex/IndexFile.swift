import CSkyIndex
import Foundation

/// The approximate index's file: a 32-byte header, the fingerprint as JSON, the ids, then the graph in hnswlib's own
/// layout.
///
///     0   8  magic "SKYINDEX"
///     8   4  format version (1), little-endian
///     12  4  JSON length
///     16  8  body length (everything after these 32 bytes)
///     24  8  XXH64 of the body
///     32     fingerprint JSON, ids (count x Int64, little-endian), graph
///
/// Loading checks the magic, the lengths and the body's hash before reading the graph (whose reader checks every
/// size and neighbour again), so a truncated or damaged file is a `corruptFile` error saying what is wrong. Files
/// are written beside their target and renamed into place.
enum IndexFile {
    static let magic = Array("SKYINDEX".utf8)
    static let version: UInt32 = 1
    static let headerSize = 32

    static func save(_ index: ApproximateIndex, to url: URL) throws {
        let partial = url.path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial) else {
            throw IndexError.io(path: partial, reason: "cannot create the file")
        }
        do {
            defer { try? handle.close() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys  // the same index gives the same bytes
            let json = try encoder.encode(index.fingerprint)
            var state = skyidx_xxh64_state()
            skyidx_xxh64_reset(&state, 0)
            try handle.write(contentsOf: Data(count: headerSize))
            for part in [json, index.ids.withUnsafeBytes { Data($0) }] {
                part.withUnsafeBytes { skyidx_xxh64_update(&state, $0.baseAddress, $0.count) }
                try handle.write(contentsOf: part)
            }
            var graphBytes: UInt64 = 0
            try HNSWGraph.check { skyidx_hnsw_write(index.graph.handle, handle.fileDescriptor, &state, &graphBytes, $0, $1) }
            var header = Data(magic)
            append(&header, version)
            append(&header, UInt32(json.count))
            append(&header, UInt64(json.count + index.ids.count * 8) + graphBytes)
            append(&header, skyidx_xxh64_digest(&state))
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: header)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            if case IndexError.hnsw(let message) = error { throw IndexError.io(path: partial, reason: message) }
            if error is IndexError { throw error }
            throw IndexError.io(path: partial, reason: "\(error)")
        }
        guard rename(partial, url.path) == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw IndexError.io(path: url.path, reason: "cannot rename \(partial) into place: \(String(cString: strerror(errno)))")
        }
    }

    static func load(from url: URL) throws -> ApproximateIndex {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw IndexError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        func corrupt(_ reason: String) -> IndexError { IndexError.corruptFile(path: path, reason: reason) }
        guard data.count >= headerSize else { throw corrupt("\(data.count) bytes, shorter than the 32-byte header") }
        guard Array(data.prefix(8)) == magic else { throw corrupt("no SKYINDEX magic at the start") }
        let version: UInt32 = read(data, at: 8), jsonLength = Int(read(data, at: 12) as UInt32)
        let bodyLength: UInt64 = read(data, at: 16), bodyHash: UInt64 = read(data, at: 24)
        guard version == self.version else { throw corrupt("format version \(version), this build reads \(self.version)") }
        guard bodyLength == UInt64(data.count - headerSize) else {
            throw corrupt("header announces \(bodyLength) bytes after it, the file has \(data.count - headerSize) (truncated?)")
        }
        let actualHash = data.withUnsafeBytes { skyidx_xxh64($0.baseAddress! + headerSize, $0.count - headerSize, 0) }
        guard actualHash == bodyHash else {
            throw corrupt("checksum \(IndexFingerprint.hex(actualHash)) differs from the recorded \(IndexFingerprint.hex(bodyHash))")
        }
        guard jsonLength <= data.count - headerSize,
              let fingerprint = try? JSONDecoder().decode(IndexFingerprint.self,
                                                          from: data.subdata(in: headerSize..<headerSize + jsonLength)) else {
            throw corrupt("unreadable fingerprint")
        }
        let count = fingerprint.count, dimension = fingerprint.dimension
        guard fingerprint.format == 1, fingerprint.metric == "inner-product", dimension >= 1, count >= 1,
              count <= (data.count - headerSize - jsonLength) / 8 else {
            throw corrupt("fingerprint out of range (format \(fingerprint.format), dimension \(dimension), count \(count))")
        }
        let idStart = headerSize + jsonLength, graphStart = idStart + count * 8
        let ids = data.withUnsafeBytes { raw in
            (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: idStart + $0 * 8, as: Int64.self)) }
        }
        let graph = try data.withUnsafeBytes { raw in
            try HNSWGraph.make({ skyidx_hnsw_read(raw.baseAddress! + graphStart, raw.count - graphStart, dimension, $0, $1) },
                               dimension: dimension, error: { corrupt($0) })
        }
        guard graph.count == count else { throw corrupt("the graph holds \(graph.count) vectors, the header says \(count)") }
        return ApproximateIndex(graph: graph, ids: ids, fingerprint: fingerprint)
    }

    private static func append<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func read<T: FixedWidthInteger>(_ data: Data, at offset: Int) -> T {
        data.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}

extension ApproximateIndex {
    /// Writes the index to `url` (beside it first, then renamed into place).
    public func save(to url: URL) throws { try IndexFile.save(self, to: url) }

    /// Reads an index written by `save`; `corruptFile` if it is truncated, damaged or not an index.
    public init(contentsOf url: URL) throws { self = try IndexFile.load(from: url) }

    /// Reads an index and checks that it was built from exactly these (ids, vectors): `stale` otherwise.
    public init(contentsOf url: URL, checkingAgainst ids: [Int64], vectors: [Float], dimension: Int) throws {
        self = try IndexFile.load(from: url)
        try fingerprint.check(ids: ids, vectors: vectors, dimension: dimension, path: url.path)
    }
}
