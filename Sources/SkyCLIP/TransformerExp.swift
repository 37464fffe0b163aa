import Foundation

/// A vectorisable `exp` and the kernels built on it: the attention softmax and QuickGELU (`x·σ(1.702x)`), which
/// called glibc's scalar `expf` once per score and once per hidden activation.
extension TransformerKernels {
    /// e^x for x in [-87.3, 88.3] (inputs outside are clamped there: e^-87.3 ≈ 1.2e-38 stands for 0, and the
    /// towers never reach the top), within 2 float ulps of `expf` (tested).
    ///
    /// Cody-Waite reduction x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so n·ln2 is exact enough), the
    /// degree-6 Cephes polynomial for e^r, and 2^n built from its exponent bits. Plain scalar code with selects,
    /// so the loops that call it vectorise.
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = value > 88.3 ? 88.3 : (value < -87.3 ? -87.3 : value)
        // Round to nearest by the 1.5·2^23 trick: t = 1.5·2^23 + n, so n is both t - 1.5·2^23 (a float) and
        // t's bit pattern minus 0x4B40_0000 (an integer: no checked Float→Int conversion, which would stop
        // the loops from vectorising).
        let t = x * 1.44269504088896341 + 12_582_912
        let n = t - 12_582_912
        let r = (x - n * 0.693359375) - n * -2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        // n is in [-126, 127] after the clamp, so 2^n is a normal float.
        return er * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) << 23)
    }

    /// Softmax of one row in place: max, e^(x - max) with `exp(_:)`, then scaled by 1/sum. The max and the sum
    /// run in 8 lanes (a single running sum is a dependent add chain).
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var maximum = row[0]
        for i in 1..<count where row[i] > maximum { maximum = row[i] }
        for i in 0..<count { row[i] = exp(row[i] - maximum) }
        let inverse = 1 / laneSum(row, count: count)
        for j in 0..<count { row[j] *= inverse }
    }

    /// QuickGELU, `x / (1 + e^(-1.702x))`, OpenAI CLIP's activation.
    @inline(__always)
    static func quickGELU(_ x: Float) -> Float { x / (1 + exp(-1.702 * x)) }

    /// `row[i] = QuickGELU(row[i] + bias[i])` over `rows` rows of `width` (the `c_fc` bias fused into the
    /// activation pass), the rows split across the worker threads.
    static func biasQuickGELU(_ values: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>?) {
        Kernels.forEachChunk(of: rows, minimumChunk: 8) { range in
            for r in range {
                let row = values + r * width
                if let bias {
                    for i in 0..<width { row[i] = quickGELU(row[i] + bias[i]) }
                } else {
                    for i in 0..<width { row[i] = quickGELU(row[i]) }
                }
            }
        }
    }
}
