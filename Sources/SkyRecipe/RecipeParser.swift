import Foundation
import SkyCLIP
import SkyDatasets
import SkyGeometry
import SkyPipeline
import SkyStorage
import SkySearch
import SkyText
import Yams

extension Recipe {
    /// Reads and validates the recipe file at `path`: unknown keys, wrong types, missing or unknown values and
    /// missing dataset paths are a ``RecipeError`` naming the file, line and key.
    public static func load(path: String) throws(RecipeError) -> Recipe {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RecipeError(file: path, line: 0, key: "", problem: "cannot read the recipe as UTF-8 text")
        }
        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        return try parse(text, file: path, folder: folder)
    }

    /// Parses recipe text; `file` names it in errors, relative dataset and model paths resolve against `folder`.
    /// `checkFiles` false skips the checks that dataset paths and the model exist (the fuzz target).
    public static func parse(_ text: String, file: String, folder: String, checkFiles: Bool = true)
        throws(RecipeError) -> Recipe {
        try checkNesting(text, file: file)
        let document: Node?
        do {
            document = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw RecipeError(file: file, line: Self.line(of: error), key: "", problem: "not valid YAML: \(Self.problem(of: error))")
        } catch {
            throw RecipeError(file: file, line: 1, key: "", problem: "not valid YAML: \(error)")
        }
        guard let document else {
            throw RecipeError(file: file, line: 1, key: "", problem: "the recipe is empty; it needs at least 'datasets:'")
        }
        var parser = RecipeParser(file: file, folder: folder, checkFiles: checkFiles)
        return try parser.recipe(RecipeNode(node: document, file: file, key: ""))
    }

    /// Deepest nesting a recipe may have (a real one needs under ten levels). Yams composes nested collections
    /// recursively, so thousands of levels (`{{{{...`, `- - - ...`) would overflow the stack (found by fuzzing).
    public static let maximumNesting = 128

    /// Refuses text nested deeper than ``maximumNesting`` before Yams sees it. The estimate is conservative: open
    /// flow brackets (`{`, `[`) carried across lines, plus a line's indentation and its leading `- ` entries.
    static func checkNesting(_ text: String, file: String) throws(RecipeError) {
        var flow = 0
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let bytes = Array(line.utf8)
            var position = 0
            while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
            var block = position
            while position + 1 < bytes.count, bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == UInt8(ascii: " ") {
                block += 1
                position += 2
                while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
            }
            var deepest = flow
            for byte in bytes {
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { flow += 1; deepest = max(deepest, flow) }
                if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { flow = max(0, flow - 1) }
            }
            if block + deepest > maximumNesting {
                throw RecipeError(file: file, line: index + 1, key: "",
                                  problem: "nested deeper than \(maximumNesting) levels; a recipe needs only a few")
            }
        }
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }
}

/// Reads the recipe's sections from the YAML tree.
struct RecipeParser {
    let file: String
    let folder: String
    let checkFiles: Bool
    /// Dataset names read so far, to check references.
    var names: [String] = []

    mutating func recipe(_ root: RecipeNode) throws(RecipeError) -> Recipe {
        let top = try root.mapping(allowed: ["datasets", "steps", "exports"])
        guard let datasetsNode = top["datasets"] else { throw root.error("missing key 'datasets' (the datasets to build from)") }
        var datasets: [RecipeDataset] = []
        for item in try datasetsNode.list() { datasets.append(try dataset(item)) }
        guard !datasets.isEmpty else { throw datasetsNode.error("give at least one dataset") }
        var recipe = Recipe(datasets: datasets, ingest: IngestSettings(), m2b: nil, caption: nil, changes: nil, dedup: nil,
                            prompts: [], embed: nil, exports: [])
        if let steps = top["steps"] { try readSteps(steps, into: &recipe) }
        if let exports = top["exports"] {
            var outs = Set<String>()
            for item in try exports.list() {
                let export = try self.export(item)
                guard outs.insert(export.out).inserted else {
                    throw item.error("two exports write to '\(export.out)'")
                }
                recipe.exports.append(export)
            }
        }
        return recipe
    }

