import GRDB

/// Where a caption came from (the `caption.source` column).
public enum CaptionSource: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Made from boxes by B2C's rules.
    case b2c
    /// Written by people (a caption dataset).
    case human
    /// A CLIP prompt stored as a caption.
    case prompt
    /// A change sentence made from a change mask.
    case change
    /// Made from a model's zero-shot label ("a satellite image of a harbor."); the rule names the model.
    case zeroShot = "zero-shot"
}

/// Where an image-level label came from (the `image_label.source` column).
public enum LabelSource: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// The dataset's own class (a scene-classification folder).
    case groundTruth = "ground-truth"
    /// A model's zero-shot top-k over a class list.
    case zeroShot = "zero-shot"
}

/// Where an object came from (the `object.source` column).
public enum ObjectSource: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// From the dataset's annotation files.
    case annotation
    /// From a segmentation mask by M2B.
    case m2b
}

/// Why dedup marked an image (reports and summaries).
public enum DuplicateKind: String, Sendable, Codable, CaseIterable {
    /// Within the threshold of the image kept for its group.
    case duplicate
    /// Within the threshold of an image of a protected (benchmark test) split.
    case leakage
}

/// What `skycorpus evaluate` measures (the `evaluation.task` column and the `--task` spelling).
public enum EvaluationTask: String, Sendable, Codable, CaseIterable {
    /// Image-text retrieval R@1/5/10 both ways and their mean.
    case retrieval
    /// Zero-shot top-1/top-5 accuracy over a labelled dataset's classes.
    case zeroShot = "zero-shot"
    /// Logistic regression on frozen image embeddings, C chosen on a validation split.
    case linearProbe = "linear-probe"
    /// k-nearest-neighbour classification on image embeddings.
    case knn
    /// The linear probe trained on 1, 2, 4, 8, 16, 32 images per class.
    case fewShot = "few-shot"
    /// RemoteCount-style counting: the true caption among captions that differ only in the number.
    case counting

    /// Whether the task reads only stored embeddings (no text to encode), so it needs no checkpoint.
    public var usesStoredEmbeddingsOnly: Bool {
        switch self {
        case .retrieval, .linearProbe, .knn, .fewShot: true
        case .zeroShot, .counting: false
        }
    }
}
