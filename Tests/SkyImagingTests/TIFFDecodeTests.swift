import Foundation
import SkyImaging
import SkyTestSupport
import Testing

/// TIFF decoding through libtiff: Pillow's pixels for every supported layout, clear refusals, no crashes.
@Suite struct TIFFDecodeTests {
    static let supported = CodecFixture.tiff.supported.map(\.file)
    static let unsupported = CodecFixture.tiff.unsupported.map(\.file)

    func bytes(_ file: String) throws -> [UInt8] {
        try FileBytes.read(TestPaths.fixture("tiff/" + file).path)
    }

    @Test func fixturesCoverEveryLayoutAndCompression() {
        let fixture = CodecFixture.tiff
        #expect(fixture.pillow.hasPrefix("13."))
        #expect(Set(fixture.supported.map(\.mode)) == ["L", "LA", "RGB", "RGBA", "P"])
        #expect(fixture.supported.count >= 30)
        #expect(fixture.unsupported.count >= 5)
        for part in ["raw", "lzw", "deflate", "packbits", "jpeg", "tiles", "strips", "ycbcr", "predictor",
                     "bigendian", "miniswhite", "associated", "ucm_like", "palette", "bigtiff"] {
            #expect(fixture.supported.contains { $0.file.contains(part) }, "no fixture for \(part)")
        }
    }

    @Test("pixels equal Pillow's", arguments: CodecFixture.tiff.supported)
    func pixelsEqualPillow(entry: CodecFixture.Supported) throws {
        let image = try ImageDecoder().decode(file: TestPaths.fixture("tiff/" + entry.file).path)
        // "P": SkyImaging returns the palette's colours, as Pillow's convert("RGB") does (the digest is of that).
        let layouts: [String: PixelLayout] = ["L": .gray, "LA": .grayAlpha, "RGB": .rgb, "RGBA": .rgba, "P": .rgb]
        #expect(image.layout == layouts[entry.mode])
        #expect(image.width == entry.width && image.height == entry.height)
        #expect(image.pixelDigest == entry.sha256, "\(entry.file) pixels differ from Pillow")
    }

    @Test("headers give the size without decoding", arguments: supported + unsupported)
    func headerGivesTheSize(file: String) throws {
        let data = try bytes(file)
        let header = try ImageDecoder().header(of: data, name: file)
        let path = TestPaths.fixture("tiff/" + file).path
        #expect(try ImageDecoder().header(ofFile: path) == header)
        #expect(header.format == .tiff)
        #expect(header.isPalette == file.hasPrefix("palette"))
        if let entry = CodecFixture.tiff.supported.first(where: { $0.file == file }) {
            #expect(header.width == entry.width && header.height == entry.height && header.bitDepth == 8)
        } else {
            #expect(header.width == 20 && header.height == 10)
        }
    }

