import Foundation
import SkyTestSupport
import SkyImaging

/// Locates the committed parity fixtures and the optional real-data folder.
enum FixtureSupport {
    /// The `Fixtures` resource folder of this test target.
    static var fixtures: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    /// `<package root>/../shared/realdata`, where the genuine dataset samples live when present.
    static var realData: URL { TestPaths.realData }

    /// Whether the real-data folder is present.
    static var hasRealData: Bool { TestPaths.hasRealData }

    /// Decodes a JSON fixture.
    static func load<T: Decodable>(_ type: T.Type, _ relativePath: String) throws -> T {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(relativePath))
        return try JSONDecoder().decode(type, from: data)
    }

    /// Bytes from lower-case hex.
    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8? = nil
        for character in hex.utf8 {
            let value: UInt8 = character <= 57 ? character - 48 : character - 87
            if let pending = high {
                out.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return out
    }
}
