import Foundation

/// `manifest.json` of a generated tree: what each dataset holds, how to ingest it, and the planted copies (with
/// the paths the corpus will store, relative to each dataset's folder), so a benchmark can check what dedup found.
enum GenerateManifest {
    static func write(plan: GeneratePlan, options: GenerateCommand.Options, to path: String) throws {
        var datasets: [[String: Any]] = []
        let byDataset = Dictionary(grouping: plan.images, by: \.dataset)
        for (index, spec) in plan.specs.enumerated() {
            let images = byDataset[index] ?? []
            let perImage = spec.layout == .change ? 2 : 1
            var splits: [String: Int] = [:]
            for image in images { splits[image.split, default: 0] += perImage }
            var entry: [String: Any] = [
                "name": spec.name, "path": spec.name, "layout": spec.layout.rawValue, "format": spec.layout.ingestFormat,
                "images": images.count * perImage, "splits": splits,
            ]
            let shapes = images.filter { $0.planted == nil }.reduce(0) { $0 + $1.shapes.count }
            switch spec.layout {
            case .indexMasks, .colourMasks:
                entry["palette"] = spec.palette
                entry["masks"] = images.count
                entry["mask_regions_drawn"] = shapes
            case .captions:
                entry["human_captions"] = images.count * GeneratedAnnotations.templates.count
            case .change:
                entry["change_pairs"] = images.count
                entry["pairs_without_change"] = images.filter { $0.shapes.isEmpty }.count
            default:
                entry["objects"] = images.reduce(0) { $0 + $1.shapes.count }
            }
            datasets.append(entry)
        }
        let planted: [[String: Any]] = plan.images.compactMap { image in
            guard let copy = image.planted else { return nil }
            let origin = plan.images[copy.source]
            return [
                "kind": copy.kind,
                "dataset": plan.specs[image.dataset].name,
                "path": GeneratedPaths(image, layout: plan.specs[image.dataset].layout).photo,
                "source_dataset": plan.specs[origin.dataset].name,
                "source_path": GeneratedPaths(origin, layout: plan.specs[origin.dataset].layout).photo,
                "source_split": origin.split,
            ]
        }
        let manifest: [String: Any] = [
            "generator": "skybench generate", "seed": options.seed, "images": options.images, "scale": options.scale,
            "jpeg_quality": options.quality, "protect": plan.protectedSplits, "datasets": datasets, "planted": planted,
            "images_written": datasets.reduce(0) { $0 + ($1["images"] as? Int ?? 0) },
        ]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// `recipe.yaml` beside the datasets (`Schemas/recipe.md`): every dataset with its format (and palette), the caption
/// sets' test splits protected and preferred by dedup, M2B, B2C and change sentences, dedup, prompts, exports.
enum GenerateRecipe {
    static func text(plan: GeneratePlan, seed: UInt64, images: Int) -> String {
        var lines = ["# Made by skybench generate (\(images) images, seed \(seed)): RemoteCLIP-shaped synthetic datasets.",
                     "# Dataset paths are relative to this file; export and report paths land beside the corpus.",
                     "datasets:"]
        for spec in plan.specs {
            var fields = ["name: \(spec.name)", "path: \(spec.name)", "format: \(spec.layout.ingestFormat)"]
            if let palette = spec.palette { fields.append("palette: \(palette)") }
            if spec.layout == .captions {
                fields.append("priority: 1")
                if plan.protectedSplits.contains("\(spec.name):test") { fields.append("protect: [test]") }
            }
            lines.append("  - {" + fields.joined(separator: ", ") + "}")
        }
        let dior = plan.specs.first { $0.name == "dior" }?.classes ?? ["airplane", "ship"]
        lines += [
            "steps:",
            "  m2b:",
            "  caption: {seed: \(seed)}",
            "  changes: {seed: \(seed)}",
            "  dedup: {threshold: 2, report: duplicates.csv}",
            "  prompts:",
            "    - {templates: clip-imagenet-80, classes: [" + dior.joined(separator: ", ") + "]}",
            "exports:",
            "  - {format: csv, out: train.csv, splits: [train]}",
            "  - {format: jsonl, out: corpus.jsonl}",
            "  - {format: webdataset, out: shards, shard_size: 5000}",
            "  - {format: prompts, out: prompts.jsonl}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
