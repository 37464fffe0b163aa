import Foundation
import SkyConcurrency
import SkySearch
import SkyStorage

/// Where the server listens and what it accepts; defaults and ranges defined once for the CLI and the tests.
public struct ServerConfiguration: Sendable, Equatable {
    /// The default address: loopback only, so nothing outside the machine reaches the corpus unless asked.
    public static let defaultHost = "127.0.0.1"
    /// The default port.
    public static let defaultPort = 8080
    /// The largest upload accepted by default (bytes): 32 MiB.
    public static let defaultUploadLimit = 32 << 20
    /// Upload limits one may configure.
    public static let uploadLimitRange = 1_024...(1 << 30)
    /// How long cached stats are served before they are read again (seconds).
    public static let statsLifetime: TimeInterval = 60

    public var host: String
    public var port: Int
    /// The largest request body accepted (image uploads, JSON).
    public var uploadLimit: Int

    public init(host: String = defaultHost, port: Int = defaultPort, uploadLimit: Int = defaultUploadLimit) {
        self.host = host
        self.port = port
        self.uploadLimit = uploadLimit
    }
}

/// Whether search endpoints can answer: the engine, or why not and what to do.
public enum SearchAvailability: Sendable {
    case ready(SearchEngine)
    case unavailable(reason: String, hint: String)

    /// The engine, or the 409 error that says why there is none.
    func engine() throws -> SearchEngine {
        switch self {
        case .ready(let engine): return engine
        case .unavailable(let reason, let hint): throw APIError(409, "search is unavailable: \(reason)", hint: hint)
        }
    }
}

/// Everything a request reads, loaded once: the corpus (read-only), the search engine when a model was given,
/// and caches of stats and thumbnails.
public final class CorpusService: Sendable {
    /// The corpus, opened read-only.
    public let corpus: Corpus
    /// The search engine, or why search is unavailable.
    public let search: SearchAvailability
    /// Listening address and limits.
    public let configuration: ServerConfiguration

    private let stats: Locked<(read: Date, stats: CorpusStats)?> = Locked(nil)
    private let thumbnails: Locked<[String: [UInt8]]> = Locked([:])
    /// Thumbnails kept in memory before the cache starts over.
    static let thumbnailCacheSize = 4_096

    public init(corpus: Corpus, search: SearchAvailability, configuration: ServerConfiguration = ServerConfiguration()) {
        self.corpus = corpus
        self.search = search
        self.configuration = configuration
    }

    /// Opens the corpus read-only and, when a model is given, loads it and the index once. Problems of the model
    /// against the corpus (not embedded, another checkpoint, another dimension) leave search unavailable with the
    /// reason, so browsing still works; a checkpoint that cannot be read at all is an error.
    public static func load(corpusPath: String, model: (encoder: CLIPEncoder, path: String)?, name: String?,
                            configuration: ServerConfiguration = ServerConfiguration(),
                            efSearch: Int? = nil) throws -> CorpusService {
        let corpus = try Corpus(path: corpusPath, access: .readOnly)
        let search: SearchAvailability
        if let model {
            do {
                search = .ready(try SearchEngine(corpus: corpus, encoder: model.encoder, modelPath: model.path, name: name,
                                                 efSearch: efSearch))
            } catch let error as SearchError {
                // A saved index built from other embeddings than the stored ones (CorpusIndex's error names the
                // command that rebuilds it, as `search`'s hint reads it).
                let staleIndex = error.description.contains("index build")
                search = .unavailable(reason: error.description, hint: staleIndex
                    ? "rebuild the index ('skycorpus index build --model \(model.path)') and restart the server"
                    : "embed the corpus with this checkpoint ('skycorpus embed --model \(model.path)'), "
                        + "or serve with the checkpoint it was embedded with")
            }
        } else {
            search = .unavailable(reason: "the server was started without a model",
                                  hint: "embed the corpus ('skycorpus embed --model CHECKPOINT') and restart with "
                                    + "'skycorpus serve --model CHECKPOINT'")
        }
        return CorpusService(corpus: corpus, search: search, configuration: configuration)
    }

    /// The corpus stats, read at most once per ``ServerConfiguration/statsLifetime``.
    public func cachedStats() throws -> CorpusStats {
        if let cached = stats.value, Date().timeIntervalSince(cached.read) < ServerConfiguration.statsLifetime {
            return cached.stats
        }
        let fresh = try CorpusStats.read(from: corpus)
        stats.withLock { $0 = (Date(), fresh) }
        return fresh
    }

    /// A cached thumbnail, or one made by `make` and cached.
    func thumbnail(key: String, make: () throws -> [UInt8]) throws -> [UInt8] {
        if let cached = thumbnails.withLock({ $0[key] }) { return cached }
        let made = try make()
        thumbnails.withLock { cache in
            if cache.count >= Self.thumbnailCacheSize { cache.removeAll(keepingCapacity: true) }
            cache[key] = made
        }
        return made
    }
}
