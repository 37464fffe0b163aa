import Foundation
import GRDB
import SkyCLIP
import SkyPipeline
import SkySearch
import SkyStorage
import SkyTestSupport
import SkyText
import Testing

/// `zero-shot --write`: a model's top-k labels stored in the corpus, once per model, with optional captions.
@Suite struct ZeroShotLabelingTests {
    static let checkpoint = TestPaths.tinyCheckpoint

    /// A class-folder dataset of the example DOTA tiles (two per class), ingested.
    static func labelledCorpus(_ folder: TemporaryFolder) throws -> Corpus {
        for index in 0..<4 {
            let classFolder = folder.url.appendingPathComponent("scenes/\(index < 2 ? "harbor" : "parkinglot")")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestPaths.package("Examples/dota/images/P900\(index).png").path,
                                             toPath: classFolder.appendingPathComponent("\(index).png").path)
        }
        let corpus = try Corpus(path: folder.path("corpus.sqlite"), create: true)
        _ = try DatasetIngest.run(IngestRequest(name: "scenes", root: folder.path("scenes")), into: corpus)
        return corpus
    }

    static func info(_ name: String) throws -> EncoderModelInfo {
        EncoderModelInfo(name: name, architecture: "tiny", checksum: String(repeating: name == "tiny" ? "a" : "b", count: 64),
                         dimension: 16)
    }

    func rows(_ corpus: Corpus, _ sql: String) throws -> [Row] { try corpus.pool.read { try Row.fetchAll($0, sql: sql) } }

    @Test func labelsAreStoredOncePerModelAndRelabelReplacesThem() throws {
        let folder = try TemporaryFolder("zero-shot-write")
        let corpus = try Self.labelledCorpus(folder)
        let encoder = try CLIPEncoder(modelPath: Self.checkpoint)
        let request = ZeroShotLabelingRequest(dataset: "scenes", classNames: ["harbor", "parking lot", "forest"],
                                              templates: try PromptTemplateSet.named("remoteclip"), topK: 2, captions: true,
                                              batchSize: 3)
        var reports: [Int] = []
        let first = try ZeroShotLabeling.run(request, encoder: encoder, model: Self.info("tiny"), corpus: corpus) { done, _ in reports.append(done) }
        #expect(first.imagesLabelled == 4 && first.labelsAdded == 8 && first.captionsAdded == 4 && reports == [3, 4])
        // The stored probabilities are the classifier's, best first.
        let classifier = try ZeroShotClassifier(
            classNames: request.classNames,
            classEmbeddings: encoder.classEmbeddings(classNames: request.classNames, templates: request.templates),
            logitScale: encoder.logitMultiplier)
        let path = TestPaths.package("Examples/dota/images/P9000.png").path
        let expected = classifier.ranked(try classifier.probabilities(for: encoder.encodeImages(files: [path]))[0])
        let stored = try rows(corpus, """
            SELECT l.class, l.score FROM image_label l JOIN image i ON i.id = l.image_id
            WHERE l.source = 'zero-shot' AND i.path = 'harbor/0.png' ORDER BY l.rank
            """)
        #expect(stored.map { $0["class"] as String } == expected.prefix(2).map(\.name))
        #expect(zip(stored, expected).allSatisfy { abs(($0["score"] as Double) - Double($1.probability)) < 1e-6 })
        let captions = try rows(corpus, "SELECT text, rule FROM caption WHERE source = 'zero-shot' ORDER BY image_id")
        #expect(captions.count == 4 && captions.allSatisfy { ($0["text"] as String).hasPrefix("a satellite image of ") && $0["rule"] as String == "tiny" })

        let before = try rows(corpus, "SELECT * FROM image_label ORDER BY id")
        let again = try ZeroShotLabeling.run(request, encoder: encoder, model: Self.info("tiny"), corpus: corpus)
        #expect(again.imagesLabelled == 0 && again.labelsAdded == 0 && again.alreadyLabelled == 4)
        #expect(try rows(corpus, "SELECT * FROM image_label ORDER BY id") == before)

        let other = try ZeroShotLabeling.run(request, encoder: encoder, model: Self.info("other"), corpus: corpus)
        #expect(other.labelsAdded == 8 && other.captionsAdded == 4)
        var relabel = request
        relabel.relabel = true
        relabel.topK = 1
        let replaced = try ZeroShotLabeling.run(relabel, encoder: encoder, model: Self.info("tiny"), corpus: corpus)
        #expect(replaced.labelsReplaced == 8 && replaced.labelsAdded == 4 && replaced.captionsAdded == 4)
        let counts = try rows(corpus, """
            SELECT m.name, COUNT(*) AS n FROM image_label l JOIN encoder_model m ON m.id = l.model_id GROUP BY m.name ORDER BY m.name
            """)
        #expect(counts.map { "\($0["name"] as String) \($0["n"] as Int)" } == ["other 8", "tiny 4"])
        #expect(try rows(corpus, "SELECT COUNT(*) AS n FROM caption WHERE source = 'zero-shot'")[0]["n"] as Int == 8)
        #expect(try rows(corpus, "SELECT COUNT(*) AS n FROM image_label WHERE source = 'ground-truth'")[0]["n"] as Int == 4)
    }

    @Test func onlyUnannotatedSkipsLabelledImagesAndUnreadableImagesAreMarked() throws {
        let folder = try TemporaryFolder("zero-shot-unannotated")
        let corpus = try Self.labelledCorpus(folder)
        // Two more images with no label: one readable, one broken.
        let loose = folder.url.appendingPathComponent("loose")
        try FileManager.default.createDirectory(at: loose, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.package("Examples/dota/images/P9005.png").path,
                                         toPath: loose.appendingPathComponent("a.png").path)
        try Data("not an image".utf8).write(to: loose.appendingPathComponent("b.png"))
        try corpus.write { transaction in
            let dataset = try #require(try transaction.dataset(named: "scenes")?.id)
            let root = try transaction.root(dataset: dataset, path: loose.path)
            for name in ["a.png", "b.png"] {
                _ = try transaction.registerImage(dataset: dataset, root: root, path: name, split: nil, width: 1, height: 1, sha256: name)
            }
        }
        let request = ZeroShotLabelingRequest(dataset: "scenes", classNames: ["harbor", "forest"],
                                              templates: try PromptTemplateSet.named("bare"), topK: 1, onlyUnannotated: true)
        let summary = try ZeroShotLabeling.run(request, encoder: try CLIPEncoder(modelPath: Self.checkpoint),
                                               model: Self.info("tiny"), corpus: corpus)
        #expect(summary.imagesLabelled == 1 && summary.unreadable.count == 1 && summary.unreadable[0].contains("b.png"))
        #expect(try rows(corpus, "SELECT path FROM image WHERE unreadable IS NOT NULL").map { $0["path"] as String } == ["b.png"])
        // An unknown dataset writes nothing, not even the model.
        var unknown = request
        unknown.dataset = "nowhere"
        #expect(throws: CorpusError.unknownDataset(name: "nowhere")) {
            _ = try ZeroShotLabeling.run(unknown, encoder: try CLIPEncoder(modelPath: Self.checkpoint), model: Self.info("third"), corpus: corpus)
        }
        #expect(try corpus.encoder(named: "third") == nil)
    }

    /// With the model's image embeddings stored by `embed`, labelling reads them a batch at a time instead of decoding,
    /// and stores the same labels as a run that decodes every file.
    @Test func storedEmbeddingsAreReadPerBatchAndGiveTheDecodedLabels() throws {
        let folder = try TemporaryFolder("zero-shot-stored")
        let corpus = try Self.labelledCorpus(folder)
        let encoder = try CLIPEncoder(modelPath: Self.checkpoint)
        let embedded = try CorpusEmbedding(model: encoder.model, checkpointPath: Self.checkpoint, name: "tiny",
                                           kinds: [.image], batchSize: 2).run(on: corpus)
        #expect(embedded.embedded["images"] == 4)
        let info = try #require(try corpus.encoder(named: "tiny")).info
        let request = ZeroShotLabelingRequest(dataset: "scenes", classNames: ["harbor", "parking lot", "forest"],
                                              templates: try PromptTemplateSet.named("remoteclip"), topK: 3, batchSize: 3)
        let fromStore = try ZeroShotLabeling.run(request, encoder: encoder, model: info, corpus: corpus)
        #expect(fromStore.fromStoredEmbeddings == 4 && fromStore.imagesLabelled == 4 && fromStore.labelsAdded == 12)
        let decoded = try ZeroShotLabeling.run(request, encoder: encoder, model: Self.info("decoding"), corpus: corpus)
        #expect(decoded.fromStoredEmbeddings == 0 && decoded.labelsAdded == 12)
        let labels = try rows(corpus, """
            SELECT m.name, l.image_id, l.rank, l.class, l.score FROM image_label l JOIN encoder_model m ON m.id = l.model_id
            WHERE l.source = 'zero-shot' ORDER BY l.image_id, l.rank, m.name
            """)
        let byModel = Dictionary(grouping: labels, by: { $0["name"] as String })
        let (stored, fresh) = (try #require(byModel["tiny"]), try #require(byModel["decoding"]))
        #expect(stored.count == 12 && fresh.count == 12)
        for (a, b) in zip(stored, fresh) {
            #expect(a["image_id"] as Int64 == b["image_id"] as Int64 && a["class"] as String == b["class"] as String)
            #expect(abs((a["score"] as Double) - (b["score"] as Double)) < 1e-5)
        }
        // A batch lookup returns only the items that have a vector.
        let ids = stored.map { $0["image_id"] as Int64 }
        let vectors = try corpus.embeddings(model: embedded.modelId, kind: .image, ids: ids + [999_999])
        #expect(Set(vectors.keys) == Set(ids) && vectors.values.allSatisfy { $0.count == 16 })
    }
}
