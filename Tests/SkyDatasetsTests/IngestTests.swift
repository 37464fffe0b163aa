import Foundation
import GRDB
import Testing
import SkyPipeline
import SkyStorage
import SkySchemas
@testable import SkyDatasets

@Suite("Ingest into the corpus")
struct IngestTests {
    func corpus(_ data: TempDataset) throws -> Corpus {
        try Corpus(path: data.path("../corpus.sqlite"), create: true)
    }

    func count(_ corpus: Corpus, _ sql: String) throws -> Int {
        try corpus.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    func dota() throws -> TempDataset {
        let data = try TempDataset("dota")
        try data.image("images/P1.png", width: 100, height: 100)
        try data.image("images/P2.png", width: 100, height: 100)
        try data.write("labelTxt/P1.txt", "gsd:0.5\n10 10 30 10 30 20 10 20 small-vehicle 0\n5 5 50 5 50 50 5 50 plane 1\n")
        try data.write("labelTxt/P2.txt", "10 10 30 10 30 20 10 20 Expressway-Service-area 2\n")
        return data
    }

    @Test("DOTA: images, objects with clean class names; a re-run adds nothing; --replace re-imports")
    func idempotent() throws {
        let data = try dota()
        let corpus = try corpus(data)
        let request = IngestRequest(name: "dota-v1", root: data.root)
        final class Calls { var done: [Int] = []; var totals = Set<Int>() }
        let calls = Calls()
        let first = try DatasetIngest.run(request, into: corpus) { done, total in
            calls.done.append(done)
            calls.totals.insert(total)
        }
        #expect(calls.done == [1, 2] && calls.totals == [2], "progress per image written")
        #expect(first.format == "dota" && first.detected != nil)
        #expect(first.imagesAdded == 2 && first.objectsAdded == 3)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object WHERE class = 'small vehicle' AND raw_class = 'small-vehicle'") == 1)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object WHERE class = 'expressway service area' AND ignore = 1") == 1)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object WHERE difficult = 1 AND polygon = '[[5,5],[50,5],[50,50],[5,50]]'") == 1)
        #expect(try count(corpus, "SELECT COUNT(*) FROM image WHERE width = 100 AND height = 100") == 2)

        let second = try DatasetIngest.run(request, into: corpus)
        #expect(second.imagesAdded == 0 && second.objectsAdded == 0 && second.imagesAlreadyPresent == 2)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object") == 3)

        try data.write("labelTxt/P2.txt", "10 10 30 10 30 20 10 20 ship 0\n12 12 30 12 30 20 12 20 ship 0\n")
        var replace = request
        replace.replace = true
        let third = try DatasetIngest.run(replace, into: corpus)
        #expect(third.replaced && third.objectsAdded == 4)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object") == 4)
        #expect(try count(corpus, "SELECT COUNT(*) FROM dataset") == 1)
    }

    @Test("bad input leaves the corpus exactly as it was; --skip-invalid counts the problem")
    func badInput() throws {
        let data = try dota()
        let corpus = try corpus(data)
        let request = IngestRequest(name: "dota", root: data.root, format: .dota)
        _ = try DatasetIngest.run(request, into: corpus)
        try data.write("labelTxt/P2.txt", "10 10 30 10 30 20 10 20 ship 0\nnot a label line\n")
        var replace = request
        replace.replace = true
        #expect {
            try DatasetIngest.run(replace, into: corpus)
        } throws: { error in
            "\(error)" == "labelTxt/P2.txt: line 2: expected 8 corner coordinates, a class name and a difficulty (0, 1 or 2), found 4 fields"
        }
        #expect(try count(corpus, "SELECT COUNT(*) FROM object") == 3, "the replace did not half-happen")
        replace.options.skipInvalid = true
        let summary = try DatasetIngest.run(replace, into: corpus)
        #expect(summary.problems == ["malformed record": 1] && summary.objectsAdded == 3)

        // A second folder of the same dataset becomes one more root; its images keep paths relative to it.
        let elsewhere = try dota()
        var moved = request
        moved.root = elsewhere.root
        let second = try DatasetIngest.run(moved, into: corpus)
        #expect(second.imagesAdded == 2 && second.objectsAdded == 3)
        #expect(try count(corpus, "SELECT COUNT(*) FROM dataset_root") == 2)
        #expect(try count(corpus, "SELECT COUNT(DISTINCT path) FROM image") == 2, "same relative paths, two roots")
        #expect(try DatasetIngest.run(moved, into: corpus).imagesAdded == 0, "re-ingesting the second root adds nothing")
    }

    @Test("captions, change pairs with SECOND masks, and segmentation masks with their palette")
    func otherKinds() throws {
        let data = try TempDataset("mixed")
        try data.write("captions/dataset_rsicd.json", """
            {"images": [{"filename": "a.jpg", "split": "train", "sentences": [{"raw": "one"}, {"raw": "two"}]},
                        {"filename": "missing.jpg", "split": "train", "sentences": [{"raw": "three"}]}]}
            """)
        let corpus = try corpus(data)
        // No image at all: an error, nothing registered.
        #expect(throws: CorpusError.self) {
            try DatasetIngest.run(IngestRequest(name: "rsicd", root: data.path("captions")), into: corpus)
        }
        #expect(try count(corpus, "SELECT COUNT(*) FROM image") == 0)
        try data.image("captions/images/a.jpg", width: 8, height: 8)
        let captions = try DatasetIngest.run(IngestRequest(name: "rsicd", root: data.path("captions")), into: corpus)
        #expect(captions.format == "captions" && captions.captionsAdded == 2)
        #expect(captions.imagesAdded == 1 && captions.missingImages == ["missing.jpg"], "no phantom image")
        var strict = IngestRequest(name: "rsicd", root: data.path("captions"))
        strict.skipMissing = false
        #expect(throws: CorpusError.self) { try DatasetIngest.run(strict, into: corpus) }
        #expect(try count(corpus, "SELECT COUNT(*) FROM caption WHERE source = 'human'") == 2)
        #expect(try count(corpus, "SELECT COUNT(*) FROM caption_fts WHERE caption_fts MATCH 'two'") == 1)