    mutating func dataset(_ node: RecipeNode) throws(RecipeError) -> RecipeDataset {
        let keys = try node.mapping(allowed: ["name", "path", "format", "sources", "palette", "split", "priority", "protect"])
        guard let nameNode = keys["name"] else { throw node.error("missing key 'name'") }
        let name = try nameNode.string()
        do {
            try DatasetRecord.checkName(name)
        } catch {
            throw nameNode.error("\(error)")
        }
        guard !names.contains(name) else { throw nameNode.error("dataset '\(name)' appears twice") }
        names.append(name)
        var sources: [RecipeSource] = []
        if let path = keys["path"] {
            sources.append(try source(path: path, format: keys["format"]))
        } else if let format = keys["format"] {
            throw format.error("'format' goes with 'path'")
        }
        if let more = keys["sources"] {
            for item in try more.list() {
                let entry = try item.mapping(allowed: ["path", "format"])
                guard let path = entry["path"] else { throw item.error("missing key 'path'") }
                sources.append(try source(path: path, format: entry["format"]))
            }
        }
        guard !sources.isEmpty else { throw node.error("missing key 'path' (the dataset folder as distributed)") }
        var palette: String? = nil
        if let node = keys["palette"] {
            let value = try node.string()
            guard Palette.available.contains(value) else {
                throw node.error("unknown palette '\(value)'; palettes: \(Palette.available.joined(separator: ", "))")
            }
            palette = value
        }
        return RecipeDataset(name: name, sources: sources, palette: palette, split: try keys["split"]?.nonEmptyString(),
                             priority: try keys["priority"]?.int() ?? 0,
                             protect: try keys["protect"]?.stringList() ?? [])
    }

    func source(path node: RecipeNode, format formatNode: RecipeNode?) throws(RecipeError) -> RecipeSource {
        let path = try node.nonEmptyString()
        let resolved = RecipePaths.resolve(path, against: folder)
        if checkFiles && !FileManager.default.fileExists(atPath: resolved) {
            throw node.error("no such dataset file or folder: \(resolved) (paths are relative to the recipe's folder)")
        }
        var format: DatasetFormat? = nil
        if let formatNode, try formatNode.string() != "auto" {
            format = try formatNode.choice(DatasetFormat.self, what: "format")
        }
        return RecipeSource(path: path, format: format, resolvedPath: resolved)
    }

    func datasetList(_ node: RecipeNode?) throws(RecipeError) -> [String] {
        guard let node else { return [] }
        let values = try node.stringList()
        for value in values where !names.contains(value) {
            throw node.error("dataset '\(value)' is not among the recipe's datasets (\(names.joined(separator: ", ")))")
        }
        return values
    }

