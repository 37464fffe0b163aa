import Foundation
import SkyTestSupport
import SkyHashing
import SkyImaging

/// Where the tests find their fixtures and the shared real data.
enum TestPaths {
    /// The package root and `../shared/realdata` beside it, from the shared test support.
    static let packageRoot: URL = SkyTestSupport.TestPaths.packageRoot
    static let realData: URL = SkyTestSupport.TestPaths.realData

    /// Whether the shared real data is present.
    static let hasRealData = SkyTestSupport.TestPaths.hasRealData

    /// A file in this target's Fixtures folder.
    static func fixture(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }
}

/// One entry of Fixtures/pillow_decode.json, written by Scripts/pillow_decode_fixtures.py.
struct PillowDecodeEntry: Decodable {
    struct Scaled: Decodable {
        var width: Int
        var height: Int
        var sha256: String
    }

    var file: String
    var layout: String
    var width: Int
    var height: Int
    var sha256: String
    var scales: [String: Scaled]?
    var rgbPixels: [UInt8]?

    enum CodingKeys: String, CodingKey {
        case file, layout, width, height, sha256, scales
        case rgbPixels = "rgb_pixels"
    }

    /// The file on disk, or nil when it lives in absent real data.
    var url: URL? {
        if file.hasPrefix("realdata/") {
            guard TestPaths.hasRealData else { return nil }
            return TestPaths.realData.appendingPathComponent(String(file.dropFirst("realdata/".count)))
        }
        return TestPaths.fixture(file)
    }

    static func load() throws -> [PillowDecodeEntry] {
        struct File: Decodable { var files: [PillowDecodeEntry] }
        let data = try Data(contentsOf: TestPaths.fixture("pillow_decode.json"))
        return try JSONDecoder().decode(File.self, from: data).files
    }
}

extension RasterImage {
    /// SHA-256 of the pixel bytes, to compare with Pillow's.
    var pixelDigest: String { SHA256.hex(of: pixels) }
}

