import CSkyCodecs
import Dispatch
import Foundation
@testable import SkyImaging
import Testing
import SkyTestSupport

/// Properties of the Pillow resampler and "L" conversion that hold without fixtures
/// (byte-for-byte parity with Pillow is in SkyHashingTests/PillowResampleParityTests).
@Suite("Pillow resampler and conversion")
struct PillowResampleTests {
    @Test("a flat image stays flat under every filter and size", arguments: PillowFilter.allCases)
    func flatStaysFlat(filter: PillowFilter) {
        let image = RasterImage(width: 37, height: 23, layout: .rgb, filledWith: 173)
        for (width, height) in [(32, 32), (1, 1), (100, 7), (5, 90)] {
            let resized = PillowResample.resize(image, width: width, height: height, filter: filter)
            #expect(resized.width == width && resized.height == height && resized.layout == .rgb)
            #expect(resized.pixels.allSatisfy { $0 == 173 }, "\(filter) to \(width)x\(height)")
        }
    }

    @Test("the same size is a copy; a zero or negative size is an empty image")
    func degenerateSizes() {
        let pixels = (0..<(6 * 4)).map { UInt8($0 * 9) }
        let image = RasterImage(width: 6, height: 4, layout: .gray, pixels: pixels)
        #expect(PillowResample.resize(image, width: 6, height: 4, filter: .lanczos) == image)
        let empty = PillowResample.resize(image, width: 0, height: -3, filter: .bicubic)
        #expect(empty.width == 0 && empty.height == 0 && empty.pixels.isEmpty)
    }

    @Test("NEAREST picks Pillow's pixel centres")
    func nearestCentres() {
        let image = RasterImage(width: 4, height: 1, layout: .gray, pixels: [10, 20, 30, 40])
        // Centres 1/3 * (0.5, 1.5, 2.5) * 4 -> 0.67, 2.0, 3.33: pixels 0, 2, 3.
        #expect(PillowResample.resize(image, width: 3, height: 1, filter: .nearest).pixels == [10, 30, 40])
    }

    @Test("RGBA is resized premultiplied: transparent colour does not bleed", arguments: [PillowFilter.bilinear])
    func premultipliedAlpha(filter: PillowFilter) {
        // Values from Pillow 13: Image.resize((2, 1), BILINEAR) of these three pixels.
        let image = RasterImage(width: 3, height: 1, layout: .rgba,
                                pixels: [200, 100, 50, 128, 10, 20, 30, 0, 255, 255, 255, 1])
        let resized = PillowResample.resize(image, width: 2, height: 1, filter: filter)
        #expect(resized.pixels == [200, 98, 51, 80, 255, 255, 255, 1])
    }

    @Test("L conversion uses Pillow's rounded ITU-R 601-2 weights")
    func luminance() {
        // Values from Pillow 13: Image.new("RGB", (1, 1), colour).convert("L").
        let colours: [(UInt8, UInt8, UInt8, UInt8)] = [
            (255, 0, 0, 76), (0, 255, 0, 150), (0, 0, 255, 29), (255, 255, 255, 255), (1, 2, 3, 2), (128, 64, 200, 99),
        ]
        for (red, green, blue, expected) in colours {
            #expect(PillowConvert.luma(red, green, blue) == expected)
        }
        let rgba = RasterImage(width: 1, height: 1, layout: .rgba, pixels: [128, 64, 200, 0])
        #expect(PillowConvert.luminance(rgba).pixels == [99], "alpha is ignored, not composited")
        let grayAlpha = RasterImage(width: 2, height: 1, layout: .grayAlpha, pixels: [7, 0, 9, 255])
        #expect(PillowConvert.luminance(grayAlpha).pixels == [7, 9])
    }
}

/// The C kernels (AVX2 where present, and their portable code) against the Swift passes, which the
/// Pillow fixtures pin: every filter, every layout for the vertical pass, random sizes and pixels.
@Suite("Pillow resampling kernels")
struct PillowResampleKernelTests {

    static let convolving = PillowFilter.allCases.filter { $0 != .nearest }

    /// How many bytes differ (a size or layout mismatch counts as every byte): short failure messages.
    static func differences(_ got: RasterImage, _ expected: RasterImage) -> Int {
        guard got.width == expected.width, got.height == expected.height, got.layout == expected.layout else {
            return max(expected.pixels.count, 1)
        }
        return zip(got.pixels, expected.pixels).filter { $0 != $1 }.count
    }

