import ArgumentParser
import SkySearch
import SkyText

/// `skycorpus changeclip-prompts ROOT --model PATH`: ChangeCLIP's per-image prompt files.
struct ChangeCLIPPrompts: ParsableCommand, FlagHints {
    static let configuration = CommandConfiguration(
        commandName: "changeclip-prompts",
        abstract: "Write ChangeCLIP's prompt files: CLIP zero-shot class probabilities per change-pair image.",
        discussion: """
            For each split and time folder (A/B, time1/time2 or im1/im2) under ROOT, scores every .jpg/.png image \
            against the vocabulary's bare class names (no template, softmax over all classes) and writes \
            ROOT/SPLIT/TIME_clipcls_TAG.json exactly as ChangeCLIP's tools/clip_inference.py does, so that its data \
            loader reads the files unchanged (it takes the 9 most probable classes of each image). image_path is \
            ROOT/SPLIT/TIME/NAME with ROOT as given: pass ROOT as your train/val/test.txt lists spell it. \
            ChangeCLIP used OpenAI's ViT-B/16. --out writes elsewhere and leaves the dataset untouched: a folder \
            gets the same layout (OUT/SPLIT/TIME_clipcls_TAG.json); a path ending in .json is one file, for a \
            run with one split and one time folder. Files are written beside their target and renamed into place.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The change-detection dataset root (holding the split folders).")
    var root: String

    @Option(help: "The CLIP checkpoint (safetensors, torch.save .pt/.bin, or OpenAI TorchScript .pt).")
    var model: String

    @Option(help: "A split folder under ROOT (repeatable; default train, val and test where present; '' for none).")
    var split: [String] = []

    @Option(help: "A time folder (repeatable; default: detected A/B, time1/time2 or im1/im2).")
    var time: [String] = []

    @Option(help: "A vocabulary file (one class per line) or a comma-separated list; default ChangeCLIP's 56 classes.")
    var vocabulary: String?

    @Option(help: "The tag in the file names; ChangeCLIP's loader expects 56_vit16.")
    var tag = ChangeCLIPPromptFile.defaultTag

    @Option(help: ArgumentHelp("Write here instead of into ROOT: a folder (same SPLIT/TIME_clipcls_TAG.json layout, "
                               + "created if needed) or a .json file (one split and one time folder only).",
                               valueName: "path"))
    var out: String?

    @Flag(help: "Decode JPEGs at reduced scale before preprocessing (faster, slightly different).")
    var fastDecode = false

    func run() throws {
        let classes = try vocabulary.map { try PromptClassList.parse($0) } ?? ChangeCLIPGenerator.defaultVocabulary()
        let splits = split.isEmpty ? ["train", "val", "test"].filter { !ChangeCLIPGenerator.timeFolders(root: root, split: $0).isEmpty } : split
        guard !splits.isEmpty else {
            throw CommandError("\(root): no train/val/test folders with A/B, time1/time2 or im1/im2; pass --split")
        }
        let output: ChangeCLIPOutput = out.map { $0.hasSuffix(".json") ? .file($0) : .folder($0) } ?? .datasetFolder
        let encoder = try CLIPEncoder(modelPath: model, reducedJPEGDecode: fastDecode)
        let progress = global.progress("changeclip-prompts")
        let written = try ChangeCLIPGenerator(vocabulary: classes, tag: tag)
            .run(root: root, splits: splits, timeFolders: time.isEmpty ? nil : time, encoder: encoder,
                 output: output) { progress.update($0, $1) }
        if global.json {
            try Output.json(written)
        } else {
            for file in written { print("\(file.file): \(file.images) images") }
        }
    }

    func hint(for error: Error) -> String? {
        if case SearchError.invalidInput(let message) = error, message.contains("cannot go to one file") {
            return "pass --out with a folder, or one --split and one --time"
        }
        return nil
    }
}
