import SkyImaging
import Testing

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