    func readSteps(_ node: RecipeNode, into recipe: inout Recipe) throws(RecipeError) {
        let steps = try node.mapping(allowed: ["ingest", "m2b", "caption", "changes", "dedup", "prompts", "embed"])
        if let node = steps["ingest"] {
            let keys = try settings(node, allowed: ["skip_invalid", "skip_missing"])
            recipe.ingest.skipInvalid = try keys["skip_invalid"]?.bool() ?? recipe.ingest.skipInvalid
            recipe.ingest.skipMissing = try keys["skip_missing"]?.bool() ?? recipe.ingest.skipMissing
        }
        if let node = steps["m2b"] {
            let keys = try settings(node, allowed: ["datasets", "min_area", "rotated", "legacy_angles", "polygons",
                                                     "keep_default_ignored", "ignore_unknown_colours", "skip_invalid"])
            var m2b = M2BSettings()
            m2b.datasets = try datasetList(keys["datasets"])
            if let area = keys["min_area"] {
                m2b.minArea = try area.double()
                guard m2b.minArea >= 0 else { throw area.error("must be 0 or more") }
            }
            m2b.rotated = try keys["rotated"]?.bool() ?? m2b.rotated
            m2b.legacyAngles = try keys["legacy_angles"]?.bool() ?? m2b.legacyAngles
            m2b.polygons = try keys["polygons"]?.bool() ?? m2b.polygons
            m2b.keepDefaultIgnored = try keys["keep_default_ignored"]?.bool() ?? m2b.keepDefaultIgnored
            m2b.ignoreUnknownColours = try keys["ignore_unknown_colours"]?.bool() ?? m2b.ignoreUnknownColours
            m2b.skipInvalid = try keys["skip_invalid"]?.bool() ?? m2b.skipInvalid
            recipe.m2b = m2b
        }
        if let node = steps["caption"] {
            let keys = try settings(node, allowed: ["datasets", "seed", "per_image", "center_region", "difficult"])
            var caption = CaptionSettings()
            caption.datasets = try datasetList(keys["datasets"])
            caption.seed = try keys["seed"]?.unsigned() ?? caption.seed
            caption.perImage = try keys["per_image"]?.int() ?? caption.perImage
            caption.centerRegion = try keys["center_region"]?.double() ?? caption.centerRegion
            caption.difficult = try keys["difficult"]?.choice(DifficultPolicy.self, what: "difficult policy") ?? caption.difficult
            // The generator checks its own ranges: the recipe reports them at the key.
            let options = B2COptions(perImage: caption.perImage, centerFraction: caption.centerRegion, difficult: caption.difficult)
            do {
                _ = try B2CGenerator(phrasings: CaptionPhrasings.standard(), options: options)
            } catch {
                throw (keys["per_image"] ?? keys["center_region"] ?? node).error("\(error)")
            }
            recipe.caption = caption
        }
        if let node = steps["changes"] {
            let keys = try settings(node, allowed: ["datasets", "seed", "per_pair"])
            var changes = ChangeSettings()
            changes.datasets = try datasetList(keys["datasets"])
            changes.seed = try keys["seed"]?.unsigned() ?? changes.seed
            if let perPair = keys["per_pair"] {
                changes.perPair = try perPair.int()
                do {
                    _ = try ChangeSentenceGenerator(phrasings: ChangePhrasings.standard(), perPair: changes.perPair)
                } catch {
                    throw perPair.error("\(error)")
                }
            }
            recipe.changes = changes
        }
        if let node = steps["dedup"] {
            let keys = try settings(node, allowed: ["threshold", "report", "retry_unreadable"])
            var dedup = DedupSettings()
            if let threshold = keys["threshold"] {
                dedup.threshold = try threshold.int()
                let range = Deduplication.thresholdRange
                guard range.contains(dedup.threshold) else {
                    throw threshold.error("give a Hamming distance from \(range.lowerBound) to \(range.upperBound)")
                }
            }
            dedup.report = try keys["report"]?.nonEmptyString()
            dedup.retryUnreadable = try keys["retry_unreadable"]?.bool() ?? dedup.retryUnreadable
            recipe.dedup = dedup
        }
        if let node = steps["prompts"] {
            for item in try node.list() { recipe.prompts.append(try prompts(item)) }
        }
        if let node = steps["embed"] { recipe.embed = try embed(node) }
    }

    /// A step's settings: a mapping, or nothing (`m2b:` alone runs the step with its defaults).
    func settings(_ node: RecipeNode, allowed: [String]) throws(RecipeError) -> [String: RecipeNode] {
        if case .scalar(let scalar) = node.node, ["", "~", "null"].contains(scalar.string) {
            return [:]
        }
        return try node.mapping(allowed: allowed)
    }