        for folder in ["im1", "im2", "label1", "label2"] { try data.image("second/train/\(folder)/1.png", width: 8, height: 8) }
        let second = try DatasetIngest.run(IngestRequest(name: "SECOND", root: data.path("second")), into: corpus)
        #expect(second.pairsAdded == 1 && second.imagesAdded == 2 && second.masksAdded == 2)
        #expect(try count(corpus, "SELECT COUNT(*) FROM change_pair WHERE label2_path = 'train/label2/1.png' AND split = 'train'") == 1)
        #expect(try count(corpus, "SELECT COUNT(*) FROM mask WHERE palette = 'second'") == 2)
        #expect(try DatasetIngest.run(IngestRequest(name: "SECOND", root: data.path("second")), into: corpus).pairsAdded == 0)

        try data.image("seg/img_dir/a.png", width: 8, height: 8)
        try data.image("seg/ann_dir/a.png", width: 8, height: 8)
        let seg = try DatasetIngest.run(IngestRequest(name: "vaihingen", root: data.path("seg")), into: corpus)
        #expect(seg.masksAdded == 1)
        #expect(try count(corpus, "SELECT COUNT(*) FROM mask WHERE palette = 'vaihingen' AND path = 'ann_dir/a.png'") == 1)
        #expect(throws: PipelineError.self) {
            try DatasetIngest.run(IngestRequest(name: "mystery-seg", root: data.path("seg")), into: corpus)
        }
    }

    @Test("each default mask palette is a palette file of Schemas/palettes", arguments: [
        "LoveDA", "potsdam-512", "Vaihingen", "iSAID", "SECOND",
    ])
    func palettesExist(dataset: String) throws {
        let palette = try #require(DatasetIngest.defaultPalette(forDataset: dataset))
        #expect(SkySchemas.files(in: "palettes").contains(palette + ".json"))
    }

    @Test("real DOTA sample: object counts per clean class in the corpus match an independent parse",
          .enabled(if: RealData.available))
    func realDOTA() throws {
        let data = try TempDataset("corpus")
        let corpus = try corpus(data)
        let root = RealData.path("dota/demo")
        let summary = try DatasetIngest.run(IngestRequest(name: "dota", root: root), into: corpus)
        let expected = try RealDataTests().independentDOTACounts(root)
        let rows = try corpus.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT raw_class, COUNT(*) AS n FROM object GROUP BY raw_class")
        }
        var counts: [String: Int] = [:]
        for row in rows { counts[row["raw_class"]] = row["n"] }
        #expect(counts == expected)
        #expect(summary.objectsAdded == expected.values.reduce(0, +))
        #expect(try count(corpus, "SELECT COUNT(*) FROM object WHERE raw_class = 'small-vehicle' AND class != 'small vehicle'") == 0)
    }

    @Test("real LEVIR-CD, iSAID, LoveDA and caption samples: corpus rows equal what the readers report",
          .enabled(if: RealData.available))
    func realOthers() throws {
        let data = try TempDataset("corpus")
        let corpus = try corpus(data)
        var levir = IngestRequest(name: "levir-cd", root: RealData.path("levir-cd"))
        #expect(throws: DatasetError.self) { try DatasetIngest.run(levir, into: corpus) }
        #expect(try count(corpus, "SELECT COUNT(*) FROM dataset") == 0, "the failed ingest wrote nothing")
        levir.options.skipInvalid = true
        let pairs = try DatasetIngest.run(levir, into: corpus)
        #expect(pairs.pairsAdded == 11 && pairs.problems == ["size mismatch": 1])
        #expect(try count(corpus, "SELECT COUNT(*) FROM change_pair WHERE label_path IS NOT NULL") == 11)

        let isaid = try DatasetIngest.run(IngestRequest(name: "isaid", root: RealData.path("isaid")), into: corpus)
        #expect(isaid.imagesAdded == 4 && isaid.masksAdded == 3)
        #expect(try count(corpus, "SELECT COUNT(*) FROM mask WHERE palette = 'isaid'") == 3)

        let loveda = try DatasetIngest.run(IngestRequest(name: "loveda", root: RealData.path("segmentation/loveda")),
                                           into: corpus)
        #expect(loveda.masksAdded == 3)

        // Caption files for whole datasets beside a sample of their images: no phantom images.
        #expect(throws: CorpusError.self) {
            try DatasetIngest.run(IngestRequest(name: "rsicd-rsitmd", root: RealData.path("captions/amfmn_precomp")),
                                  into: corpus)
        }
        let registered = try ImageRegistration(dataset: "rsicd", folder: RealData.path("captions/rsicd_images")).run(in: corpus)
        let coco = try DatasetIngest.run(IngestRequest(name: "rsicd", root: RealData.path("captions/rsicd_coco_format")),
                                         into: corpus)
        #expect(coco.imagesAdded == 0)
        #expect(coco.captionsAttached <= registered.added && coco.missingImages.count > 0)
        #expect(try count(corpus, "SELECT COUNT(*) FROM image i JOIN dataset d ON d.id = i.dataset_id WHERE d.name = 'rsicd'")
                == registered.added, "images == files on disk")
    }
}
