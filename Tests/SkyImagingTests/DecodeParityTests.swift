import Foundation
import SkyImaging
import Testing

/// Decoding matches Pillow pixel for pixel (Fixtures/pillow_decode.json).
@Suite struct DecodeParityTests {
    let entries: [PillowDecodeEntry]

    init() throws { entries = try PillowDecodeEntry.load() }

    @Test func codecSamplesMatchPillow() throws {
        let samples = entries.filter { $0.file.hasPrefix("codec/") && !$0.file.contains("cmyk") }
        #expect(samples.count >= 12)
        for entry in samples {
            let image = try ImageDecoder().decode(file: try #require(entry.url).path)
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
            #expect(image.layout.description == entry.layout, "\(entry.file)")
            #expect(image.pixelDigest == entry.sha256, "\(entry.file) pixels differ from Pillow")
        }
    }

    @Test(.enabled(if: TestPaths.hasRealData, "needs ../shared/realdata"))
    func realImagesMatchPillow() throws {
        let real = entries.filter { $0.file.hasPrefix("realdata/") }
        #expect(real.count >= 40)
        var jpegs = 0
        for entry in real {
            guard let url = entry.url else { continue }
            let image = try ImageDecoder().decode(file: url.path)
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
            #expect(image.layout.description == entry.layout, "\(entry.file)")
            #expect(image.pixelDigest == entry.sha256, "\(entry.file) pixels differ from Pillow")
            if entry.file.hasSuffix(".jpg") { jpegs += 1 }
        }
        #expect(jpegs >= 6)
    }

    @Test func scaledJPEGMatchesPillowDraft() throws {
        let jpegs = entries.filter { $0.scales?.isEmpty == false && $0.url != nil }
        #expect(jpegs.count >= 3)
        for entry in jpegs {
            let path = try #require(entry.url).path
            for (key, expected) in try #require(entry.scales) {
                let scale = try #require(JPEGScale(rawValue: Int(key) ?? 0))
                let image = try ImageDecoder().decode(file: path, jpegScale: scale)
                let denominator = scale.rawValue
                #expect(image.width == (entry.width + denominator - 1) / denominator, "\(entry.file) 1/\(key)")
                #expect(image.height == (entry.height + denominator - 1) / denominator, "\(entry.file) 1/\(key)")
                #expect(image.width == expected.width && image.height == expected.height)
                #expect(image.pixelDigest == expected.sha256, "\(entry.file) at 1/\(key) differs from Pillow")
            }
        }
    }

    @Test func cmykJPEGBecomesRGBCloseToPillow() throws {
        let entry = try #require(entries.first { $0.file == "codec/cmyk.jpg" })
        let image = try ImageDecoder().decode(file: try #require(entry.url).path)
        #expect(image.layout == .rgb)
        let expected = try #require(entry.rgbPixels)
        let worst = zip(image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst <= 2, "CMYK conversion differs from Pillow's by \(worst)")
    }
}
