import Foundation
import Testing
@testable import SkyCLIP
import SkyTestSupport

/// The vectorised GELU against the scalar `erff` formula it replaces.
@Suite struct TransformerKernelsTests {
    static func referenceGELU(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }

    /// erf on a dense grid over [-6, 6] and at the edges: within 5e-7 absolute (8 ulps of 1) of glibc's `erff`,
    /// odd, never more than 3e-7 beyond ±1, and constant beyond the clamp.
    @Test func erfMatchesLibm() {
        var worst: Float = 0
        for step in -60_000...60_000 {
            let x = Float(step) / 10_000
            let approx = TransformerKernels.erf(x)
            worst = max(worst, abs(approx - erff(x)))
            #expect(approx == -TransformerKernels.erf(-x))
            #expect(abs(approx) <= 1 + 3e-7)
        }
        #expect(worst < 5e-7, "max |erf - erff| = \(worst)")
        #expect(TransformerKernels.erf(0) == 0)
        #expect(abs(TransformerKernels.erf(10) - 1) <= 3e-7)
        #expect(TransformerKernels.erf(10) == TransformerKernels.erf(4))
        #expect(TransformerKernels.erf(-Float.infinity) == -TransformerKernels.erf(4))
        #expect(TransformerKernels.erf(Float.greatestFiniteMagnitude) == TransformerKernels.erf(4))
    }

    /// Fused bias + GELU over rows of every width from 1 to 70 (vector body and scalar tail), with and without
    /// a bias, on random activations as an MLP produces them: each output within 1e-6 · max(1, |x|) of the
    /// scalar formula applied to `x + bias`.
    @Test(arguments: [false, true])
    func biasGELUMatchesScalar(withBias: Bool) {
        var generator = SplitMix64(seed: withBias ? 7 : 11)
        for width in 1...70 {
            let rows = 3
            let input = (0..<rows * width).map { _ in Float.random(in: -8...8, using: &generator) }
            let bias = (0..<width).map { _ in Float.random(in: -1...1, using: &generator) }
            var output = input
            output.withUnsafeMutableBufferPointer { values in
                bias.withUnsafeBufferPointer { b in
                    TransformerKernels.biasGELU(values.baseAddress!, rows: rows, width: width, bias: withBias ? b.baseAddress : nil)
                }
            }
            for index in 0..<rows * width {
                let x = input[index] + (withBias ? bias[index % width] : 0)
                let expected = Self.referenceGELU(x)
                #expect(abs(output[index] - expected) <= 1e-6 * max(1, abs(x)), "width \(width), x \(x): \(output[index]) vs \(expected)")
            }
        }
    }

    /// A large buffer goes through the worker-thread split; every row equals the same row done alone.
    @Test func biasGELUSplitEqualsSerial() {
        var generator = SplitMix64(seed: 3)
        let rows = 257, width = 3072
        let input = (0..<rows * width).map { _ in Float.random(in: -5...5, using: &generator) }
        let bias = (0..<width).map { _ in Float.random(in: -1...1, using: &generator) }
        var split = input, serial = input
        bias.withUnsafeBufferPointer { b in
            split.withUnsafeMutableBufferPointer { TransformerKernels.biasGELU($0.baseAddress!, rows: rows, width: width, bias: b.baseAddress) }
            serial.withUnsafeMutableBufferPointer { values in
                for r in 0..<rows { TransformerKernels.biasGELURow(values.baseAddress! + r * width, width: width, bias: b.baseAddress) }
            }
        }
        #expect(split == serial)
    }
}

/// The lane-wise LayerNorm row against a float64 reference.
@Suite struct TransformerLayerNormTests {
    /// Rows of every width from 1 to 100 (lane body and tail), centred and offset by 1000 (the two-pass
    /// variance must not lose the small spread): within 2e-5 · max(1, |expected|) of the float64 result, plus
    /// what a float32 mean of values near the offset cannot resolve (1e-6 · offset / standard deviation).
    @Test(arguments: [Float(0), 1000])
    func matchesDoubleReference(offset: Float) {
        var generator = SplitMix64(seed: offset == 0 ? 21 : 22)
        for width in 1...100 {
            let row = (0..<width).map { _ in offset + Float.random(in: -3...3, using: &generator) }
            let weight = (0..<width).map { _ in Float.random(in: 0.5...1.5, using: &generator) }
            let bias = (0..<width).map { _ in Float.random(in: -0.5...0.5, using: &generator) }
            var output = [Float](repeating: .nan, count: width)
            output.withUnsafeMutableBufferPointer { out in
                TransformerKernels.layerNormRow(row, width: width, weight: weight, bias: bias, eps: 1e-5, into: out.baseAddress!)
            }
            let values = row.map(Double.init)
            let mean = values.reduce(0, +) / Double(width)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            let meanError = 1e-6 * Double(offset) / (variance + 1e-5).squareRoot()
            for i in 0..<width {
                let expected = (values[i] - mean) / (variance + 1e-5).squareRoot() * Double(weight[i]) + Double(bias[i])
                #expect(abs(Double(output[i]) - expected) <= 2e-5 * max(1, abs(expected)) + meanError, "width \(width), index \(i)")
            }
        }
    }
}