    @Test("unsupported layouts name the file, the layout and PNG", arguments: CodecFixture.tiff.unsupported)
    func unsupportedLayoutsAreRefused(entry: CodecFixture.Unsupported) throws {
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decode(bytes(entry.file), name: entry.file)
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("\(entry.file): cannot decode TIFF: "), "\(text)")
        #expect(text.contains(entry.reason), "\(text)")
        #expect(text.hasSuffix("convert it to PNG"), "\(text)")
    }

    @Test func sniffsBothByteOrders() {
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]) == .tiff)
        #expect(ImageFormat.sniff([0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]) == .tiff)
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2B, 0x00, 8, 0, 0, 0]) == .tiff) // BigTIFF
        #expect(ImageFormat.sniff([0x4D, 0x4D, 0x00, 0x2B, 0, 8, 0, 0]) == nil) // big-endian BigTIFF: Pillow cannot
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2C, 0x00, 8, 0, 0, 0]) == nil)
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2A]) == nil)
    }

    @Test func reducedScaleIsRefused() throws {
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decode(bytes("rgb_raw.tif"), name: "a.tif", jpegScale: .half)
        }
        #expect(error?.description.contains("TIFF has no reduced-scale decoding") == true)
    }

    @Test func grayAndPaletteTIFFsAreIndexMasks() throws {
        let gray = try ImageDecoder().decodeIndexed(bytes("gray_tiff_lzw.tif"), name: "g.tif")
        #expect(gray.palette.isEmpty)
        #expect(gray.indices == (try ImageDecoder().decode(bytes("gray_tiff_lzw.tif"), name: "g.tif")).pixels)
        for file in ["palette_raw.tif", "palette_tiles_lzw.tif"] {
            let mask = try ImageDecoder().decodeIndexed(bytes(file), name: file)
            let colour = try ImageDecoder().decode(bytes(file), name: file)
            #expect(mask.palette.count == 256)
            #expect(try ImageDecoder().header(of: bytes(file), name: file).isPalette)
            // The indices through the palette are the colour decode, which equals Pillow's (pixelsEqualPillow).
            var expanded: [UInt8] = []
            for index in mask.indices {
                let entry: RGBA = mask.palette[Int(index)]
                expanded += [entry.red, entry.green, entry.blue]
            }
            #expect(expanded == colour.pixels, "\(file)")
        }
        let colour = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decodeIndexed(bytes("rgb_raw.tif"), name: "c.tif")
        }
        #expect(colour?.description.contains("must be a palette or gray TIFF") == true)
        let bilevel = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decodeIndexed(bytes("unsupported_bilevel.tif"), name: "b.tif")
        }
        #expect(bilevel?.description.hasSuffix("convert it to PNG") == true)
    }

    @Test func pixelBudgetRefusesBeforeDecoding() throws {
        let entry = try #require(CodecFixture.tiff.supported.first { $0.file == "ucm_like_rgb_256.tif" })
        let small = ImageDecoder(pixelLimit: 256 * 256 - 1)
        let error = #expect(throws: ImageError.self) { _ = try small.decode(bytes(entry.file), name: "ucm.tif") }
        #expect(error == .tooLarge(path: "ucm.tif", width: 256, height: 256, limit: 256 * 256 - 1))
        // A header claiming 100000x100000 pixels with no pixel data is refused by the budget, not by a failed read.
        let huge = Self.minimalHeader(width: 100_000, height: 100_000)
        let hugeError = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(huge, name: "huge.tif") }
        #expect(hugeError == .tooLarge(path: "huge.tif", width: 100_000, height: 100_000,
                                       limit: ImageDecoder.defaultPixelLimit))
    }

    @Test func hugeTilesAreAnErrorNotAnAllocation() throws {
        // 16x16 pixels in one 32768x32768 tile: a damaged directory, refused before a 1 GiB tile buffer.
        let bytes = Self.minimalHeader(width: 16, height: 16, tile: 32768)
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(bytes, name: "tile.tif") }
        #expect(error?.description.hasPrefix("tile.tif: cannot decode TIFF: 32768x32768 tiles are more than") == true,
                "\(String(describing: error))")
        #expect(try ImageDecoder().header(of: bytes, name: "tile.tif").width == 16)
    }

    @Test func oldStyleJPEGIsRefused() throws {
        let bytes = Self.minimalHeader(width: 8, height: 8, compression: 6)
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(bytes, name: "old.tif") }
        #expect(error?.description == "old.tif: cannot decode TIFF: old-style JPEG compression (6) is not supported; "
            + "convert it to PNG", "\(String(describing: error))")
    }

    /// A little-endian TIFF with one directory: 8-bit gray, one uncompressed strip (or tile) at offset 8,
    /// where the directory is: no pixel data.
    static func minimalHeader(width: UInt32, height: UInt32, tile: UInt32? = nil, compression: UInt32 = 1) -> [UInt8] {
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]
        func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        func u32(_ value: UInt32) {
            for shift in [0, 8, 16, 24] { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
        }
        var entries: [(tag: UInt16, type: UInt16, value: UInt32)] = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, compression), (262, 3, 1),
        ]
        if let tile {
            entries += [(277, 3, 1), (322, 4, tile), (323, 4, tile), (324, 4, 8), (325, 4, tile &* tile)]
        } else {
            entries += [(273, 4, 8), (277, 3, 1), (278, 4, height), (279, 4, width &* height)]
        }
        u16(UInt16(entries.count))
        for entry in entries {
            u16(entry.tag); u16(entry.type); u32(1)
            if entry.type == 3 { u16(UInt16(entry.value)); u16(0) } else { u32(entry.value) }
        }
        u32(0)
        return bytes
    }

    @Test("every truncation is an error or the same pixels", arguments: supported)
    func truncationsNeverCrash(file: String) throws {
        let full = try bytes(file)
        let decoder = ImageDecoder()
        let expected = try decoder.decode(full, name: file)
        // Every cut in the first 300 bytes (header and directory), then every 97th byte.
        let cuts = Array(0..<min(300, full.count)) + Array(stride(from: 300, to: full.count - 1, by: 97))
        for cut in cuts {
            let label = "\(file)[..<\(cut)]"
            do {
                let image = try decoder.decode(Array(full.prefix(cut)), name: label)
                // Only bytes no strip or tag uses were cut: the image must be the whole one.
                #expect(image == expected, "\(label) decoded to different pixels")
            } catch {
                #expect(error.description.hasPrefix(label), "\(error)")
            }
        }
    }

    @Test("random corruptions give errors or images, never a crash", arguments: supported + unsupported)
    func corruptionsNeverCrash(file: String) throws {
        let full = try bytes(file)
        var random = SplitMix64(seed: UInt64(file.utf8.count) &* 7919)
        let decoder = ImageDecoder(pixelLimit: 1 << 22)
        for round in 0..<60 {
            var damaged = full
            // Flip a few bytes, mostly in the header and directory where they matter most.
            for _ in 0..<(1 + round % 4) {
                let limit = round % 2 == 0 ? min(full.count, 400) : full.count
                let index = 4 + Int(random.next() % UInt64(max(limit - 4, 1)))
                if index < damaged.count { damaged[index] = UInt8(truncatingIfNeeded: random.next()) }
            }
            let label = "\(file)#\(round)"
            do {
                let image = try decoder.decode(damaged, name: label)
                #expect(image.pixels.count == image.width * image.height * image.layout.channels)
            } catch {
                #expect(error.description.hasPrefix(label), "\(error)")
            }
            _ = try? decoder.header(of: damaged, name: label)
        }
    }
}
