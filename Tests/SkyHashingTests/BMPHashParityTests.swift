import Foundation
import SkyHashing
import SkyImaging
import Testing

/// imagehash 4.3.2 on Pillow 13 for the BMP fixtures of SkyImagingTests, as Scripts/bmp_fixtures.py recorded them.
struct BMPHashFixture: Decodable {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var phash: String
        var dhash: String
        var ahash: String
        var description: String { file }
    }

    var imagehash: String
    var files: [Entry]

    static let shared = try! FixtureSupport.load(BMPHashFixture.self, "bmp_hashes.json")

    /// The BMPs themselves live once, in SkyImagingTests' fixtures.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SkyImagingTests/Fixtures/bmp")
}

@Suite("imagehash parity on BMP")
struct BMPHashParityTests {
    @Test func everySupportedFixtureHasHashes() {
        #expect(BMPHashFixture.shared.imagehash == "4.3.2")
        #expect(BMPHashFixture.shared.files.count >= 30)
    }

    @Test("phash, dhash and ahash of each BMP equal imagehash's", arguments: BMPHashFixture.shared.files)
    func hashesEqualImagehash(entry: BMPHashFixture.Entry) throws {
        let path = BMPHashFixture.folder.appendingPathComponent(entry.file).path
        for (kind, expected) in [(HashKind.phash, entry.phash), (.dhash, entry.dhash), (.ahash, entry.ahash)] {
            for mode in HashMode.allCases {
                let hash = try PerceptualHasher(kind: kind, mode: mode).hash(file: path)
                #expect(hash.description == expected, "\(entry.file) \(kind) \(mode): \(hash) != imagehash \(expected)")
            }
        }
    }
}
