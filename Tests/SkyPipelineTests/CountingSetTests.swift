import Foundation
import GRDB
import SkyPipeline
import SkyStorage
import SkyTestSupport
import SkyText
import Testing

/// RemoteCount-style counting sets from boxes: one true caption per image, the right counts, nothing written on bad input.
@Suite struct CountingSetTests {
    /// DOTA-style labels: `objects` per image as (class, difficulty).
    static func dota(_ folder: TemporaryFolder, _ images: [[(String, Int)]]) throws -> Corpus {
        try folder.writeImages(images.count, in: "dota/images", width: 200, height: 200)
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("dota/labelTxt"), withIntermediateDirectories: true)
        for (index, objects) in images.enumerated() {
            let lines = objects.enumerated().map { number, object in
                let x = Double(number % 15) * 12 + 2, y = Double(number / 15) * 12 + 2
                return "\(x) \(y) \(x + 8) \(y) \(x + 8) \(y + 8) \(x) \(y + 8) \(object.0) \(object.1)"
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: folder.path(String(format: "dota/labelTxt/img%03d.txt", index)),
                                                             atomically: true, encoding: .utf8)
        }
        let corpus = try folder.newCorpus()
        _ = try DatasetIngest.run(IngestRequest(name: "dota", root: folder.path("dota")), into: corpus)
        return corpus
    }

    /// The output goes into a folder that does not exist yet (created, as every export does).
    @Test func eachImageHasOneTrueCaptionAndItsCount() throws {
        let folder = try TemporaryFolder("counting")
        let corpus = try Self.dota(folder, [
            Array(repeating: ("plane", 0), count: 3) + [("ship", 0)],                  // plane 3
            Array(repeating: ("small-vehicle", 0), count: 12) + [("ship", 0), ("ship", 1)], // ship 2 (12 is out of range)
            Array(repeating: ("small-vehicle", 0), count: 11),                          // nothing in range
            [("plane", 2), ("plane", 0), ("plane", 0)],                                 // plane count unknown (ignored box)
            [("harbor", 0)],                                                            // harbor 1
        ])
        let summary = try CountingSetStep.run(CountingSetRequest(dataset: "dota"), corpus: corpus, output: folder.path("sets/count.jsonl"))
        #expect(summary.images == 3 && summary.skipped == 2)
        #expect(summary.counts == ["1": 1, "2": 1, "3": 1] && summary.classes == ["harbor": 1, "plane": 1, "ship": 1])
        let set = try #require(try corpus.read { try $0.countingSet(named: "dota") })
        #expect(set.items.map(\.count) == [3, 2, 1] && set.items.map(\.className) == ["plane", "ship", "harbor"])
        for item in set.items {
            #expect(item.captions.count == 10 && Set(item.captions).count == 10)
            let truth = item.captions[item.count - 1]
            #expect(truth == CountingCaptions().caption(count: item.count, className: item.className))
            #expect(truth.contains(" \(CountingCaptions.word(item.count)) "))
            // Exactly one caption names the true number; the others differ only in the number (and its noun's number).
            #expect(item.captions.filter { $0.contains(" \(CountingCaptions.word(item.count)) ") }.count == 1)
        }
        #expect(set.items[0].captions[2] == "a photo of three planes." && set.items[2].captions[0] == "a photo of one harbor.")
        let lines = try String(contentsOfFile: folder.path("sets/count.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[0].contains("\"answer\":2") && lines[0].contains("\"count\":3"))
        // A re-run replaces the set: same items.
        _ = try CountingSetStep.run(CountingSetRequest(dataset: "dota"), corpus: corpus, output: folder.path("sets/count.jsonl"))
        #expect(try corpus.read { try $0.countingSet(named: "dota") } == set)
    }

    @Test func aDatasetWithoutBoxesOrACountlessOneWritesNothing() throws {
        let folder = try TemporaryFolder("counting-bad")
        try folder.writeImages(2, in: "plain")
        let corpus = try folder.newCorpus()
        try corpus.write { transaction in
            let dataset = try transaction.insertDataset(DatasetRecord(name: "plain", root: folder.path("plain")))
            let root = try transaction.root(dataset: dataset, path: folder.path("plain"))
            _ = try transaction.registerImage(dataset: dataset, root: root, path: "img000.png", split: nil, width: 16, height: 12, sha256: "a")
        }
        let error = #expect(throws: CorpusError.self) {
            _ = try CountingSetStep.run(CountingSetRequest(dataset: "plain"), corpus: corpus, output: folder.path("plain.jsonl"))
        }
        #expect(error?.description.contains("'plain' has no objects") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path("plain.jsonl")))
        #expect(try corpus.read { try $0.countingSet(named: "plain") } == nil)
    }

    /// The real DOTA sample: every item's count equals an independent count of its label file's non-ignored objects.
    @Test(.enabled(if: TestPaths.hasRealData, "../shared/realdata is absent"))
    func realDOTACountsMatchTheLabelFiles() throws {
        let folder = try TemporaryFolder("counting-real")
        let corpus = try folder.newCorpus()
        let root = TestPaths.realData("dota/demo")
        _ = try DatasetIngest.run(IngestRequest(name: "dota-demo", root: root.path), into: corpus)
        let summary = try CountingSetStep.run(CountingSetRequest(dataset: "dota-demo", range: 1...20), corpus: corpus,
                                              output: folder.path("demo.jsonl"))
        let set = try #require(try corpus.read { try $0.countingSet(named: "dota-demo") })
        #expect(summary.images == set.items.count && !set.items.isEmpty)
        for item in set.items {
            let label = root.appendingPathComponent("labelTxt/\(URL(fileURLWithPath: item.path).deletingPathExtension().lastPathComponent).txt")
            var counts: [String: Int] = [:], ignored = Set<String>()
            for line in try String(contentsOf: label, encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 10 else { continue }
                let name = ClassTable.standard.singular(raw: String(fields[8]), dataset: "dota")
                if fields[9] == "2" { ignored.insert(name) } else { counts[name, default: 0] += 1 }
            }
            #expect(counts[item.className] == item.count && !ignored.contains(item.className), "\(item.path)")
        }
    }
}
