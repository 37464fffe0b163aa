import CSkyIndex

/// How an exact index holds its vectors: 4 bytes per value, or IEEE half precision (2 bytes, about 3 decimal
/// digits; scores within about 1e-3 of float32 for unit vectors).
public enum VectorPrecision: String, Sendable, Codable {
    case float32
    case float16
}

/// Row-major vectors in one contiguous array, float32 or float16.
struct VectorRows: Sendable {
    let dimension: Int
    private(set) var float32: [Float] = []
    private(set) var float16: [UInt16] = []
    let precision: VectorPrecision

    init(dimension: Int, precision: VectorPrecision) {
        self.dimension = dimension
        self.precision = precision
    }

    var count: Int { (precision == .float32 ? float32.count : float16.count) / dimension }
    var bytes: Int { precision == .float32 ? float32.count * 4 : float16.count * 2 }

    mutating func append(_ values: [Float]) {
        switch precision {
        case .float32:
            float32.append(contentsOf: values)
        case .float16:
            let start = float16.count
            float16.append(contentsOf: repeatElement(0, count: values.count))
            float16.withUnsafeMutableBufferPointer { halves in
                values.withUnsafeBufferPointer { skyidx_f32_to_f16($0.baseAddress, halves.baseAddress! + start, values.count) }
            }
        }
    }

    mutating func reserve(rows: Int) {
        switch precision {
        case .float32: float32.reserveCapacity(rows * dimension)
        case .float16: float16.reserveCapacity(rows * dimension)
        }
    }

    /// One row as float32.
    func row(_ row: Int) -> [Float] {
        switch precision {
        case .float32: return Array(float32[row * dimension..<(row + 1) * dimension])
        case .float16:
            var out = [Float](repeating: 0, count: dimension)
            float16.withUnsafeBufferPointer { halves in
                out.withUnsafeMutableBufferPointer { skyidx_f16_to_f32(halves.baseAddress! + row * dimension, $0.baseAddress, dimension) }
            }
            return out
        }
    }

    /// Calls `body` with `rows` (ascending row numbers, or nil for `range`) as contiguous float32 rows: the stored
    /// array itself for a float32 range, else gathered (and converted) into `scratch`.
    func withFloat32Rows<R>(_ range: Range<Int>, gather rows: ArraySlice<Int>?, scratch: inout [Float],
                            _ body: (UnsafePointer<Float>) -> R) -> R {
        let d = dimension
        if rows == nil && precision == .float32 {
            return float32.withUnsafeBufferPointer { body($0.baseAddress! + range.lowerBound * d) }
        }
        let needed = (rows?.count ?? range.count) * d
        if scratch.count < needed { scratch = [Float](repeating: 0, count: needed) }
        scratch.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            switch (precision, rows) {
            case (.float32, let rows?):
                float32.withUnsafeBufferPointer { all in
                    for (j, row) in rows.enumerated() { (out + j * d).update(from: all.baseAddress! + row * d, count: d) }
                }
            case (.float16, let rows?):
                float16.withUnsafeBufferPointer { all in
                    for (j, row) in rows.enumerated() { skyidx_f16_to_f32(all.baseAddress! + row * d, out + j * d, d) }
                }
            case (.float16, nil):
                float16.withUnsafeBufferPointer { skyidx_f16_to_f32($0.baseAddress! + range.lowerBound * d, out, needed) }
            case (.float32, nil):
                break  // handled above
            }
        }
        return scratch.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
