import SkyHashing
import SkyImaging
import SkyTestSupport
import Testing

/// The bounded-memory PNG path (`resizedLuminance`) gives the bytes of decoding whole, converting to "L" and
/// resizing, for every layout the fast path takes; it declines (nil) where it does not apply.
@Suite struct StreamingLuminanceTests {
    /// A scene with gradients, edges and noise, so that every PNG filter type gets chosen somewhere.
    static func scene(width: Int, height: Int, layout: PixelLayout, seed: UInt64) -> RasterImage {
        var random = SplitMix64(seed: seed)
        var image = RasterImage(width: width, height: height, layout: layout)
        let channels = image.channels
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let smooth = (x * (c + 1) + y * 3) & 0xFF
                    let block = ((x / 17 + y / 13) & 1) * 90
                    let noise = Int(random.next() & 0x1F)
                    image.pixels[(y * width + x) * channels + c] = UInt8(truncatingIfNeeded: smooth + block + noise)
                }
            }
        }
        return image
    }

    static func whole(_ png: [UInt8], width: Int, height: Int) throws -> RasterImage {
        PillowResample.resizeLuminance(try ImageDecoder().decodeLuminance(png, name: "whole.png"), width: width,
                                       height: height, filter: .lanczos)
    }

    @Test(arguments: [PixelLayout.gray, .grayAlpha, .rgb, .rgba])
    func everyLayoutGivesTheWholeImageBytes(_ layout: PixelLayout) throws {
        let image = Self.scene(width: 301, height: 217, layout: layout, seed: UInt64(layout.rawValue))
        let png = try ImageEncoder.png(image)
        for (width, height) in [(32, 32), (9, 8), (8, 8), (150, 217), (300, 217)] {
            let streamed = try ImageDecoder().resizedLuminance(png, name: "s.png", width: width, height: height,
                                                               filter: .lanczos, minimumPixels: 0)
            #expect(streamed == (try Self.whole(png, width: width, height: height)), "\(layout) to \(width)x\(height)")
        }
        // 301x217 to 300x100: Pillow runs the vertical pass first (117 rows dropped > 2 x 1 column), so it declines.
        #expect(try ImageDecoder().resizedLuminance(png, name: "s.png", width: 300, height: 100, filter: .lanczos,
                                                    minimumPixels: 0) == nil)
    }

    @Test func paletteImagesGoThroughTheirLevels() throws {
        var random = SplitMix64(seed: 9)
        let palette = (0..<200).map { _ in
            RGBA(UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next()),
                 UInt8(truncatingIfNeeded: random.next()))
        }
        var indices = [UInt8](repeating: 0, count: 257 * 190)
        for index in indices.indices {
            let value: Int = (index / 7 + index % 257) % 200
            indices[index] = UInt8(value)
        }
        let png = try ImageEncoder.png(IndexedImage(width: 257, height: 190, indices: indices, palette: palette))
        let streamed = try ImageDecoder().resizedLuminance(png, name: "p.png", width: 32, height: 32, filter: .lanczos,
                                                           minimumPixels: 0)
        #expect(streamed == (try Self.whole(png, width: 32, height: 32)))
    }

    /// The image data of a big file spans many IDAT chunks (libpng writes 8 KiB chunks) and many bands.
    @Test func manyChunksAndBands() throws {
        let image = Self.scene(width: 1400, height: 1100, layout: .rgb, seed: 5)
        let png = try ImageEncoder.png(image, compressionLevel: 1)
        let streamed = try ImageDecoder().resizedLuminance(png, name: "big.png", width: 32, height: 32,
                                                           filter: .lanczos, minimumPixels: 0)
        #expect(streamed == (try Self.whole(png, width: 32, height: 32)))
    }

    @Test func itDeclinesWhereItDoesNotApply() throws {
        let decoder = ImageDecoder()
        let png = try ImageEncoder.png(Self.scene(width: 64, height: 48, layout: .rgb, seed: 1))
        // Under the size where streaming pays, the caller decodes whole.
        #expect(try decoder.resizedLuminance(png, name: "a", width: 32, height: 32, filter: .lanczos) == nil)
        // A tall image: Pillow runs the vertical pass first, so rows cannot be resampled as they come.
        let tall = try ImageEncoder.png(Self.scene(width: 40, height: 400, layout: .rgb, seed: 2))
        #expect(try decoder.resizedLuminance(tall, name: "t", width: 32, height: 32, filter: .lanczos,
                                             minimumPixels: 0) == nil)
        #expect(try decoder.resizedLuminance(png, name: "n", width: 32, height: 32, filter: .nearest,
                                             minimumPixels: 0) == nil)
        let jpeg = try ImageEncoder.jpeg(Self.scene(width: 64, height: 48, layout: .rgb, seed: 3))
        #expect(try decoder.resizedLuminance(jpeg, name: "j", width: 32, height: 32, filter: .lanczos,
                                             minimumPixels: 0) == nil)
        // Damaged image data declines (the whole-image decode then reports the error); never a crash.
        for cut in [png.count / 2, png.count - 13, png.count - 4] {
            let truncated = Array(png.prefix(cut))
            #expect(try decoder.resizedLuminance(truncated, name: "cut", width: 32, height: 32, filter: .lanczos,
                                                 minimumPixels: 0) == nil)
        }
        var flipped = png
        flipped[png.count / 2] ^= 0x5A
        #expect(try decoder.resizedLuminance(flipped, name: "flip", width: 32, height: 32, filter: .lanczos,
                                             minimumPixels: 0) == nil)
    }

    @Test func theBudgetIsCheckedFirst() throws {
        let png = try ImageEncoder.png(Self.scene(width: 64, height: 48, layout: .rgb, seed: 4))
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder(pixelLimit: 1000).resizedLuminance(png, name: "b.png", width: 32, height: 32,
                                                                     filter: .lanczos, minimumPixels: 0)
        }
        #expect(error == .tooLarge(path: "b.png", width: 64, height: 48, limit: 1000))
    }

    /// A PNG past the streaming size hashes exactly as its decoded pixels do, for each hash.
    @Test func hashesOfALargePNGEqualTheWholeImagePath() throws {
        let side = 4000
        #expect(side * side >= ImageDecoder.streamingMinimumPixels)
        let image = Self.scene(width: side, height: side, layout: .gray, seed: 11)
        let png = try ImageEncoder.png(image, compressionLevel: 1)
        for kind in [HashKind.phash, .dhash, .ahash] {
            let hasher = PerceptualHasher(kind: kind)
            #expect(try hasher.hash(bytes: png, name: "large.png") == hasher.hash(image), "\(kind)")
        }
    }
}
