// The plan of a generated tree: every image's dataset, split, name, size, seed and boxes or mask regions, and the
// planted duplicates and test-split leaks. Planning is sequential and cheap; rendering follows the plan.

/// A planted copy: an exact (byte-identical) copy, a near copy (brightened, re-encoded) of an image of another
/// dataset, or a near copy of a protected test image placed in a training split (a leak).
enum PlantedCopy: Sendable {
    case exact(source: Int)
    case near(source: Int)
    case leak(source: Int)

    var source: Int {
        switch self {
        case .exact(let source), .near(let source), .leak(let source): source
        }
    }

    var kind: String {
        switch self {
        case .exact: "exact"
        case .near: "near"
        case .leak: "leak"
        }
    }
}

/// One image (one pair for change datasets) of the tree.
struct PlannedImage: Sendable {
    var dataset: Int
    var stem: String
    var split: String
    var width: Int
    var height: Int
    var seed: UInt64
    var shapes: [PlannedShape]
    var fileExtension: String
    var planted: PlantedCopy? = nil
}

/// What `skybench generate` makes.
struct GeneratePlan: Sendable {
    var specs: [GeneratedDatasetSpec]
    var images: [PlannedImage]

    /// The protected test splits of the tree (`DATASET:SPLIT`), for `dedup --protect`.
    var protectedSplits: [String] {
        let tested = Set(images.filter { $0.split == "test" && $0.planted == nil }.map(\.dataset))
        return specs.indices.filter { specs[$0].layout == .captions && tested.contains($0) }.map { "\(specs[$0].name):test" }
    }

