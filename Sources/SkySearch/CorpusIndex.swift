import Foundation
import SkyIndex
import SkyStorage

/// How image vectors are searched.
public enum IndexMode: String, Sendable, Codable, CaseIterable {
    /// The saved HNSW index when `skycorpus index build` made one (checked against the stored vectors), else exact.
    case auto
    /// Exact top-k over every vector (BLAS), whatever is saved.
    case exact
    /// The saved HNSW index; an error when there is none.
    case approximate
}

/// How a saved index was checked against the stored embeddings when it was loaded.
public enum IndexCheck: String, Sendable, Codable {
    /// The corpus's embedding change stamp equals the one recorded at `index build`: nothing else read.
    case changeStamp = "change-stamp"
    /// The stored vectors were read and their content hash compared (an index without a stamp, or a write since).
    case content
}

/// One model's stored image (and caption) embeddings of a corpus, held in memory once, answering top-k queries
/// with filters. The CLI's `search` and the server use this one type, so they answer identically.
public struct CorpusIndex: Sendable {
    enum Images: Sendable {
        case exact(ExactIndex)
        case approximate(ApproximateIndex)
    }

    /// The corpus the vectors came from (for filters by class or caption source, and captions' text).
    public let corpus: Corpus
    /// The encoder model's id in the corpus.
    public let model: Int64
    let images: Images
    let facets: ImageFacets
    let captions: ExactIndex?
    let captionFacets: (images: [Int64], sources: [CaptionSource])

    /// Vector length.
    public let dimension: Int
    /// Indexed image count.
    public var imageCount: Int { imageIds.count }
    /// Indexed caption count.
    public var captionCount: Int { captions?.count ?? 0 }
    /// How a saved index was found to match the stored embeddings (nil for exact search): by the corpus's change
    /// stamp recorded at build (one row read) or by reading and hashing every vector.
    public let indexCheck: IndexCheck?
    /// Whether image queries go through the saved HNSW graph.
    public var isApproximate: Bool { if case .approximate = images { true } else { false } }
    /// The indexed image ids, ascending (row order).
    public var imageIds: [Int64] {
        switch images {
        case .exact(let index): index.ids
        case .approximate(let index): index.ids
        }
    }
    /// Bytes the vectors and graph hold in memory.
    public var memoryBytes: Int {
        let imageBytes = switch images {
        case .exact(let index): index.memoryBytes
        case .approximate(let index): index.memoryBytes
        }
        return imageBytes + (captions?.memoryBytes ?? 0)
    }

    /// Loads the embeddings of `model` (its id in the corpus). `indexFile` is where `index build` saves the HNSW
    /// graph (see ``CorpusIndex/indexFile(corpusPath:modelName:)``); `mode` says whether to use it, `efSearch` the
    /// graph's search beam (default `ApproximateIndex.defaultEfSearch`; ignored for exact search).
    public init(corpus: Corpus, model: Int64, indexFile: URL? = nil, mode: IndexMode = .auto, efSearch: Int? = nil,
                captions loadCaptions: Bool = true) throws {
        if let efSearch, !ApproximateIndex.efSearchRange.contains(efSearch) {
            throw SearchError.invalidInput("search beam ef \(efSearch) is outside \(ApproximateIndex.efSearchRange)")
        }
        self.corpus = corpus
        self.model = model
        let saved = indexFile.map { FileManager.default.fileExists(atPath: $0.path) } ?? false
        let useSaved: Bool
        switch mode {
        case .exact: useSaved = false
        case .auto: useSaved = saved
        case .approximate:
            guard saved, indexFile != nil else {
                throw SearchError.invalidInput("no saved index at \(indexFile?.path ?? "(none)"); build one with 'skycorpus index build'")
            }
            useSaved = true
        }
        if useSaved, let file = indexFile {
            // The corpus's change stamp equal to the one `index build` recorded: the embeddings are the ones the
            // graph was built from, and the graph holds them, so they are not read again. Otherwise (an older
            // index, or a write since) the stored vectors are read and compared by content.
            let stamp = try corpus.embeddingChangeStamp(model: model, kind: .image)
            var graph = try ApproximateIndex(contentsOf: file)
            if stamp == nil || graph.fingerprint.sourceStamp != stamp {
                let stored = try Self.storedImageVectors(corpus: corpus, model: model)
                do {
                    try graph.fingerprint.check(ids: stored.ids, vectors: stored.values, dimension: stored.dimension, path: file.path)
                } catch IndexError.stale(_, let reason) {
                    throw SearchError.invalidInput("the index \(file.path) was built from other embeddings (\(reason)); "
                                                   + "rebuild it with 'skycorpus index build'")
                }
                indexCheck = .content
            } else {
                indexCheck = .changeStamp
            }
            if let efSearch { graph.efSearch = efSearch }
            dimension = graph.dimension
            images = .approximate(graph)
        } else {
            let stored = try Self.storedImageVectors(corpus: corpus, model: model)
            dimension = stored.dimension
            images = .exact(try ExactIndex(dimension: stored.dimension, ids: stored.ids, vectors: stored.values))
            indexCheck = nil
        }
        let ids: [Int64] = switch images {
        case .exact(let index): index.ids
        case .approximate(let index): index.ids
        }
        facets = try corpus.imageFacets(ids)
        if loadCaptions {
            let captionVectors = try corpus.storedVectors(model: model, kind: .caption)
            if captionVectors.ids.isEmpty {
                captions = nil
                captionFacets = ([], [])
            } else {
                guard captionVectors.dimension == dimension else {
                    throw SearchError.shapeMismatch("caption embeddings have dimension \(captionVectors.dimension), "
                                                    + "image embeddings \(dimension)")
                }
                captions = try ExactIndex(dimension: captionVectors.dimension, ids: captionVectors.ids,
                                          vectors: captionVectors.values)
                let summary = try corpus.captionFacets(captionVectors.ids)
                captionFacets = (summary.images, summary.sources)
            }
        } else {
            captions = nil
            captionFacets = ([], [])
        }
    }

