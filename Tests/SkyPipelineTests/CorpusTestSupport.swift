import Foundation
import SkyPipeline
import SkyStorage
import SkyImaging
import SkyTestSupport

extension TemporaryFolder {
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
