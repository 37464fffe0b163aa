import Foundation
import GRDB
import SkyImaging
import SkyIndex
import SkyPipeline
import SkySearch
import SkyStorage
import SkyTestSupport
import Testing

/// The in-memory index over stored embeddings: filters applied inside the search (k results whenever k pass),
/// exact and saved-HNSW answers equal to a brute-force scan, stale indexes refused.
@Suite struct CorpusIndexTests {
    static let dimension = 16
    static let classes = ["ship", "plane", "tank"]

    /// 60 images over two datasets (splits train/test), objects of three classes, captions of two sources, five
    /// marked duplicates, and a random unit vector per image and caption stored for one model.
    struct Fixture {
        let folder: TemporaryFolder
        let corpus: Corpus
        let model: Int64
        /// Per image id: dataset, split, classes, caption sources, duplicate mark, vector.
        var images: [Int64: (dataset: String, split: String, classes: Set<String>, sources: Set<CaptionSource>,
                             duplicate: Bool, vector: [Float])] = [:]
        var captions: [Int64: (image: Int64, source: CaptionSource, vector: [Float])] = [:]
    }

    static func unit(_ random: inout SplitMix64) -> [Float] {
        let raw = (0..<dimension).map { _ in Float(Double(random.next() % 20_001) / 10_000 - 1) }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }

    static func fixture() throws -> Fixture {
        let folder = try TemporaryFolder("corpus-index")
        let corpus = try Corpus(path: folder.path("c.sqlite"), access: .create)
        for dataset in ["alpha", "beta"] {
            for split in ["train", "test"] {
                let images = folder.url.appendingPathComponent("\(dataset)/\(split)")
                try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
                for index in 0..<15 {
                    var image = RasterImage(width: 8, height: 8, layout: .gray)
                    image.pixels[0] = UInt8(index)
                    try ImageEncoder.write(image, to: images.appendingPathComponent("\(index).png").path)
                }
                _ = try ImageRegistration(dataset: dataset, folder: images.path, split: split).run(in: corpus)
            }
        }
        var random = SplitMix64(seed: 42)
        let model = try corpus.registerEncoder(EncoderModelInfo(name: "m", architecture: "test", checksum: "x",
                                                                dimension: dimension))
        var fixture = Fixture(folder: folder, corpus: corpus, model: model)
        let rows = try corpus.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT i.id, d.name, i.split FROM image i JOIN dataset d ON d.id = i.dataset_id ORDER BY i.id")
        }
        var imageVectors: [(Int64, [Float])] = []
        var captionVectors: [(Int64, [Float])] = []
        try corpus.pool.write { db in
            for (position, row) in rows.enumerated() {
                let id: Int64 = row[0]
                let classes = Set(classes.enumerated().filter { (position + $0.offset) % ($0.offset + 2) == 0 }.map(\.element))
                for name in classes {
                    try db.execute(sql: "INSERT INTO object (image_id, class, raw_class, x, y, w, h, source) VALUES (?, ?, ?, 0, 0, 1, 1, 'annotation')",
                                   arguments: [id, name, name])
                }
                var sources: Set<CaptionSource> = []
                for source in [CaptionSource.human, .b2c] where (source == .human) == (position % 3 != 0) || position % 5 == 0 {
                    try db.execute(sql: "INSERT INTO caption (image_id, text, source) VALUES (?, ?, ?)",
                                   arguments: [id, "caption \(position) \(source.rawValue)", source.rawValue])
                    let vector = unit(&random)
                    fixture.captions[db.lastInsertedRowID] = (id, source, vector)
                    captionVectors.append((db.lastInsertedRowID, vector))
                    sources.insert(source)
                }
                let duplicate = position % 12 == 5
                if duplicate { try db.execute(sql: "UPDATE image SET duplicate_of = ? WHERE id = ?", arguments: [rows[0][0] as Int64, id]) }
                let vector = unit(&random)
                imageVectors.append((id, vector))
                fixture.images[id] = (row[1], row[2], classes, sources, duplicate, vector)
            }
        }
        try corpus.storeEmbeddings(model: model, kind: .image, imageVectors)
        try corpus.storeEmbeddings(model: model, kind: .caption, captionVectors)
        return fixture
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Brute force: every image passing the filter, ranked by cosine then id.
    static func expected(_ fixture: Fixture, query: [Float], filter: SearchFilter, top: Int, excluding: Int64? = nil) -> [Int64] {
        var scored: [(id: Int64, score: Float)] = []
        for (id, image) in fixture.images {
            if let dataset = filter.dataset, image.dataset != dataset { continue }
            if let split = filter.split, image.split != split { continue }
            if let name = filter.className, !image.classes.contains(name) { continue }
            if let source = filter.captionSource, !image.sources.contains(source) { continue }
            if !filter.includeDuplicates && image.duplicate { continue }
            if id == excluding { continue }
            scored.append((id, dot(image.vector, query)))
        }
        return ranked(scored, top: top)
    }

