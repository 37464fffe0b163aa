import SkyImaging

/// An image with the segmentation mask(s) that M2B turns into boxes.
public struct MaskedImage: Sendable, Hashable {
    /// The image, relative to the dataset root.
    public var relativePath: String
    /// The masks, relative to the dataset root (none when the image has no mask).
    public var masks: [String]
    /// The split, from the folder names or `--split`.
    public var split: String?
    /// The image size, from its header.
    public var width: Int
    public var height: Int

    public init(relativePath: String, masks: [String], split: String?, width: Int, height: Int) {
        self.relativePath = relativePath
        self.masks = masks
        self.split = split
        self.width = width
        self.height = height
    }
}

/// The segmentation pairs read from a root.
public struct SegmentationSet: Sendable {
    /// The images, sorted by path.
    public var images: [MaskedImage] = []
    /// Problems skipped; masks without an image; images without a mask.
    public var report = ReadReport()

    public init(images: [MaskedImage] = [], report: ReadReport = ReadReport()) {
        self.images = images
        self.report = report
    }

    /// Every mask of every image.
    public var maskCount: Int { images.reduce(0) { $0 + $1.masks.count } }
}

/// Segmentation datasets as distributed: image and mask folders paired by file stem
/// (`img_dir/` + `ann_dir/` as MMSegmentation prepares LoveDA, Potsdam and Vaihingen; LoveDA's own
/// `images_png/` + `masks_png/`; `images/` + `masks/` or `labels/`), each pair possibly below split folders,
/// and iSAID's masks beside the images (`P0003.png` + `P0003_instance_color_RGB.png`).
/// A mask must have its image's size.
public enum SegmentationReader {
    /// Image-folder / mask-folder names that pair up.
    static let folderPairs: [(images: String, masks: String)] = [
        ("img_dir", "ann_dir"), ("images_png", "masks_png"), ("images", "masks"), ("images", "labels"),
        ("image", "label"), ("top", "gts_for_participants"),
    ]

    /// The suffix of iSAID's semantic colour masks.
    public static let isaidMaskSuffix = "_instance_color_RGB"

