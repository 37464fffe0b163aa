import Foundation

/// One image of a scene-classification dataset with its image-level class.
public struct LabeledImage: Sendable, Hashable, Codable {
    /// The image path relative to the dataset root.
    public var relativePath: String
    /// The class as the dataset spells it (its folder name, e.g. `denseresidential`, `AnnualCrop`).
    public var rawClass: String
    /// The split, from split folders, split lists or `--split`.
    public var split: String?
    /// The image size, from its header.
    public var width: Int
    public var height: Int
}

/// A scene-classification dataset: every image carries exactly one class.
public struct ClassificationSet: Sendable {
    /// The images, sorted by path.
    public var images: [LabeledImage] = []
    /// The raw class names (folder names), sorted.
    public var classes: [String] = []
    /// Problems skipped (unreadable images, empty class folders with `--skip-invalid`).
    public var report = ReadReport()
}

/// Scene-classification datasets as distributed: one folder per class (`DIR/CLASS/IMAGE`), as AID, NWPU-RESISC45,
/// UCM-21, RSSCN7, WHU-RS19 and PatternNet ship, and EuroSAT's layout (the same, below `2750/` or `EuroSAT_RGB/`,
/// with torchgeo's `eurosat-train.txt`/`-val.txt`/`-test.txt` split lists when present).
///
/// Wrapper folders that hold one folder and no image (`UCMerced_LandUse/Images/`) are stepped through; when the
/// top folders are split names (`train/`, `val/`, `test/`), each is a class-folder tree of that split.
public enum ClassFolderReader {
    /// Folder names read as splits.
    static let splitNames: Set<String> = ["train", "training", "val", "valid", "validation", "test", "testing"]

    /// EuroSAT's ten classes as its folders spell them.
    public static let euroSATClasses: Set<String> = [
        "AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop",
        "Residential", "River", "SeaLake",
    ]

