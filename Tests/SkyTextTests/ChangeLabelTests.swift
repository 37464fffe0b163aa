import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyGeometry
import SkyImaging
import Testing
@testable import SkyText

/// Binary change labels become changed/unchanged whatever their stored values, layout or format, and change
/// sentences size regions by their pixels.
@Suite struct ChangeLabelTests {
    /// One change pair's label, written into a CDD-style folder (A/, B/, OUT/).
    struct LabelCase {
        var name: String
        var image: RasterImage
        /// The size the pair's images have in the corpus (the label's own size unless a test says otherwise).
        var imageWidth: Int
        var imageHeight: Int
    }

    /// A 64 x 64 label of `layout` with `fill(x, y)` as every colour channel.
    static func label(_ layout: PixelLayout = .gray, width: Int = 64, height: Int = 64,
                      _ fill: (Int, Int) -> UInt8) -> RasterImage {
        var image = RasterImage(width: width, height: height, layout: layout)
        for y in 0..<height {
            for x in 0..<width {
                let offset = image.offset(x: x, y: y)
                for channel in 0..<layout.channels {
                    image.pixels[offset + channel] = layout.hasAlpha && channel == layout.channels - 1 ? 255 : fill(x, y)
                }
            }
        }
        return image
    }

    /// 255 inside the 20 x 20 block at (22, 22), 0 elsewhere: 400 of 4096 pixels (9.8%).
    static func block(_ x: Int, _ y: Int) -> UInt8 { x >= 22 && x < 42 && y >= 22 && y < 42 ? 255 : 0 }

    /// Runs the change step over a corpus holding one pair per case (labels under OUT/) and returns each
    /// pair's sentences by label name; the folder is removed afterwards.
    static func sentences(for cases: [LabelCase]) throws -> [String: [ChangeSentence]] {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("skytext-changelabel-\(getpid())-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("OUT"), withIntermediateDirectories: true)
        let corpus = try Corpus(path: folder.appendingPathComponent("corpus.sqlite").path, create: true)
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO dataset (id, name, root) VALUES (1, 'cdd', ?)", arguments: [folder.path])
            try db.execute(sql: "INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, ?)", arguments: [folder.path])
        }
        for (index, item) in cases.enumerated() {
            try ImageEncoder.write(item.image, to: folder.appendingPathComponent("OUT/\(item.name)").path)
            let stem = (item.name as NSString).deletingPathExtension
            try corpus.pool.write { db in
                for (offset, side) in ["A", "B"].enumerated() {
                    try db.execute(sql: "INSERT INTO image (id, dataset_id, root_id, path, width, height) VALUES (?, 1, 1, ?, ?, ?)",
                                   arguments: [index * 2 + offset + 1, "\(side)/\(stem).jpg", item.imageWidth, item.imageHeight])
                }
                try db.execute(sql: """
                    INSERT INTO change_pair (dataset_id, before_image_id, after_image_id, label_path) VALUES (1, ?, ?, ?)
                    """, arguments: [index * 2 + 1, index * 2 + 2, "OUT/\(item.name)"])
            }
        }
        var result: [String: [ChangeSentence]] = [:]
        _ = try ChangeAndPromptStoreTests.changeStore().run(on: corpus, datasets: [], dryRun: false, each: {
            result[($0.label as NSString).lastPathComponent] = $0.sentences
        })
        return result
    }

    static func texts(_ sentences: [ChangeSentence]?, _ rule: ChangeRule) -> [String] {
        (sentences ?? []).filter { $0.rule == rule }.map(\.text)
    }

    static func words(_ text: String) -> [Substring] { text.split(separator: " ") }

    @Test("one connected blob stored as 254 and 255 is one changed area")
    func mixedValuesBlobIsOneArea() throws {
        let image = Self.label { x, y in Self.block(x, y) == 0 ? 0 : (x < 32 ? 254 : 255) }
        let result = try Self.sentences(for: [LabelCase(name: "mixed.png", image: image, imageWidth: 64, imageHeight: 64)])
        let counts = Self.texts(result["mixed.png"], .count)
        #expect(!counts.isEmpty)
        #expect(counts.allSatisfy { Self.words($0).contains("one") && !Self.words($0).contains("two") })
    }

