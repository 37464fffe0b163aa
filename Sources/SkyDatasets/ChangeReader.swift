import SkyImaging

/// A change-detection pair: the same place at two times, with its change label(s).
public struct ChangePair: Sendable, Hashable {
    /// The first-time image, relative to the dataset root.
    public var before: String
    /// The second-time image.
    public var after: String
    /// The binary change label (SECOND: the semantic label of the first time); nil when the pair has none.
    public var label: String?
    /// SECOND: the semantic label of the second time.
    public var label2: String?
    /// The split, from the folder, a list file or `--split`.
    public var split: String?
    /// The size shared by both images (and labels).
    public var width: Int
    public var height: Int
}

/// The change pairs read from a root.
public struct ChangeSet: Sendable {
    /// The pairs, sorted by the first image's path.
    public var pairs: [ChangePair] = []
    /// Problems skipped, unmatched images (`annotationsWithoutImage` lists images without their twin),
    /// pairs without a label.
    public var report = ReadReport()
    /// The images of every pair the reader listed (before, then after, in the order of `pairs`), including pairs it
    /// then left out (unreadable, or another shard's under ``ReadOptions/keep``): the same in every shard, so a
    /// build numbers the images by it.
    public var listing: [String] = []
}

/// Change-detection layouts: LEVIR-CD / LEVIR-CD+ / WHU-CD `A/ B/ label/`, SYSU-CD `time1/ time2/ label/`,
/// CDD `A/ B/ OUT/`, SECOND `im1/ im2/ label1/ label2/`; at the root or in `train/ val/ test/` folders, with
/// optional split lists (`list/SPLIT.txt` of names, or ChangeCLIP's `SPLIT.txt` of `A  B  label` paths).
/// Images and labels must share one size: a pair that does not is invalid.
public enum ChangeReader {
    /// The folder names of each layout: before, after, labels.
    static let layouts: [(before: String, after: String, labels: [String])] = [
        ("A", "B", ["label", "OUT"]), ("time1", "time2", ["label"]), ("im1", "im2", ["label1", "label2"]),
    ]

    /// Whether `folder` holds a change layout directly.
    public static func hasLayout(_ folder: String) -> Bool {
        layouts.contains { DatasetFiles.child(folder, named: $0.before) != nil && DatasetFiles.child(folder, named: $0.after) != nil }
    }

    /// Split lists: image name (and stem) -> split, from `list/*.txt` or `*.txt` at the root.
    static func splitLists(root: String) -> [String: String] {
        var splits: [String: String] = [:]
        let listFolder = DatasetFiles.join(root, "list")
        for folder in [listFolder, root] {
            // At the root only split-named lists count (not README.txt or SOURCE.txt).
            for name in DatasetFiles.list(folder) where name.hasSuffix(".txt")
                && (folder == listFolder || CaptionReader.split(fromName: name) != nil) {
                let split = DatasetFiles.stem(name)
                for line in (try? DatasetFiles.lines(DatasetFiles.join(folder, name))) ?? [] {
                    guard let first = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { continue }
                    let base = first.split(separator: "/").last.map(String.init) ?? String(first)
                    splits[base] = split
                    splits[DatasetFiles.stem(base)] = split
                }
            }
        }
        return splits
    }

    static func size(_ path: String, root: String, collector: inout IssueCollector) throws(DatasetError) -> (Int, Int)? {
        do {
            let size = try ImageSize.read(path, name: DatasetFiles.relative(path, to: root))
            return (size.width, size.height)
        } catch {
            try collector.invalid(error)
            return nil
        }
    }

