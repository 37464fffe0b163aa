import Foundation
import SkyImaging
import SkyText

/// Writes ChangeCLIP's prompt files for a change-detection dataset: zero-shot probabilities of every image of every
/// (split, time) folder over a vocabulary, with the bare class names as prompts (no template), as
/// `tools/clip_inference.py` does.
public struct ChangeCLIPGenerator: Sendable {
    /// The vocabulary, in order.
    public var vocabulary: [String]
    /// The tag in the file names (ChangeCLIP's loader expects `56_vit16`).
    public var tag: String = ChangeCLIPPromptFile.defaultTag

    /// What one folder produced.
    public struct Written: Sendable, Codable, Equatable {
        public var file: String
        public var images: Int
    }

    public init(vocabulary: [String], tag: String = ChangeCLIPPromptFile.defaultTag) {
        self.vocabulary = vocabulary
        self.tag = tag
    }

    /// ChangeCLIP's 56-class vocabulary from `Schemas/prompts/vocabularies/`.
    public static func defaultVocabulary() throws -> [String] {
        try PromptVocabulary.named("changeclip-rscls56").classes
    }

    /// The time folders a change dataset uses, in the first layout present under `root/split`.
    public static func timeFolders(root: String, split: String) -> [String] {
        let layouts = [["A", "B"], ["time1", "time2"], ["im1", "im2"]]
        return layouts.first { layout in
            layout.allSatisfy { FileManager.default.fileExists(atPath: ChangeCLIPPromptFile.pythonJoin([root, split, $0])) }
        } ?? []
    }

    /// Writes `ROOT/split/time_clipcls_TAG.json` for each split and time folder; images are the `.jpg` and `.png`
    /// files of each folder in name order.
    public func run(root: String, splits: [String], timeFolders: [String]?, encoder: CLIPEncoder,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> [Written] {
        guard !vocabulary.isEmpty else { throw SearchError.invalidInput("the vocabulary is empty") }
        let classifier = try ZeroShotClassifier(classNames: vocabulary, classEmbeddings: encoder.encodeTexts(vocabulary),
                                                logitScale: encoder.logitMultiplier)
        var written: [Written] = []
        for split in splits {
            let times = timeFolders ?? Self.timeFolders(root: root, split: split)
            guard !times.isEmpty else {
                throw SearchError.invalidInput("\(ChangeCLIPPromptFile.pythonJoin([root, split])): no A/B, time1/time2 or im1/im2 folders")
            }
            for time in times {
                let folder = ChangeCLIPPromptFile.pythonJoin([root, split, time])
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: folder)
                        .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted()
                } catch {
                    throw SearchError.invalidInput("\(folder): cannot list the folder (\(error.localizedDescription))")
                }
                let paths = names.map { ChangeCLIPPromptFile.pythonJoin([root, split, time, $0]) }
                let probabilities = try classifier.probabilities(for: encoder.encodeImages(files: paths, progress: progress))
                let records = zip(paths, probabilities).map { ChangeCLIPRecord(imagePath: $0, ranked: classifier.ranked($1)) }
                let file = ChangeCLIPPromptFile.fileName(root: root, split: split, timeFolder: time, tag: tag)
                try FileBytes.write(Array(ChangeCLIPPromptFile.encode(records).utf8), to: file)
                written.append(Written(file: file, images: records.count))
            }
        }
        return written
    }
}
