import Foundation
import SkyImaging
import Testing

/// 16-bit PNGs and TIFFs (Scripts/sixteen_bit_fixtures.py): "L" as Pillow's convert("L") gives it, which clips
/// 16-bit gray ("I;16") to 255 and keeps the high byte of 16-bit RGB and RGBA.
@Suite struct SixteenBitDecodeTests {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var mode: String
        var width: Int
        var height: Int
        var luminance_sha256: String
        var description: String { file }
    }

    struct Fixture: Decodable {
        var pillow: String
        var files: [Entry]
    }

    static let fixture = try! JSONDecoder().decode(
        Fixture.self, from: Data(contentsOf: TestPaths.fixture("sixteen/sixteen.json")))

    func path(_ file: String) -> String { TestPaths.fixture("sixteen/" + file).path }

    @Test func fixturesCoverGrayRGBAndBothByteOrders() {
        let files = Self.fixture.files
        #expect(Self.fixture.pillow.hasPrefix("13."))
        #expect(Set(files.map(\.mode)) == ["I;16", "I;16B", "RGB", "RGBA"])
        for part in ["png", "tif", "bigendian", "predictor", "tiles", "strips", "low", "full"] {
            #expect(files.contains { $0.file.contains(part) }, "no fixture for \(part)")
        }
    }

    @Test("decodeLuminance equals Pillow's convert(\"L\")", arguments: fixture.files)
    func luminanceEqualsPillow(entry: Entry) throws {
        let gray = try ImageDecoder().decodeLuminance(file: path(entry.file))
        #expect(gray.layout == .gray && gray.width == entry.width && gray.height == entry.height)
        #expect(gray.pixelDigest == entry.luminance_sha256, "\(entry.file) differs from Pillow's L")
    }

    @Test("16-bit gray clips for L but keeps the high byte when decoded", arguments: fixture.files.filter { $0.mode.hasPrefix("I;16") })
    func grayClipsOnlyForLuminance(entry: Entry) throws {
        let decoded = try ImageDecoder().decode(file: path(entry.file))
        let gray = try ImageDecoder().decodeLuminance(file: path(entry.file))
        #expect(decoded.layout == .gray)
        // Where the clipped value is below 255 the sample is below 256, so its high byte is 0.
        for (high, clipped) in zip(decoded.pixels, gray.pixels) where clipped < 255 { #expect(high == 0) }
        if entry.file.contains("low") { #expect(gray.pixels.contains { $0 > 0 && $0 < 255 }) }
    }

    @Test("16-bit gray TIFFs are not index masks")
    func notIndexMasks() throws {
        let error = #expect(throws: ImageError.self) {
            _ = try ImageDecoder().decodeIndexed(file: path("gray16_raw.tif"))
        }
        #expect(error?.description.contains("16-bit index mask") == true)
    }
}
