import Foundation
import SkyImaging
import Testing

/// Pillow's `Image.resize` output for each committed input, filter and size (Scripts/imagehash_fixtures.py).
struct PillowResizeFixture: Decodable {
    struct Case: Decodable {
        var input: String
        var filter: String
        var width: Int
        var height: Int
        var mode: String
        var pixels: String
    }
    var pillow: String
    var cases: [Case]
}

@Suite("Pillow resampling parity")
struct PillowResampleParityTests {
    static let fixture = try! FixtureSupport.load(PillowResizeFixture.self, "pillow/resize.json")

    static var filterNames: [String] { PillowFilter.allCases.map(\.rawValue) }

    @Test("every case equals Pillow byte for byte", arguments: filterNames)
    func matchesPillow(filterName: String) throws {
        let filter = try #require(PillowFilter(rawValue: filterName))
        let cases = Self.fixture.cases.filter { $0.filter == filterName }
        #expect(cases.count >= 40)
        var decoded: [String: RasterImage] = [:]
        var mismatches: [String] = []
        for item in cases {
            let input = try decoded[item.input] ?? ImageDecoder().decode(
                file: FixtureSupport.fixtures.appendingPathComponent("pillow/inputs/" + item.input).path)
            decoded[item.input] = input
            let output = PillowResample.resize(input, width: item.width, height: item.height, filter: filter)
            #expect(output.layout.description == item.mode)
            let expected = FixtureSupport.bytes(hex: item.pixels)
            if output.pixels != expected {
                let differing = zip(output.pixels, expected).filter { $0 != $1 }.count
                mismatches.append("\(item.input) -> \(item.width)x\(item.height): \(differing) bytes differ")
            }
        }
        #expect(mismatches.isEmpty, "\(filterName): \(mismatches.joined(separator: "; "))")
    }

    @Test("Pillow 12 pass order differs from Pillow 13 on a tall image")
    func passOrderMatters() throws {
        let input = try ImageDecoder().decode(
            file: FixtureSupport.fixtures.appendingPathComponent("pillow/inputs/gray_7x90.png").path)
        let pillow13 = PillowResample.resize(input, width: 5, height: 40, filter: .lanczos)
        let pillow12 = PillowResample.resize(input, width: 5, height: 40, filter: .lanczos,
                                             passOrder: .horizontalFirst)
        #expect(pillow13 != pillow12)
    }
}

/// Random sizes, modes and filters over noise that both sides generate from a seed.
struct PillowRandomResizeFixture: Decodable {
    struct Case: Decodable {
        var mode: String
        var filter: String
        var seed: UInt32
        var `in`: [Int]
        var out: [Int]
        var pixels: String
    }
    var pillow: String
    var cases: [Case]
}

@Suite("Pillow resampling parity, random sizes")
struct PillowRandomResizeTests {
    /// The LCG of Scripts/imagehash_fixtures.py (`lcg_pixels`).
    static func noise(seed: UInt32, count: Int) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
    }

    @Test("300 random resizes (1-100 px in, 1-24 px out, L/RGB/RGBA, all filters) equal Pillow's")
    func randomCases() throws {
        let fixture = try FixtureSupport.load(PillowRandomResizeFixture.self, "pillow/random_resize.json")
        #expect(fixture.cases.count == 300)
        var mismatches: [String] = []
        for item in fixture.cases {
            let layout: PixelLayout = item.mode == "L" ? .gray : (item.mode == "RGB" ? .rgb : .rgba)
            let filter = try #require(PillowFilter(rawValue: item.filter))
            let input = RasterImage(width: item.in[0], height: item.in[1], layout: layout,
                                    pixels: Self.noise(seed: item.seed, count: item.in[0] * item.in[1] * layout.channels))
            let output = PillowResample.resize(input, width: item.out[0], height: item.out[1], filter: filter)
            if output.pixels != FixtureSupport.bytes(hex: item.pixels) {
                mismatches.append("\(item.mode) \(item.filter) \(item.in) -> \(item.out)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ: \(mismatches.prefix(10).joined(separator: "; "))")
    }
}
