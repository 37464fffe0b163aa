import Foundation
import SkyImaging
import Testing
import SkyTestSupport

/// Truncated, corrupt, empty and oversized inputs give errors that name the file; nothing crashes.
@Suite struct CodecRobustnessTests {
    static let samples = ["codec/rgb.png", "codec/palette.png", "codec/rgb_interlaced.png", "codec/gray_16bit.png",
                          "codec/rgb_odd.jpg", "codec/rgb_progressive.jpg", "codec/gray_odd.jpg"]

    func bytes(_ name: String) throws -> [UInt8] {
        try FileBytes.read(TestPaths.fixture(name).path)
    }

    @Test(arguments: samples)
    func everyTruncationIsAnError(name: String) throws {
        let full = try bytes(name)
        let decoder = ImageDecoder()
        // Every cut point in the first 200 bytes, then every 37th, never the whole file.
        let cuts = Array(0..<min(200, full.count)) + Array(stride(from: 200, to: full.count - 1, by: 37))
        for cut in cuts {
            let label = "\(name)[..<\(cut)]"
            #expect(throws: ImageError.self, "\(label) decoded although truncated") {
                _ = try decoder.decode(Array(full.prefix(cut)), name: label)
            }
        }
    }

    @Test func emptyFileNamesTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skycorpus-empty-\(getpid()).png")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(file: url.path) }
        #expect(error == .empty(path: url.path))
        #expect(error?.description.contains(url.path) == true)
    }

    @Test func unknownFormatIsRefused() throws {
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decode(Array("GIF89a and more".utf8), name: "x.gif")
        }
        #expect(error?.description.contains("x.gif") == true)
        #expect(error?.description.contains("47 49 46 38") == true)
    }

    @Test func missingFileIsUnreadable() {
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(file: "/nonexistent/a.png") }
        #expect(error?.path == "/nonexistent/a.png")
    }

    @Test(arguments: samples)
    func randomCorruptionNeverCrashes(name: String) throws {
        let full = try bytes(name)
        var generator = SplitMix64(seed: 7)
        var errors = 0
        for _ in 0..<150 {
            var damaged = full
            for _ in 0..<4 {
                let position = Int(generator.next() % UInt64(damaged.count))
                damaged[position] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                let image = try ImageDecoder().decode(damaged, name: name)
                #expect(image.pixels.count == image.width * image.height * image.channels)
            } catch {
                #expect(error.path == name)
                errors += 1
            }
        }
        // PNG checks CRCs, so damage there always fails; JPEG entropy damage may decode to garbage.
        if name.hasSuffix(".png") { #expect(errors == 150) }
    }

    @Test func corruptPNGHeaderCRCIsAnError() throws {
        var damaged = try bytes("codec/rgb.png")
        damaged[29] ^= 0xFF  // inside the IHDR CRC
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(damaged, name: "crc.png") }
        #expect(error?.description.contains("crc.png") == true)
    }

    @Test func pixelBudgetRefusesBeforeDecoding() throws {
        let png = try bytes("codec/rgb.png")
        let small = ImageDecoder(pixelLimit: 61 * 37 - 1)
        let error = #expect(throws: ImageError.self) { _ = try small.decode(png, name: "rgb.png") }
        #expect(error == .tooLarge(path: "rgb.png", width: 61, height: 37, limit: 61 * 37 - 1))
        // A header that claims 100000 x 100000 (IHDR rewritten, CRC fixed) is refused by the default budget.
        var huge = png
        let side: [UInt8] = [0x00, 0x01, 0x86, 0xA0]
        huge.replaceSubrange(16..<20, with: side)
        huge.replaceSubrange(20..<24, with: side)
        let crc = CRC32.checksum(huge[12..<29])
        huge.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 255), UInt8(crc >> 8 & 255), UInt8(crc & 255)])
        let hugeError = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(huge, name: "huge.png") }
        #expect(hugeError == .tooLarge(path: "huge.png", width: 100_000, height: 100_000,
                                       limit: ImageDecoder.defaultPixelLimit))
        let header = try ImageDecoder().header(of: huge, name: "huge.png")
        #expect(header.width == 100_000 && header.height == 100_000)
    }

    /// A chunk after IHDR whose length field is `claimed`, holding `text`, with its CRC.
    static func withTextChunk(_ png: [UInt8], claimed: UInt32, text: [UInt8]) -> [UInt8] {
        let body = Array("tEXt".utf8) + text
        let crc = CRC32.checksum(body)
        let chunk = [UInt8(claimed >> 24), UInt8(claimed >> 16 & 255), UInt8(claimed >> 8 & 255), UInt8(claimed & 255)]
            + body + [UInt8(crc >> 24), UInt8(crc >> 16 & 255), UInt8(crc >> 8 & 255), UInt8(crc & 255)]
        var out = png
        out.insert(contentsOf: chunk, at: 33)  // right after the 8-byte signature and the 25-byte IHDR chunk
        return out
    }

    /// The png fuzz target's finding: a 5 KB file whose tEXt chunk claims 1.9 GB made libpng allocate 1.9 GB.
    /// Such a chunk is now refused from the chunk headers, naming the chunk, on both the libpng path (16-bit
    /// gray) and the file that the fast path declines; a real tEXt chunk still decodes.
    @Test(arguments: ["codec/rgb.png", "codec/gray_16bit.png"])
    func chunkLongerThanTheFileIsRefusedBeforeAllocating(name: String) throws {
        let png = try bytes(name)
        let text = Array("Comment\u{0}made by a test".utf8)
        let good = Self.withTextChunk(png, claimed: UInt32(text.count), text: text)
        let reference = try ImageDecoder().decode(png, name: name)
        #expect(try ImageDecoder().decode(good, name: name).pixels == reference.pixels)
        let forged = Self.withTextChunk(png, claimed: 1_912_602_637, text: text)
        for bytes in [forged, Array(forged.prefix(60))] {
            let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(bytes, name: "forged.png") }
            let message = error?.description ?? ""
            #expect(message.contains("forged.png") && message.contains("'tEXt' at byte 33 claims 1912602637 bytes"),
                    "\(message)")
            #expect(throws: ImageError.self) { _ = try ImageDecoder().header(of: bytes, name: "forged.png") }
        }
        // A header read from a file's first bytes (cut inside the image data) still works.
        let prefix = Array(good.prefix(good.count - 40))
        #expect(try ImageDecoder().header(of: prefix, name: name).width == reference.width)
    }

    @Test func pngCannotBeDecodedAtReducedScale() throws {
        #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decode(try bytes("codec/rgb.png"), name: "rgb.png", jpegScale: .half)
        }
    }
}


/// PNG's CRC-32, to forge a valid header in a test.
enum CRC32 {
    static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}
