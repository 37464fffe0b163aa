import Foundation
import SkyGeometry
import SkyImaging
import SkyStorage
import SkyText

/// Stores change sentences for the change pairs of the corpus: source `change`, the rule in `caption.rule`,
/// on the pair's after image.
///
/// Regions come from M2B over the change label. A binary label (LEVIR-CD, WHU-CD, SYSU-CD, CDD; gray, RGB or
/// JPEG) is thresholded into changed/unchanged, so one connected change is one region whatever its stored
/// values. Sizes are pixel counts of the regions, not contour areas. For SECOND-style pairs
/// with two semantic labels (label1, label2, through the `second` palette), each changed pixel's
/// (before, after) class pair is one value of a transition mask, so M2B gives one region per connected
/// transition. Labels are read before the write; the write is one transaction that replaces those
/// datasets' change sentences. A bad label stops the step with its path and nothing is written.
public struct ChangeSentenceStore: Sendable {
    /// One pair's sentences, as a run reports them.
    public struct PairSentences: Sendable, Codable, Equatable {
        public var dataset: String
        /// The before and after image paths, relative to the dataset root.
        public var before: String
        public var after: String
        /// The change label path.
        public var label: String
        public var sentences: [ChangeSentence]
    }

    /// What a run did.
    public struct Summary: Sendable, Codable, Equatable {
        public var datasets: [String]
        /// Pairs looked at.
        public var pairs: Int
        /// Pairs without a change label: no sentences.
        public var pairsWithoutLabel: Int
        /// Pairs whose label is empty (no change).
        public var unchangedPairs: Int
        /// Sentences written (or that would be, for a dry run).
        public var sentences: Int
        /// Earlier change sentences replaced because they differ.
        public var replaced: Int
        /// Sentences already stored exactly so, kept with their ids.
        public var unchanged: Int = 0
        public var dryRun: Bool
    }

    /// The sentence generator.
    public var generator: ChangeSentenceGenerator
    /// English names for semantic classes.
    public var naming: any ClassNaming
    /// The run's seed.
    public var seed: UInt64
    /// The palette of semantic labels (SECOND's by default).
    public var semanticPalette: String

    public init(generator: ChangeSentenceGenerator, naming: any ClassNaming, seed: UInt64,
                semanticPalette: String = "second") {
        self.generator = generator
        self.naming = naming
        self.seed = seed
        self.semanticPalette = semanticPalette
    }

    private typealias PairRow = ChangePairRow

    /// Writes (or with `dryRun` only reports) the change sentences of `datasets` (all when empty).
    /// `progress` gets (pairs done, pairs in all) after every pair.
    public func run(on corpus: Corpus, datasets: [String], dryRun: Bool,
                    progress: (Int, Int) -> Void = { _, _ in },
                    each: (PairSentences) throws -> Void = { _ in }) throws -> Summary {
        let (targets, pairs) = try corpus.read { transaction in
            let targets = try transaction.datasets(named: datasets)
            let pairs = try targets.flatMap { try transaction.changePairs(dataset: $0.id ?? 0) }
            return (targets, pairs)
        }
        var summary = Summary(datasets: targets.map(\.name), pairs: pairs.count, pairsWithoutLabel: 0,
                              unchangedPairs: 0, sentences: 0, replaced: 0, dryRun: dryRun)
        var results: [(afterID: Int64, sentences: [ChangeSentence])] = []
        var palette: Palette? = nil
        for (done, pair) in pairs.enumerated() {
            defer { progress(done + 1, pairs.count) }
            guard let label = pair.label else {
                summary.pairsWithoutLabel += 1
                continue
            }
            let (regions, changed, size) = try regions(of: pair, label: label, palette: &palette)
            if regions.isEmpty { summary.unchangedPairs += 1 }
            let sentences = generator.sentences(regions: regions, imageSize: size, changedPixels: changed, seed: seed,
                                                identity: pair.dataset + "/" + pair.after)
            summary.sentences += sentences.count
            results.append((pair.afterID, sentences))
            try each(PairSentences(dataset: pair.dataset, before: pair.before, after: pair.after, label: label,
                                   sentences: sentences))
        }
        guard !dryRun else { return summary }
        return try corpus.write { transaction in
            var written = summary
            // Every after image of the datasets' pairs is synced (those without a label to no sentences), so
            // sentences that are the same keep their rows and ids, and only changed ones are replaced.
            var byImage: [Int64: [(text: String, rule: String?)]] = [:]
            for pair in pairs { byImage[pair.afterID] = byImage[pair.afterID] ?? [] }
            for (afterID, sentences) in results {
                byImage[afterID, default: []] += sentences.map { ($0.text, $0.rule.rawValue) }
            }
            let sync = try CaptionSync(transaction, source: .change)
            for afterID in byImage.keys.sorted() {
                let result = try sync.sync(image: afterID, captions: byImage[afterID] ?? [])
                written.replaced += result.removed
                written.unchanged += result.kept
            }
            return written
        }
    }

