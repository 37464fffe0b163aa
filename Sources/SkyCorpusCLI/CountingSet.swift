import ArgumentParser
import SkyPipeline
import SkyStorage
import SkyText

/// `skycorpus counting-set --dataset D --out FILE.jsonl`: a RemoteCount-style counting benchmark from boxes.
struct CountingSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counting-set",
        abstract: "Make a RemoteCount-style counting benchmark from a detection dataset's boxes (stored and written as JSONL).",
        discussion: """
            Images where one class appears --min to --max times (objects marked ignore make that class's count \
            unknown; with several classes in range the most numerous is counted), each with the true caption and one \
            counterfactual per other count that differs only in the number: "a photo of three planes." Stored in the \
            corpus under --name (replacing a set of that name) and written to --out, one JSON object per image \
            (image, path, class, count, captions, answer). 'skycorpus evaluate --task counting' scores a model on it.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The detection dataset whose boxes are counted.")
    var dataset: String

    @Option(name: .shortAndLong, help: "The JSONL benchmark file to write.")
    var out: String

    @Option(help: "The set's name in the corpus (default: the dataset's name).")
    var name: String?

    @Option(help: "The smallest count.")
    var min = CountingCaptions.defaultRange.lowerBound

    @Option(help: "The largest count.")
    var max = CountingCaptions.defaultRange.upperBound

    @Option(help: "The caption template with {number} and {class}.")
    var template = CountingCaptions.defaultTemplate

    func validate() throws {
        let allowed = CountingCaptions.countRange
        guard allowed.contains(min), allowed.contains(max), min < max else {
            throw ValidationError("--min and --max must satisfy \(allowed.lowerBound) <= min < max <= \(allowed.upperBound)")
        }
        guard template.contains("{number}") && template.contains("{class}") else {
            throw ValidationError("--template needs {number} and {class}")
        }
    }

    func run() throws {
        let corpus = try global.openCorpus()
        let summary = try CountingSetStep.run(CountingSetRequest(dataset: dataset, name: name, range: min...max, template: template),
                                              corpus: corpus, output: out)
        if global.json { return try Output.json(summary) }
        let counts = summary.counts.sorted { Int($0.key) ?? 0 < Int($1.key) ?? 0 }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print("counting set '\(summary.name)' of \(summary.dataset): \(summary.images) images [\(counts)], "
              + "\(summary.skipped) images without a class counted \(min)-\(max); written to \(out)")
    }
}
