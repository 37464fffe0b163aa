import Foundation
import SkyTestSupport
import SkyImaging
@testable import SkyDatasets

/// A dataset folder built on the fly in a temporary directory, removed when the value goes away.
final class TempDataset {
    let root: String

    init(_ name: String = "dataset") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("skydatasets-\(UUID().uuidString)")
        root = base.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Writes a text file, creating its folders.
    func write(_ relative: String, _ text: String) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    /// Writes a gray PNG (or JPEG for .jpg names) of the given size.
    func image(_ relative: String, width: Int, height: Int, value: UInt8 = 0) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let raster = RasterImage(width: width, height: height, layout: .gray, filledWith: value)
        let bytes = relative.hasSuffix(".jpg") ? try ImageEncoder.jpeg(raster) : try ImageEncoder.png(raster)
        try FileBytes.write(bytes, to: full)
    }
}

/// The shared real samples, `<package root>/../shared/realdata`, when present.
enum RealData {
    static let root: String = TestPaths.realData.path

    static var available: Bool { DatasetFiles.isDirectory(root) }

    static func path(_ relative: String) -> String { root + "/" + relative }
}

/// The test bundle's fixture files.
enum Fixtures {
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
