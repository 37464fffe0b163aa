@testable import SkyHashing
import Testing

/// scipy.fftpack's 2-D DCT outputs, as float64 bit patterns (Scripts/imagehash_fixtures.py).
struct DCTFixture: Decodable {
    struct Case: Decodable {
        var name: String
        var pixels: String
        var low: [String]
    }
    var scipy: String
    var cases: [Case]
}

@Suite("DCT parity with scipy")
struct DCTParityTests {
    @Test("every low-frequency coefficient has scipy's exact bits, symmetric inputs included")
    func bitIdentical() throws {
        let fixture = try FixtureSupport.load(DCTFixture.self, "dct.json")
        #expect(fixture.cases.count >= 30)
        var mismatches: [String] = []
        for item in fixture.cases {
            let low = DCT32.lowFrequencies(of: FixtureSupport.bytes(hex: item.pixels))
            let expected = item.low.compactMap { UInt64($0, radix: 16) }
            #expect(expected.count == 64)
            let differing = zip(low, expected).filter { $0.0.bitPattern != $0.1 }.count
            if differing > 0 { mismatches.append("\(item.name): \(differing) of 64 differ") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "; "))")
    }

    @Test("a transpose-symmetric image keeps scipy's tie-breaking in the phash")
    func symmetricHash() throws {
        let fixture = try FixtureSupport.load(DCTFixture.self, "dct.json")
        let item = try #require(fixture.cases.first { $0.name == "transpose_symmetric" })
        let expected = item.low.compactMap { UInt64($0, radix: 16) }.map { Double(bitPattern: $0) }
        let sorted = expected.sorted()
        let median = (sorted[31] + sorted[32]) / 2
        let bits = expected.map { $0 > median }
        #expect(PerceptualHasher.phashBits(of: FixtureSupport.bytes(hex: item.pixels)) == PerceptualHasher.pack(bits))
    }
}
