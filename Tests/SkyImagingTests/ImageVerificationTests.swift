import Foundation
import SkyImaging
import SkyTestSupport
import Testing

/// `verify` (and `verifyTIFF(file:)`) prove a file whole a band at a time: the header of `header(of:)`, and the verdict
/// of decoding the whole image, on every codec fixture and on damaged copies of each.
@Suite struct ImageVerificationTests {
    /// The PNG, JPEG and TIFF fixtures that decode, with their paths.
    static let files: [String] = {
        func list(_ folder: String, _ suffixes: [String]) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: TestPaths.fixture(folder).path)) ?? [])
                .filter { name in suffixes.contains { name.hasSuffix($0) } }.sorted().map { "\(folder)/\($0)" }
        }
        return list("codec", [".png", ".jpg"]) + list("pngfast", [".png"])
            + CodecFixture.tiff.supported.map { "tiff/\($0.file)" }
    }()

    /// Whether decoding the whole image to "L" succeeds: the verdict `verify` must give.
    static func decodes(_ bytes: [UInt8], name: String) -> Bool {
        (try? ImageDecoder().decodeLuminance(bytes, name: name)) != nil
    }

    @Test func everyFixtureGivesItsHeaderThroughTheBandPath() throws {
        #expect(Self.files.count >= 60)
        let decoder = ImageDecoder()
        var banded = 0
        for file in Self.files {
            let bytes = try FileBytes.read(TestPaths.fixture(file).path)
            guard Self.decodes(bytes, name: file) else { continue }
            let header = try decoder.header(of: bytes, name: file)
            #expect(try decoder.verify(bytes, name: file, minimumPixels: 0) == header, "\(file)")
            #expect(try decoder.verify(bytes, name: file) == header, "\(file) decoded whole")
            // The one-column resize verify runs where the band path applies.
            let width = header.width == 1 ? 2 : 1
            let column: RasterImage? = switch header.format {
            case .png: try decoder.resizedLuminance(bytes, name: file, width: width, height: header.height, filter: .box,
                                                    minimumPixels: 0)
            case .jpeg: try decoder.resizedJPEGLuminance(bytes, name: file, width: width, height: header.height, filter: .box)
            case .tiff: try decoder.resizedTIFFLuminance(bytes, name: file, width: width, height: header.height, filter: .box)
            case .bmp: nil
            }
            if column != nil { banded += 1 }
            if header.format == .tiff, let fromFile = try decoder.verifyTIFF(file: TestPaths.fixture(file).path, minimumPixels: 0) {
                #expect(fromFile == header, "\(file) read from the file")
            }
        }
        // Interlaced, 16-bit and CMYK files decode whole; the rest take the band path.
        #expect(banded >= 50, "only \(banded) files took the band path")
    }

    @Test func aDamagedFileGetsTheWholeDecodesVerdict() throws {
        let decoder = ImageDecoder()
        let folder = try TemporaryFolder("verify")
        var refused = 0
        for file in Self.files {
            let whole = try FileBytes.read(TestPaths.fixture(file).path)
            // Cut short at several points (the header kept or not), and single bytes inverted through the file.
            var damaged = [0.3, 0.6, 0.9, 0.99].map { Array(whole.prefix(Int(Double(whole.count) * $0))) }
            damaged.append(Array(whole.dropLast()))
            for part in 1...6 {
                var copy = whole
                copy[whole.count * part / 7] ^= 0xFF
                damaged.append(copy)
            }
            for (index, bytes) in damaged.enumerated() {
                let name = "\(file)#\(index)"
                let expected = Self.decodes(bytes, name: name)
                let verified = (try? decoder.verify(bytes, name: name, minimumPixels: 0)) != nil
                #expect(verified == expected, "\(name): verify \(verified), whole decode \(expected)")
                if !expected { refused += 1 }
                guard file.hasPrefix("tiff/") else { continue }
                let path = try folder.write(Data(bytes), to: "damaged.tif")
                if try decoder.verifyTIFF(file: path, minimumPixels: 0) != nil {
                    #expect(expected, "\(name): the file path passed what the whole decode refuses")
                }
            }
        }
        #expect(refused >= 200, "only \(refused) damaged copies were refused")
    }

    @Test func aSizeWhoseProductOverflowsIsRefusedNotATrap() throws {
        // The bmp fuzz target's find (2026-12-07, seconds after verify joined it): a BMP header claiming
        // 4278190100 x 2466381784 pixels, whose product overflows Int. verify, and add-images before it, trapped on
        // width * height; so did the text of the tooLarge error that decode throws for it.
        func le(_ value: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        let bytes: [UInt8] = Array("BM".utf8) + le(70, 4) + le(0, 4) + le(54, 4) + le(40, 4) + le(0xFF00_0014, 4)
            + le(0x9301_FFD8, 4) + le(1, 2) + le(24, 2) + [UInt8](repeating: 0, count: 24) + [UInt8](repeating: 7, count: 16)
        let header = try ImageDecoder().header(of: bytes, name: "huge.bmp")
        #expect(header.width == 4_278_190_100 && header.height == 2_466_381_784 && header.pixels == nil)
        let expected = "huge.bmp: 4278190100x2466381784 is too many pixels, over the limit of \(ImageDecoder().pixelLimit); "
            + "raise the limit with SKYCORPUS_PIXEL_LIMIT if the image is genuine"
        for minimum in [0, ImageDecoder.streamingMinimumPixels] {
            let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().verify(bytes, name: "huge.bmp", minimumPixels: minimum) }
            #expect(error?.description == expected)
        }
        let error = #expect(throws: ImageError.self) { _ = try ImageDecoder().decode(bytes, name: "huge.bmp") }
        #expect(error?.description == expected)
        #expect(ImageHeader.pixelCount(width: 20_000, height: 20_000) == 400_000_000)
        #expect(ImageHeader.pixelCount(width: Int.max / 2, height: 3) == nil)
    }

    @Test func overTheBudgetOrMissingIsRefusedNamingTheFile() throws {
        let path = TestPaths.fixture("tiff/rgb_tiff_lzw.tif").path
        let small = ImageDecoder(pixelLimit: 10)
        for minimum in [0, ImageDecoder.streamingMinimumPixels] {
            #expect {
                _ = try small.verify(try FileBytes.read(path), name: "big.tif", minimumPixels: minimum)
            } throws: { error in
                guard case ImageError.tooLarge(let name, _, _, 10) = error else { return false }
                return name == "big.tif"
            }
            #expect {
                _ = try small.verifyTIFF(file: path, minimumPixels: minimum)
            } throws: { error in
                guard case ImageError.tooLarge(let name, _, _, 10) = error else { return false }
                return name == path
            }
        }
        let folder = try TemporaryFolder("verify-missing")
        let missing = folder.path("missing.tif")
        #expect {
            _ = try ImageDecoder().verifyTIFF(file: missing)
        } throws: { error in
            guard case ImageError.unreadable(let name, _) = error else { return false }
            return name == missing
        }
        // Not a TIFF, or under the size the band path is for: nil, and the caller verifies the bytes.
        #expect(try ImageDecoder().verifyTIFF(file: TestPaths.fixture("codec/rgb.png").path, minimumPixels: 0) == nil)
        #expect(try ImageDecoder().verifyTIFF(file: path) == nil)
    }
}
