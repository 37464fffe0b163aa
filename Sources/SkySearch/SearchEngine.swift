import Foundation
import SkyCLIP
import SkyHashing
import SkyStorage

/// A CLIP encoder and a corpus's index for one model, loaded once: text -> images, image -> images and
/// image -> captions. The model must be the checkpoint the corpus was embedded with (checked by SHA-256, which is
/// remembered by size and modification time so an unchanged checkpoint is not read again).
public struct SearchEngine: Sendable {
    /// The encoder (model, preprocessing, tokenizer).
    public let encoder: CLIPEncoder
    /// The in-memory index of the model's stored embeddings.
    public let index: CorpusIndex
    /// The name the model was registered under by `embed`.
    public let modelName: String
    /// The precision the stored embeddings were made with (`embed --precision`; fp32 for corpora embedded before it
    /// was recorded). Queries are encoded at the encoder's own precision, which may differ: both sides are
    /// unit vectors of the same checkpoint, within cosine 0.999 of each other.
    public let storedPrecision: String

    /// Embedding dimension.
    public var dimension: Int { index.dimension }

    /// Loads a checkpoint with its default architecture and the corpus's index for it.
    public init(corpus: Corpus, modelPath: String, name: String? = nil, mode: IndexMode = .auto,
                efSearch: Int? = nil) throws {
        try self.init(corpus: corpus, encoder: CLIPEncoder(modelPath: modelPath), modelPath: modelPath, name: name,
                      mode: mode, efSearch: efSearch)
    }

    /// Uses a loaded encoder; `modelPath` is its checkpoint (checked against the registered one), `name` the name it
    /// was registered under (default: the checkpoint's file name). `efSearch`: the HNSW search beam, when the
    /// saved index is used.
    public init(corpus: Corpus, encoder: CLIPEncoder, modelPath: String, name: String? = nil,
                mode: IndexMode = .auto, efSearch: Int? = nil) throws {
        let modelName = name ?? URL(fileURLWithPath: modelPath).lastPathComponent
        let model = try Self.registeredModel(in: corpus, modelPath: modelPath, name: modelName)
        guard model.info.dimension == encoder.model.embedDim else {
            throw SearchError.shapeMismatch("\(modelPath) embeds in \(encoder.model.embedDim) dimensions, the corpus's "
                                            + "embeddings of '\(modelName)' have \(model.info.dimension)")
        }
        self.encoder = encoder
        self.modelName = modelName
        storedPrecision = model.info.precision
        index = try CorpusIndex(corpus: corpus, model: model.id,
                                indexFile: CorpusIndex.indexFile(corpusPath: corpus.path, modelName: modelName), mode: mode,
                                efSearch: efSearch)
    }

    /// A line saying that queries are encoded at another precision than the stored embeddings were made with, or
    /// nil when both are the same.
    public var precisionNote: String? {
        let query = encoder.model.precision.rawValue
        guard query != storedPrecision else { return nil }
        return "queries are encoded at \(query); the stored embeddings of '\(modelName)' were made at \(storedPrecision)"
    }

    /// The id and record of the model registered as `name`, which must be the checkpoint at `modelPath`.
    public static func registeredModel(in corpus: Corpus, modelPath: String?,
                                       name: String) throws -> (id: Int64, info: EncoderModelInfo) {
        guard let (id, info) = try corpus.encoder(named: name) else {
            throw SearchError.invalidInput("no embeddings for model '\(name)' in \(corpus.path); "
                                           + "run 'skycorpus embed --model \(modelPath ?? "CHECKPOINT") --name \(name)' first")
        }
        // Without a checkpoint only the stored vectors are used: nothing to check them against.
        guard let modelPath else { return (id, info) }
        let checksum = try FileDigest.sha256(ofFile: modelPath)
        guard checksum == info.checksum else {
            throw SearchError.invalidInput("\(modelPath) is not the checkpoint embedded as '\(name)' (SHA-256 differs)")
        }
        return (id, info)
    }

    /// The images closest to a text.
    public func textToImages(_ text: String, k: Int, filter: SearchFilter) throws -> [CorpusSearch.Hit] {
        try index.images(near: encoder.encodeTexts([text]).row(0), top: k, filter: filter)
    }

    /// The images closest to a corpus image, itself left out.
    public func imageToImages(imageId: Int64, k: Int, filter: SearchFilter) throws -> [CorpusSearch.Hit] {
        try index.images(likeImage: imageId, top: k, filter: filter)
    }

    /// The images closest to an image given as bytes (PNG, JPEG, TIFF or BMP); `name` labels errors.
    public func imageToImages(imageData: Data, name: String = "upload", k: Int,
                              filter: SearchFilter) throws -> [CorpusSearch.Hit] {
        try index.images(near: embed(imageData: imageData, name: name), top: k, filter: filter)
    }

    /// The images closest to an image file.
    public func imageToImages(file: String, k: Int, filter: SearchFilter) throws -> [CorpusSearch.Hit] {
        try index.images(near: embed(file: file), top: k, filter: filter)
    }

    /// The stored captions closest to a corpus image.
    public func imageToCaptions(imageId: Int64, k: Int, filter: SearchFilter) throws -> [CaptionHit] {
        try index.captions(near: index.vector(ofImage: imageId), top: k, filter: filter)
    }

    /// The stored captions closest to an image given as bytes.
    public func imageToCaptions(imageData: Data, name: String = "upload", k: Int, filter: SearchFilter) throws -> [CaptionHit] {
        try index.captions(near: embed(imageData: imageData, name: name), top: k, filter: filter)
    }

    /// The stored captions closest to an image file.
    public func imageToCaptions(file: String, k: Int, filter: SearchFilter) throws -> [CaptionHit] {
        try index.captions(near: embed(file: file), top: k, filter: filter)
    }

    /// The unit embedding of image bytes.
    public func embed(imageData: Data, name: String = "upload") throws -> [Float] {
        let tensor = try encoder.preprocessor.tensor(bytes: [UInt8](imageData), name: name)
        return try EmbeddingMatrix(encoder.model.encodeImages(tensor, count: 1)).normalized().row(0)
    }

    /// The unit embedding of an image file.
    public func embed(file: String) throws -> [Float] {
        try encoder.encodeImages(files: [file]).row(0)
    }
}
