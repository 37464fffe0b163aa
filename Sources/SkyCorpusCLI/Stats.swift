import ArgumentParser
import SkyPipeline
import SkyStorage

/// `skycorpus stats`: counts per dataset, split, caption source and class.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print counts per dataset, split, caption source and class.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many classes to list, most frequent first (all with --json).")
    var topClasses = 20

    func validate() throws {
        guard topClasses >= 0 else { throw ValidationError("--top-classes must be 0 or more") }
    }

    func run() throws {
        let stats = try CorpusStats.read(from: global.openCorpus(.readOnly))
        if global.json {
            try Output.json(stats)
            return
        }
        print("\(stats.totalImages) images, \(stats.totalObjects) objects, \(stats.totalCaptions) captions")
        for dataset in stats.datasets {
            let splits = dataset.splits.sorted { $0.key < $1.key }
                .map { "\($0.key.isEmpty ? "(no split)" : $0.key) \($0.value)" }.joined(separator: ", ")
            print("  \(dataset.name): \(dataset.images) images [\(splits)], \(dataset.objects) objects, "
                  + "\(dataset.captions) captions, \(dataset.changePairs) change pairs, \(dataset.duplicates) duplicates, "
                  + "\(dataset.unreadable) unreadable" + (dataset.labels > 0 ? ", \(dataset.labels) image labels" : ""))
        }
        if !stats.captionSources.isEmpty {
            let sources = stats.captionSources.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("captions by source: " + sources.joined(separator: ", "))
        }
        if !stats.labelSources.isEmpty {
            print("image labels by source: " + stats.labelSources.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", "))
            let top = stats.imageClasses.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topClasses)
            print("images by label: " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for set in stats.embeddings where !set.items.isEmpty {
            let items = set.items.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)s" }.joined(separator: ", ")
            print("embeddings of \(set.model) (\(set.precision), dimension \(set.dimension)): \(items)")
        }
        if !stats.classes.isEmpty {
            let top = stats.classes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topClasses)
            print("objects by class: " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
    }
}
