import Foundation
import GRDB
import Testing
import SkyPipeline
import SkyStorage
@testable import SkyDatasets

/// Images registered before an ingest (by add-images, or by another format of the same dataset) still get the
/// ingest's annotations, once.
@Suite("Ingest onto registered images")
struct IngestOntoRegisteredImagesTests {
    func count(_ corpus: Corpus, _ sql: String) throws -> Int {
        try corpus.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test("add-images first, then DOTA labels: the objects arrive, and a re-run adds none")
    func labelsAfterAddImages() throws {
        let data = try TempDataset("registered-dota")
        try data.image("images/P1.png", width: 64, height: 64)
        try data.image("images/P2.png", width: 64, height: 64)
        try data.write("labelTxt/P1.txt", "10 10 30 10 30 20 10 20 ship 0\n")
        try data.write("labelTxt/P2.txt", "1 1 9 1 9 9 1 9 plane 0\n2 2 8 2 8 8 2 8 plane 0\n")
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        _ = try ImageRegistration(dataset: "d", folder: data.root).run(in: corpus)
        let first = try DatasetIngest.run(IngestRequest(name: "d", root: data.root), into: corpus)
        #expect(first.imagesAdded == 0 && first.imagesAlreadyPresent == 2 && first.objectsAdded == 3)
        let again = try DatasetIngest.run(IngestRequest(name: "d", root: data.root), into: corpus)
        #expect(again.objectsAdded == 0)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object") == 3)
    }

    @Test("DOTA labels, then the caption file beside them: the captions and splits arrive once")
    func captionsAfterLabels() throws {
        let data = try TempDataset("registered-captions")
        try data.image("images/P1.png", width: 64, height: 64)
        try data.image("images/P2.png", width: 64, height: 64)
        try data.write("labelTxt/P1.txt", "10 10 30 10 30 20 10 20 ship 0\n")
        try data.write("labelTxt/P2.txt", "1 1 9 1 9 9 1 9 plane 0\n")
        try data.write("dataset_demo.json", """
            {"images": [
              {"filename": "P1.png", "split": "train", "sentences": [{"raw": "a ship ."}, {"raw": "a ship ."}]},
              {"filename": "P2.png", "split": "test", "sentences": [{"raw": "a plane ."}]}
            ]}
            """)
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        _ = try DatasetIngest.run(IngestRequest(name: "d", root: data.root, format: .dota), into: corpus)
        let captions = try DatasetIngest.run(IngestRequest(name: "d", root: data.root, format: .captions), into: corpus)
        #expect(captions.captionsAdded == 2 && captions.duplicateCaptions == 1,
                "a sentence repeated for one image (RSICD repeats them) is stored once and counted")
        #expect(try count(corpus, "SELECT COUNT(*) FROM image WHERE split IS NOT NULL") == 2)
        #expect(try count(corpus, "SELECT COUNT(*) FROM image i JOIN caption c ON c.image_id = i.id WHERE i.path = 'images/P2.png'") == 1)
        let again = try DatasetIngest.run(IngestRequest(name: "d", root: data.root, format: .captions), into: corpus)
        #expect(again.captionsAdded == 0)
        #expect(again.splitConflicts.isEmpty)
        try corpus.pool.write { db in try db.execute(sql: "UPDATE image SET split = 'train' WHERE path = 'images/P2.png'") }
        let conflicting = try DatasetIngest.run(IngestRequest(name: "d", root: data.root, format: .captions), into: corpus)
        #expect(conflicting.splitConflicts == ["images/P2.png: train -> test"])
        #expect(try count(corpus, "SELECT COUNT(*) FROM caption") == 2)
        #expect(try count(corpus, "SELECT COUNT(*) FROM object") == 2)
    }

    @Test("a caption dataset given as one file is rooted at the file's folder, and a split named anywhere sticks")
    func captionFileRoot() throws {
        let data = try TempDataset("caption-file")
        try data.image("imgs/0.png", width: 8, height: 8)
        try data.image("imgs/1.png", width: 8, height: 8)
        try data.write("extra.jsonl", #"{"filename": "0.png", "captions": ["a field ."]}"# + "\n")
        try data.write("dataset_x.json", """
            {"images": [{"filename": "0.png", "split": "val", "sentences": [{"raw": "a road ."}]},
                        {"filename": "1.png", "split": "test", "sentences": [{"raw": "a lake ."}]}]}
            """)
        let corpus = try Corpus(path: data.path("../corpus.sqlite"), create: true)
        _ = try DatasetIngest.run(IngestRequest(name: "x", root: data.path("dataset_x.json")), into: corpus)
        let root = try corpus.pool.read { db in try String.fetchOne(db, sql: "SELECT root FROM dataset") }
        #expect(root == URL(fileURLWithPath: data.root).standardizedFileURL.path)
        let items = try ExportQuery.items(in: corpus, selection: ExportSelection())
        #expect(items.count == 2 && items.allSatisfy { FileManager.default.fileExists(atPath: $0.absolutePath) })
        // The whole folder: the JSON-lines file names 0.png without a split, the Karpathy file says val.
        let folder = try TempDataset("caption-folder")
        try folder.image("imgs/0.png", width: 8, height: 8)
        try folder.write("a.jsonl", #"{"filename": "0.png", "captions": ["a field ."]}"# + "\n")
        try folder.write("dataset_x.json", """
            {"images": [{"filename": "0.png", "split": "val", "sentences": [{"raw": "a road ."}]}]}
            """)
        let second = try Corpus(path: folder.path("../corpus.sqlite"), create: true)
        _ = try DatasetIngest.run(IngestRequest(name: "y", root: folder.root, format: .captions), into: second)
        #expect(try count(second, "SELECT COUNT(*) FROM image WHERE split = 'val'") == 1)
        #expect(try count(second, "SELECT COUNT(*) FROM caption") == 2)
    }
}
