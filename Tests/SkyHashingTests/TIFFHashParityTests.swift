import Foundation
import SkyHashing
import SkyImaging
import Testing

/// imagehash 4.3.2 on Pillow 13 for the TIFF fixtures of SkyImagingTests, as Scripts/tiff_fixtures.py recorded them.
struct TIFFHashFixture: Decodable {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var phash: String
        var dhash: String
        var ahash: String
        var description: String { file }
    }

    var imagehash: String
    var files: [Entry]

    static let shared = try! FixtureSupport.load(TIFFHashFixture.self, "tiff_hashes.json")

    /// The TIFFs themselves live once, in SkyImagingTests' fixtures.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SkyImagingTests/Fixtures/tiff")
}

@Suite("imagehash parity on TIFF")
struct TIFFHashParityTests {
    @Test func everySupportedFixtureHasHashes() {
        #expect(TIFFHashFixture.shared.imagehash == "4.3.2")
        #expect(TIFFHashFixture.shared.files.count >= 30)
    }

    @Test("phash, dhash and ahash of each TIFF equal imagehash's", arguments: TIFFHashFixture.shared.files)
    func hashesEqualImagehash(entry: TIFFHashFixture.Entry) throws {
        let path = TIFFHashFixture.folder.appendingPathComponent(entry.file).path
        for (kind, expected) in [(HashKind.phash, entry.phash), (.dhash, entry.dhash), (.ahash, entry.ahash)] {
            for mode in HashMode.allCases {
                let hash = try PerceptualHasher(kind: kind, mode: mode).hash(file: path)
                #expect(hash.description == expected, "\(entry.file) \(kind) \(mode): \(hash) != imagehash \(expected)")
            }
        }
    }
}
