import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyImaging
import Testing

/// WebDataset layouts, unreadable images in exports, JSONL nulls and CSV repeats.
@Suite struct ExportLayoutTests {
    /// `count` noisy RGB PNGs (they barely compress, so image bytes dominate a shard) with `captions` captions each:
    /// b2c ones first, then one human caption when `human`.
    func corpusWithNoisyImages(_ folder: TemporaryFolder, count: Int = 3, captions: Int = 5,
                               human: Bool = true) throws -> Corpus {
        let directory = folder.url.appendingPathComponent("noisy")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var random = SplitMix64(seed: 19)
        for index in 0..<count {
            var image = RasterImage(width: 192, height: 192, layout: .rgb)
            for byte in image.pixels.indices { image.pixels[byte] = UInt8.random(in: 0...255, using: &random) }
            try ImageEncoder.write(image, to: directory.appendingPathComponent(String(format: "n%02d.png", index)).path)
        }
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "noisy", folder: directory.path, split: "train").run(in: corpus)
        try corpus.pool.write { db in
            for (index, id) in try Int64.fetchAll(db, sql: "SELECT id FROM image ORDER BY path").enumerated() {
                for number in 0..<(captions - (human ? 1 : 0)) {
                    var b2c = CaptionRecord(imageId: id, text: "There are \(number + 1) ships in scene \(index).",
                                            source: .b2c, rule: "count")
                    try b2c.insert(db)
                }
                if human {
                    var caption = CaptionRecord(imageId: id, text: "A harbour, scene \(index).", source: .human)
                    try caption.insert(db)
                }
            }
        }
        return corpus
    }

    func imageBytes(_ folder: TemporaryFolder) throws -> Int {
        let directory = folder.path("noisy")
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .reduce(0) { $0 + (try FileBytes.read(directory + "/" + $1)).count }
    }

    @Test func perImageSamplesStoreEachImageOnceWithEveryCaption() throws {
        let folder = try TemporaryFolder("wds-per-image")
        let corpus = try corpusWithNoisyImages(folder)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        let summary = try ExportWriter.write(items, format: .webdataset, to: folder.path("shards"), shardSize: 2)
        #expect(summary.layout == .perImage && summary.samples == 3 && summary.images == 3 && summary.captions == 15)
        var shardBytes = 0, textBytes = 0
        var members: [String: [String]] = [:]
        for shard in summary.files {
            let archive = try FileBytes.read(shard)
            shardBytes += archive.count
            #expect(Array(archive[257..<262]) == Array("ustar".utf8))
            for entry in try TarReader.entries(archive) {
                let parts = entry.name.split(separator: ".", omittingEmptySubsequences: false)
                #expect(parts.count == 2, "keys must not contain dots: \(entry.name)")
                members[String(parts[0]), default: []].append(String(parts[1]))
                if parts[1] != "png" { textBytes += entry.bytes.count }
                if parts[1] == "txt" {
                    #expect(String(decoding: entry.bytes, as: UTF8.self).hasPrefix("A harbour"), "txt is the human caption")
                }
                if parts[1] == "json" {
                    let object = try JSONSerialization.jsonObject(with: Data(entry.bytes)) as? [String: Any]
                    #expect((object?["captions"] as? [[String: Any]])?.count == 5)
                    #expect(object?["split"] as? String == "train" && object?["width"] as? Int == 192)
                }
            }
        }
        #expect(members.count == 3)
        #expect(members.values.allSatisfy { $0.sorted() == ["json", "png", "txt"] }, "one image member per sample")
        let payload = try imageBytes(folder) + textBytes
        #expect(Double(shardBytes) <= 1.1 * Double(payload), "per-image shards \(shardBytes) B for \(payload) B of payload")

        // Per caption: five samples per image, each with the image's bytes.
        let perCaption = try ExportWriter.write(items, format: .webdataset, to: folder.path("pairs"), layout: .perCaption)
        #expect(perCaption.samples == 15 && perCaption.captions == 15)
        let pairBytes = try perCaption.files.reduce(0) { $0 + (try FileBytes.read($1)).count }
        #expect(pairBytes > 4 * shardBytes)
    }

    @Test func theTrainingCaptionIsTheFirstHumanOneElseAStablePick() throws {
        let folder = try TemporaryFolder("wds-caption")
        let corpus = try corpusWithNoisyImages(folder, captions: 4, human: false)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        let picks = items.map { WebDatasetWriter.trainingCaption(of: $0)?.text }
        #expect(picks == items.map { WebDatasetWriter.trainingCaption(of: $0)?.text })
        #expect(zip(items, picks).allSatisfy { item, pick in item.captions.contains { $0.text == pick } })
        var withHuman = items[0]
        withHuman.captions.append(.init(text: "first human", source: .human, rule: nil))
        withHuman.captions.append(.init(text: "second human", source: .human, rule: nil))
        #expect(WebDatasetWriter.trainingCaption(of: withHuman)?.text == "first human")
        // The pick depends on the image id, not on the order of the items.
        let reversed = Array(items.reversed()).map { WebDatasetWriter.trainingCaption(of: $0)?.text }
        #expect(reversed == Array(picks.reversed()))
    }

    @Test func imagesMarkedUnreadableAreLeftOutOfEveryExportAndCounted() throws {
        let folder = try TemporaryFolder("unreadable-export")
        let corpus = try corpusWithNoisyImages(folder)
        let ids = try corpus.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM image ORDER BY path") }
        try corpus.write { try $0.markUnreadable([(id: ids[1], reason: "truncated")]) }
        let selection = ExportSelection()
        let items = try ExportQuery.items(in: corpus, selection: selection)
        #expect(items.map(\.imageId) == [ids[0], ids[2]])
        let marked = try ExportQuery.unreadableCount(in: corpus, selection: selection)
        #expect(marked == 1)
        for format in [ExportFormat.csv, .jsonl, .webdataset] {
            let summary = try ExportWriter.write(items, format: format, to: folder.path("out-\(format)"), markedUnreadable: marked)
            #expect(summary.images == 2 && summary.unreadable == 1, "\(format)")
        }
        #expect(try CorpusStats.read(from: corpus).datasets[0].unreadable == 1)
        // A prompt of the unreadable image is not exported either.
        try corpus.pool.write { db in
            try db.execute(sql: "INSERT INTO prompt (dataset_id, image_id, template_set, text) SELECT dataset_id, id, 's', 'p' FROM image WHERE id = ?",
                           arguments: [ids[1]])
        }
        #expect(try ExportQuery.prompts(in: corpus).isEmpty)
    }

    @Test func webDatasetDecodesImagesNoStepDecodedAndLeavesOutTruncatedOnes() throws {
        let folder = try TemporaryFolder("truncated-export")
        let corpus = try corpusWithNoisyImages(folder)
        let path = folder.path("noisy/n01.png")
        let bytes = try FileBytes.read(path)
        try FileBytes.write(Array(bytes.prefix(bytes.count / 2)), to: path)  // the header stays intact
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        #expect(items.allSatisfy { !$0.decoded })
        let summary = try ExportWriter.write(items, format: .webdataset, to: folder.path("shards"))
        #expect(summary.images == 2 && summary.samples == 2 && summary.unreadable == 1)
        #expect(summary.firstUnreadable == path)
        let names = try summary.files.flatMap { try TarReader.entries(try FileBytes.read($0)).map(\.name) }
        #expect(names.count == 6)
        // An image a step decoded (a stored hash) is trusted and not decoded again.
        try corpus.pool.write { db in try db.execute(sql: "UPDATE image SET phash = 1") }
        #expect(try ExportQuery.items(in: corpus, selection: ExportSelection()).allSatisfy(\.decoded))
    }

    @Test func jsonlWritesAnUnknownSplitAsNull() throws {
        let folder = try TemporaryFolder("jsonl-null")
        let corpus = try corpusWithNoisyImages(folder, count: 1)
        try corpus.pool.write { db in try db.execute(sql: "UPDATE image SET split = NULL") }
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        _ = try ExportWriter.write(items, format: .jsonl, to: folder.path("out.jsonl"))
        let line = try String(contentsOfFile: folder.path("out.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?.keys.contains("split") == true)
        #expect(object?["split"] is NSNull)
        #expect(object?["decoded"] == nil, "the decode flag is not exported")
    }

    @Test func csvWritesEachCaptionTextOncePerImage() throws {
        let folder = try TemporaryFolder("csv-repeats")
        let corpus = try corpusWithNoisyImages(folder, count: 2, captions: 2)
        try corpus.pool.write { db in
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM image ORDER BY path LIMIT 1")!
            // B2C and a human annotator wrote the same sentence.
            var same = CaptionRecord(imageId: id, text: "There are 1 ships in scene 0.", source: .human)
            try same.insert(db)
        }
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        let summary = try ExportWriter.write(items, format: .csv, to: folder.path("out.csv"))
        #expect(summary.captions == 4 && summary.repeatedCaptions == 1)
        let lines = try String(contentsOfFile: folder.path("out.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        #expect(Set(lines).count == lines.count, "a row is repeated")
    }
}
