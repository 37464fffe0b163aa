import Foundation
import SkyImaging
import SkyTestSupport
import Testing

/// BMP decoding in Swift: Pillow's pixels for every supported layout, clear refusals, no crashes.
@Suite struct BMPDecodeTests {
    static let supported = CodecFixture.bmp.supported.map(\.file)
    static let unsupported = CodecFixture.bmp.unsupported.map(\.file)

    func bytes(_ file: String) throws -> [UInt8] {
        try FileBytes.read(TestPaths.fixture("bmp/" + file).path)
    }

    @Test func fixturesCoverEveryLayout() {
        let fixture = CodecFixture.bmp
        #expect(fixture.pillow.hasPrefix("13."))
        #expect(Set(fixture.supported.map(\.mode)) == ["1", "L", "P", "RGB", "RGBA"])
        #expect(fixture.supported.count >= 30)
        #expect(fixture.unsupported.count >= 6)
        for part in ["palette1", "palette4", "palette8", "rgb16", "rgb24", "rgb32", "core12", "v4", "v5", "topdown",
                     "bitfields", "odd", "one_pixel", "short_palette", "offset"] {
            #expect(fixture.supported.contains { $0.file.contains(part) }, "no fixture for \(part)")
        }
    }

    @Test("pixels equal Pillow's", arguments: CodecFixture.bmp.supported)
    func pixelsEqualPillow(entry: CodecFixture.Supported) throws {
        let image = try ImageDecoder().decode(file: TestPaths.fixture("bmp/" + entry.file).path)
        // "P": the palette's colours, as Pillow's convert("RGB"); "1": gray 0/255, as its convert("L").
        let layouts: [String: PixelLayout] = ["1": .gray, "L": .gray, "RGB": .rgb, "RGBA": .rgba, "P": .rgb]
        #expect(image.layout == layouts[entry.mode])
        #expect(image.width == entry.width && image.height == entry.height)
        #expect(image.pixelDigest == entry.sha256, "\(entry.file) pixels differ from Pillow")
    }

    @Test("headers give the size without decoding", arguments: supported)
    func headerGivesTheSize(file: String) throws {
        let data = try bytes(file)
        let header = try ImageDecoder().header(of: data, name: file)
        #expect(try ImageDecoder().header(ofFile: TestPaths.fixture("bmp/" + file).path) == header)
        let entry = try #require(CodecFixture.bmp.supported.first { $0.file == file })
        #expect(header.format == .bmp)
        #expect(header.width == entry.width && header.height == entry.height)
        // Pillow's "P" and "1" (resized with NEAREST by CLIP preprocessing); its "L" identity ramp is plain gray.
        #expect(header.isPalette == ["1", "P"].contains(entry.mode))
        // Only the headers (and palette) are needed: the pixel rows can be missing.
        let headerOnly = Array(data.prefix(14 + 124 + 4 * 256).prefix(data.count - 1))
        #expect(try ImageDecoder().header(of: headerOnly, name: file) == header)
    }

