import Dispatch
import SkyConcurrency
import SkyGeometry
import SkyStorage

/// M2B over the masks the corpus lists: each registered mask read with its registered palette, its class regions
/// stored as `m2b` objects on its image, all in one transaction (masks are read first; only boxes are held).
public struct M2BStep: Sendable {
    /// What a run did.
    public struct Summary: Codable, Sendable, Equatable {
        /// Masks read, and masks whose boxes were stored.
        public var masks: Int
        public var stored: Int
        /// Boxes stored, and earlier `m2b` boxes they replaced because they differ.
        public var boxes: Int
        public var replaced: Int
        /// Boxes already stored exactly so, kept with their ids.
        public var unchanged: Int = 0
        /// Masks skipped (only with `skipInvalid`), with the reason.
        public var skipped: [ImageRegistration.SkippedFile]
    }

    /// Datasets whose masks to read; all when empty.
    public var datasets: [String]
    /// Area, rotated boxes, polygons; ignored classes are added per palette (its defaults unless `keepDefaultIgnored`).
    public var options: M2BOptions
    /// Keep the boxes of the palette's default ignored classes (no-data, background, clutter).
    public var keepDefaultIgnored: Bool
    /// Treat values or colours that are no class of the palette as background instead of failing.
    public var ignoreUnknownValues: Bool
    /// Skip (and list) masks that cannot be read or do not fit their palette, instead of stopping.
    public var skipInvalid: Bool

    public init(datasets: [String] = [], options: M2BOptions = M2BOptions(), keepDefaultIgnored: Bool = false,
                ignoreUnknownValues: Bool = false, skipInvalid: Bool = false) {
        self.datasets = datasets
        self.options = options
        self.keepDefaultIgnored = keepDefaultIgnored
        self.ignoreUnknownValues = ignoreUnknownValues
        self.skipInvalid = skipInvalid
    }

    /// Reads one mask through `palette` and finds its boxes; a value or colour outside the palette is an error
    /// naming the mask and the values (unless `ignoreUnknownValues`).
    public func boxes(mask path: String, palette: Palette) throws -> (regions: [ClassRegion], mask: LabelMask) {
        let unknownPolicy: UnknownColourPolicy = ignoreUnknownValues ? .mapTo(palette.unusedIndex) : .fail
        var mask = try LabelMask.load(path: path, palette: palette, unknownColours: unknownPolicy)
        let unknown = palette.unknownValues(in: mask).filter { !ignoreUnknownValues || $0.value != palette.unusedIndex }
        if !unknown.isEmpty {
            guard ignoreUnknownValues else {
                let listed = unknown.prefix(8).map { "\($0.value) (\($0.pixels) pixels)" }.joined(separator: ", ")
                throw CorpusError.badInput(path: path, reason: """
                    values \(listed) are no class of palette '\(palette.name)' (classes \
                    \(palette.classes.map { String($0.index) }.joined(separator: ", "))); is it the mask's palette?
                    """)
            }
            let unused = palette.unusedIndex
            let bad = Set(unknown.map(\.value))
            mask = try LabelMask(width: mask.width, height: mask.height,
                                 values: mask.values.map { bad.contains($0) ? unused : $0 })
        }
        var options = options
        if !keepDefaultIgnored { options.ignoredClasses.formUnion(palette.defaultIgnore) }
        if ignoreUnknownValues { options.ignoredClasses.insert(palette.unusedIndex) }
        return (M2B.boxes(in: mask, options: options), mask)
    }

    /// Runs over the corpus's masks; `progress(done, total)` after each mask, from the tracing threads (serialised).
    ///
    /// The masks are decoded and traced on all cores (`DispatchQueue.concurrentPerform`, one mask per thread at a
    /// time): a thread keeps its decoded mask only while tracing it, so the run holds at most one decoded mask per
    /// core and, until the one storing transaction, only boxes. Each box set goes onto the image id the `mask` row
    /// names (a primary-key lookup, no search by path). The first failing mask in corpus order stops the run before
    /// anything is written (or is skipped and listed, with `skipInvalid`), as a one-thread run would.
    public func run(in corpus: Corpus, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> Summary {
        let masks = try corpus.read { try $0.masks(datasets: datasets) }
        var palettes: [String: Result<Palette, any Error>] = [:]
        for name in Set(masks.map(\.mask.palette)) { palettes[name] = Result { try Palette.named(name) } }
        let traced = trace(masks, palettes: palettes, progress: progress)
        var summary = Summary(masks: masks.count, stored: 0, boxes: 0, replaced: 0, skipped: [])
        var items: [M2BStorage.Item] = []
        for (entry, result) in zip(masks, traced) {
            switch result {
            case .success(let item): items.append(item)
            case .failure(let error):
                guard skipInvalid else { throw error }
                summary.skipped.append(.init(path: "\(entry.dataset):\(entry.mask.path)", reason: "\(error)"))
            }
        }
        for stored in try M2BStorage.storeAll(items, in: corpus) {
            summary.stored += 1
            summary.boxes += stored.inserted
            summary.replaced += stored.removed
            summary.unchanged += stored.unchanged
        }
        return summary
    }

    /// Each mask's boxes (or the error naming it), in the order of `masks`, traced on all cores.
    private func trace(_ masks: [(dataset: String, mask: MaskRow)], palettes: [String: Result<Palette, any Error>],
                       progress: @escaping @Sendable (Int, Int) -> Void) -> [Result<M2BStorage.Item, any Error>] {
        let results = ResultSlots<Result<M2BStorage.Item, any Error>>(count: masks.count)
        let done = Locked(0)
        DispatchQueue.concurrentPerform(iterations: masks.count) { index in
            let row = masks[index].mask
            let path = CorpusPaths.file(row.path, root: row.root)
            results.set(index, Result {
                let palette = try (palettes[row.palette] ?? Result { try Palette.named(row.palette) }).get()
                let (regions, mask) = try boxes(mask: path, palette: palette)
                // Only the boxes and the mask's size leave this closure; the decoded mask is freed here.
                return M2BStorage.Item(storage: M2BStorage(maskPath: path, palette: palette, imageID: row.imageID),
                                       regions: regions, mask: mask)
            })
            done.withLock { count in
                count += 1
                progress(count, masks.count)
            }
        }
        return results.values()
    }
}
