import Foundation
import GRDB
import SkyGeometry
import SkyImaging
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
        /// Earlier change sentences replaced.
        public var replaced: Int
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

    private struct PairRow {
        var dataset: String
        var root: String
        var label: String?
        var label2: String?
        var before: String
        var afterID: Int64
        var after: String
        var width: Int?
        var height: Int?
    }

    /// Writes (or with `dryRun` only reports) the change sentences of `datasets` (all when empty).
    /// `progress` gets (pairs done, pairs in all) after every pair.
    public func run(on corpus: Corpus, datasets: [String], dryRun: Bool,
                    progress: (Int, Int) -> Void = { _, _ in },
                    each: (PairSentences) throws -> Void = { _ in }) throws -> Summary {
        let (targets, pairs) = try corpus.read { db in
            let targets = try B2CCaptionStore.resolveDatasets(db, datasets)
            var pairs: [PairRow] = []
            for target in targets {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT d.name, IFNULL(d.root, ''), p.label_path, p.label2_path, a.path, b.id, b.path, b.width, b.height
                    FROM change_pair p JOIN dataset d ON d.id = p.dataset_id
                    JOIN image a ON a.id = p.before_image_id JOIN image b ON b.id = p.after_image_id
                    WHERE p.dataset_id = ? ORDER BY p.id
                    """, arguments: [target.id])
                pairs += rows.map {
                    PairRow(dataset: $0[0], root: $0[1], label: $0[2], label2: $0[3], before: $0[4], afterID: $0[5],
                            after: $0[6], width: $0[7], height: $0[8])
                }
            }
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
        return try corpus.write { db in
            var written = summary
            for target in targets {
                try db.execute(sql: """
                    DELETE FROM caption WHERE source = 'change' AND image_id IN
                    (SELECT after_image_id FROM change_pair WHERE dataset_id = ?)
                    """, arguments: [target.id])
                written.replaced += db.changesCount
            }
            let insert = try db.makeStatement(sql: "INSERT INTO caption (image_id, text, source, rule) VALUES (?, ?, 'change', ?)")
            for (afterID, sentences) in results {
                for sentence in sentences {
                    try insert.execute(arguments: [afterID, sentence.text, sentence.rule.rawValue])
                }
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
        let mask = try Self.binaryChangeMask(path: path)
        try checkSize(mask, pair: pair, path: path)
        let changed = mask.values.reduce(0) { $0 + Int($1) }
        let regions = M2B.boxes(in: mask, classValue: 1, options: M2BOptions(countPixels: true)).map {
            ChangeRegion(box: $0.box.axisBox, pixelCount: $0.pixelCount ?? 0)
        }
        return (regions, changed, ImageSize(width: Double(mask.width), height: Double(mask.height)))
    }

    /// Reads a binary change label file (PNG, JPEG, TIFF or BMP, gray or colour) as a 0/1 mask, 1 = changed; see
    /// ``binaryChangeMask(_:name:)``. Errors name the file.
    public static func binaryChangeMask(path: String) throws(GeometryError) -> LabelMask {
        do {
            return try binaryChangeMask(FileBytes.read(path), name: path)
        } catch let error as GeometryError {
            throw error
        } catch let error as ImageError {
            throw .image(error)
        } catch {
            throw .unsupportedMask(path: path, reason: "\(error)")
        }
    }

    /// Decodes binary change label bytes (PNG, JPEG, TIFF or BMP, gray or colour) into a 0/1 mask, 1 = changed.
    ///
    /// A pixel is changed when its gray value (the gray channel, or the largest of R, G, B so a coloured
    /// change mark counts whatever its hue) is above 127: the 0/255 convention of LEVIR-CD, WHU-CD, SYSU-CD
    /// and CDD, robust to JPEG noise and to labels stored with several values near 255. A PNG or TIFF whose values
    /// are only 0 and 1 uses 1 for change (a common re-encoding of these labels). `name` labels errors.
    public static func binaryChangeMask(_ bytes: [UInt8], name: String) throws(GeometryError) -> LabelMask {
        let decoder = ImageDecoder()
        let image: RasterImage
        let format: ImageFormat
        do throws(ImageError) {
            format = try decoder.header(of: bytes, name: name).format
            image = try decoder.decode(bytes, name: name)
        } catch {
            throw .image(error)
        }
        let channels = image.layout.channels
        let colour = image.layout == .rgb || image.layout == .rgba
        var gray = [UInt8](repeating: 0, count: image.width * image.height)
        var brightest: UInt8 = 0
        image.pixels.withUnsafeBufferPointer { pixels in
            gray.withUnsafeMutableBufferPointer { gray in
                for index in 0..<gray.count {
                    let first = index * channels
                    let value = colour ? max(pixels[first], pixels[first + 1], pixels[first + 2]) : pixels[first]
                    gray[index] = value
                    brightest = max(brightest, value)
                }
            }
        }
        // Only lossless files (PNG, TIFF) can hold exactly 0 and 1; a JPEG's 1s are noise around 0.
        let threshold: UInt8 = format != .jpeg && brightest == 1 ? 0 : 127
        for index in gray.indices { gray[index] = gray[index] > threshold ? 1 : 0 }
        return try LabelMask(width: image.width, height: image.height, values: gray)
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
