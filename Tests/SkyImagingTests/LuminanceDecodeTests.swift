import CSkyCodecs
import Foundation
import SkyImaging
import Testing
import SkyTestSupport

/// `ImageDecoder.decodeLuminance` equals `PillowConvert.luminance(decode(...))` on every input, errors included,
/// but 16-bit gray, which `decode` gives as the high byte and "L" as the sample clipped to 255 (Pillow's "I;16").
@Suite struct LuminanceDecodeTests {
    /// The two routes on the same bytes: the same image, or the same error. For 16-bit gray, where the routes
    /// differ by design, every pixel whose high byte is set is 255 in "L" (SixteenBitDecodeTests checks the values
    /// against Pillow).
    static func expectSameAsDecodeThenConvert(_ bytes: [UInt8], name: String, scale: JPEGScale = .full,
                                              decoder: ImageDecoder = ImageDecoder()) {
        if let header = try? decoder.header(of: bytes, name: name), header.bitDepth == 16,
           header.sourceChannels == 1, !header.isPalette {
            let high = Result { () throws(ImageError) -> RasterImage in try decoder.decode(bytes, name: name) }
            let low = Result { () throws(ImageError) -> RasterImage in try decoder.decodeLuminance(bytes, name: name) }
            switch (high, low) {
            case (.success(let high), .success(let gray)):
                #expect(gray.layout == .gray && gray.width == high.width && gray.height == high.height)
                #expect(zip(high.pixels, gray.pixels).allSatisfy { $0 == 0 || $1 == 255 }, "\(name): not clipped")
            case (.failure(let want), .failure(let got)):
                #expect(got == want, "\(name): a different error")
            default:
                Issue.record("\(name): \(high) but \(low)")
            }
            return
        }
        let expected = Result { () throws(ImageError) -> RasterImage in
            PillowConvert.luminance(try decoder.decode(bytes, name: name, jpegScale: scale))
        }
        let fused = Result { () throws(ImageError) -> RasterImage in
            try decoder.decodeLuminance(bytes, name: name, jpegScale: scale)
        }
        switch (expected, fused) {
        case (.success(let want), .success(let got)):
            #expect(got.layout == .gray && got == want, "\(name) at 1/\(scale.rawValue): pixels differ")
        case (.failure(let want), .failure(let got)):
            #expect(got == want, "\(name): a different error")
        default:
            Issue.record("\(name) at 1/\(scale.rawValue): \(expected) but \(fused)")
        }
    }