    /// The folder holding the class (or split) folders below `root`: wrapper folders with a single subfolder
    /// and no image are stepped through.
    public static func classRoot(_ root: String) -> String {
        var folder = root
        for _ in 0..<4 {
            let entries = DatasetFiles.list(folder)
            let folders = entries.filter { DatasetFiles.isDirectory(DatasetFiles.join(folder, $0)) }
            let images = entries.filter { DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension($0)) }
            guard folders.count == 1, images.isEmpty else { break }
            folder = DatasetFiles.join(folder, folders[0])
        }
        return folder
    }

    /// Whether `root` looks like class folders: at least two subfolders, each holding images directly and no
    /// subfolder of annotations.
    public static func hasLayout(_ root: String) -> Bool {
        let top = classRoot(root)
        var folders = DatasetFiles.list(top).map { DatasetFiles.join(top, $0) }.filter(DatasetFiles.isDirectory)
        if !folders.isEmpty, folders.allSatisfy({ splitNames.contains(lastComponent($0).lowercased()) }) {
            folders = folders.flatMap { split in
                DatasetFiles.list(split).map { DatasetFiles.join(split, $0) }.filter(DatasetFiles.isDirectory)
            }
        }
        guard folders.count >= 2 else { return false }
        return folders.allSatisfy { folder in
            let entries = DatasetFiles.list(folder)
            return entries.contains { DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension($0)) }
                && !entries.contains { DatasetFiles.isDirectory(DatasetFiles.join(folder, $0)) }
        }
    }

    /// Reads `DIR/CLASS/IMAGE` (or `DIR/SPLIT/CLASS/IMAGE`) below `root`. A class folder without images and an image
    /// whose header cannot be read are errors naming the folder or file (counted and skipped with `skipInvalid`).
    public static func read(root: String, options: ReadOptions = ReadOptions(),
                            splits fileSplits: [String: String] = [:]) throws(DatasetError) -> ClassificationSet {
        var collector = IssueCollector(options: options)
        let top = classRoot(root)
        var trees: [(folder: String, split: String?)] = []
        let topFolders = DatasetFiles.list(top).filter { DatasetFiles.isDirectory(DatasetFiles.join(top, $0)) }
        if !topFolders.isEmpty, topFolders.allSatisfy({ splitNames.contains($0.lowercased()) }) {
            trees = topFolders.map { (DatasetFiles.join(top, $0), canonicalSplit($0)) }
        } else {
            trees = [(top, nil)]
        }
        var set = ClassificationSet()
        var classes = Set<String>()
        for tree in trees {
            if let wanted = options.split, let split = tree.split, split != wanted { continue }
            let classFolders = DatasetFiles.list(tree.folder).filter { DatasetFiles.isDirectory(DatasetFiles.join(tree.folder, $0)) }
            guard !classFolders.isEmpty else {
                throw DatasetError(.unreadableFile, file: tree.folder,
                                   "no class folders: expected DIR/CLASS/IMAGE (one folder of images per class)")
            }
            for className in classFolders {
                let folder = DatasetFiles.join(tree.folder, className)
                let names = DatasetFiles.list(folder).filter {
                    DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension($0))
                        && DatasetFiles.isFile(DatasetFiles.join(folder, $0))
                }
                guard !names.isEmpty else {
                    try collector.invalid(DatasetError(.malformedRecord, file: DatasetFiles.relative(folder, to: root),
                        "class folder '\(className)' holds no image (png, jpg, tif, bmp); remove it or add its images"))
                    continue
                }
                classes.insert(className)
                for name in names {
                    let path = DatasetFiles.join(folder, name)
                    let relative = DatasetFiles.relative(path, to: root)
                    let split = tree.split ?? fileSplits[name] ?? fileSplits[DatasetFiles.stem(name)]
                    if let wanted = options.split, split != nil, split != wanted { continue }
                    let size: (width: Int, height: Int)
                    do {
                        size = try ImageSize.read(path, name: relative)
                    } catch {
                        try collector.invalid(error)
                        continue
                    }
                    set.images.append(LabeledImage(relativePath: relative, rawClass: className,
                                                   split: split ?? options.split, width: size.width, height: size.height))
                    collector.report.recordsRead += 1
                }
            }
        }
        guard !set.images.isEmpty else {
            throw DatasetError(.unreadableFile, file: root, "no readable image in any class folder (DIR/CLASS/IMAGE)")
        }
        set.images.sort { $0.relativePath < $1.relativePath }
        set.classes = classes.sorted()
        set.report = collector.report
        set.report.filesRead = set.images.count
        return set
    }

    /// EuroSAT: class folders (below `2750/` or `EuroSAT_RGB/` or `EuroSAT_MS/`), splits from torchgeo's
    /// `eurosat-{train,val,test}.txt` lists beside them when present. At least one of EuroSAT's ten class folders
    /// must be there.
    public static func readEuroSAT(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> ClassificationSet {
        var splits: [String: String] = [:]
        for split in ["train", "val", "test"] {
            for folder in [root, classRoot(root)] {
                let list = DatasetFiles.join(folder, "eurosat-\(split).txt")
                guard DatasetFiles.isFile(list) else { continue }
                for line in try DatasetFiles.lines(list) {
                    let name = line.trimmingCharacters(in: .whitespaces)
                    if !name.isEmpty { splits[DatasetFiles.stem(name)] = split }
                }
            }
        }
        let set = try read(root: root, options: options, splits: splits)
        guard set.classes.contains(where: euroSATClasses.contains) else {
            throw DatasetError(.unreadableFile, file: root, "none of EuroSAT's class folders (\(euroSATClasses.sorted().joined(separator: ", "))) "
                               + "found; use --format class-folders for other class-folder datasets")
        }
        return set
    }

    /// Whether `root` is EuroSAT's layout: its `2750/` or `EuroSAT*` folder, or its class folders.
    public static func isEuroSAT(_ root: String) -> Bool {
        let names = DatasetFiles.list(classRoot(root))
        return names.filter(euroSATClasses.contains).count >= 5
    }

    static func canonicalSplit(_ name: String) -> String {
        switch name.lowercased() {
        case "training": "train"
        case "valid", "validation": "val"
        case "testing": "test"
        default: name.lowercased()
        }
    }

    static func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last ?? "")
    }
}
