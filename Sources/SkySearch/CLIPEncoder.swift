import SkyConcurrency
import Foundation
import SkyCLIP
import SkyImaging
import SkyText

/// A CLIP model with its preprocessing and tokenizer: files and strings in, unit-length embeddings out.
public struct CLIPEncoder: Sendable {
    /// The model.
    public let model: CLIPModel
    /// open_clip's preprocessing at the model's input size.
    public var preprocessor: CLIPPreprocessor
    /// CLIP's BPE tokenizer.
    public let tokenizer: CLIPTokenizer
    /// Images encoded per BLAS batch.
    public var batchSize = 16

    /// Loads a checkpoint (safetensors, torch.save or TorchScript) and prepares its preprocessing.
    public init(modelPath: String, reducedJPEGDecode: Bool = false) throws(CLIPError) {
        try self.init(model: CLIPModel(path: modelPath), reducedJPEGDecode: reducedJPEGDecode)
    }

    /// Wraps a loaded model.
    public init(model: CLIPModel, reducedJPEGDecode: Bool = false) throws(CLIPError) {
        self.model = model
        self.preprocessor = CLIPPreprocessor(imageSize: model.architecture.imageSize, reducedJPEGDecode: reducedJPEGDecode)
        self.tokenizer = try CLIPTokenizer()
    }

    /// `exp(logit_scale)`: the factor on cosine similarities before a softmax.
    public var logitMultiplier: Float { Float(exp(Double(model.logitScale))) }

    /// Unit-length embeddings of image files, in order; `progress(done, total)` after each batch.
    public func encodeImages(files: [String], progress: (Int, Int) -> Void = { _, _ in }) throws -> EmbeddingMatrix {
        var rows: [[Float]] = []
        var start = 0
        while start < files.count {
            let batch = Array(files[start..<min(files.count, start + batchSize)])
            rows += try model.encodeImages(try preprocessor.batchTensor(files: batch), count: batch.count)
            start += batch.count
            progress(start, files.count)
        }
        guard !rows.isEmpty else { return try EmbeddingMatrix(rows: 0, dimension: model.embedDim, values: []) }
        return try EmbeddingMatrix(rows).normalized()
    }

    /// Unit-length embeddings of texts (open_clip tokenization, truncated to the context).
    public func encodeTexts(_ texts: [String]) throws -> EmbeddingMatrix {
        try rawTextEmbeddings(texts).normalized()
    }

    /// Text embeddings as the model outputs them, before normalisation.
    func rawTextEmbeddings(_ texts: [String]) throws -> EmbeddingMatrix {
        guard !texts.isEmpty else { return try EmbeddingMatrix(rows: 0, dimension: model.embedDim, values: []) }
        let tokens = texts.map { tokenizer.tokenize($0, contextLength: model.architecture.contextLength) }
        return try EmbeddingMatrix(try model.encodeTokens(tokens))
    }

    /// One unit-length embedding per class from a template ensemble, by the set's recipe: CLIP's (normalise each
    /// prompt embedding, average, normalise again) or GeoRSCLIP's (average the raw embeddings, normalise).
    public func classEmbeddings(classNames: [String], templates: PromptTemplateSet) throws -> EmbeddingMatrix {
        guard !templates.templates.isEmpty else {
            throw SearchError.invalidInput("template set \(templates.name) has no templates")
        }
        var rows: [[Float]] = []
        for name in classNames {
            let raw = try rawTextEmbeddings(templates.prompts(for: name))
            let embeddings = templates.ensemble == .normalizeMeanNormalize ? raw.normalized() : raw
            var mean = [Float](repeating: 0, count: embeddings.dimension)
            for row in 0..<embeddings.rows {
                for (index, value) in embeddings.row(row).enumerated() { mean[index] += value }
            }
            rows.append(mean.map { $0 / Float(embeddings.rows) })
        }
        return try EmbeddingMatrix(rows).normalized()
    }
}

extension CLIPPreprocessor {
    /// The model input tensors of `files`, concatenated in order; the files are decoded and preprocessed
    /// concurrently (each image is independent, so the values are the same as one after another).
    ///
    /// Throws the error of the first file, in input order, that fails.
    func batchTensor(files: [String]) throws(CLIPError) -> [Float] {
        var pixels: [Float] = []
        pixels.reserveCapacity(files.count * 3 * imageSize * imageSize)
        for result in tensors(files: files) { pixels += try result.get() }
        return pixels
    }

    /// Each file's model input tensor or its error, in order, decoded and preprocessed concurrently.
    func tensors(files: [String]) -> [Result<[Float], CLIPError>] {
        let slots = ResultSlots<Result<[Float], CLIPError>>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            slots.set(index, Result { () throws(CLIPError) in try tensor(file: files[index]) })
        }
        return slots.values()
    }
}
