import Foundation
import SkyCorpusStore
import SkyImaging

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init(_ label: String = "corpus") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("skycorpus-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `count` small distinct PNGs into `folder` (created), named img000.png, img001.png, ...
    func writeImages(_ count: Int, in folder: String, width: Int = 16, height: Int = 12) throws {
        let directory = url.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for index in 0..<count {
            var image = RasterImage(width: width, height: height, layout: .rgb)
            for byte in image.pixels.indices { image.pixels[byte] = UInt8(truncatingIfNeeded: byte * (index + 3)) }
            let name = String(format: "img%03d.png", index)
            try ImageEncoder.write(image, to: directory.appendingPathComponent(name).path)
        }
    }

    func newCorpus() throws -> Corpus { try Corpus(path: path("corpus.sqlite"), create: true) }
}