    @Test("a 20 x 20 block in 64 x 64 reads about 10%, by pixels, in the total and the largest-region sentences")
    func sizesArePixelCounts() throws {
        // Eight pairs (different identities, so different phrasings) to see both the total-share and the
        // largest-region phrasings of the same 20 x 20 block.
        let cases = (0..<8).map { index in LabelCase(name: "block\(index).png", image: Self.label { Self.block($0, $1) },
                                            imageWidth: 64, imageHeight: 64) }
        let result = try Self.sentences(for: cases)
        let sizes = cases.flatMap { Self.texts(result[$0.name], .size) }
        #expect(sizes.contains { $0.contains("largest") } && sizes.contains { !$0.contains("largest") }, "\(sizes)")
        #expect(sizes.allSatisfy { $0.contains("about 10%") && !$0.contains("9%") }, "\(sizes)")
        // The same facts straight from M2B: 400 pixels, where the contour area says 361.
        let generator = try ChangeSentenceGenerator(phrasings: try ChangePhrasings.standard())
        let region = try #require(M2B.boxes(in: try LabelMask(width: 64, height: 64,
                                                              values: Self.label { Self.block($0, $1) }.pixels.map { $0 / 255 }),
                                            classValue: 1, options: M2BOptions(countPixels: true)).first)
        #expect(region.pixelCount == 400 && region.contourArea == 361)
        let facts = ChangeFacts(regions: [ChangeRegion(box: region.box.axisBox, pixelCount: region.pixelCount ?? 0)],
                                imageSize: ImageSize(width: 64, height: 64), changedPixels: nil,
                                phrasings: generator.phrasings)
        #expect(ChangeSentenceGenerator.percent(facts.changedShare) == "10%")
        #expect(ChangeSentenceGenerator.percent(facts.largestShare) == "10%")
    }

    @Test("an RGB 0/255 PNG, a CDD JPEG under OUT/ and a 0/1 PNG are binary labels too")
    func colourJPEGAndZeroOneLabels() throws {
        let cases = [
            LabelCase(name: "rgb.png", image: Self.label(.rgb, Self.block), imageWidth: 64, imageHeight: 64),
            LabelCase(name: "rgba.png", image: Self.label(.rgba, Self.block), imageWidth: 64, imageHeight: 64),
            LabelCase(name: "cdd.jpg", image: Self.label(.rgb, Self.block), imageWidth: 64, imageHeight: 64),
            LabelCase(name: "zeroone.png", image: Self.label { Self.block($0, $1) / 255 }, imageWidth: 64, imageHeight: 64),
            LabelCase(name: "red.png", image: Self.label(.rgb) { _, _ in 0 }, imageWidth: 64, imageHeight: 64),
        ]
        // A pure red change mark (255, 0, 0) counts as change: the largest colour channel is its gray value.
        var red = cases[4]
        for y in 22..<42 { for x in 22..<42 { red.image.pixels[red.image.offset(x: x, y: y)] = 255 } }
        let result = try Self.sentences(for: Array(cases.prefix(4)) + [red])
        for name in ["rgb.png", "rgba.png", "cdd.jpg", "zeroone.png", "red.png"] {
            let counts = Self.texts(result[name], .count)
            #expect(!counts.isEmpty && counts.allSatisfy { Self.words($0).contains("one") }, "\(name): \(counts)")
            #expect(Self.texts(result[name], .size).allSatisfy { $0.contains("about 10%") }, "\(name)")
        }
    }

    @Test("a label of another size than its image stops the step, naming the label")
    func sizeMismatchIsAnError() throws {
        let small = LabelCase(name: "small.png", image: Self.label(width: 32, height: 32) { _, _ in 255 },
                              imageWidth: 64, imageHeight: 64)
        let error = #expect(throws: GeometryError.self) { try Self.sentences(for: [small]) }
        #expect(error.map { "\($0)" }?.contains("OUT/small.png") == true)
        #expect(error.map { "\($0)" }?.contains("32x32") == true)
    }

    @Test("a file that is no image stops the step with an error naming it")
    func unreadableLabelIsAnError() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("skytext-changelabel-bad-\(getpid())-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let corpus = try Corpus(path: folder.appendingPathComponent("corpus.sqlite").path, create: true)
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("bad.png"))
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO dataset (id, name, root) VALUES (1, 'cdd', ?)", arguments: [folder.path])
            try db.execute(sql: "INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, ?)", arguments: [folder.path])
            try db.execute(sql: "INSERT INTO image (id, dataset_id, root_id, path) VALUES (1, 1, 1, 'A/x.png'), (2, 1, 1, 'B/x.png')")
            try db.execute(sql: "INSERT INTO change_pair (dataset_id, before_image_id, after_image_id, label_path) VALUES (1, 1, 2, 'bad.png')")
        }
        let error = #expect(throws: GeometryError.self) {
            try ChangeAndPromptStoreTests.changeStore().run(on: corpus, datasets: [], dryRun: false)
        }
        #expect(error.map { "\($0)" }?.contains("bad.png") == true)
        #expect(try ChangeAndPromptStoreTests.rows(corpus, "SELECT count(*) FROM caption") == ["0"])
    }

    @Test("M2B pixel counts: a block, a one-pixel line, a ring without its hole, a region inside a hole")
    func m2bPixelCounts() throws {
        // 12 x 8: a 3 x 2 block, a 1 x 5 vertical line, and a 5 x 5 ring (16 pixels) holding one pixel.
        var values = [UInt8](repeating: 0, count: 12 * 8)
        for y in 0..<2 { for x in 0..<3 { values[y * 12 + x] = 1 } }
        for y in 3..<8 { values[y * 12 + 1] = 1 }
        for y in 2..<7 { for x in 5..<10 where y == 2 || y == 6 || x == 5 || x == 9 { values[y * 12 + x] = 1 } }
        values[4 * 12 + 7] = 1
        let mask = try LabelMask(width: 12, height: 8, values: values)
        let counted = M2B.boxes(in: mask, classValue: 1, options: M2BOptions(countPixels: true))
        let plain = M2B.boxes(in: mask, classValue: 1)
        // Counting pixels changes nothing else: same boxes, same order, same contour areas.
        #expect(counted.map(\.box) == plain.map(\.box) && counted.map(\.contourArea) == plain.map(\.contourArea))
        #expect(plain.allSatisfy { $0.pixelCount == nil })
        let byBox = Dictionary(uniqueKeysWithValues: counted.map { ($0.box, $0.pixelCount) })
        #expect(counted.count == 3)
        #expect(byBox[PixelRect(x: 0, y: 0, width: 3, height: 2)] == 6)
        #expect(byBox[PixelRect(x: 1, y: 3, width: 1, height: 5)] == 5)
        #expect(byBox[PixelRect(x: 5, y: 2, width: 5, height: 5)] == 16)
    }

    @Test("real LEVIR-CD labels: regions and shares match an independent 8-connected pixel count",
          .enabled(if: RealData.isPresent))
    func realLEVIRCD() throws {
        let labels = RealData.files(in: "levir-cd/label", suffix: ".png")
        #expect(labels.count >= 10)
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("skytext-levir-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = try Corpus(path: folder.appendingPathComponent("corpus.sqlite").path, create: true)
        let root = RealData.path("levir-cd")
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO dataset (id, name, root) VALUES (1, 'levir-cd', ?)", arguments: [root])
            try db.execute(sql: "INSERT INTO dataset_root (id, dataset_id, path) VALUES (1, 1, ?)", arguments: [root])
            for (index, label) in labels.enumerated() {
                let name = (label as NSString).lastPathComponent
                for (offset, side) in ["A", "B"].enumerated() {
                    let header = try ImageDecoder().header(ofFile: RealData.path("levir-cd/\(side)/\(name)"))
                    try db.execute(sql: "INSERT INTO image (id, dataset_id, root_id, path, width, height) VALUES (?, 1, 1, ?, ?, ?)",
                                   arguments: [index * 2 + offset + 1, "\(side)/\(name)", header.width, header.height])
                }
                try db.execute(sql: """
                    INSERT INTO change_pair (dataset_id, before_image_id, after_image_id, label_path) VALUES (1, ?, ?, ?)
                    """, arguments: [index * 2 + 1, index * 2 + 2, "label/\(name)"])
            }
        }
        var seen: [String: [ChangeSentence]] = [:]
        let summary = try ChangeAndPromptStoreTests.changeStore().run(on: corpus, datasets: [], dryRun: false, each: {
            seen[($0.label as NSString).lastPathComponent] = $0.sentences
        })
        #expect(summary.pairs == labels.count && summary.unchangedPairs == 1)
        let numberWords = try ChangePhrasings.standard().numberWords
        for label in labels {
            let name = (label as NSString).lastPathComponent
            let image = try ImageDecoder().decode(file: RealData.path(label))
            let components = Self.componentSizes(image)
            let sentences = try #require(seen[name])
            if components.isEmpty {
                #expect(sentences.allSatisfy { $0.rule == .noChange }, "\(name)")
                continue
            }
            let pixels = Double(image.width * image.height)
            let word = components.count <= 10 ? numberWords[components.count] : "many"
            let counts = Self.texts(sentences, .count)
            #expect(!counts.isEmpty && counts.allSatisfy { Self.words($0).contains(Substring(word)) }, "\(name): \(counts)")
            let total = ChangeSentenceGenerator.percent(Double(components.reduce(0, +)) / pixels)
            let largest = ChangeSentenceGenerator.percent(Double(components.max() ?? 0) / pixels)
            for text in Self.texts(sentences, .size) {
                #expect(text.contains("about \(text.contains("largest") ? largest : total) of"), "\(name): \(text)")
            }
        }
    }

    /// The sizes of the 8-connected regions of pixels above 127 (first channel), by a plain flood fill.
    static func componentSizes(_ image: RasterImage) -> [Int] {
        let width = image.width, height = image.height
        var changed = (0..<(width * height)).map { image.pixels[$0 * image.channels] > 127 }
        var sizes: [Int] = []
        for start in changed.indices where changed[start] {
            changed[start] = false
            var pending = [start], size = 0
            while let index = pending.popLast() {
                size += 1
                let x = index % width, y = index / width
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) where changed[ny * width + nx] {
                        changed[ny * width + nx] = false
                        pending.append(ny * width + nx)
                    }
                }
            }
            sizes.append(size)
        }
        return sizes
    }
}
