import Foundation
import SkyImaging
import Testing

/// Encoding then decoding gives back the pixels (PNG) or close ones (JPEG); headers agree with decodes.
@Suite struct CodecRoundTripTests {
    func pattern(_ width: Int, _ height: Int, _ layout: PixelLayout) -> RasterImage {
        var image = RasterImage(width: width, height: height, layout: layout)
        for index in image.pixels.indices { image.pixels[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index / 7) }
        return image
    }

    @Test(arguments: [PixelLayout.gray, .grayAlpha, .rgb, .rgba])
    func pngRoundTripIsExact(layout: PixelLayout) throws {
        let image = pattern(33, 17, layout)
        let bytes = try ImageEncoder.png(image)
        #expect(try ImageDecoder().decode(bytes, name: "round.png") == image)
        let header = try ImageDecoder().header(of: bytes, name: "round.png")
        #expect(header.format == .png && header.width == 33 && header.height == 17 && header.sourceChannels == layout.channels)
    }

    @Test func palettePNGKeepsIndices() throws {
        let palette = [RGBA(0, 0, 0), RGBA(255, 0, 0), RGBA(0, 255, 0), RGBA(0, 0, 255)]
        let indices = (0..<(10 * 6)).map { UInt8($0 % 4) }
        let mask = IndexedImage(width: 10, height: 6, indices: indices, palette: palette)
        let bytes = try ImageEncoder.png(mask)
        let back = try ImageDecoder().decodeIndexed(bytes, name: "mask.png")
        #expect(back.indices == indices)
        #expect(back.palette == palette)
        let colour = try ImageDecoder().decode(bytes, name: "mask.png")
        #expect(colour.layout == .rgb)
        #expect(Array(colour[1, 0]) == [255, 0, 0])
        #expect(try ImageDecoder().header(of: bytes, name: "mask.png").isPalette)
    }

    @Test func grayMaskDecodesAsIndices() throws {
        let mask = try ImageDecoder().decodeIndexed(file: TestPaths.fixture("codec/mask_gray.png").path)
        #expect(mask.palette.isEmpty)
        #expect(mask.width == 20 && mask.height == 20)
        #expect(Set(mask.indices).isSubset(of: [0, 1, 2, 3]))
        #expect(throws: ImageError.self) { _ = try ImageDecoder().decodeIndexed(file: TestPaths.fixture("codec/rgb.png").path) }
        let sixteen = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decodeIndexed(file: TestPaths.fixture("codec/gray_16bit.png").path)
        }
        #expect(sixteen?.description.contains("16-bit index mask") == true)
    }

    @Test func jpegRoundTripIsClose() throws {
        var image = RasterImage(width: 48, height: 40, layout: .rgb)
        for y in 0..<40 { for x in 0..<48 {
            let offset = image.offset(x: x, y: y)
            image.pixels[offset] = UInt8(x * 5); image.pixels[offset + 1] = UInt8(y * 6); image.pixels[offset + 2] = 128
        } }
        let back = try ImageDecoder().decode(try ImageEncoder.jpeg(image, quality: 95), name: "round.jpg")
        #expect(back.width == 48 && back.height == 40 && back.layout == .rgb)
        let worst = zip(back.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst <= 12)
        let gray = try ImageDecoder().decode(try ImageEncoder.jpeg(pattern(9, 9, .grayAlpha)), name: "g.jpg")
        #expect(gray.layout == .gray)
    }

    @Test(arguments: [(1001, 333), (8, 8), (1, 1), (17, 9)])
    func eighthScaleIsCeiling(size: (Int, Int)) throws {
        let bytes = try ImageEncoder.jpeg(pattern(size.0, size.1, .rgb))
        for scale in JPEGScale.allCases {
            let image = try ImageDecoder().decode(bytes, name: "s.jpg", jpegScale: scale)
            let d = scale.rawValue
            #expect(image.width == (size.0 + d - 1) / d && image.height == (size.1 + d - 1) / d)
        }
    }

    @Test func writeChoosesFormatByExtension() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-write-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = pattern(12, 7, .rgb)
        try ImageEncoder.write(image, to: folder.appendingPathComponent("a.png").path)
        try ImageEncoder.write(image, to: folder.appendingPathComponent("a.jpg").path)
        #expect(try ImageDecoder().header(ofFile: folder.appendingPathComponent("a.png").path).format == .png)
        #expect(try ImageDecoder().header(ofFile: folder.appendingPathComponent("a.jpg").path).format == .jpeg)
        #expect(throws: ImageError.self) { try ImageEncoder.write(image, to: folder.appendingPathComponent("a.bmp").path) }
    }

    @Test(.enabled(if: TestPaths.hasRealData, "needs ../shared/realdata"))
    func headersOfRealImagesAgreeWithDecodes() throws {
        let entries = try PillowDecodeEntry.load().filter { $0.file.hasPrefix("realdata/") }
        for entry in entries {
            let header = try ImageDecoder().header(ofFile: try #require(entry.url).path)
            #expect(header.width == entry.width && header.height == entry.height, "\(entry.file)")
        }
    }
}
