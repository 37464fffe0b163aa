import Foundation

/// A codec's fixture list, `Fixtures/FORMAT/FORMAT.json`, written with Pillow 13 as the reference by
/// Scripts/tiff_fixtures.py (TIFF) and Scripts/bmp_fixtures.py (BMP): the supported files with Pillow's mode, size
/// and pixel SHA-256, and the refused ones with the reason.
struct CodecFixture: Decodable {
    struct Supported: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var mode: String
        var width: Int
        var height: Int
        var sha256: String
        var description: String { file }
    }

    struct Unsupported: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var reason: String
        var description: String { file }
    }

    var pillow: String
    var supported: [Supported]
    var unsupported: [Unsupported]

    static let tiff = load("tiff")
    static let bmp = load("bmp")

    private static func load(_ format: String) -> CodecFixture {
        try! JSONDecoder().decode(CodecFixture.self,
                                  from: Data(contentsOf: TestPaths.fixture("\(format)/\(format).json")))
    }
}
