import Foundation
@testable import SkyHashing
import SkyImaging
import Testing

/// imagehash 4.3.2 (and imagededup 0.3.3) on Pillow 13, as Scripts/imagehash_fixtures.py recorded them.
struct HashFixture: Decodable {
    struct Entry: Decodable {
        var file: String
        var mode: String
        var phash: String
        var dhash: String
        var ahash: String
        var l32: String
        var phash_imagededup: String?
    }
    var pillow: String
    var imagehash: String
    var synthetic: [Entry]
    var real: [Entry]
}

@Suite("imagehash parity")
struct HashParityTests {
    static let fixture = try! FixtureSupport.load(HashFixture.self, "hashes.json")

    /// Compares every hash of each entry; returns one line per difference.
    static func differences(_ entries: [HashFixture.Entry], root: URL) throws -> [String] {
        var lines: [String] = []
        for entry in entries {
            let image = try ImageDecoder().decode(file: root.appendingPathComponent(entry.file).path)
            let gray = PillowResample.resize(PillowConvert.luminance(image), width: 32, height: 32, filter: .lanczos)
            if gray.pixels != FixtureSupport.bytes(hex: entry.l32) {
                lines.append("\(entry.file): the 32x32 L image differs from Pillow's")
            }
            var expected: [(HashKind, String)] = [(.phash, entry.phash), (.dhash, entry.dhash), (.ahash, entry.ahash)]
            if let dedup = entry.phash_imagededup { expected.append((.phashImagededup, dedup)) }
            for (kind, hex) in expected {
                let hash = PerceptualHasher(kind: kind).hash(image)
                if hash.description != hex { lines.append("\(entry.file) \(kind): \(hash) != imagehash \(hex)") }
            }
        }
        return lines
    }

    @Test("synthetic images: tiny, wide, tall, gray, RGBA, LA, palette, JPEG, flat, ramps")
    func synthetic() throws {
        #expect(Self.fixture.synthetic.count >= 45)
        let lines = try Self.differences(Self.fixture.synthetic, root: FixtureSupport.fixtures)
        #expect(lines.isEmpty, "\(lines.joined(separator: "\n"))")
    }

    @Test("real dataset samples", .enabled(if: FixtureSupport.hasRealData))
    func real() throws {
        #expect(Self.fixture.real.count >= 60)
        let lines = try Self.differences(Self.fixture.real, root: FixtureSupport.realData)
        #expect(lines.isEmpty, "\(lines.joined(separator: "\n"))")
    }

    @Test("imagehash's own test vectors", .enabled(if: FixtureSupport.hasRealData))
    func knownVectors() throws {
        let path = FixtureSupport.realData.appendingPathComponent("hash-images/imagehash.png").path
        #expect(try PerceptualHasher(kind: .phash).hash(file: path).description == "ba8c84536bd3c366")
        #expect(try PerceptualHasher(kind: .ahash).hash(file: path).description == "ffd7918181c9ffff")
        #expect(try PerceptualHasher(kind: .dhash).hash(file: path).description == "0026273b2b19550e")
    }
}
