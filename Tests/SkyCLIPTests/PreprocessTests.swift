import Foundation
import SkyHashing
import SkyImaging
import SkyTestSupport
import Testing
@testable import SkyCLIP

/// The shared real-data samples (``TestPaths``), as this target's tests name them.
let realData: URL = TestPaths.realData
let hasRealData = TestPaths.hasRealData

@Suite struct PreprocessTests {
    /// Real RSICD JPEGs and DOTA/iSAID/LEVIR/imagehash PNGs (portrait, landscape, RGBA, grey) crop to the same
    /// bytes as open_clip's transform, and the normalised tensors match its float32 values exactly.
    @Test(.enabled(if: hasRealData, "needs ../shared/realdata"))
    func matchesOpenClipOnRealImages() throws {
        let root = try #require(try Fixtures.json("preprocess.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count >= 20)
        var decoded: [String: RasterImage] = [:]
        for item in cases {
            let file = try #require(item["file"] as? String)
            let size = try #require(item["size"] as? Int)
            let path = file.hasPrefix("fixture:") ? Fixtures.url("images/" + file.dropFirst(8)).path
                : realData.appendingPathComponent(file).path
            let preprocessor = CLIPPreprocessor(imageSize: size)
            // The file path runs the whole pipeline, including the NEAREST rule for palette and 1-bit PNGs.
            #expect(try preprocessor.tensor(file: path) == preprocessor.normalize(
                preprocessor.crop(try decoded[file] ?? ImageDecoder().decode(file: path), nearest: file.hasPrefix("fixture:"))))
            let header = try ImageDecoder().header(ofFile: path)
            let nearest = header.isPalette || (header.bitDepth == 1 && header.sourceChannels == 1)
            let image = try decoded[file] ?? ImageDecoder().decode(file: path)
            decoded[file] = image
            let crop = preprocessor.crop(image, nearest: nearest)
            #expect(SHA256.hex(of: crop.pixels) == item["cropSHA256"] as? String, "\(file) at \(size)")
            let tensor = preprocessor.normalize(crop)
            let samples = try #require(item["samples"] as? [[Double]])
            for sample in samples {
                #expect(tensor[Int(sample[0])] == Float(sample[1]), "\(file) at \(size), element \(Int(sample[0]))")
            }
        }
    }

    /// Decoding a large JPEG at reduced DCT scale first stays close to the exact path (documented speed path).
    @Test(.enabled(if: hasRealData, "needs ../shared/realdata"))
    func reducedJPEGDecodeStaysClose() throws {
        let png = try ImageDecoder().decode(file: realData.appendingPathComponent("dota/demo/images/P0004.png").path)
        let jpeg = try ImageEncoder.jpeg(png, quality: 95)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skyclip-\(UUID().uuidString).jpg").path
        try Data(jpeg).write(to: URL(fileURLWithPath: path))
        let exact = try CLIPPreprocessor(imageSize: 224).tensor(file: path)
        let fast = try CLIPPreprocessor(imageSize: 224, reducedJPEGDecode: true).tensor(file: path)
        let meanAbs = zip(exact, fast).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(exact.count)
        #expect(exact != fast)
        // Normalised units (std ~0.27 per 1.0 of pixel range): a mean difference under ~1.5 grey levels.
        #expect(meanAbs < 0.025, "mean absolute difference \(meanAbs)")
    }
}
