#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The unnormalised type-II DCT that imagehash takes through `scipy.fftpack.dct` (norm=None):
/// `y[k] = 2 * sum_n x[n] * cos(pi * k * (2n + 1) / (2N))`, over a 32x32 image.
///
/// Computed by the even/odd split (`x[n] + x[N-1-n]` feeds the even outputs recursively,
/// `x[n] - x[N-1-n]` the odd ones), because that split keeps the exact zeros scipy's FFT keeps:
/// a flat image, a ramp or stripes give coefficients of exactly 0, and the median comparison then
/// agrees with imagehash where a plain matrix product would leave rounding noise.
enum DCT32 {
    static let size = 32

    /// cos(pi * k * (2n + 1) / (2N)) for each level N = 32, 16, 8, 4, 2, odd k < N, n < N/2.
    private static let tables: [Int: [Double]] = {
        var tables: [Int: [Double]] = [:]
        var length = size
        while length >= 2 {
            let half = length / 2
            var table = [Double](repeating: 0, count: half * half)
            for oddIndex in 0..<half {
                let k = 2 * oddIndex + 1
                for n in 0..<half {
                    table[oddIndex * half + n] = cos(Double.pi * Double(k) * Double(2 * n + 1) / Double(2 * length))
                }
            }
            tables[length] = table
            length = half
        }
        return tables
    }()

    /// The DCT of one vector whose length is a power of two up to 32.
    static func transform(_ input: [Double]) -> [Double] {
        let length = input.count
        if length == 1 { return [2.0 * input[0]] }
        let half = length / 2
        var sums = [Double](repeating: 0, count: half)
        var differences = [Double](repeating: 0, count: half)
        for n in 0..<half {
            sums[n] = input[n] + input[length - 1 - n]
            differences[n] = input[n] - input[length - 1 - n]
        }
        let even = transform(sums)
        let table = tables[length]!
        var output = [Double](repeating: 0, count: length)
        for m in 0..<half {
            output[2 * m] = even[m]
            var total = 0.0
            for n in 0..<half { total += differences[n] * table[m * half + n] }
            output[2 * m + 1] = 2.0 * total
        }
        return output
    }

    /// The top-left 8x8 of `dct(dct(pixels, axis=0), axis=1)` for a 32x32 image, row-major.
    static func lowFrequencies(of pixels: [UInt8]) -> [Double] {
        // Columns first (axis 0), keeping the 8 lowest rows of the result.
        var columnsDone = [Double](repeating: 0, count: 8 * size)
        var column = [Double](repeating: 0, count: size)
        for x in 0..<size {
            for y in 0..<size { column[y] = Double(pixels[y * size + x]) }
            let transformed = transform(column)
            for k in 0..<8 { columnsDone[k * size + x] = transformed[k] }
        }
        // Then rows (axis 1), keeping the 8 lowest columns.
        var low = [Double](repeating: 0, count: 64)
        for row in 0..<8 {
            let transformed = transform(Array(columnsDone[(row * size)..<(row * size + size)]))
            for k in 0..<8 { low[row * 8 + k] = transformed[k] }
        }
        return low
    }
}
