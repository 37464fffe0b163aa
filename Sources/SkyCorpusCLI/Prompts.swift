import ArgumentParser
import SkyPipeline
import SkyStorage
import SkyText

/// `skycorpus prompts`: CLIP prompt strings for a class list from a template set; printed, or stored.
struct Prompts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or store CLIP prompts: a template set applied to a class list or to each image's mask classes.",
        discussion: """
            Template sets live in Schemas/prompts/ (--list-templates names them). Class names are cleaned as \
            CLIP's evaluation code does (underscores and slashes to spaces, lower case). --classes takes a file \
            (one class per line; of "english, gloss" lines the part before ", ") or a comma-separated list. \
            --from-masks builds SegCLIP-style per-image prompts from the classes present in each registered \
            mask of --dataset and stores them. --store writes the prompts to the corpus, replacing that \
            dataset's prompts of the same template set in one transaction.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("A class list: a file, or names separated by commas.", valueName: "file|list"))
    var classes: String?

    @Option(help: "The template set (a file name under Schemas/prompts/ without .json).")
    var templates = PromptTemplateSet.defaultName

    @Option(help: "The dataset the prompts belong to (needed with --from-masks).")
    var dataset: String?

    @Flag(help: "Per-image prompts for the classes present in each mask of --dataset (stored).")
    var fromMasks = false

    @Flag(help: "Store the prompts in the corpus instead of printing them.")
    var store = false

    @Flag(help: "List the template sets and exit.")
    var listTemplates = false

    func run() throws {
        if listTemplates {
            let sets = try PromptTemplateSet.availableNames().map { try PromptTemplateSet.named($0) }
            if global.json {
                try Output.json(sets.map { TemplateSetInfo(name: $0.name, templates: $0.templates.count,
                                                           ensemble: $0.ensemble.rawValue, source: $0.source) })
            } else {
                for set in sets {
                    let count = set.templates.count == 1 ? "1 template" : "\(set.templates.count) templates"
                    print("\(set.name)\t\(count)\t\(set.description)")
                }
            }
            return
        }
        let set = try PromptTemplateSet.named(templates)
        let promptStore = PromptStore(templates: set)
        if fromMasks {
            guard let dataset else { throw ValidationError("--from-masks needs --dataset NAME") }
            let summary = try promptStore.storeImagePrompts(dataset: dataset, in: try global.openCorpus())
            try report(summary)
            return
        }
        guard let classes else { throw ValidationError("give --classes FILE|LIST, --from-masks or --list-templates") }
        let names = try PromptClassList.parse(classes)
        if store {
            try report(try promptStore.storeClassPrompts(classes: names, dataset: dataset, in: try global.openCorpus()))
            return
        }
        let prompts = SegCLIPPrompts.datasetPrompts(classes: names, templates: set)
        if global.json {
            try Output.json(PromptList(templateSet: set.name, ensemble: set.ensemble.rawValue,
                                       prompts: prompts.map { PromptLine(className: $0.className, text: $0.text) }))
        } else {
            for prompt in prompts { print("\(prompt.className)\t\(prompt.text)") }
        }
    }

    private func report(_ summary: PromptStore.Summary) throws {
        if global.json {
            try Output.json(summary)
        } else if !global.quiet {
            Output.note("prompts: \(summary.templateSet) for \(summary.dataset ?? "no dataset"): \(summary.inserted) "
                        + "written\(summary.images > 0 ? " for \(summary.images) images" : ""), \(summary.removed) replaced")
        }
    }
}

/// `prompts --json`: the prompts of a class list.
struct PromptList: Encodable {
    var templateSet: String
    var ensemble: String
    var prompts: [PromptLine]
}

/// One prompt and its class.
struct PromptLine: Encodable {
    var className: String
    var text: String
}

/// `prompts --list-templates --json`: one template set.
struct TemplateSetInfo: Encodable {
    var name: String
    var templates: Int
    var ensemble: String
    var source: String
}
