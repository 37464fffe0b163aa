import Foundation
import Testing
@testable import SkyCLIP
import SkyTestSupport

/// The polynomial exp and the softmax and QuickGELU built on it, against glibc's `expf` and the scalar kernels.
@Suite struct TransformerExpTests {
    /// exp on a dense grid over [-87, 88] and at random points: within 2 ulps of `expf`; clamped beyond.
    @Test func expMatchesLibm() {
        var worst: Float = 0
        var generator = SplitMix64(seed: 31)
        let grid = (-87_000...88_000).map { Float($0) / 1000 }
        let random = (0..<100_000).map { _ in Float.random(in: -87...88, using: &generator) }
        for x in grid + random {
            let expected = expf(x)
            worst = max(worst, abs(TransformerKernels.exp(x) - expected) / expected.ulp)
        }
        #expect(worst <= 2, "max error \(worst) ulps")
        #expect(TransformerKernels.exp(0) == 1)
        #expect(TransformerKernels.exp(-1000) > 0 && TransformerKernels.exp(-1000) < 2e-38)
        #expect(TransformerKernels.exp(-Float.infinity) == TransformerKernels.exp(-1000))
        #expect(TransformerKernels.exp(1000).isFinite)
    }

    /// Softmax rows of every length from 1 to 70 (lane body and tail), with scores as attention makes them and
    /// with a -inf-free large spread: within 1e-6 of `Kernels.softmax`, summing to 1.
    @Test func softmaxMatchesScalar() {
        var generator = SplitMix64(seed: 41)
        for count in 1...70 {
            for spread: Float in [3, 60] {
                let row = (0..<count).map { _ in Float.random(in: -spread...spread, using: &generator) }
                var fast = row, scalar = row
                fast.withUnsafeMutableBufferPointer { TransformerKernels.softmax($0.baseAddress!, count: count) }
                scalar.withUnsafeMutableBufferPointer { Kernels.softmax($0.baseAddress!, count: count) }
                for i in 0..<count { #expect(abs(fast[i] - scalar[i]) <= 1e-6, "count \(count), index \(i)") }
                #expect(abs(fast.reduce(0, +) - 1) <= 1e-5)
            }
        }
    }

    /// Fused bias + QuickGELU over rows of widths 1 to 70, with and without bias: within 1e-6 · max(1, |x|)
    /// of `x / (1 + expf(-1.702x))`, as `Activation.quickGELU` computes it.
    @Test(arguments: [false, true])
    func biasQuickGELUMatchesScalar(withBias: Bool) {
        var generator = SplitMix64(seed: withBias ? 51 : 52)
        for width in 1...70 {
            let rows = 3
            let input = (0..<rows * width).map { _ in Float.random(in: -60...60, using: &generator) }
            let bias = (0..<width).map { _ in Float.random(in: -1...1, using: &generator) }
            var output = input
            output.withUnsafeMutableBufferPointer { values in
                bias.withUnsafeBufferPointer { b in
                    TransformerKernels.biasQuickGELU(values.baseAddress!, rows: rows, width: width, bias: withBias ? b.baseAddress : nil)
                }
            }
            for index in 0..<rows * width {
                let x = input[index] + (withBias ? bias[index % width] : 0)
                let expected = x / (1 + expf(-1.702 * x))
                #expect(abs(output[index] - expected) <= 1e-6 * max(1, abs(x)), "width \(width), x \(x)")
            }
        }
    }
}