    /// Random pixels; every third image is only 0s and 255s, which drives the sums to both clip limits.
    static func randomImage(width: Int, height: Int, layout: PixelLayout, using random: inout SplitMix64) -> RasterImage {
        let extremes = random.next() % 3 == 0
        let pixels = (0..<(width * height * layout.channels)).map { _ in
            extremes ? (random.next() & 1 == 0 ? UInt8(0) : 255) : UInt8.random(in: 0...255, using: &random)
        }
        return RasterImage(width: width, height: height, layout: layout, pixels: pixels)
    }

    @Test("horizontal pass: C kernels equal the Swift pass, every layout", arguments: convolving)
    func horizontal(filter: PillowFilter) {
        var random = SplitMix64(seed: 0x5EED_0001 &+ UInt64(filter.support * 8))
        var sizes = [(640, 32), (2557, 32), (1023, 9), (300, 8), (17, 32), (5, 300), (1, 7), (64, 63), (1024, 224)]
        for _ in 0..<60 { sizes.append((Int.random(in: 1...700, using: &random), Int.random(in: 1...80, using: &random))) }
        for (index, (inputWidth, outputWidth)) in sizes.enumerated() where inputWidth != outputWidth {
            // Gray on every other case (every hash), the other layouts in turn.
            let layout = index % 2 == 0 ? PixelLayout.gray : [.grayAlpha, .rgb, .rgba][(index / 2) % 3]
            let image = Self.randomImage(width: inputWidth, height: Int.random(in: 1...6, using: &random),
                                         layout: layout, using: &random)
            let expected = PillowResample.horizontalPass(image, width: outputWidth, filter: filter, path: .scalar)
            for path in [PillowKernelPath.best, .portable] {
                let got = PillowResample.horizontalPass(image, width: outputWidth, filter: filter, path: path)
                #expect(Self.differences(got, expected) == 0,
                        "\(filter) \(path) \(layout) \(inputWidth) -> \(outputWidth)")
            }
        }
    }

    @Test("vertical pass: C kernels equal the Swift pass, every layout", arguments: convolving)
    func vertical(filter: PillowFilter) {
        var random = SplitMix64(seed: 0x5EED_0002 &+ UInt64(filter.support * 8))
        var sizes = [(1464, 32), (2086, 32), (1023, 8), (33, 32), (3, 100), (1, 4)]
        for _ in 0..<40 { sizes.append((Int.random(in: 1...500, using: &random), Int.random(in: 1...64, using: &random))) }
        for (inputHeight, outputHeight) in sizes where inputHeight != outputHeight {
            let layout = [PixelLayout.gray, .grayAlpha, .rgb, .rgba].randomElement(using: &random)!
            // Widths around the kernel's 16-byte blocks, so both the blocks and the column tail run.
            let width = [1, 5, 16, 32, 33, 47].randomElement(using: &random)!
            let image = Self.randomImage(width: width, height: inputHeight, layout: layout, using: &random)
            let expected = PillowResample.verticalPass(image, height: outputHeight, filter: filter, path: .scalar)
            for path in [PillowKernelPath.best, .portable] {
                let got = PillowResample.verticalPass(image, height: outputHeight, filter: filter, path: path)
                #expect(Self.differences(got, expected) == 0,
                        "\(filter) \(path) \(layout) \(width)x\(inputHeight) -> \(outputHeight)")
            }
        }
    }

    @Test("resizeLuminance equals resize(luminance(image)): every layout, filter, pass order and kernel path")
    func fusedLuminance() {
        var random = SplitMix64(seed: 0x5EED_0003)
        // Wide, square, tall enough for the vertical pass to run first, unchanged width or height, upscaling.
        var sizes = [(700, 40, 32, 32), (64, 900, 32, 32), (33, 33, 9, 8), (32, 500, 32, 32), (300, 8, 8, 8),
                     (1, 1, 8, 8), (20, 20, 40, 3), (5, 3, 32, 32)]
        for _ in 0..<30 {
            sizes.append((Int.random(in: 1...400, using: &random), Int.random(in: 1...120, using: &random),
                          Int.random(in: 1...48, using: &random), Int.random(in: 1...48, using: &random)))
        }
        for (index, (width, height, outWidth, outHeight)) in sizes.enumerated() {
            let layout = [PixelLayout.rgb, .rgba, .gray, .grayAlpha][index % 4]
            let image = Self.randomImage(width: width, height: height, layout: layout, using: &random)
            let filter = PillowFilter.allCases[index % PillowFilter.allCases.count]
            for order in [PillowPassOrder.pillow13, .horizontalFirst] {
                let expected = PillowResample.resize(PillowConvert.luminance(image), width: outWidth, height: outHeight,
                                                     filter: filter, passOrder: order)
                for path in PillowKernelPath.allCases {
                    let got = PillowResample.resizeLuminance(image, width: outWidth, height: outHeight, filter: filter,
                                                             passOrder: order, path: path)
                    #expect(Self.differences(got, expected) == 0,
                            "\(layout) \(width)x\(height) -> \(outWidth)x\(outHeight) \(filter) \(order) \(path)")
                }
            }
        }
        let public32 = PillowResample.resizeLuminance(Self.randomImage(width: 640, height: 480, layout: .rgb,
                                                                        using: &random), width: 32, height: 32,
                                                      filter: .lanczos)
        #expect(public32.width == 32 && public32.height == 32 && public32.layout == .gray)
    }

    @Test("the C kernels refuse a table that reads outside the image, and write nothing")
    func kernelsRejectBadTables() {
        let pixels = [UInt8](repeating: 9, count: 10 * 4 * 3)
        let high = [Int16](repeating: 0, count: 8), low = [Int16](repeating: 1, count: 8)
        // (first, count) pairs for two outputs with stride 4: past the end, negative, more than the stride.
        let bad: [([Int32], [Int32])] = [([0, 8], [4, 4]), ([-1, 0], [2, 2]), ([0, 0], [5, 1])]
        for (firsts, counts) in bad {
            for level in [CSKY_RESAMPLE_BEST, CSKY_RESAMPLE_PORTABLE] {
                var output = [UInt8](repeating: 77, count: 2 * 4 * 3)
                var scratch = [UInt8](repeating: 0, count: 3 * (10 + 2))
                firsts.withUnsafeBufferPointer { firsts in
                    counts.withUnsafeBufferPointer { counts in
                        high.withUnsafeBufferPointer { high in
                            low.withUnsafeBufferPointer { low in
                                var axis = csky_resample_axis(firsts: firsts.baseAddress, counts: counts.baseAddress,
                                                              high: high.baseAddress, low: low.baseAddress,
                                                              stride: 4, outputs: 2)
                                // Rows of 10 pixels (horizontal), or 4 rows of 30 bytes (vertical).
                                #expect(csky_resample_horizontal_gray(pixels, 10, 4, &output, &axis, level) == -1)
                                #expect(csky_resample_horizontal(pixels, 3, 10, 4, &output, &scratch, &axis, level) == -1)
                                #expect(csky_resample_horizontal_luma(pixels, 3, 10, 4, &output, &scratch, &axis,
                                                                      level) == -1)
                                #expect(csky_resample_vertical(pixels, 30, 4, &output, &axis, level) == -1)
                            }
                        }
                    }
                }
                #expect(output.allSatisfy { $0 == 77 })
            }
        }
    }

    @Test("every kernel table splits into 16-bit halves that sum back to the weight")
    func weightSplit() {
        for filter in Self.convolving {
            for (input, output) in [(2557, 32), (256, 9), (7, 300), (1, 2), (3, 2)] {
                let table = PillowKernelTable(inputSize: input, outputSize: output, filter: filter)
                #expect(table.splits, "\(filter) \(input) -> \(output)")
            }
        }
    }

    @Test("the kernel cache returns one table per key and starts over when over budget")
    func cache() {
        let cache = PillowKernelCache(weightBudget: 2000)
        let first = cache.table(inputSize: 100, outputSize: 32, filter: .lanczos)
        #expect(cache.table(inputSize: 100, outputSize: 32, filter: .lanczos) === first)
        #expect(cache.table(inputSize: 100, outputSize: 32, filter: .bicubic) !== first)
        #expect(cache.count == 2)
        // 32 outputs x 151 weights exceed the whole budget: used, not kept.
        _ = cache.table(inputSize: 800, outputSize: 32, filter: .lanczos)
        #expect(cache.count == 2)
        // Filling past the budget empties the cache before the new table goes in.
        for size in 101...110 { _ = cache.table(inputSize: size, outputSize: 32, filter: .lanczos) }
        #expect(cache.count < 12)
        #expect(cache.table(inputSize: 110, outputSize: 32, filter: .lanczos).firsts.count == 32)
    }

    @Test("threads sharing a small kernel cache each get the table they asked for")
    func cacheUnderThreads() {
        let cache = PillowKernelCache(weightBudget: 5000)
        let mismatches = MismatchCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for step in 0..<60 {
                let input = 40 + (thread * 7 + step * 13) % 90, output = 1 + (step % 5) * 8
                let filter = Self.convolving[(thread + step) % Self.convolving.count]
                let table = cache.table(inputSize: input, outputSize: output, filter: filter)
                let fresh = PillowKernelTable(inputSize: input, outputSize: output, filter: filter)
                if table.weights != fresh.weights || table.firsts != fresh.firsts || table.counts != fresh.counts {
                    mismatches.add()
                }
            }
        }
        #expect(mismatches.value == 0)
    }
}

/// A counter the worker threads of a test increment.
private final class MismatchCounter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