    /// The changed regions of one pair, its changed pixel count and the label's size.
    private func regions(of pair: PairRow, label: String,
                         palette: inout Palette?) throws -> ([ChangeRegion], Int, ImageSize) {
        let path = Self.resolve(label, root: pair.root)
        if let label2 = pair.label2 {
            if palette == nil { palette = try Palette.named(semanticPalette) }
            guard let palette else { return ([], 0, ImageSize(width: 1, height: 1)) }
            let first = try LabelMask.load(path: path, palette: palette)
            let secondPath = Self.resolve(label2, root: pair.root)
            let second = try LabelMask.load(path: secondPath, palette: palette)
            try second.requireSize(width: first.width, height: first.height, path: secondPath)
            try checkSize(first, pair: pair, path: path)
            // One value per (before, after) pair of class indices; 0 stays "unchanged".
            var transitions = [UInt8](repeating: 0, count: first.values.count)
            var changed = 0
            var pairs: [UInt8: (UInt8, UInt8)] = [:]
            var codes: [UInt16: UInt8] = [:]
            for index in first.values.indices {
                let before = first.values[index], after = second.values[index]
                guard before != 0 || after != 0 else { continue }
                changed += 1
                let key = UInt16(before) << 8 | UInt16(after)
                if let code = codes[key] {
                    transitions[index] = code
                } else {
                    guard codes.count < 255 else {
                        throw CorpusError.badInput(path: path, reason: "more than 255 kinds of semantic change")
                    }
                    let code = UInt8(codes.count + 1)
                    codes[key] = code
                    pairs[code] = (before, after)
                    transitions[index] = code
                }
            }
            let mask = try LabelMask(width: first.width, height: first.height, values: transitions)
            let names = Dictionary(palette.classes.map { ($0.index, naming.name(for: PromptClassList.clean($0.name))) },
                                   uniquingKeysWith: { first, _ in first })
            let regions = M2B.boxes(in: mask, options: M2BOptions(ignoredClasses: [0], countPixels: true)).map { region in
                let classes = pairs[region.classValue]
                return ChangeRegion(box: region.box.axisBox, pixelCount: region.pixelCount ?? 0,
                                    before: classes.flatMap { $0.0 == 0 ? nil : names[$0.0] },
                                    after: classes.flatMap { $0.1 == 0 ? nil : names[$0.1] })
            }
            return (regions, changed, ImageSize(width: Double(first.width), height: Double(first.height)))
        }
        let mask = try LabelMask.binaryChange(path: path)
        try checkSize(mask, pair: pair, path: path)
        let changed = mask.values.reduce(0) { $0 + Int($1) }
        let regions = M2B.boxes(in: mask, classValue: 1, options: M2BOptions(countPixels: true)).map {
            ChangeRegion(box: $0.box.axisBox, pixelCount: $0.pixelCount ?? 0)
        }
        return (regions, changed, ImageSize(width: Double(mask.width), height: Double(mask.height)))
    }

    private func checkSize(_ mask: LabelMask, pair: PairRow, path: String) throws {
        if let width = pair.width, let height = pair.height {
            try mask.requireSize(width: width, height: height, path: path)
        }
    }

    static func resolve(_ path: String, root: String) -> String {
        CorpusPaths.file(path, root: root)
    }
}