    /// Whether the fused C path itself takes the bytes (rather than the fallback).
    static func fusedPathTakes(_ bytes: [UInt8]) -> Bool {
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        guard let header = try? ImageDecoder().header(of: bytes, name: "") else { return false }
        var output = [UInt8](repeating: 0, count: header.width * header.height)
        let count = output.count
        return bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                csky_png_fast_decode_luma(input.baseAddress, input.count, out.baseAddress, count, &info, &message)
            }
        } == CSKY_OK
    }

    static func images(under folder: URL) -> [URL] {
        let items = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects ?? []
        return items.compactMap { $0 as? URL }
            .filter { ["png", "jpg", "jpeg"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }

    @Test(.enabled(if: TestPaths.hasRealData, "needs ../shared/realdata"))
    func realImagesMatch() throws {
        let files = Self.images(under: TestPaths.realData)
        #expect(files.count >= 70)
        var fused = 0, pngs = 0
        for file in files {
            let bytes = try FileBytes.read(file.path)
            let isPNG = file.pathExtension.lowercased() == "png"
            let scales: [JPEGScale] = isPNG ? [.full, .half] : JPEGScale.allCases
            for scale in scales { Self.expectSameAsDecodeThenConvert(bytes, name: file.path, scale: scale) }
            if Self.fusedPathTakes(bytes) { fused += 1 }
            if isPNG { pngs += 1 }
        }
        #expect(fused == pngs)  // every real PNG is 8-bit (two of them Adam7 interlaced)
    }

    @Test func everyFixtureImageMatches() throws {
        let tests = TestPaths.packageRoot.appendingPathComponent("Tests")
        let folders = try FileManager.default.contentsOfDirectory(atPath: tests.path)
            .map { tests.appendingPathComponent($0).appendingPathComponent("Fixtures") }
        let files = folders.flatMap { Self.images(under: $0) }
        #expect(files.count >= 100)
        for file in files {
            let bytes = try FileBytes.read(file.path)
            Self.expectSameAsDecodeThenConvert(bytes, name: file.lastPathComponent)
        }
    }

    /// Random images of every colour type, bit depth and interlace method, with random filter types and a
    /// palette shorter than the indices reach (libpng's zeroed entries) half of the time.
    @Test func syntheticPNGsOfEveryKindMatch() throws {
        var generator = SplitMix64(seed: 0x1A7E)
        let depths: [UInt8: [UInt8]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        var cases = 0, fused = 0
        for (colorType, bitDepths) in depths.sorted(by: { $0.key < $1.key }) {
            for bitDepth in bitDepths {
                for interlaced in [false, true] {
                    for size in [(1, 1), (3, 2), (7, 9), (33, 17), (64, 5)] {
                        let png = SyntheticPNG.random(width: size.0, height: size.1, colorType: colorType,
                                                      bitDepth: bitDepth, interlaced: interlaced,
                                                      generator: &generator)
                        let name = "type\(colorType)-\(bitDepth)bit-\(interlaced ? "adam7" : "plain")-\(size)"
                        Self.expectSameAsDecodeThenConvert(png, name: name)
                        let plain = bitDepth == 8
                        #expect(Self.fusedPathTakes(png) == plain, "\(name)")
                        if plain { fused += 1 }
                        cases += 1
                    }
                }
            }
        }
        #expect(cases == 15 * 2 * 5 && fused == 5 * 2 * 5)
    }

    @Test func damagedAndUnusualInputsGiveDecodesErrors() throws {
        let bytes = try FileBytes.read(TestPaths.fixture("pngfast/rgb_many_idat.png").path)
        for cut in stride(from: 0, to: bytes.count, by: 37) {
            Self.expectSameAsDecodeThenConvert(Array(bytes.prefix(cut)), name: "cut at \(cut)")
        }
        for position in stride(from: 8, to: bytes.count, by: 29) {
            var copy = bytes
            copy[position] ^= 0x41
            Self.expectSameAsDecodeThenConvert(copy, name: "byte \(position) flipped")
        }
        Self.expectSameAsDecodeThenConvert([], name: "empty")
        Self.expectSameAsDecodeThenConvert(Array("GIF89a".utf8), name: "gif")
        Self.expectSameAsDecodeThenConvert(bytes, name: "PNG at half scale", scale: .half)
        Self.expectSameAsDecodeThenConvert(bytes, name: "over budget", decoder: ImageDecoder(pixelLimit: 10))
    }

    /// The row conversion (SSSE3 and byte loops) against PillowConvert.luma, every width from 0 to 80 and
    /// every 8-bit value in each channel.
    @Test func rowConversionMatchesPillowConvert() {
        var generator = SplitMix64(seed: 0x4C)
        for channels in 2...4 {
            for width in 0...80 {
                let row = (0..<width * channels).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                let expected = (0..<width).map { x in
                    channels == 2 ? row[x * 2] : PillowConvert.luma(row[x * channels], row[x * channels + 1],
                                                                    row[x * channels + 2])
                }
                for simd: Int32 in [0, 1] {
                    var out = [UInt8](repeating: 0xEE, count: width + 16)
                    row.withUnsafeBufferPointer { input in
                        out.withUnsafeMutableBufferPointer { output in
                            csky_png_luma_row_using(input.baseAddress, output.baseAddress, width, Int32(channels), simd)
                        }
                    }
                    #expect(Array(out[..<width]) == expected, "\(channels) channels, width \(width), simd \(simd)")
                    #expect(out[width...].allSatisfy { $0 == 0xEE }, "wrote past the row")
                }
            }
        }
        // Every value of each channel with the others at 0, 128 and 255 (rows of 256 RGB pixels).
        for channel in 0..<3 {
            for other: UInt8 in [0, 128, 255] {
                var row = [UInt8](repeating: other, count: 256 * 3)
                for value in 0..<256 { row[value * 3 + channel] = UInt8(value) }
                var out = [UInt8](repeating: 0, count: 256)
                row.withUnsafeBufferPointer { input in
                    out.withUnsafeMutableBufferPointer { output in
                        csky_png_luma_row_using(input.baseAddress, output.baseAddress, 256, 3, 1)
                    }
                }
                let expected = (0..<256).map { PillowConvert.luma(row[$0 * 3], row[$0 * 3 + 1], row[$0 * 3 + 2]) }
                #expect(out == expected, "channel \(channel), others \(other)")
            }
        }
    }

    @Test func theFileConvenienceReadsTheFile() throws {
        let path = TestPaths.fixture("codec/rgb.png").path
        let image = try ImageDecoder().decodeLuminance(file: path)
        #expect(image == PillowConvert.luminance(try ImageDecoder().decode(file: path)))
        let missing = #expect(throws: ImageError.self) { _ = try ImageDecoder().decodeLuminance(file: "/nonexistent.png") }
        #expect(missing?.path == "/nonexistent.png")
    }
}

/// A minimal PNG writer for tests: any colour type, bit depth and interlace, random filtered data (every
/// byte sequence with valid filter types is an image), stored (uncompressed) zlib blocks.
enum SyntheticPNG {
    static func random(width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, interlaced: Bool,
                       generator: inout SplitMix64) -> [UInt8] {
        let samples = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)]!
        let bitsPerPixel = samples * Int(bitDepth)
        // Adam7 passes (x0, y0, dx, dy), or the whole image once.
        let passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var filtered: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let columns = (width - x0 + dx - 1) / dx, rows = (height - y0 + dy - 1) / dy
            guard columns > 0 && rows > 0 else { continue }
            let rowBytes = (columns * bitsPerPixel + 7) / 8
            for _ in 0..<rows {
                filtered.append(UInt8(generator.next() % 5))
                for _ in 0..<rowBytes { filtered.append(UInt8(truncatingIfNeeded: generator.next())) }
            }
        }
        var png: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        png += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height))
            + [bitDepth, colorType, 0, 0, interlaced ? 1 : 0])
        if colorType == 3 {
            let entries = 1 + Int(generator.next() % 256)
            png += chunk("PLTE", (0..<entries * 3).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            if generator.next() % 2 == 0 {
                png += chunk("tRNS", (0..<(1 + Int(generator.next() % UInt64(entries)))).map { _ in
                    UInt8(truncatingIfNeeded: generator.next())
                })
            }
        }
        png += chunk("IDAT", storedZlib(filtered))
        png += chunk("IEND", [])
        return png
    }

    static func be32(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return be32(UInt32(body.count)) + typed + be32(CRC32.checksum(typed))
    }

    /// A zlib stream (32 KiB window header 0x78) of stored deflate blocks, with its Adler-32.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65535, data.count - start)
            let last: UInt8 = start + length == data.count ? 1 : 0
            out += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<start + length]
            start += length
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(b << 16 | a)
    }
}