    @Test("refused layouts name the file, the layout and PNG", arguments: CodecFixture.bmp.unsupported)
    func unsupportedLayoutsAreRefused(entry: CodecFixture.Unsupported) throws {
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decode(bytes(entry.file), name: entry.file)
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("\(entry.file): cannot decode BMP: "), "\(text)")
        #expect(text.contains(entry.reason), "\(text)")
        #expect(text.hasSuffix("convert it to PNG"), "\(text)")
    }

    @Test func sniffsBMWithAKnownHeaderSize() {
        var head: [UInt8] = [0x42, 0x4D] + [UInt8](repeating: 0, count: 12) + [40, 0, 0, 0]
        #expect(ImageFormat.sniff(head) == .bmp)
        for size: UInt8 in [12, 52, 56, 64, 108, 124] {
            head[14] = size
            #expect(ImageFormat.sniff(head) == .bmp)
        }
        head[14] = 41
        #expect(ImageFormat.sniff(head) == nil)
        #expect(ImageFormat.sniff(Array(head.prefix(16))) == nil)
        #expect(ImageFormat.sniff(Array("BM plain text file".utf8)) == nil)
    }

    @Test func reducedScaleIsRefused() throws {
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decode(bytes("rgb24_odd_width.bmp"), name: "a.bmp", jpegScale: .half)
        }
        #expect(error?.description.contains("BMP has no reduced-scale decoding") == true)
    }

    @Test func paletteBMPsAreIndexMasks() throws {
        for file in Self.supported where file.hasPrefix("palette") || file.hasPrefix("bilevel") {
            let mask = try ImageDecoder().decodeIndexed(bytes(file), name: file)
            let colour = try ImageDecoder().decode(bytes(file), name: file)
            // The indices through the palette (black past its end, as Pillow) are the colour decode.
            var expanded: [UInt8] = []
            for index in mask.indices {
                let entry = Int(index) < mask.palette.count ? mask.palette[Int(index)] : RGBA(0, 0, 0)
                expanded += colour.layout == .gray ? [entry.red] : [entry.red, entry.green, entry.blue]
            }
            #expect(expanded == colour.pixels, "\(file)")
        }
        let short = try ImageDecoder().decodeIndexed(bytes("palette8_short_palette.bmp"), name: "s.bmp")
        #expect(short.palette.count == 100 && short.indices.contains { $0 >= 100 })
        let gray = try ImageDecoder().decodeIndexed(bytes("gray8_pillow.bmp"), name: "g.bmp")
        #expect(gray.palette.isEmpty)
        #expect(gray.indices == (try ImageDecoder().decode(bytes("gray8_pillow.bmp"), name: "g.bmp")).pixels)
        let colour = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decodeIndexed(bytes("rgb24_odd_width.bmp"), name: "c.bmp")
        }
        #expect(colour?.description.contains("must be a palette or gray BMP") == true)
    }

    @Test func pixelBudgetRefusesBeforeDecoding() throws {
        let small = ImageDecoder(pixelLimit: 64 * 48 - 1)
        let error = #expect(throws: ImageError.self) { _ = try small.decode(bytes("rgb24_hrsc_like.bmp"), name: "h.bmp") }
        #expect(error == .tooLarge(path: "h.bmp", width: 64, height: 48, limit: 64 * 48 - 1))
        // A header claiming 2^31 x 2^31 pixels and no pixel data: the budget refuses it, without overflow.
        var huge = try bytes("rgb24_one_pixel.bmp")
        huge.replaceSubrange(18..<26, with: [0, 0, 0, 0x7F, 0, 0, 0, 0x7F])
        let hugeError = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(huge, name: "huge.bmp") }
        #expect(hugeError == .tooLarge(path: "huge.bmp", width: 0x7F00_0000, height: 0x7F00_0000,
                                       limit: ImageDecoder.defaultPixelLimit))
        #expect(try ImageDecoder().header(of: huge, name: "huge.bmp").width == 0x7F00_0000)
    }

    @Test("every truncation is an error, never a crash", arguments: supported)
    func truncationsNeverCrash(file: String) throws {
        let full = try bytes(file)
        let decoder = ImageDecoder()
        _ = try decoder.decode(full, name: file)
        for cut in 0..<full.count {
            let label = "\(file)[..<\(cut)]"
            // The fixtures end with the last row's padding, and Pillow refuses a short last row: every cut fails.
            let error = #expect(throws: ImageError.self, "\(label) decoded") {
                _ = try decoder.decode(Array(full.prefix(cut)), name: label)
            }
            #expect(error?.description.hasPrefix(label) == true, "\(String(describing: error))")
        }
    }

    @Test("corrupted header bytes are an error or an image, never a crash", arguments: supported)
    func corruptionsNeverCrash(file: String) throws {
        let full = try bytes(file)
        var generator = SeededGenerator(seed: UInt64(full.count))
        // Every header byte set to values that lie: 0, 0xFF, 0x80, and a random one.
        for position in 0..<min(full.count, 14 + 124 + 64) {
            for value: UInt8 in [0, 0xFF, 0x80, UInt8.random(in: 0...255, using: &generator)] {
                var bytes = full
                bytes[position] = value
                let decoder = ImageDecoder(pixelLimit: 1 << 20)
                do {
                    let image = try decoder.decode(bytes, name: "c.bmp")
                    #expect(image.pixels.count == image.width * image.height * image.layout.channels)
                } catch {
                    #expect(error.path == "c.bmp")
                }
                _ = try? decoder.decodeIndexed(bytes, name: "c.bmp")
                _ = try? decoder.header(of: bytes, name: "c.bmp")
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) so corruption tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
