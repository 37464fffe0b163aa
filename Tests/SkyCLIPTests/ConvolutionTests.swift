import Foundation
import Testing
@testable import SkyCLIP
import SkyTestSupport

/// Seeded floats from ``SplitMix64``, so failures reproduce.
struct SeededFloats {
    private var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// Uniform in [-1, 1).
    mutating func next() -> Float { Float(generator.next() >> 40) / Float(1 << 23) - 1 }

    mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

/// The convolution as its definition, in Double, on the channel-major layout: `[channel][image][y][x]`.
func referenceConvolution(_ input: [Float], weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, batch: Int,
                          height: Int, width: Int, kernel: Int, stride: Int, padding: Int) -> [Double] {
    let outH = (height + 2 * padding - kernel) / stride + 1, outW = (width + 2 * padding - kernel) / stride + 1
    var output = [Double](repeating: 0, count: outChannels * batch * outH * outW)
    for o in 0..<outChannels {
        for image in 0..<batch {
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var sum = Double(bias[o])
                    for c in 0..<inChannels {
                        for ky in 0..<kernel {
                            let iy = oy * stride + ky - padding
                            guard iy >= 0 && iy < height else { continue }
                            for kx in 0..<kernel {
                                let ix = ox * stride + kx - padding
                                guard ix >= 0 && ix < width else { continue }
                                sum += Double(weight[((o * inChannels + c) * kernel + ky) * kernel + kx])
                                    * Double(input[((c * batch + image) * height + iy) * width + ix])
                            }
                        }
                    }
                    output[((o * batch + image) * outH + oy) * outW + ox] = sum
                }
            }
        }
    }
    return output
}

/// One convolution case: random weights, bias and input, and the workspace it runs in.
struct ConvolutionCase {
    let conv: FoldedConv
    let weight: [Float], bias: [Float], input: [Float]
    let batch: Int, height: Int, width: Int

    init(seed: UInt64, in inChannels: Int, out outChannels: Int, kernel: Int, stride: Int, padding: Int,
         batch: Int, height: Int, width: Int, winograd: Bool = false) {
        var random = SeededFloats(seed: seed)
        weight = random.array(outChannels * inChannels * kernel * kernel)
        bias = random.array(outChannels)
        input = random.array(inChannels * batch * height * width)
        conv = FoldedConv(folded: weight, bias: bias, in: inChannels, out: outChannels, kernel: kernel, stride: stride,
                          padding: padding, winograd: winograd)
        (self.batch, self.height, self.width) = (batch, height, width)
    }

    /// Runs the convolution (bias and ReLU as asked, optionally accumulating onto `initial`), returns the output.
    func run(scratch: Int, relu: Bool, initial: [Float]? = nil) -> [Float] {
        let (outH, outW) = conv.outputSize(height: height, width: width)
        let count = conv.outChannels * batch * outH * outW
        let workspace = ResNetWorkspace(mapCapacity: max(count, input.count), scratchCapacity: scratch, mapCount: 2)
        input.withUnsafeBufferPointer { workspace.maps[0].update(from: $0.baseAddress!, count: input.count) }
        // Garbage in the output and scratch buffers: kernels must not rely on zeroed memory.
        workspace.maps[1].update(repeating: .nan, count: count)
        workspace.scratch.update(repeating: .nan, count: scratch)
        if let initial { initial.withUnsafeBufferPointer { workspace.maps[1].update(from: $0.baseAddress!, count: count) } }
        let map = FeatureMap(base: workspace.maps[0], channels: conv.inChannels, batch: batch, height: height, width: width)
        conv.apply(map, into: workspace.maps[1], accumulate: initial != nil, bias: conv.bias, relu: relu, workspace: workspace)
        return Array(UnsafeBufferPointer(start: workspace.maps[1], count: count))
    }

    func reference(relu: Bool, initial: [Float]? = nil) -> [Double] {
        var expected = referenceConvolution(input, weight: weight, bias: bias, inChannels: conv.inChannels,
                                            outChannels: conv.outChannels, batch: batch, height: height, width: width,
                                            kernel: conv.kernel, stride: conv.stride, padding: conv.padding)
        if let initial { for i in expected.indices { expected[i] += Double(initial[i]) } }
        return relu ? expected.map { max($0, 0) } : expected
    }
}

/// Worst absolute difference, relative to the largest reference magnitude.
func worstError(_ actual: [Float], _ expected: [Double]) -> Double {
    let scale = max(expected.map(abs).max() ?? 1, 1e-30)
    return zip(actual, expected).map { abs(Double($0) - $1) }.max().map { $0 / scale } ?? .infinity
}

