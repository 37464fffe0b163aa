import Foundation
@testable import SkyHashing
import SkyImaging
import Testing

@Suite("perceptual hasher")
struct PerceptualHasherTests {
    /// A textured RGB image: structure at the scale of the whole image (as photographs have) plus noise.
    static func texture(width: Int, height: Int) -> RasterImage {
        var image = RasterImage(width: width, height: height, layout: .rgb)
        var state: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_103_515_245 &+ 12345
                let u = Double(x) / Double(width), v = Double(y) / Double(height)
                let base = 128.0 + 60.0 * sin(7.0 * u + 2.0) * cos(5.0 * v - 1.0) + 30.0 * sin(11.0 * u * v)
                for channel in 0..<3 {
                    let noise = Double((state >> (8 * UInt32(channel))) & 31) - 16
                    image.pixels[(y * width + x) * 3 + channel] = UInt8(max(0, min(255, base + noise)))
                }
            }
        }
        return image
    }

    @Test("fast mode picks the largest DCT scale that keeps the shorter side at the minimum")
    func fastScale() {
        #expect(PerceptualHasher.fastScale(width: 4000, height: 3000, minimumSide: 64) == .eighth)
        #expect(PerceptualHasher.fastScale(width: 600, height: 256, minimumSide: 64) == .quarter)
        #expect(PerceptualHasher.fastScale(width: 256, height: 255, minimumSide: 64) == .quarter)
        #expect(PerceptualHasher.fastScale(width: 256, height: 250, minimumSide: 64) == .half)
        #expect(PerceptualHasher.fastScale(width: 100, height: 127, minimumSide: 64) == .full)
        #expect(PerceptualHasher.fastScale(width: 100, height: 127, minimumSide: 32) == .half)
        // The default keeps 256 px: 1/8 only from 2048 px up.
        #expect(PerceptualHasher.fastScale(width: 4000, height: 2048) == .eighth)
        #expect(PerceptualHasher.fastScale(width: 4000, height: 2040) == .quarter)
        #expect(PerceptualHasher.fastScale(width: 1024, height: 1024) == .quarter)
        #expect(PerceptualHasher.fastScale(width: 384, height: 384) == .full)
    }

    @Test("fast mode equals exact mode on PNGs and on JPEGs too small to scale")
    func fastEqualsExactWhereNoScaling() throws {
        let image = Self.texture(width: 120, height: 90)
        for bytes in [try ImageEncoder.png(image), try ImageEncoder.jpeg(image, quality: 90)] {
            let exact = try PerceptualHasher(mode: .exact).hash(bytes: bytes, name: "texture")
            let fast = try PerceptualHasher(mode: .fast).hash(bytes: bytes, name: "texture")
            #expect(exact == fast)
        }
    }

    @Test("hashing encoded bytes equals hashing the decoded image, every kind and PNG layout, and JPEG")
    func bytesEqualDecodedImage() throws {
        let rgb = Self.texture(width: 150, height: 110)
        var images = [rgb]
        // Gray, gray+alpha and RGBA versions of the same texture, with a varying alpha.
        let count = rgb.width * rgb.height
        let gray = (0..<count).map { rgb.pixels[$0 * 3 + 1] }
        let alpha = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7) }
        images.append(RasterImage(width: rgb.width, height: rgb.height, layout: .gray, pixels: gray))
        var grayAlpha: [UInt8] = [], rgba: [UInt8] = []
        for pixel in 0..<count {
            grayAlpha += [gray[pixel], alpha[pixel]]
            rgba += rgb.pixels[(pixel * 3)..<(pixel * 3 + 3)]
            rgba.append(alpha[pixel])
        }
        images.append(RasterImage(width: rgb.width, height: rgb.height, layout: .grayAlpha, pixels: grayAlpha))
        images.append(RasterImage(width: rgb.width, height: rgb.height, layout: .rgba, pixels: rgba))
        for image in images {
            var encoded = [("PNG", try ImageEncoder.png(image))]
            if image.layout == .rgb { encoded.append(("JPEG", try ImageEncoder.jpeg(image))) }
            for (format, bytes) in encoded {
                let decoded = try ImageDecoder().decode(bytes, name: "texture")
                for kind in HashKind.allCases {
                    let hasher = PerceptualHasher(kind: kind)
                    #expect(try hasher.hash(bytes: bytes, name: "texture") == hasher.hash(decoded),
                            "\(kind) \(format) \(image.layout)")
                }
            }
        }
    }

    @Test("fast mode on a large JPEG stays within a few bits of exact mode")
    func fastIsClose() throws {
        let bytes = try ImageEncoder.jpeg(Self.texture(width: 2100, height: 2050), quality: 90)
        let exact = try PerceptualHasher(mode: .exact).hash(bytes: bytes, name: "large")
        let fast = try PerceptualHasher(mode: .fast).hash(bytes: bytes, name: "large")
        #expect(exact.distance(to: fast) <= 6, "exact \(exact) fast \(fast)")
    }

    @Test("a batch lists each undecodable file with its reason and hashes the rest")
    func batchFailures() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skyhash-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.png").path
        let bad = folder.appendingPathComponent("bad.png").path
        let truncated = folder.appendingPathComponent("truncated.jpg").path
        try ImageEncoder.write(Self.texture(width: 40, height: 30), to: good)
        try FileBytes.write(Array("plain text".utf8), to: bad)
        let jpeg = try ImageEncoder.jpeg(Self.texture(width: 64, height: 64))
        try FileBytes.write(Array(jpeg.prefix(jpeg.count / 2)), to: truncated)
        let missing = folder.appendingPathComponent("missing.png").path
        let results = PerceptualHasher().hash(files: [good, bad, truncated, missing], workers: 2)
        #expect(try results[0].get() == PerceptualHasher().hash(file: good))
        for (index, path) in [(1, bad), (2, truncated), (3, missing)] {
            guard case .failure(let error) = results[index] else {
                Issue.record("\(path) should fail")
                continue
            }
            #expect(error.path == path)
        }
    }

    @Test("a batch returns every file's hash in input order for any worker count, and reports each file once")
    func batchOrderAndProgress() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skyhash-order-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Different sizes give different hashes and uneven work per file.
        var paths: [String] = []
        for index in 0..<24 {
            let path = folder.appendingPathComponent("image\(index).png").path
            try ImageEncoder.write(Self.texture(width: 20 + 7 * index, height: 90 - 3 * index), to: path)
            paths.append(path)
        }
        paths.insert(folder.appendingPathComponent("missing.png").path, at: 5)
        let expected = paths.map { path in try? PerceptualHasher().hash(file: path) }
        #expect(Set(expected.compactMap { $0 }).count > 12)
        for workers in [1, 2, 3, 64] {
            let reports = ProgressLog()
            let results = PerceptualHasher().hash(files: paths, workers: workers) { done, total in
                reports.append(done, total)
            }
            #expect(results.map { try? $0.get() } == expected, "workers \(workers)")
            #expect(reports.entries == (1...paths.count).map { [$0, paths.count] }, "workers \(workers)")
        }
        #expect(PerceptualHasher().hash(files: [], workers: 4).isEmpty)
    }

    @Test("hashes print as 16 hex digits and parse back")
    func hexRoundTrip() {
        let hash = Hash64(bits: 0x0026_273B_2B19_550E)
        #expect(hash.description == "0026273b2b19550e")
        #expect(Hash64(hex: "0026273b2b19550e") == hash)
        #expect(Hash64(hex: "xyz") == nil)
    }
}

/// Progress reports as the batch delivers them (serialised by the batch, locked here for the checker).
private final class ProgressLog: @unchecked Sendable {
    private var reports: [[Int]] = []
    private let lock = NSLock()

    func append(_ done: Int, _ total: Int) { lock.withLock { reports.append([done, total]) } }
    var entries: [[Int]] { lock.withLock { reports } }
}