    /// Plans `total` image files (a change pair counts two) with `exact`, `near` and `leaks` planted copies in the
    /// training splits of the VOC datasets.
    static func make(total: Int, seed: UInt64, scale: Double, exact: Int, near: Int, leaks: Int,
                     specs: [GeneratedDatasetSpec] = GeneratedDatasets.remoteCLIP) -> GeneratePlan {
        let planted = exact + near + leaks
        let counts = GeneratedDatasets.counts(total: max(0, total - planted), specs: specs)
        var images: [PlannedImage] = []
        for (datasetIndex, spec) in specs.enumerated() {
            let files = counts[datasetIndex]
            let items = spec.layout == .change ? files / 2 : files
            var random = GeneratorRandom(seed: GeneratorRandom.derive(seed, spec.name))
            for index in 0..<items {
                let imageSeed = GeneratorRandom.derive(seed, spec.name, index + 1)
                let split = pickSplit(spec.splits, index: index, count: items)
                let (width, height) = size(of: spec, scale: scale, random: &random)
                let stem = spec.layout == .dota ? "P" + padded(index, 5) : spec.name + "_" + padded(index, 6)
                images.append(PlannedImage(dataset: datasetIndex, stem: stem, split: split, width: width, height: height,
                                           seed: imageSeed, shapes: shapes(for: spec, width: width, height: height, random: &random),
                                           fileExtension: spec.photoExtension))
            }
        }
        images += plantedCopies(of: images, specs: specs, seed: seed, exact: exact, near: near, leaks: leaks)
        return GeneratePlan(specs: specs, images: images)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Splits by position, so each split holds its share exactly (up to rounding) and the plan stays stable.
    static func pickSplit(_ splits: [(String, Double)], index: Int, count: Int) -> String {
        let position = (Double(index) + 0.5) / Double(max(1, count))
        var cumulative = 0.0
        for (name, share) in splits {
            cumulative += share
            if position < cumulative { return name }
        }
        return splits.last?.0 ?? "train"
    }

    /// The dataset's average size times `scale`, with some spread for the sets whose images vary.
    static func size(of spec: GeneratedDatasetSpec, scale: Double, random: inout GeneratorRandom) -> (Int, Int) {
        let fixed = [.captions, .indexMasks, .colourMasks, .change].contains(spec.layout) || spec.name == "dior"
        let spread = fixed ? 1.0 : 0.8 + 0.4 * random.unit()
        return (max(32, Int(Double(spec.width) * scale * spread)), max(32, Int(Double(spec.height) * scale * spread)))
    }

    /// Boxes (detection), mask regions (segmentation) or changed areas (change pairs) of one image.
    static func shapes(for spec: GeneratedDatasetSpec, width: Int, height: Int, random: inout GeneratorRandom) -> [PlannedShape] {
        let short = min(width, height)
        var count: Int
        var sizes: (Double, Double)
        var classes: [Int]
        switch spec.layout {
        case .captions:
            return []
        case .indexMasks, .colourMasks:
            count = Int(spec.meanObjects * (0.5 + random.unit()))
            sizes = (0.03, 0.25)
            classes = GeneratedDatasets.maskClasses(palette: spec.palette ?? "").foreground.map(Int.init)
        case .change:
            count = random.below(7) == 0 ? 0 : 1 + random.below(Int(spec.meanObjects * 2))
            sizes = (0.03, 0.15)
            classes = [255]
        default:
            count = spec.meanObjects <= 1 ? 1 : max(1, Int((2 * spec.meanObjects * random.unit()).rounded()))
            sizes = spec.meanObjects > 30 ? (0.015, 0.05) : (0.03, 0.2)
            classes = Array(spec.classes.indices)
        }
        var shapes: [PlannedShape] = []
        for _ in 0..<count {
            let side = Double(short) * (sizes.0 + (sizes.1 - sizes.0) * random.unit())
            let aspect = 0.5 + 1.5 * random.unit()
            let w = max(4, min(width - 2, Int(side * aspect.squareRoot()))), h = max(4, min(height - 2, Int(side / aspect.squareRoot())))
            let x = 1 + random.below(max(1, width - w - 2)), y = 1 + random.below(max(1, height - h - 2))
            let ellipse = spec.layout == .indexMasks || spec.layout == .colourMasks ? random.below(2) == 1 : false
            shapes.append(PlannedShape(classIndex: classes[random.below(classes.count)], x: x, y: y, width: w, height: h,
                                       ellipse: ellipse))
        }
        return shapes
    }

    /// Planted copies in the training splits of the VOC datasets: copies of photos of any other dataset (exact
    /// and near), and near copies of the caption datasets' test images (leaks).
    static func plantedCopies(of images: [PlannedImage], specs: [GeneratedDatasetSpec], seed: UInt64,
                              exact: Int, near: Int, leaks: Int) -> [PlannedImage] {
        let targets = specs.indices.filter { specs[$0].layout == .voc }
        guard !targets.isEmpty else { return [] }
        // Sources of exact and near copies: never a protected test image (a copy of one is a leak, planted apart).
        let sources = images.indices.filter {
            specs[images[$0].dataset].layout != .change && !(specs[images[$0].dataset].layout == .captions && images[$0].split == "test")
        }
        let tests = images.indices.filter { specs[images[$0].dataset].layout == .captions && images[$0].split == "test" }
        var random = GeneratorRandom(seed: GeneratorRandom.derive(seed, "planted"))
        var planted: [PlannedImage] = []
        var used = Set<Int>()
        func pick(_ pool: [Int]) -> Int? {
            guard !pool.isEmpty, used.count < pool.count else { return nil }
            while true {
                let candidate = pool[random.below(pool.count)]
                if used.insert(candidate).inserted { return candidate }
            }
        }
        let wanted: [(Int, (Int) -> PlantedCopy, [Int])] = [(exact, { .exact(source: $0) }, sources),
                                                            (near, { .near(source: $0) }, sources),
                                                            (leaks, { .leak(source: $0) }, tests)]
        for (count, make, pool) in wanted {
            for _ in 0..<count {
                guard let source = pick(pool) else { break }
                let copy = make(source), origin = images[source]
                let dataset = targets[random.below(targets.count)]
                let w = origin.width, h = origin.height
                let box = PlannedShape(classIndex: random.below(specs[dataset].classes.count), x: w / 4, y: h / 4,
                                       width: max(4, w / 2), height: max(4, h / 2), ellipse: false)
                let fileExtension = if case .exact = copy { origin.fileExtension } else { "jpg" }
                planted.append(PlannedImage(dataset: dataset, stem: "\(copy.kind)_" + padded(planted.count, 6), split: "train",
                                            width: w, height: h, seed: origin.seed, shapes: [box],
                                            fileExtension: fileExtension, planted: copy))
            }
        }
        return planted
    }
}
