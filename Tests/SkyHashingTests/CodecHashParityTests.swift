import Foundation
import SkyHashing
import SkyImaging
import Testing

/// imagehash 4.3.2 on Pillow 13 for the TIFF, BMP and 16-bit fixtures of SkyImagingTests, as Scripts/tiff_fixtures.py,
/// Scripts/bmp_fixtures.py and Scripts/sixteen_bit_fixtures.py recorded them.
struct CodecHashFixture: Decodable {
    struct Entry: Decodable, Sendable {
        var file: String
        var phash: String
        var dhash: String
        var ahash: String
    }

    var imagehash: String
    var files: [Entry]

    /// Each format's image folder under SkyImagingTests' fixtures (the images live there, once) and its hash file.
    static let formats: [(folder: String, hashes: String)] = [("tiff", "tiff_hashes.json"), ("bmp", "bmp_hashes.json"),
                                                              ("sixteen", "sixteen_hashes.json")]

    static let shared: [String: CodecHashFixture] = Dictionary(uniqueKeysWithValues: formats.map { format in
        (format.folder, try! FixtureSupport.load(CodecHashFixture.self, format.hashes))
    })

    static let imageFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SkyImagingTests/Fixtures")
}

/// One fixture image with the hashes imagehash gave it.
struct CodecHashCase: Sendable, CustomStringConvertible {
    let folder: String
    let entry: CodecHashFixture.Entry
    var description: String { "\(folder)/\(entry.file)" }
}

@Suite("imagehash parity on TIFF, BMP and 16-bit PNG and TIFF")
struct CodecHashParityTests {
    static let cases = CodecHashFixture.formats.flatMap { format in
        (CodecHashFixture.shared[format.folder]?.files ?? []).map { CodecHashCase(folder: format.folder, entry: $0) }
    }

    @Test(arguments: CodecHashFixture.formats.map(\.folder))
    func everySupportedFixtureHasHashes(folder: String) throws {
        let fixture = try #require(CodecHashFixture.shared[folder])
        #expect(fixture.imagehash == "4.3.2")
        #expect(fixture.files.count >= (folder == "sixteen" ? 15 : 30))
    }

    @Test("phash, dhash and ahash of each TIFF, BMP and 16-bit file equal imagehash's", arguments: cases)
    func hashesEqualImagehash(_ test: CodecHashCase) throws {
        let path = CodecHashFixture.imageFolder.appendingPathComponent(test.folder).appendingPathComponent(test.entry.file).path
        let entry = test.entry
        for (kind, expected) in [(HashKind.phash, entry.phash), (.dhash, entry.dhash), (.ahash, entry.ahash)] {
            for mode in HashMode.allCases {
                let hash = try PerceptualHasher(kind: kind, mode: mode).hash(file: path)
                #expect(hash.description == expected, "\(test) \(kind) \(mode): \(hash) != imagehash \(expected)")
            }
        }
    }
}
