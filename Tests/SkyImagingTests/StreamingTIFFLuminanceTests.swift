import Foundation
import SkyImaging
import SkyTestSupport
import Testing

/// The banded TIFF path (`resizedTIFFLuminance`, from bytes and from the file itself) gives the bytes of decoding whole,
/// converting to "L" and resizing, on every decoded layout, compression, strip and tile arrangement of the fixtures; it
/// declines (nil) elsewhere.
@Suite struct StreamingTIFFLuminanceTests {
    static let files: [String] = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.fixture("tiff").path))?
        .filter { $0.hasSuffix(".tif") }.sorted() ?? []

    @Test func everyDecodedFixtureGivesTheWholeImageBytes() throws {
        #expect(Self.files.count >= 30)
        var streamedCount = 0
        for file in Self.files where !file.hasPrefix("unsupported_") {
            let path = TestPaths.fixture("tiff/" + file).path
            let bytes = try FileBytes.read(path)
            let whole = try ImageDecoder().decodeLuminance(bytes, name: file)
            for (width, height) in [(32, 32), (9, 8), (8, 8), (max(1, whole.width - 1), whole.height)] {
                let fromFile = try ImageDecoder().resizedTIFFLuminance(file: path, width: width, height: height, filter: .lanczos)
                guard let streamed = try ImageDecoder().resizedTIFFLuminance(bytes, name: file, width: width, height: height,
                                                                             filter: .lanczos) else {
                    #expect(fromFile == nil, "\(file) to \(width)x\(height): the file path streamed, the bytes path not")
                    continue
                }
                streamedCount += 1
                #expect(fromFile == streamed, "\(file) to \(width)x\(height) read from the file")
                #expect(streamed == PillowResample.resizeLuminance(whole, width: width, height: height, filter: .lanczos),
                        "\(file) to \(width)x\(height)")
            }
        }
        // Most fixtures take the path (a few are too small or too tall for a horizontal-first resize).
        #expect(streamedCount >= 60, "only \(streamedCount) streamed resizes")
    }

    @Test func itDeclinesWhereItDoesNotApply() throws {
        let decoder = ImageDecoder()
        for file in Self.files where file.hasPrefix("unsupported_") {
            let bytes = try FileBytes.read(TestPaths.fixture("tiff/" + file).path)
            #expect(try decoder.resizedTIFFLuminance(bytes, name: file, width: 32, height: 32, filter: .lanczos) == nil, "\(file)")
        }
        let rgb = try FileBytes.read(TestPaths.fixture("tiff/rgb_tiff_lzw.tif").path)
        #expect(try decoder.resizedTIFFLuminance(rgb, name: "n.tif", width: 32, height: 32, filter: .nearest) == nil)
        #expect(try decoder.resizedTIFFLuminance(Array(rgb.prefix(rgb.count / 2)), name: "cut.tif", width: 32, height: 32,
                                                 filter: .lanczos) == nil)
        let png = try FileBytes.read(TestPaths.fixture("codec/rgb.png").path)
        #expect(try decoder.resizedTIFFLuminance(png, name: "x.png", width: 32, height: 32, filter: .lanczos) == nil)
        #expect(try decoder.resizedTIFFLuminance(file: TestPaths.fixture("codec/rgb.png").path, width: 32, height: 32,
                                                 filter: .lanczos) == nil)
        // Over the pixel budget: refused as decode refuses it, before any band is read.
        let small = ImageDecoder(pixelLimit: 10)
        #expect(throws: ImageError.self) {
            _ = try small.resizedTIFFLuminance(rgb, name: "big.tif", width: 32, height: 32, filter: .lanczos)
        }
    }

    @Test func theFilePathDeclinesOrThrowsNamingTheFile() throws {
        let decoder = ImageDecoder()
        let folder = try TemporaryFolder("tiff-file")
        let rgb = try FileBytes.read(TestPaths.fixture("tiff/rgb_tiff_lzw.tif").path)
        // Cut short, 7 bytes, empty: nil, and the whole decode then reports the damage.
        for (name, bytes) in [("cut.tif", Array(rgb.prefix(rgb.count / 2))), ("seven.tif", Array(rgb.prefix(7))), ("empty.tif", [])] {
            let path = try folder.write(Data(bytes), to: name)
            #expect(try decoder.resizedTIFFLuminance(file: path, width: 32, height: 32, filter: .lanczos) == nil, "\(name)")
        }
        // A missing file, or a folder, throws, naming it.
        for path in [folder.path("missing.tif"), folder.url.path] {
            #expect {
                _ = try decoder.resizedTIFFLuminance(file: path, width: 32, height: 32, filter: .lanczos)
            } throws: { error in
                guard case ImageError.unreadable(let named, _) = error else { return false }
                return named == path
            }
        }
        // Over the pixel budget: refused, naming the file, before any strip is read.
        let whole = try folder.write(Data(rgb), to: "whole.tif")
        #expect {
            _ = try ImageDecoder(pixelLimit: 10).resizedTIFFLuminance(file: whole, width: 32, height: 32, filter: .lanczos)
        } throws: { error in
            "\(error)".contains(whole)
        }
    }
}