    /// Reads the pairs of one folder that holds a layout; `listed` receives every pair's images (before, after).
    /// A pair is one shard's as a whole: ``ReadOptions/keep`` is asked about its after image (the pair's key), and
    /// another shard's pair is listed without reading its images' headers.
    static func readFolder(_ folder: String, root: String, split folderSplit: String?, splits: [String: String],
                           collector: inout IssueCollector, into set: inout ChangeSet,
                           listed: inout [(String, String)]) throws(DatasetError) {
        guard let layout = layouts.first(where: {
            DatasetFiles.child(folder, named: $0.before) != nil && DatasetFiles.child(folder, named: $0.after) != nil
        }), let beforeFolder = DatasetFiles.child(folder, named: layout.before),
              let afterFolder = DatasetFiles.child(folder, named: layout.after) else { return }
        let before = ImageFolder(beforeFolder), after = ImageFolder(afterFolder)
        let labelFolders = layout.labels.compactMap { DatasetFiles.child(folder, named: $0) }.map(ImageFolder.init)
        let wanted = collector.options.split
        for stem in Set(before.byStem.keys).union(after.byStem.keys).sorted() {
            let name = before.byStem[stem] ?? after.byStem[stem] ?? stem
            let split = folderSplit ?? splits[name] ?? splits[stem] ?? (splits.isEmpty ? wanted : nil)
            if let wanted, split != wanted { continue }
            guard let first = before.image(stem: stem), let second = after.image(stem: stem) else {
                let lonely = before.image(stem: stem) ?? after.image(stem: stem) ?? stem
                collector.report.annotationsWithoutImage.append(DatasetFiles.relative(lonely, to: root))
                continue
            }
            collector.report.filesRead += 1
            let labels = labelFolders.map { $0.image(stem: stem) }
            // Listed files are inside the root, unless a symbolic link leads out.
            do throws(DatasetError) {
                var confined = DatasetRoot(root)
                for path in [first, second] + labels.compactMap({ $0 }) {
                    try confined.check(relative: DatasetFiles.relative(path, to: root))
                }
            } catch {
                try collector.invalid(error)
                continue
            }
            let pairPaths = (DatasetFiles.relative(first, to: root), DatasetFiles.relative(second, to: root))
            listed.append(pairPaths)
            if let keep = collector.options.keep, !keep.keeps(pairPaths.1) { continue }
            if labels.allSatisfy({ $0 == nil }) {
                collector.report.pairsWithoutLabel.append(DatasetFiles.relative(first, to: root))
            }
            guard let firstSize = try size(first, root: root, collector: &collector),
                  let secondSize = try size(second, root: root, collector: &collector) else { continue }
            var sizes = [(first, firstSize), (second, secondSize)]
            for case let label? in labels {
                guard let labelSize = try size(label, root: root, collector: &collector) else { continue }
                sizes.append((label, labelSize))
            }
            if let odd = sizes.first(where: { $0.1 != firstSize }) {
                try collector.invalid(DatasetError(.sizeMismatch, file: DatasetFiles.relative(first, to: root),
                    "is \(firstSize.0)x\(firstSize.1) but \(DatasetFiles.relative(odd.0, to: root)) is \(odd.1.0)x\(odd.1.1); "
                    + "the images and labels of a change pair must have one size"))
                continue
            }
            let relativeLabels = labels.map { $0.map { DatasetFiles.relative($0, to: root) } }
            set.pairs.append(ChangePair(before: DatasetFiles.relative(first, to: root), after: DatasetFiles.relative(second, to: root),
                                        label: relativeLabels.first ?? nil, label2: relativeLabels.count > 1 ? relativeLabels[1] : nil,
                                        split: split, width: firstSize.0, height: firstSize.1))
        }
    }

    /// Reads the change pairs at `root`.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> ChangeSet {
        var collector = IssueCollector(options: options)
        var set = ChangeSet()
        var listed: [(String, String)] = []
        let splits = splitLists(root: root)
        if hasLayout(root) {
            try readFolder(root, root: root, split: nil, splits: splits, collector: &collector, into: &set, listed: &listed)
        } else {
            var found = false
            for entry in DatasetFiles.list(root) {
                let folder = DatasetFiles.join(root, entry)
                guard hasLayout(folder) else { continue }
                found = true
                let split = CaptionReader.split(fromName: entry) ?? entry
                if let wanted = options.split, wanted != split { continue }
                try readFolder(folder, root: root, split: split, splits: [:], collector: &collector, into: &set,
                               listed: &listed)
            }
            guard found else {
                throw DatasetError(.unreadableFile, file: root,
                    "no change layout here or in split folders; expected A/ B/ label/, time1/ time2/ label/, A/ B/ OUT/ or im1/ im2/ label1/ label2/")
            }
        }
        set.pairs.sort { $0.before < $1.before }
        listed.sort { $0.0 < $1.0 }
        set.listing = listed.flatMap { [$0.0, $0.1] }
        collector.report.recordsRead = set.pairs.count
        set.report = collector.report
        return set
    }
}