    /// The model's stored image vectors; an error naming the command to run when there are none.
    private static func storedImageVectors(corpus: Corpus, model: Int64) throws -> StoredVectors {
        let stored = try corpus.storedVectors(model: model, kind: .image)
        guard !stored.ids.isEmpty else {
            throw SearchError.invalidInput("no image embeddings for this model in \(corpus.path); "
                                           + "run 'skycorpus embed --model CHECKPOINT' first")
        }
        return stored
    }

    /// Where `index build` saves the HNSW graph of a model's image embeddings: beside the corpus, in
    /// `CORPUS.index/MODEL.images.hnsw`.
    public static func indexFile(corpusPath: String, modelName: String) -> URL {
        let safe = String(modelName.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        return URL(fileURLWithPath: corpusPath + ".index").appendingPathComponent(safe + ".images.hnsw")
    }

    /// Rows `build` reads from the corpus and inserts at a time (32 MiB of 512-d vectors).
    public static let buildBatchRows = 16_384

    /// Builds the HNSW graph over the model's stored image embeddings and saves it to `file` (written beside it
    /// and renamed into place). Returns the index's row count. The vectors are read and inserted `batchRows` at a
    /// time, so memory holds the graph and one batch. `progress(inserted, total)` reports the graph's build (called
    /// from a build thread); `threads` defaults to every core (one thread makes the graph deterministic).
    @discardableResult
    public static func build(corpus: Corpus, model: Int64, file: URL, parameters: HNSWParameters = HNSWParameters(),
                             batchRows: Int = buildBatchRows, threads: Int? = nil,
                             progress: ((Int, Int) -> Void)? = nil) throws -> Int {
        var builder: ApproximateIndexBuilder? = nil
        let stampBefore = try corpus.embeddingChangeStamp(model: model, kind: .image)
        try corpus.streamStoredVectors(model: model, kind: .image, batchRows: batchRows, start: { ids, dimension in
            guard !ids.isEmpty else {
                throw SearchError.invalidInput("no image embeddings for this model in \(corpus.path); "
                                               + "run 'skycorpus embed --model CHECKPOINT' first")
            }
            builder = try ApproximateIndexBuilder(dimension: dimension, ids: ids, parameters: parameters,
                                                  threads: threads, progress: progress)
        }, batch: { _, values in try builder?.add(values) })
        guard var index = try builder?.finish() else { throw SearchError.invalidInput("no image embeddings in \(corpus.path)") }
        // The stamp is recorded only when no write came between reading it and reading the vectors' last batch.
        let stampAfter = try corpus.embeddingChangeStamp(model: model, kind: .image)
        index = index.stamped(source: stampBefore == stampAfter ? stampAfter : nil)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try index.save(to: file)
        return index.count
    }

    // MARK: queries

    /// The `top` images closest to a unit query vector that pass `filter`, best first.
    public func images(near query: [Float], top: Int, filter: SearchFilter, excluding: Int64? = nil) throws -> [CorpusSearch.Hit] {
        try SearchLimits.check(top: top)
        try checkDimension(query.count)
        let query = Self.unit(query)
        let rows = try imageRows(filter, excluding: excluding)
        let k = min(top, rows.count)
        guard k > 0 else { return [] }
        let hits: [SearchHit]
        switch images {
        case .exact(let index): hits = try index.search(query, k: k, filter: .rows(rows))
        case .approximate(let index): hits = try index.search(query, k: k, filter: .rows(rows))
        }
        let paths = try corpus.imagePaths(hits.map(\.id))
        return hits.map { CorpusSearch.Hit(imageId: $0.id, path: paths[$0.id] ?? "", score: $0.score) }
    }

    /// The `top` images closest to a corpus image (itself left out), by its stored embedding.
    public func images(likeImage id: Int64, top: Int, filter: SearchFilter) throws -> [CorpusSearch.Hit] {
        try images(near: vector(ofImage: id), top: top, filter: filter, excluding: id)
    }

    /// The `top` stored captions closest to a unit query vector, of images that pass `filter` (and of its caption
    /// source, when set), best first.
    public func captions(near query: [Float], top: Int, filter: SearchFilter) throws -> [CaptionHit] {
        try SearchLimits.check(top: top)
        try checkDimension(query.count)
        let query = Self.unit(query)
        guard let captions else {
            throw SearchError.invalidInput("no caption embeddings for this model in \(corpus.path); "
                                           + "run 'skycorpus embed --model CHECKPOINT --what captions' first")
        }
        var imageFilter = filter
        imageFilter.captionSource = nil
        let allowedImages = try imageRows(imageFilter, excluding: nil)
        let ids = imageIds
        var rows = RowSet(rowCount: captions.count)
        for row in 0..<captions.count {
            if let source = filter.captionSource, captionFacets.sources[row] != source { continue }
            if let imageRow = Self.row(of: captionFacets.images[row], in: ids), allowedImages.contains(imageRow) {
                rows.insert(row)
            }
        }
        let k = min(top, rows.count)
        guard k > 0 else { return [] }
        let hits = try captions.search(query, k: k, filter: .rows(rows))
        let texts = try corpus.captionSummaries(hits.map(\.id))
        return hits.compactMap { hit in
            texts[hit.id].map { CaptionHit(captionId: hit.id, imageId: $0.imageId, text: $0.text, source: $0.source,
                                           score: hit.score) }
        }
    }

    /// The stored embedding of an image; an error naming the id when it has none.
    public func vector(ofImage id: Int64) throws -> [Float] {
        guard let row = Self.row(of: id, in: imageIds) else {
            throw SearchError.invalidInput("image \(id) has no embedding for this model (unknown id, or not embedded yet)")
        }
        switch images {
        case .exact(let index): return index.vector(row: row)
        case .approximate(let index): return try index.vector(row: row)
        }
    }

    /// The rows of indexed images that pass `filter`.
    func imageRows(_ filter: SearchFilter, excluding: Int64?) throws -> RowSet {
        let ids = imageIds
        var dataset: Int32? = nil
        if let name = filter.dataset {
            guard let index = facets.datasetNames.firstIndex(of: name) else {
                throw SearchError.invalidInput("unknown dataset '\(name)'; 'skycorpus stats' lists the datasets")
            }
            dataset = Int32(index)
        }
        var split: Int32? = nil
        if let name = filter.split {
            split = facets.splitNames.firstIndex(of: name).map(Int32.init) ?? -2  // no image has it: nothing passes
        }
        var required: [RowSet] = []
        if let className = filter.className {
            required.append(rowSet(of: try corpus.imageIds(withObjectClass: className), in: ids))
        }
        if let source = filter.captionSource {
            required.append(rowSet(of: try corpus.imageIds(withCaptionSource: source), in: ids))
        }
        var rows = RowSet(rowCount: ids.count)
        for row in 0..<ids.count {
            if let dataset, facets.dataset[row] != dataset { continue }
            if let split, facets.split[row] != split { continue }
            if !filter.includeDuplicates && facets.duplicate[row] { continue }
            if ids[row] == excluding { continue }
            if required.contains(where: { !$0.contains(row) }) { continue }
            rows.insert(row)
        }
        return rows
    }

    private func rowSet(of wanted: [Int64], in ids: [Int64]) -> RowSet {
        RowSet(rowCount: ids.count, rows: wanted.compactMap { Self.row(of: $0, in: ids) })
    }

    /// Binary search in ascending ids.
    static func row(of id: Int64, in ids: [Int64]) -> Int? {
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }

    /// The query scaled to unit length (scores are then cosines); a zero vector stays zero.
    static func unit(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    private func checkDimension(_ count: Int) throws {
        guard count == dimension else {
            throw SearchError.shapeMismatch("the query has dimension \(count), the stored embeddings \(dimension): "
                                            + "use the model the corpus was embedded with")
        }
    }
}