    func prompts(_ node: RecipeNode) throws(RecipeError) -> PromptSettings {
        let keys = try node.mapping(allowed: ["templates", "classes", "dataset", "from_masks"])
        let templates = try keys["templates"]?.string() ?? PromptTemplateSet.defaultName
        guard PromptTemplateSet.availableNames().contains(templates) else {
            throw (keys["templates"] ?? node).error(
                "unknown template set '\(templates)'; sets: \(PromptTemplateSet.availableNames().joined(separator: ", "))")
        }
        let fromMasks = try keys["from_masks"]?.bool() ?? false
        let dataset = try datasetList(keys["dataset"]).first
        var classes: [String] = []
        if let node = keys["classes"] {
            if case .sequence = node.node {
                classes = try node.stringList().map(PromptClassList.clean)
            } else {
                let value = try node.nonEmptyString()
                let file = RecipePaths.resolve(value, against: folder)
                do {
                    classes = try PromptClassList.parse(FileManager.default.fileExists(atPath: file) ? file : value)
                } catch {
                    throw node.error("\(error)")
                }
            }
        }
        if fromMasks {
            guard dataset != nil else { throw node.error("from_masks needs 'dataset' (whose masks give the classes)") }
            guard classes.isEmpty else { throw keys["classes"]!.error("give either classes or from_masks, not both") }
        } else if classes.isEmpty {
            throw node.error("give 'classes' (a list or a file) or 'from_masks: true' with 'dataset'")
        }
        return PromptSettings(templates: templates, classes: classes, dataset: dataset, fromMasks: fromMasks)
    }

    func embed(_ node: RecipeNode) throws(RecipeError) -> EmbedSettings {
        let keys = try node.mapping(allowed: ["model", "name", "what", "batch_size", "precision"])
        guard let modelNode = keys["model"] else { throw node.error("missing key 'model' (a CLIP checkpoint)") }
        let model = try modelNode.nonEmptyString()
        let resolved = RecipePaths.resolve(model, against: folder)
        if checkFiles && !FileManager.default.fileExists(atPath: resolved) {
            throw modelNode.error("no such checkpoint: \(resolved)")
        }
        var what: [EmbeddingItemKind] = [.image, .caption, .prompt]
        if let node = keys["what"] {
            what = []
            for word in try node.stringList() {
                let singular = word.hasSuffix("s") ? String(word.dropLast()) : word
                guard let kind = EmbeddingItemKind(rawValue: singular) else {
                    throw node.error("unknown item '\(word)'; give images, captions, prompts")
                }
                what.append(kind)
            }
        }
        let batch = try keys["batch_size"]?.int() ?? CorpusEmbedding.defaultBatchSize
        guard batch >= 1 else { throw keys["batch_size"]!.error("must be at least 1") }
        var precision = Precision.defaultValue
        if let node = keys["precision"] {
            precision = try node.choice(Precision.self, what: "precision")
            // Like the checkpoint's existence: a machine that cannot run it is refused before a build writes anything.
            if checkFiles {
                do { try precision.checkAvailable() } catch { throw node.error("\(error)") }
            }
        }
        return EmbedSettings(model: model, resolvedModel: resolved, name: try keys["name"]?.nonEmptyString(), what: what,
                             batchSize: batch, precision: precision)
    }

    func export(_ node: RecipeNode) throws(RecipeError) -> RecipeExport {
        let keys = try node.mapping(allowed: ["format", "out", "datasets", "splits", "sources", "include_duplicates",
                                              "shard_size", "layout"])
        guard let formatNode = keys["format"] else { throw node.error("missing key 'format'") }
        guard let outNode = keys["out"] else { throw node.error("missing key 'out' (a file, or a folder for webdataset)") }
        var export = RecipeExport(format: try formatNode.choice(ExportFormat.self, what: "export format"),
                                  out: try outNode.nonEmptyString())
        export.datasets = try datasetList(keys["datasets"])
        export.splits = try keys["splits"]?.stringList() ?? []
        if let node = keys["sources"] {
            for item in try node.stringList() {
                guard let source = CaptionSource(rawValue: item) else {
                    throw node.error("unknown caption source '\(item)'; sources: "
                                     + CaptionSource.allCases.map(\.rawValue).joined(separator: ", "))
                }
                export.sources.append(source)
            }
        }
        export.includeDuplicates = try keys["include_duplicates"]?.bool() ?? false
        if let size = keys["shard_size"] {
            export.shardSize = try size.int()
            guard export.shardSize >= 1 else { throw size.error("must be at least 1") }
        }
        export.layout = try keys["layout"]?.choice(WebDatasetLayout.self, what: "layout") ?? export.layout
        return export
    }
}