    static func ranked(_ scored: [(id: Int64, score: Float)], top: Int) -> [Int64] {
        let sorted = scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return sorted.prefix(top).map(\.id)
    }

    static let filters: [SearchFilter] = [
        SearchFilter(),
        SearchFilter(includeDuplicates: true),
        SearchFilter(dataset: "beta"),
        SearchFilter(dataset: "alpha", split: "test"),
        SearchFilter(className: "tank"),
        SearchFilter(dataset: "beta", className: "plane", captionSource: .b2c),
        SearchFilter(split: "train", captionSource: .human, includeDuplicates: true),
        SearchFilter(split: "nonexistent"),
    ]

    @Test func exactSearchEqualsBruteForceUnderEveryFilter() throws {
        let fixture = try Self.fixture()
        let index = try CorpusIndex(corpus: fixture.corpus, model: fixture.model, mode: .exact)
        #expect(index.imageCount == 60 && !index.isApproximate)
        var random = SplitMix64(seed: 7)
        for filter in Self.filters {
            for _ in 0..<5 {
                let query = Self.unit(&random)
                let expected = Self.expected(fixture, query: query, filter: filter, top: 8)
                let hits = try index.images(near: query, top: 8, filter: filter)
                #expect(hits.map(\.imageId) == expected, "filter \(filter)")
                #expect(hits.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
            }
        }
        // A selective filter still yields k results when k pass: 'tank' images of beta/test are few.
        let selective = SearchFilter(dataset: "beta", split: "test", className: "tank", includeDuplicates: true)
        let passing = Self.expected(fixture, query: Self.unit(&random), filter: selective, top: 100).count
        #expect(passing >= 3)
        #expect(try index.images(near: Self.unit(&random), top: passing, filter: selective).count == passing)
    }

    @Test func imageLikeImageLeavesItselfOutAndCaptionsFollowTheirFilter() throws {
        let fixture = try Self.fixture()
        let index = try CorpusIndex(corpus: fixture.corpus, model: fixture.model, mode: .exact)
        let id = fixture.images.keys.sorted()[10]
        let vector = fixture.images[id]!.vector
        let hits = try index.images(likeImage: id, top: 5, filter: SearchFilter())
        #expect(hits.map(\.imageId) == Self.expected(fixture, query: vector, filter: SearchFilter(), top: 5, excluding: id))
        #expect(!hits.contains { $0.imageId == id })
        let captionHits = try index.captions(near: vector, top: 6, filter: SearchFilter(dataset: "alpha", captionSource: .b2c))
        var scored: [(id: Int64, score: Float)] = []
        for (captionId, caption) in fixture.captions {
            let image = fixture.images[caption.image]!
            guard caption.source == .b2c, image.dataset == "alpha", !image.duplicate else { continue }
            scored.append((captionId, Self.dot(caption.vector, vector)))
        }
        let expected = Self.ranked(scored, top: 6)
        #expect(captionHits.map(\.captionId) == expected)
        #expect(captionHits.allSatisfy { $0.source == .b2c && $0.text.hasSuffix("b2c") })
    }

    @Test func badQueriesAreClearErrors() throws {
        let fixture = try Self.fixture()
        let index = try CorpusIndex(corpus: fixture.corpus, model: fixture.model, mode: .exact)
        #expect(throws: SearchError.self) { try index.images(near: [1, 2, 3], top: 5, filter: SearchFilter()) }
        #expect(throws: SearchError.self) { try index.images(near: [Float](repeating: 0.25, count: 16), top: 0, filter: SearchFilter()) }
        #expect(throws: SearchError.self) { try index.images(near: [Float](repeating: 0.25, count: 16), top: 100_000, filter: SearchFilter()) }
        #expect(throws: SearchError.self) { try index.images(likeImage: 999_999, top: 5, filter: SearchFilter()) }
        do {
            _ = try index.images(near: [Float](repeating: 0.25, count: 16), top: 5, filter: SearchFilter(dataset: "gamma"))
            Issue.record("an unknown dataset was accepted")
        } catch {
            #expect("\(error)".contains("unknown dataset 'gamma'"))
        }
        do {
            _ = try CorpusIndex(corpus: fixture.corpus, model: fixture.model + 1)
            Issue.record("a model without embeddings was accepted")
        } catch {
            #expect("\(error)".contains("skycorpus embed"))
        }
    }

