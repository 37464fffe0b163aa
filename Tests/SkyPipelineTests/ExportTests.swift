import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyImaging
import Testing

/// Exports: open_clip CSV, JSONL and WebDataset shards hold exactly the selected pairs.
@Suite struct ExportTests {
    /// A corpus with 3 images, captions from two sources, and image 2 marked as a duplicate of image 1.
    func corpusWithCaptions(_ folder: TemporaryFolder) throws -> Corpus {
        try folder.writeImages(3, in: "set")
        let corpus = try folder.newCorpus()
        _ = try ImageRegistration(dataset: "set", folder: folder.path("set"), split: "train").run(in: corpus)
        try corpus.pool.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM image ORDER BY path")
            for (index, id) in ids.enumerated() {
                var human = CaptionRecord(imageId: id, text: "Image \(index) with a \"quoted\"\ttab.", source: .human)
                try human.insert(db)
                var b2c = CaptionRecord(imageId: id, text: "There are \(index + 1) ships.", source: .b2c, rule: "count")
                try b2c.insert(db)
            }
            try db.execute(sql: "UPDATE image SET duplicate_of = ? WHERE id = ?", arguments: [ids[0], ids[2]])
        }
        return corpus
    }

    @Test func csvIsOneRowPerPairWithQuoting() throws {
        let folder = try TemporaryFolder("csv")
        let corpus = try corpusWithCaptions(folder)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        #expect(items.count == 2)
        let summary = try ExportWriter.write(items, format: .csv, to: folder.path("out.csv"))
        #expect(summary.captions == 4)
        let lines = try String(contentsOfFile: folder.path("out.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "filepath\ttitle")
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix(folder.path("set/img000.png") + "\t\"Image 0 with a \"\"quoted\"\"\ttab.\""))
        #expect(lines[2] == Substring(folder.path("set/img000.png") + "\tThere are 1 ships."))
        #expect(!lines.contains { $0.contains("img002.png") }, "a duplicate was exported")
    }

    @Test func selectionFiltersBySourceSplitAndDuplicates() throws {
        let folder = try TemporaryFolder("select")
        let corpus = try corpusWithCaptions(folder)
        let b2c = try ExportQuery.items(in: corpus, selection: ExportSelection(sources: [.b2c], includeDuplicates: true))
        #expect(b2c.count == 3 && b2c.allSatisfy { $0.captions.map(\.source) == [.b2c] })
        #expect(try ExportQuery.items(in: corpus, selection: ExportSelection(splits: ["test"])).isEmpty)
        #expect(throws: CorpusError.self) { _ = try ExportQuery.items(in: corpus, selection: ExportSelection(datasets: ["nope"])) }
    }

    @Test func jsonlHoldsEveryCaptionPerImage() throws {
        let folder = try TemporaryFolder("jsonl")
        let corpus = try corpusWithCaptions(folder)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        _ = try ExportWriter.write(items, format: .jsonl, to: folder.path("out.jsonl"))
        let lines = try String(contentsOfFile: folder.path("out.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["path"] as? String == "img000.png")
        #expect(first?["split"] as? String == "train")
        #expect((first?["captions"] as? [[String: Any]])?.count == 2)
    }

    @Test func webDatasetShardsAreValidTarsWithAllSamples() throws {
        let folder = try TemporaryFolder("wds")
        let corpus = try corpusWithCaptions(folder)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        let summary = try ExportWriter.write(items, format: .webdataset, to: folder.path("shards"), shardSize: 3,
                                             layout: .perCaption)
        #expect(summary.files.count == 2)
        var names: [String] = []
        for shard in summary.files {
            let entries = try TarReader.entries(try FileBytes.read(shard))
            names += entries.map(\.name)
            for entry in entries where entry.name.hasSuffix(".png") {
                let image = try ImageDecoder().decode(entry.bytes, name: entry.name)
                #expect(image.width == 16 && image.height == 12)
            }
            for entry in entries where entry.name.hasSuffix(".txt") {
                #expect(String(decoding: entry.bytes, as: UTF8.self).hasSuffix("."))
            }
        }
        #expect(names.filter { $0.hasSuffix(".txt") }.count == 4)
        #expect(names.filter { $0.hasSuffix(".png") }.count == 4)
        #expect(names.filter { $0.hasSuffix(".json") }.count == 4)
        #expect(names.allSatisfy { $0.split(separator: ".").count == 2 }, "keys must not contain dots")
    }
    @Test func promptsAreExportedPerImageAndAsTheirOwnFile() throws {
        let folder = try TemporaryFolder("prompts")
        let corpus = try corpusWithCaptions(folder)
        try corpus.pool.write { db in
            let dataset = try Int64.fetchOne(db, sql: "SELECT id FROM dataset")!
            let image = try Int64.fetchOne(db, sql: "SELECT id FROM image ORDER BY path LIMIT 1")!
            try db.execute(sql: "INSERT INTO prompt (dataset_id, template_set, class, text) VALUES (?, 'segclip', 'ship', 'a photo with a ship')",
                           arguments: [dataset])
            try db.execute(sql: "INSERT INTO prompt (dataset_id, image_id, template_set, class, text) VALUES (?, ?, 'segclip', 'water', 'a photo with a water')",
                           arguments: [dataset, image])
        }
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        #expect(items[0].prompts.map(\.text) == ["a photo with a water"])
        #expect(items[1].prompts.isEmpty)
        let prompts = try ExportQuery.prompts(in: corpus)
        let summary = try ExportWriter.writePrompts(prompts, to: folder.path("prompts.jsonl"))
        #expect(summary.prompts == 2 && summary.images == 1)
        let lines = try String(contentsOfFile: folder.path("prompts.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let perImage = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(perImage?["image"] as? String == "img000.png")
        #expect(perImage?["class_name"] as? String == "water")
        #expect(throws: CorpusError.self) { _ = try ExportQuery.prompts(in: corpus, selection: ExportSelection(datasets: ["nope"])) }
    }
    @Test func missingFilesAreLeftOutAndCounted() throws {
        let folder = try TemporaryFolder("missing")
        let corpus = try corpusWithCaptions(folder)
        try FileManager.default.removeItem(atPath: folder.path("set/img001.png"))
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection(includeDuplicates: true))
        let summary = try ExportWriter.write(items, format: .csv, to: folder.path("out.csv"))
        #expect(summary.images == 2 && summary.missingFiles == 1 && summary.firstMissing?.hasSuffix("img001.png") == true)
        let text = try String(contentsOfFile: folder.path("out.csv"), encoding: .utf8)
        #expect(!text.contains("img001.png"))
        // Sources are typed: a misspelt one cannot reach the query (the CLI refuses it while parsing).
        #expect(CaptionSource(rawValue: "B2C") == nil)
    }

    @Test func shardsReplaceEarlierOnesAndAFailedExportLeavesThemAlone() throws {
        let folder = try TemporaryFolder("swap")
        let corpus = try corpusWithCaptions(folder)
        let all = try ExportQuery.items(in: corpus, selection: ExportSelection(includeDuplicates: true))
        let first = try ExportWriter.write(all, format: .webdataset, to: folder.path("shards"), shardSize: 1, layout: .perCaption)
        #expect(first.files.count == 6)
        let fewer = try ExportQuery.items(in: corpus, selection: ExportSelection(sources: [.b2c]))
        let second = try ExportWriter.write(fewer, format: .webdataset, to: folder.path("shards"), shardSize: 10)
        #expect(second.files.count == 1)
        var names = try FileManager.default.contentsOfDirectory(atPath: folder.path("shards")).sorted()
        #expect(names == ["shard-000000.tar"], "stale shards must go")
        // A sample that is not PNG or JPEG fails the export; the previous shards stay untouched.
        try Data("BM not a png".utf8).write(to: URL(fileURLWithPath: folder.path("set/img000.png")))
        #expect(throws: CorpusError.self) {
            _ = try ExportWriter.write(all, format: .webdataset, to: folder.path("shards"), shardSize: 1)
        }
        names = try FileManager.default.contentsOfDirectory(atPath: folder.path("shards")).sorted()
        #expect(names == ["shard-000000.tar"])
        #expect(!FileManager.default.fileExists(atPath: folder.path("shards.partial")))
        // TIFF decodes since SkyImaging reads it, but a WebDataset sample is still PNG or JPEG: refused by name.
        try Data([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]).write(to: URL(fileURLWithPath: folder.path("set/img000.png")))
        let tiffError = #expect(throws: CorpusError.self) {
            _ = try ExportWriter.write(all, format: .webdataset, to: folder.path("shards"), shardSize: 1)
        }
        #expect(tiffError?.description.contains("(TIFF/BMP) to PNG first") == true)
    }
}

/// Reads ustar archives back, checking each header's checksum.
enum TarReader {
    struct Entry {
        var name: String
        var bytes: [UInt8]
    }

    struct Malformed: Error {}

    static func entries(_ archive: [UInt8]) throws -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        while offset + 512 <= archive.count {
            let header = Array(archive[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { break }
            let stored = Int(String(decoding: header[148..<154], as: UTF8.self), radix: 8)
            var blanked = header
            for index in 148..<156 { blanked[index] = UInt8(ascii: " ") }
            guard stored == blanked.reduce(0, { $0 + Int($1) }) else { throw Malformed() }
            let name = String(decoding: header[0..<100].prefix { $0 != 0 }, as: UTF8.self)
            guard let size = Int(String(decoding: header[124..<135], as: UTF8.self), radix: 8) else { throw Malformed() }
            entries.append(Entry(name: name, bytes: Array(archive[offset + 512..<offset + 512 + size])))
            offset += 512 + (size + 511) / 512 * 512
        }
        return entries
    }
}