@Suite struct ConvolutionTests {
    /// im2col + GEMM against the definition: kernels 1 and 3, strides 1 and 2, odd and even sizes, batches of
    /// several images, with a scratch buffer so small that the output rows run in many chunks.
    @Test(arguments: [(1, 1, 0), (3, 1, 1), (3, 2, 1), (3, 2, 0), (1, 2, 0)])
    func im2colMatchesTheDefinition(kernel: Int, stride: Int, padding: Int) {
        for (seed, size) in [(1, 7), (2, 8), (3, 13)] {
            let test = ConvolutionCase(seed: UInt64(seed), in: 5, out: 6, kernel: kernel, stride: stride, padding: padding,
                                       batch: 3, height: size, width: size + 2)
            for scratch in [5 * kernel * kernel * (size + 2), 1 << 16] {
                for relu in [false, true] {
                    let error = worstError(test.run(scratch: scratch, relu: relu), test.reference(relu: relu))
                    #expect(error < 1e-6, "k\(kernel) s\(stride) p\(padding) size \(size) scratch \(scratch): \(error)")
                }
            }
        }
    }

    /// Winograd F(2×2, 3×3) against the definition: odd and even sizes (partial tiles at the right and bottom),
    /// sizes below one tile, several images, chunks of a few tiles, bias with and without ReLU.
    @Test(arguments: [(1, 1), (2, 3), (3, 3), (7, 7), (8, 6), (14, 9)])
    func winogradMatchesTheDefinition(height: Int, width: Int) {
        let test = ConvolutionCase(seed: UInt64(height * 31 + width), in: 5, out: 7, kernel: 3, stride: 1, padding: 1,
                                   batch: 3, height: height, width: width, winograd: true)
        guard case .winograd = test.conv.product else { Issue.record("3×3 stride 1 should use Winograd"); return }
        for scratch in [16 * 12, 16 * 12 * 5, 1 << 16] {
            for relu in [false, true] {
                let error = worstError(test.run(scratch: scratch, relu: relu), test.reference(relu: relu))
                #expect(error < 1e-6, "\(height)×\(width) scratch \(scratch): \(error)")
            }
        }
    }

    /// At RN50's widths the Winograd rounding stays within a few float32 ulps of the largest output, like the
    /// direct product's: far inside the 1e-4 the towers must meet against open_clip.
    @Test(arguments: [(64, 64, 14), (256, 256, 7)])
    func winogradErrorAtFullWidth(inChannels: Int, outChannels: Int, size: Int) {
        let winograd = ConvolutionCase(seed: 77, in: inChannels, out: outChannels, kernel: 3, stride: 1, padding: 1,
                                       batch: 2, height: size, width: size, winograd: true)
        let direct = ConvolutionCase(seed: 77, in: inChannels, out: outChannels, kernel: 3, stride: 1, padding: 1,
                                     batch: 2, height: size, width: size)
        let expected = winograd.reference(relu: false)
        let winogradError = worstError(winograd.run(scratch: 1 << 18, relu: false), expected)
        let directError = worstError(direct.run(scratch: 1 << 18, relu: false), expected)
        #expect(winogradError < 2e-6, "Winograd \(winogradError), im2col \(directError)")
        #expect(winogradError < 8 * max(directError, 1e-7), "Winograd \(winogradError), im2col \(directError)")
    }

    /// Accumulating onto the output (the residual path) adds the product and bias to what is there.
    @Test func accumulatesOntoTheOutput() {
        let test = ConvolutionCase(seed: 9, in: 4, out: 8, kernel: 1, stride: 1, padding: 0, batch: 2, height: 5, width: 6)
        var random = SeededFloats(seed: 10)
        let initial = random.array(8 * 2 * 5 * 6)
        let error = worstError(test.run(scratch: 1 << 12, relu: true, initial: initial), test.reference(relu: true, initial: initial))
        #expect(error < 1e-6)
        let winograd = ConvolutionCase(seed: 11, in: 4, out: 8, kernel: 3, stride: 1, padding: 1, batch: 2, height: 5, width: 6,
                                       winograd: true)
        let winogradError = worstError(winograd.run(scratch: 1 << 12, relu: true, initial: initial),
                                       winograd.reference(relu: true, initial: initial))
        #expect(winogradError < 1e-6)
    }

    /// Average pooling by 2 of odd and even planes (floor mode drops the last row and column of odd ones).
    @Test func averagePoolingFloors() {
        var random = SeededFloats(seed: 4)
        let (channels, batch, height, width) = (3, 2, 7, 6)
        let input = random.array(channels * batch * height * width)
        var output = [Float](repeating: .nan, count: channels * batch * 3 * 3)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                let map = FeatureMap(base: UnsafeMutablePointer(mutating: source.baseAddress!), channels: channels, batch: batch,
                                     height: height, width: width)
                let pooled = averagePool(map, by: 2, into: target.baseAddress!)
                #expect(pooled.height == 3 && pooled.width == 3)
            }
        }
        for plane in 0..<channels * batch {
            for oy in 0..<3 {
                for ox in 0..<3 {
                    let at = { (y: Int, x: Int) in input[(plane * height + y) * width + x] }
                    let expected = (at(2 * oy, 2 * ox) + at(2 * oy, 2 * ox + 1) + at(2 * oy + 1, 2 * ox) + at(2 * oy + 1, 2 * ox + 1)) / 4
                    #expect(abs(output[(plane * 3 + oy) * 3 + ox] - expected) < 1e-6)
                }
            }
        }
    }
}
