import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The element types a checkpoint may store; floating types are converted to float32 at load.
public enum TensorDType: String, Sendable, Equatable {
    case float32 = "F32", float16 = "F16", bfloat16 = "BF16", float64 = "F64"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }
}

/// One tensor inside a checkpoint file: where its elements lie in the (memory-mapped) file and how to read them.
public struct StoredTensor: Sendable {
    /// Element type as stored.
    public var dtype: TensorDType
    /// Logical shape.
    public var shape: [Int]
    /// Element strides (row-major contiguous unless the checkpoint stored a view).
    public var strides: [Int]
    /// The memory-mapped file, shared by all tensors of the file.
    let region: MappedRegion
    /// Byte offset of element 0 within the mapping.
    let byteOffset: Int

    /// The number of elements (readers only create tensors whose byte size was checked against the file).
    public var count: Int { shape.reduce(1, *) }

    /// The element count of a shape, or nil when a dimension is negative or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            total = product
        }
        return total
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= max(shape[axis], 1)
        }
        return strides
    }

    /// The elements as float32, row-major (views are gathered; f16/bf16/f64/integers converted).
    public func floats() -> [Float] {
        let n = count
        var result = [Float](repeating: 0, count: n)
        guard n > 0 else { return result }
        let contiguous = strides == Self.contiguousStrides(shape)
        do {
            let base = region.base.advanced(by: byteOffset)
            result.withUnsafeMutableBufferPointer { out in
                if contiguous {
                    convert(base, first: 0, count: n, into: out.baseAddress!)
                } else {
                    var index = [Int](repeating: 0, count: shape.count)
                    for position in 0..<n {
                        var element = 0
                        for axis in 0..<shape.count { element += index[axis] * strides[axis] }
                        convert(base, first: element, count: 1, into: out.baseAddress! + position)
                        var axis = shape.count - 1
                        while axis >= 0 {
                            index[axis] += 1
                            if index[axis] < shape[axis] { break }
                            index[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
        return result
    }

    /// The elements as float32 weights: a zero-copy view into the mapping when the file stores contiguous,
    /// aligned float32; otherwise a converted copy, after which the source pages are released.
    func weights() -> Weights {
        let address = region.base.advanced(by: byteOffset)
        if dtype == .float32, strides == Self.contiguousStrides(shape), Int(bitPattern: address) % 4 == 0 {
            return Weights(pointer: address.assumingMemoryBound(to: Float.self), count: count, owner: region)
        }
        let converted = Weights(floats())
        region.release(offset: byteOffset, length: count * dtype.size)
        return converted
    }

    private func convert(_ base: UnsafeRawPointer, first: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        let start = base + first * dtype.size
        switch dtype {
        case .float32:
            // Unaligned-safe copy of little-endian float32.
            memcpy(out, start, count * 4)
        case .float16:
            for i in 0..<count {
                let bits = start.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                out[i] = Float(Float16(bitPattern: UInt16(littleEndian: bits)))
            }
        case .bfloat16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: start.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                out[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        case .float64:
            for i in 0..<count { out[i] = Float(start.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
        case .int64:
            for i in 0..<count { out[i] = Float(start.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
        case .int32:
            for i in 0..<count { out[i] = Float(start.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
        case .int16:
            for i in 0..<count { out[i] = Float(start.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
        case .int8:
            for i in 0..<count { out[i] = Float(start.loadUnaligned(fromByteOffset: i, as: Int8.self)) }
        case .uint8, .bool:
            for i in 0..<count { out[i] = Float(start.load(fromByteOffset: i, as: UInt8.self)) }
        }
    }
}

/// A whole file mapped read-only; unmapped when the last tensor or weight that points into it goes away.
final class MappedRegion: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int

    init(path: String) throws(CLIPError) {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw .notACheckpoint(path: path, reason: "the file is empty") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw .unreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
        count = size
    }

    /// A `Data` view of the mapping (no copy); valid while the region lives.
    var data: Data { Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: count, deallocator: .none) }

    /// Tells the kernel the pages of a byte range will not be read again (after conversion to float32), so they
    /// leave the resident set.
    func release(offset: Int, length: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (offset + page - 1) / page * page
        let end = (offset + length) / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }
}

/// Bounds-checked little-endian reads over a byte buffer; every failure names the file.
struct ByteReader {
    let data: Data
    let path: String

    func require(_ offset: Int, _ length: Int, _ what: String) throws(CLIPError) {
        guard offset >= 0, length >= 0, offset <= data.count - length else {
            throw .notACheckpoint(path: path, reason: "\(what) lies outside the file (offset \(offset), \(length) bytes, file \(data.count) bytes)")
        }
    }

    func u16(_ offset: Int) throws(CLIPError) -> Int {
        try require(offset, 2, "a 16-bit field")
        return data.withUnsafeBytes { Int(UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) }
    }

    func u32(_ offset: Int) throws(CLIPError) -> Int {
        try require(offset, 4, "a 32-bit field")
        return data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
    }

    func u64(_ offset: Int) throws(CLIPError) -> UInt64 {
        try require(offset, 8, "a 64-bit field")
        return data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    /// A 64-bit size or offset, refused when it cannot describe a position in this file.
    func offset64(_ offset: Int) throws(CLIPError) -> Int {
        let value = try u64(offset)
        guard value <= UInt64(data.count) else {
            throw .notACheckpoint(path: path, reason: "a 64-bit size or offset (\(value)) exceeds the file size")
        }
        return Int(value)
    }

    func bytes(_ offset: Int, _ length: Int) throws(CLIPError) -> [UInt8] {
        try require(offset, length, "a byte range")
        return [UInt8](data[data.startIndex + offset ..< data.startIndex + offset + length])
    }
}
