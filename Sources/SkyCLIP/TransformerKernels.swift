import Foundation

/// Vectorised elementwise kernels of the transformer towers (ViT image tower and text tower).
///
/// The MLP's exact GELU called glibc's scalar `erff` once per hidden activation (ViT-B/32: 1.2 M calls per layer
/// for a batch of 8), the largest cost outside sgemm. Here erf is a rational function (multiplies, adds, one
/// divide, clamps) in loops LLVM vectorises.
enum TransformerKernels {
    /// erf(x), by an odd degree-13 numerator over an even degree-8 denominator in x (the minimax rational
    /// approximation Eigen and XLA use for float), on x clamped to [-4, 4], beyond which erf is ±1 in float.
    /// Its error against `erff` is below 5e-7 (measured 4.2e-7 on a dense grid; |erf| ≤ 1 + 2.4e-7), the same
    /// order as torch's own vectorised erf, which is also an approximation.
    ///
    /// Written as plain scalar code with selects, not Swift `SIMD` types: LLVM vectorises the loops that call
    /// it, while generic `SIMD16` operations (`clamped`, scalar broadcasts) were lowered lane by lane through
    /// the stack and ran slower than `erff`.
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = value > 4 ? 4 : (value < -4 ? -4 : value)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = x2 * p + -2.10102402082508e-06
        p = x2 * p + -5.69250639462346e-05
        p = x2 * p + -7.34990630326855e-04
        p = x2 * p + -2.95459980854025e-03
        p = x2 * p + -1.60960333262415e-02
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = x2 * q + -1.68282697438203e-03
        q = x2 * q + -7.37332916720468e-03
        q = x2 * q + -1.42647390514189e-02
        // Near |x| = 3.7 the quotient overshoots 1 by up to 2 ulps (2.4e-7, inside the error bound). Clamping it
        // cost a fifth of the GELU pass (measured), which is compute-bound, so it is left unclamped.
        return x * p / q
    }

    /// GELU(x) = x/2 · (1 + erf(x/√2)), open_clip's `nn.GELU()`.
    @inline(__always)
    static func gelu(_ x: Float) -> Float { 0.5 * x * (1 + erf(x * 0.70710678118654752)) }

    /// `row[i] = GELU(row[i] + bias[i])` over `rows` rows of `width`, in one pass (the MLP's `c_fc` bias and
    /// activation fused), the rows split across the worker threads.
    static func biasGELU(_ values: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>?) {
        Kernels.forEachChunk(of: rows, minimumChunk: 8) { range in
            for r in range { biasGELURow(values + r * width, width: width, bias: bias) }
        }
    }

    /// One row of `biasGELU`; two branch-free loops (with and without bias) that LLVM vectorises.
    @inline(__always)
    static func biasGELURow(_ row: UnsafeMutablePointer<Float>, width: Int, bias: UnsafePointer<Float>?) {
        if let bias {
            for i in 0..<width { row[i] = gelu(row[i] + bias[i]) }
        } else {
            for i in 0..<width { row[i] = gelu(row[i]) }
        }
    }
}

extension TransformerKernels {
    /// The sum of `count` floats in 8 independent lanes, added together at the end, then the tail in order (a
    /// single running sum is a chain of dependent adds that LLVM may not reorder).
    @inline(__always)
    static func laneSum(_ row: UnsafePointer<Float>, count: Int) -> Float {
        let body = count & ~7
        var lanes = SIMD8<Float>()
        var i = 0
        while i < body {
            lanes += UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = lanes.sum()
        for j in body..<count { sum += row[j] }
        return sum
    }

    /// LayerNorm of one row, `target = (row - mean) / sqrt(var + eps) · weight + bias`, two-pass like torch.
    ///
    /// The mean and variance sums run in 8 independent lanes, added together at the end: a single running sum
    /// is a chain of dependent adds LLVM may not reorder, so it ran at one add per add latency. The lanes
    /// change only the rounding order of the float32 sums (torch's kernel also sums in vector lanes).
    @inline(__always)
    static func layerNormRow(_ row: UnsafePointer<Float>, width: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                             eps: Float, into target: UnsafeMutablePointer<Float>) {
        let mean = laneSum(row, count: width) / Float(width)
        let body = width & ~7
        let centre = SIMD8<Float>(repeating: mean)
        var lanes = SIMD8<Float>()
        var i = 0
        while i < body {
            let d = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self) - centre
            lanes += d * d
            i += 8
        }
        var squares = lanes.sum()
        for j in body..<width { let d = row[j] - mean; squares += d * d }
        let scale = 1 / (squares / Float(width) + eps).squareRoot()
        for j in 0..<width { target[j] = (row[j] - mean) * scale * weight[j] + bias[j] }
    }
}
