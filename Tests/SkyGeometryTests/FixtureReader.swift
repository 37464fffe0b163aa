import Foundation
import SkyTestSupport
import Testing
@testable import SkyGeometry

/// Reads the little-endian binary fixtures written by `Scripts/opencv_fixtures.py`.
struct FixtureReader {
    let bytes: [UInt8]
    var offset = 0

    init(named name: String) throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil),
                               "fixture \(name) is missing; run Scripts/opencv_fixtures.py")
        bytes = [UInt8](try Data(contentsOf: url))
    }

    mutating func magic(_ expected: String) throws {
        let text = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
        offset += 4
        try #require(text == expected, "fixture magic \(text), expected \(expected)")
    }

    mutating func u8() -> UInt8 {
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> Int {
        defer { offset += 2 }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
    }

    mutating func i16() -> Int {
        Int(Int16(bitPattern: UInt16(u16())))
    }

    mutating func u32() -> Int {
        defer { offset += 4 }
        var value = 0
        for index in 0..<4 { value |= Int(bytes[offset + index]) << (8 * index) }
        return value
    }

    mutating func i32() -> Int {
        Int(Int32(bitPattern: UInt32(u32())))
    }

    mutating func f32() -> Float {
        Float(bitPattern: UInt32(u32()))
    }

    mutating func f64() -> Double {
        let low = UInt64(u32()), high = UInt64(u32())
        return Double(bitPattern: low | high << 32)
    }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    var isAtEnd: Bool { offset == bytes.count }
}

/// Where the shared real-data samples live: `<package root>/../shared/realdata`.
enum RealData {
    static let root: URL = TestPaths.realData

    static var isAvailable: Bool { TestPaths.hasRealData }

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}