    @Test func savedIndexAnswersLikeExactAndIsRefusedOnceEmbeddingsChange() throws {
        let fixture = try Self.fixture()
        let file = CorpusIndex.indexFile(corpusPath: fixture.corpus.path, modelName: "m/odd name")
        #expect(file.lastPathComponent == "m_odd_name.images.hnsw")
        #expect(try CorpusIndex.build(corpus: fixture.corpus, model: fixture.model, file: file) == 60)
        let approximate = try CorpusIndex(corpus: fixture.corpus, model: fixture.model, indexFile: file)
        let exact = try CorpusIndex(corpus: fixture.corpus, model: fixture.model, indexFile: file, mode: .exact)
        #expect(approximate.isApproximate && !exact.isApproximate)
        // Loaded by the change stamp `index build` recorded: the vectors are not read again.
        #expect(approximate.indexCheck == .changeStamp && exact.indexCheck == nil)
        var random = SplitMix64(seed: 11)
        for filter in Self.filters {
            let query = Self.unit(&random)
            // 60 vectors: the graph is exact at this size; filtered searches fall back to exact over passing rows.
            #expect(try approximate.images(near: query, top: 5, filter: filter).map(\.imageId)
                    == exact.images(near: query, top: 5, filter: filter).map(\.imageId))
        }
        // One embedding changes: the stamp moves, the content check runs, and the saved index is refused with the
        // command to rebuild.
        let changed = fixture.images.keys.sorted()[3]
        let original = try fixture.corpus.storedVectors(model: fixture.model, kind: .image)
        let row = try #require(original.ids.firstIndex(of: changed))
        let stampBefore = try fixture.corpus.embeddingChangeStamp(model: fixture.model, kind: .image)
        try fixture.corpus.storeEmbeddings(model: fixture.model, kind: .image, [(changed, Self.unit(&random))])
        #expect(try fixture.corpus.embeddingChangeStamp(model: fixture.model, kind: .image) != stampBefore)
        do {
            _ = try CorpusIndex(corpus: fixture.corpus, model: fixture.model, indexFile: file)
            Issue.record("a stale index was used")
        } catch {
            #expect("\(error)".contains("skycorpus index build"))
        }
        // Written back as it was: the stamp still differs, but the content check finds the same vectors.
        let vector = Array(original.values[row * Self.dimension..<(row + 1) * Self.dimension])
        try fixture.corpus.storeEmbeddings(model: fixture.model, kind: .image, [(changed, vector)])
        #expect(try CorpusIndex(corpus: fixture.corpus, model: fixture.model, indexFile: file).indexCheck == .content)
        try fixture.corpus.storeEmbeddings(model: fixture.model, kind: .image, [(changed, Self.unit(&random))])
        #expect(try CorpusIndex(corpus: fixture.corpus, model: fixture.model, indexFile: file, mode: .exact).imageCount == 60)
        // Asking for the saved index when there is none is an error naming the command.
        try FileManager.default.removeItem(at: file)
        #expect(throws: SearchError.self) {
            try CorpusIndex(corpus: fixture.corpus, model: fixture.model, indexFile: file, mode: .approximate)
        }
    }

    /// `index build` reads and inserts the stored vectors a batch at a time: on one thread its file equals the one
    /// built from the whole matrix, whatever the batch size; batches of 7 over 60 rows report progress per batch.
    @Test func streamedBuildEqualsTheInMemoryBuild() throws {
        let fixture = try Self.fixture()
        let stored = try fixture.corpus.storedVectors(model: fixture.model, kind: .image)
        #expect(stored.ids == fixture.images.keys.sorted() && stored.values.count == 60 * Self.dimension)
        var batches: [(Int, Int)] = []
        try fixture.corpus.streamStoredVectors(model: fixture.model, kind: .image, batchRows: 7, start: { ids, dimension in
            #expect(ids == stored.ids && dimension == Self.dimension)
        }, batch: { first, values in
            #expect(Array(stored.values[first * Self.dimension..<first * Self.dimension + values.count]) == values)
            batches.append((first, values.count / Self.dimension))
        })
        #expect(batches.map(\.0) == Array(stride(from: 0, to: 60, by: 7)))
        #expect(batches.map(\.1) == Array(repeating: 7, count: 8) + [4])

        let parameters = HNSWParameters(m: 8, efConstruction: 50)
        let memory = fixture.folder.url.appendingPathComponent("memory.hnsw")
        let stamp = try fixture.corpus.embeddingChangeStamp(model: fixture.model, kind: .image)
        #expect(stamp != nil)
        try ApproximateIndex(dimension: stored.dimension, ids: stored.ids, vectors: stored.values, parameters: parameters,
                             threads: 1).stamped(source: stamp).save(to: memory)
        var reports: [Int] = []
        for batchRows in [7, 60, 1000] {
            let file = fixture.folder.url.appendingPathComponent("streamed-\(batchRows).hnsw")
            #expect(try CorpusIndex.build(corpus: fixture.corpus, model: fixture.model, file: file, parameters: parameters,
                                          batchRows: batchRows, threads: 1, progress: { done, _ in reports.append(done) }) == 60)
            #expect(try Data(contentsOf: file) == Data(contentsOf: memory), "batches of \(batchRows)")
        }
        #expect(reports.prefix(9) == [7, 14, 21, 28, 35, 42, 49, 56, 60])
        #expect(throws: (any Error).self) {
            try fixture.corpus.streamStoredVectors(model: fixture.model, kind: .image, batchRows: 0, start: { _, _ in },
                                                   batch: { _, _ in })
        }
    }
}
