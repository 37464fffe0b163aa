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

    /// Writes one prompt file per split and time folder: `ROOT/split/time_clipcls_TAG.json` by default, or where
    /// `output` says. Images are the `.jpg` and `.png` files of each folder in name order; `image_path` in the
    /// records is always `ROOT/split/time/name`, as ChangeCLIP's lists spell it. Each file is written beside its
    /// target and renamed into place, so a reader never sees half a file. Every folder is listed, and the output
    /// checked, before any image is encoded.
    public func run(root: String, splits: [String], timeFolders: [String]?, encoder: CLIPEncoder,
                    output: ChangeCLIPOutput = .datasetFolder,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> [Written] {
        guard !vocabulary.isEmpty else { throw SearchError.invalidInput("the vocabulary is empty") }
        var jobs: [(split: String, time: String, paths: [String], file: String)] = []
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
                jobs.append((split, time, names.map { ChangeCLIPPromptFile.pythonJoin([root, split, time, $0]) },
                             output.path(root: root, split: split, timeFolder: time, tag: tag)))
            }
        }
        try Self.prepare(output, files: jobs.map(\.file), folders: jobs.map { "\($0.split)/\($0.time)" })
        let classifier = try ZeroShotClassifier(classNames: vocabulary, classEmbeddings: encoder.encodeTexts(vocabulary),
                                                logitScale: encoder.logitMultiplier)
        var written: [Written] = []
        for job in jobs {
            let probabilities = try classifier.probabilities(for: encoder.encodeImages(files: job.paths, progress: progress))
            let records = zip(job.paths, probabilities).map { ChangeCLIPRecord(imagePath: $0, ranked: classifier.ranked($1)) }
            try FileBytes.write(Array(ChangeCLIPPromptFile.encode(records).utf8), to: job.file)
            written.append(Written(file: job.file, images: records.count))
        }
        return written
    }

    /// Checks that `output` can take `files` (one per entry of `folders`, named in errors) and creates the
    /// folders they go in.
    static func prepare(_ output: ChangeCLIPOutput, files: [String], folders: [String]) throws {
        if case .file(let file) = output, files.count != 1 {
            throw SearchError.invalidInput("\(file): \(files.count) prompt files to write (\(folders.joined(separator: ", "))) "
                                           + "cannot go to one file")
        }
        if case .datasetFolder = output { return }
        var isDirectory: ObjCBool = false
        if case .file(let file) = output, FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory),
           isDirectory.boolValue {
            throw SearchError.invalidInput("\(file): is a folder, not a file to write")
        }
        for parent in Set(files.map { ($0 as NSString).deletingLastPathComponent }) where !parent.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw SearchError.invalidInput("\(parent): cannot create the output folder (\(error.localizedDescription))")
            }
        }
    }
}
