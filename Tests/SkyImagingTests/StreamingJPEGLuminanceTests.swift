import SkyHashing
import SkyImaging
import SkyTestSupport
import Testing

/// The banded JPEG path (`resizedJPEGLuminance`) gives the bytes of decoding whole (at the same DCT scale),
/// converting to "L" and resizing; it declines (nil) where it does not apply; the hasher's JPEG route equals
/// hashing the decoded pixels.
@Suite struct StreamingJPEGLuminanceTests {
    static func whole(_ jpeg: [UInt8], width: Int, height: Int, scale: JPEGScale = .full) throws -> RasterImage {
        PillowResample.resizeLuminance(try ImageDecoder().decode(jpeg, name: "whole.jpg", jpegScale: scale),
                                       width: width, height: height, filter: .lanczos)
    }

    @Test(arguments: [PixelLayout.gray, .rgb])
    func everyScaleGivesTheWholeImageBytes(_ layout: PixelLayout) throws {
        // 301 x 217: neither side a multiple of the 16-row bands or of an MCU.
        let image = StreamingLuminanceTests.scene(width: 301, height: 217, layout: layout, seed: 21)
        let jpeg = try ImageEncoder.jpeg(image)
        for scale in JPEGScale.allCases {
            let scaledWidth = (301 + scale.rawValue - 1) / scale.rawValue
            let scaledHeight = (217 + scale.rawValue - 1) / scale.rawValue
            for (width, height) in [(32, 32), (9, 8), (8, 8), (scaledWidth - 1, scaledHeight)] where width != scaledWidth {
                let streamed = try ImageDecoder().resizedJPEGLuminance(jpeg, name: "s.jpg", width: width, height: height,
                                                                       filter: .lanczos, scale: { _, _ in scale })
                #expect(streamed == (try Self.whole(jpeg, width: width, height: height, scale: scale)),
                        "\(layout) at 1/\(scale.rawValue) to \(width)x\(height)")
            }
        }
    }

    @Test func manyBands() throws {
        let image = StreamingLuminanceTests.scene(width: 1100, height: 900, layout: .rgb, seed: 22)
        let jpeg = try ImageEncoder.jpeg(image, quality: 75)
        let streamed = try ImageDecoder().resizedJPEGLuminance(jpeg, name: "big.jpg", width: 32, height: 32,
                                                               filter: .lanczos)
        #expect(streamed == (try Self.whole(jpeg, width: 32, height: 32)))
    }

    /// The Y plane alone: equal to the exact path for a gray file, within a few levels of it for a colour one.
    @Test func luminanceFromY() throws {
        let gray = try ImageEncoder.jpeg(StreamingLuminanceTests.scene(width: 200, height: 150, layout: .gray, seed: 23))
        #expect(try ImageDecoder().resizedJPEGLuminance(gray, name: "g.jpg", width: 32, height: 32, filter: .lanczos,
                                                        grayFromY: true)
                == (try Self.whole(gray, width: 32, height: 32)))
        let colour = try ImageEncoder.jpeg(StreamingLuminanceTests.scene(width: 200, height: 150, layout: .rgb, seed: 24))
        let fromY = try #require(try ImageDecoder().resizedJPEGLuminance(colour, name: "c.jpg", width: 32, height: 32,
                                                                         filter: .lanczos, grayFromY: true))
        let exact = try Self.whole(colour, width: 32, height: 32)
        // Y is computed before chroma upsampling and RGB clamping, L after: a few levels apart where colour is strong.
        let differences = zip(fromY.pixels, exact.pixels).map { abs(Int($0) - Int($1)) }
        #expect((differences.max() ?? 0) <= 8, "Y plane differs from Pillow's L by \(differences.max() ?? 0) levels")
        #expect(Double(differences.reduce(0, +)) / Double(differences.count) < 1.5)
    }

    @Test func itDeclinesWhereItDoesNotApply() throws {
        let decoder = ImageDecoder()
        let jpeg = try ImageEncoder.jpeg(StreamingLuminanceTests.scene(width: 64, height: 48, layout: .rgb, seed: 25))
        // A tall image: Pillow runs the vertical pass first.
        let tall = try ImageEncoder.jpeg(StreamingLuminanceTests.scene(width: 40, height: 400, layout: .rgb, seed: 26))
        #expect(try decoder.resizedJPEGLuminance(tall, name: "t", width: 32, height: 32, filter: .lanczos) == nil)
        #expect(try decoder.resizedJPEGLuminance(jpeg, name: "n", width: 32, height: 32, filter: .nearest) == nil)
        #expect(try decoder.resizedJPEGLuminance(jpeg, name: "w", width: 64, height: 32, filter: .lanczos) == nil)
        let png = try ImageEncoder.png(StreamingLuminanceTests.scene(width: 64, height: 48, layout: .rgb, seed: 27))
        #expect(try decoder.resizedJPEGLuminance(png, name: "p", width: 32, height: 32, filter: .lanczos) == nil)
        // A truncated or damaged file declines; the whole-image decode then reports it. Never a crash.
        for cut in [jpeg.count / 2, jpeg.count - 2] {
            let truncated = Array(jpeg.prefix(cut))
            #expect(try decoder.resizedJPEGLuminance(truncated, name: "cut", width: 32, height: 32,
                                                     filter: .lanczos) == nil)
            #expect(throws: ImageError.self) { _ = try decoder.decode(truncated, name: "cut") }
        }
    }

    @Test func theBudgetIsCheckedFirst() throws {
        let jpeg = try ImageEncoder.jpeg(StreamingLuminanceTests.scene(width: 64, height: 48, layout: .rgb, seed: 28))
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder(pixelLimit: 1000).resizedJPEGLuminance(jpeg, name: "b.jpg", width: 32, height: 32,
                                                                         filter: .lanczos)
        }
        #expect(error == .tooLarge(path: "b.jpg", width: 64, height: 48, limit: 1000))
    }

    /// The hasher's JPEG route hashes exactly the decoded pixels, in exact mode and (at its scale) in fast mode.
    @Test(arguments: [HashKind.phash, .dhash, .ahash])
    func hashesEqualTheDecodedPixels(_ kind: HashKind) throws {
        let jpeg = try ImageEncoder.jpeg(StreamingLuminanceTests.scene(width: 900, height: 700, layout: .rgb, seed: 29))
        let decoder = ImageDecoder()
        let exact = PerceptualHasher(kind: kind, mode: .exact)
        #expect(try exact.hash(bytes: jpeg, name: "h.jpg") == exact.hash(try decoder.decode(jpeg, name: "h.jpg")))
        var fast = PerceptualHasher(kind: kind, mode: .fast)
        fast.fastMinimumSide = 100
        let scale = PerceptualHasher.fastScale(width: 900, height: 700, minimumSide: 100)
        #expect(scale == .quarter)
        #expect(try fast.hash(bytes: jpeg, name: "h.jpg")
                == fast.hash(try decoder.decode(jpeg, name: "h.jpg", jpegScale: scale)))
    }
}