    /// Folders below `root` (itself included, three levels deep) that hold images and masks, with their split.
    static func pairFolders(root: String) -> [(images: String, masks: String?, split: String?)] {
        var found: [(String, String?, String?)] = []
        var imageOnly: [(String, String?, String?)] = []
        func visit(_ folder: String, split: String?, depth: Int) {
            // iSAID as released: train/images/P0000.png with train/Semantic_masks/images/P0000_instance_color_RGB.png.
            if let images = DatasetFiles.child(folder, named: "images"),
               let semantic = DatasetFiles.child(folder, named: "Semantic_masks"),
               let masks = DatasetFiles.child(semantic, named: "images") {
                found.append((images, masks, split))
                return
            }
            for pair in folderPairs {
                guard let images = DatasetFiles.child(folder, named: pair.images),
                      let masks = DatasetFiles.child(folder, named: pair.masks) else { continue }
                let imageSplits = DatasetFiles.list(images).filter { DatasetFiles.isDirectory(DatasetFiles.join(images, $0)) }
                if imageSplits.isEmpty {
                    found.append((images, masks, split))
                } else {
                    for sub in imageSplits {
                        found.append((DatasetFiles.join(images, sub), DatasetFiles.join(masks, sub),
                                      split ?? CaptionReader.split(fromName: sub) ?? sub))
                    }
                }
                return
            }
            // iSAID: masks beside the images in one folder (a split may have images only, as test/ does).
            if let images = DatasetFiles.child(folder, named: "images") {
                if DatasetFiles.list(images).contains(where: { $0.contains(isaidMaskSuffix) }) {
                    found.append((images, nil, split))
                } else {
                    imageOnly.append((images, nil, split))
                }
                return
            }
            guard depth < 3 else { return }
            for entry in DatasetFiles.list(folder) where DatasetFiles.isDirectory(DatasetFiles.join(folder, entry)) {
                visit(DatasetFiles.join(folder, entry), split: split ?? CaptionReader.split(fromName: entry), depth: depth + 1)
            }
        }
        visit(root, split: nil, depth: 0)
        if found.contains(where: { $0.1 == nil }) { found += imageOnly }
        return found.map { (images: $0.0, masks: $0.1, split: $0.2) }
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

    /// Reads the image/mask pairs at `root`.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> SegmentationSet {
        let folders = pairFolders(root: root)
        guard !folders.isEmpty else {
            throw DatasetError(.unreadableFile, file: root,
                "no image/mask folders; expected img_dir/ + ann_dir/, images_png/ + masks_png/, images/ + masks/, "
                + "or iSAID's images/ with *\(isaidMaskSuffix).png masks")
        }
        var collector = IssueCollector(options: options)
        var set = SegmentationSet()
        var confined = DatasetRoot(root)
        for folder in folders {
            let split = folder.split ?? options.split
            if let wanted = options.split, let split = folder.split, split != wanted { continue }
            var images: [String: String] = [:]
            var masks: [String: [String]] = [:]
            for name in DatasetFiles.list(folder.images) where DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)) {
                let stem = DatasetFiles.stem(name)
                let path = DatasetFiles.join(folder.images, name)
                if folder.masks == nil {
                    if let range = stem.range(of: isaidMaskSuffix) {
                        masks[String(stem[..<range.lowerBound]), default: []].append(path)
                    } else if !stem.contains("_instance_") {
                        images[stem] = path
                    }
                } else {
                    images[stem] = path
                }
            }
            if let maskFolder = folder.masks {
                for name in DatasetFiles.list(maskFolder) where DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)) {
                    var stem = DatasetFiles.stem(name)
                    if let range = stem.range(of: isaidMaskSuffix) {
                        stem = String(stem[..<range.lowerBound])
                    } else if stem.contains("_instance_") {
                        continue  // iSAID instance-id masks: not a palette mask
                    }
                    masks[stem, default: []].append(DatasetFiles.join(maskFolder, name))
                }
            }
            for stem in masks.keys.sorted() where images[stem] == nil {
                for mask in masks[stem] ?? [] { collector.report.annotationsWithoutImage.append(DatasetFiles.relative(mask, to: root)) }
            }
            for stem in images.keys.sorted() {
                guard let image = images[stem] else { continue }
                collector.report.filesRead += 1
                // Listed files are inside the root, unless a symbolic link leads out.
                do throws(DatasetError) {
                    for path in [image] + (masks[stem] ?? []) {
                        try confined.check(relative: DatasetFiles.relative(path, to: root))
                    }
                } catch {
                    try collector.invalid(error)
                    continue
                }
                guard let imageSize = try size(image, root: root, collector: &collector) else { continue }
                var kept: [String] = []
                var bad = false
                for mask in masks[stem] ?? [] {
                    guard let maskSize = try size(mask, root: root, collector: &collector) else { bad = true; continue }
                    if maskSize != imageSize {
                        try collector.invalid(DatasetError(.sizeMismatch, file: DatasetFiles.relative(mask, to: root),
                            "is \(maskSize.0)x\(maskSize.1) but its image \(DatasetFiles.relative(image, to: root)) is "
                            + "\(imageSize.0)x\(imageSize.1); a mask must have its image's size"))
                        bad = true
                        continue
                    }
                    kept.append(DatasetFiles.relative(mask, to: root))
                }
                if bad && kept.isEmpty { continue }
                if kept.isEmpty { collector.report.imagesWithoutAnnotations.append(DatasetFiles.relative(image, to: root)) }
                set.images.append(MaskedImage(relativePath: DatasetFiles.relative(image, to: root), masks: kept.sorted(),
                                              split: split, width: imageSize.0, height: imageSize.1))
            }
        }
        set.images.sort { $0.relativePath < $1.relativePath }
        collector.report.recordsRead = set.maskCount
        set.report = collector.report
        return set
    }
}
