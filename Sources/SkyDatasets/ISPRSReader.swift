/// Which of ISPRS's label tiles to read: the complete labels, or the eroded ones whose class boundaries are black
/// (`*_noBoundary*`, the variant mmsegmentation trains on).
public enum ISPRSLabels: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case full, eroded

    public var description: String { rawValue }
}

/// ISPRS 2D semantic labelling, Potsdam and Vaihingen, as distributed: large TIFF tiles with RGB-coded label tiles.
///
/// Potsdam: `2_Ortho_RGB/top_potsdam_2_10_RGB.tif` with `5_Labels_all/top_potsdam_2_10_label.tif` (full) or
/// `5_Labels_all_noBoundary/top_potsdam_2_10_label_noBoundary.tif` (eroded); the IRRG, RGBIR and DSM tiles are
/// not read. Vaihingen: `top/top_mosaic_09cm_area1.tif` with the same name in `gts_for_participants/` or
/// `*ground_truth_COMPLETE/` (full), or `top_mosaic_09cm_area1_noBoundary.tif` in `*eroded*/` (eroded); DSMs are
/// not read. Any folder nesting up to four levels; tiles pair by their id (`potsdam_2_10`, `area1`). A tile without
/// a label tile of the chosen kind is an image without annotations; a label tile whose size differs from its tile
/// is an error naming both.
public enum ISPRSReader {
    /// Potsdam or Vaihingen: the palette (`Schemas/palettes/`) of its labels.
    public enum Family: String, Sendable, Hashable {
        case potsdam, vaihingen
    }

    /// What one file of the download is.
    struct TileFile {
        enum Kind: Equatable { case image, label(ISPRSLabels) }
        var kind: Kind
        var family: Family
        var id: String
        var path: String
    }

    /// The tile id in a file name: `potsdam_2_10` or `area1` (lower-cased), with the family.
    static func tileID(_ name: String) -> (Family, String)? {
        let lower = name.lowercased()
        func number(after marker: String, in text: Substring) -> (String, Substring)? {
            guard let range = text.range(of: marker) else { return nil }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            return digits.isEmpty ? nil : (String(digits), text[range.upperBound...].dropFirst(digits.count))
        }
        if let (first, rest) = number(after: "potsdam_", in: Substring(lower)), rest.hasPrefix("_"),
           let (second, _) = number(after: "_", in: rest) {
            return (.potsdam, "potsdam_\(first)_\(second)")
        }
        if lower.contains("top_mosaic") || lower.contains("vaihingen"), let (area, _) = number(after: "area", in: Substring(lower)) {
            return (.vaihingen, "area\(area)")
        }
        return nil
    }

    /// Classifies a file by its name and the folders it is in (relative to the root).
    static func classify(relative: String, path: String) -> TileFile? {
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        guard DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)),
              let (family, id) = tileID(name) else { return nil }
        let lowerPath = relative.lowercased(), stem = DatasetFiles.stem(name).lowercased()
        let folders = lowerPath.split(separator: "/").dropLast()
        if stem.contains("dsm") || folders.contains(where: { $0.contains("dsm") }) { return nil }
        // "labels", not "label": Vaihingen's folders are ISPRS_semantic_labeling_Vaihingen*.
        let labelFolder = folders.contains { $0.contains("labels") || $0.contains("gts") || $0.contains("ground_truth") }
        if stem.contains("_label") || labelFolder {
            let eroded = lowerPath.contains("noboundary") || lowerPath.contains("eroded")
            return TileFile(kind: .label(eroded ? .eroded : .full), family: family, id: id, path: path)
        }
        switch family {
        case .potsdam:
            // Only the RGB tiles: not IRRG, not RGBIR.
            return stem.hasSuffix("_rgb") ? TileFile(kind: .image, family: family, id: id, path: path) : nil
        case .vaihingen:
            return stem.hasPrefix("top_mosaic") ? TileFile(kind: .image, family: family, id: id, path: path) : nil
        }
    }

    /// Every tile and label file below `root` (four folder levels).
    static func files(root: String) -> [TileFile] {
        var found: [TileFile] = []
        func visit(_ folder: String, depth: Int) {
            for entry in DatasetFiles.list(folder) {
                let path = DatasetFiles.join(folder, entry)
                if DatasetFiles.isDirectory(path) {
                    if depth < 4 { visit(path, depth: depth + 1) }
                } else if let file = classify(relative: DatasetFiles.relative(path, to: root), path: path) {
                    found.append(file)
                }
            }
        }
        visit(root, depth: 0)
        return found
    }

    /// Whether `root` holds ISPRS tiles (an RGB tile with a label tile of the same id).
    public static func hasLayout(root: String) -> Bool {
        let found = files(root: root)
        let labelled = Set(found.filter { $0.kind != .image }.map(\.id))
        return found.contains { $0.kind == .image && labelled.contains($0.id) }
    }

    /// Potsdam or Vaihingen, by the tiles' names; nil when there are none.
    public static func family(root: String) -> Family? {
        files(root: root).first { $0.kind == .image }?.family
    }

    /// Reads the tiles at `root` with the label tiles `ReadOptions.isprsLabels` chooses.
    public static func read(root: String, options: ReadOptions = ReadOptions()) throws(DatasetError) -> SegmentationSet {
        let found = files(root: root)
        let images = found.filter { $0.kind == .image }
        guard !images.isEmpty else {
            throw DatasetError(.unreadableFile, file: root,
                "no ISPRS tiles; expected Potsdam's top_potsdam_X_Y_RGB.tif or Vaihingen's top/top_mosaic_09cm_areaN.tif "
                + "with their label tiles (5_Labels_all*/ or gts_for_participants/, *ground_truth*/)")
        }
        var labels: [String: [TileFile]] = [:]
        for file in found where file.kind == .label(options.isprsLabels) { labels[file.id, default: []].append(file) }
        var collector = IssueCollector(options: options)
        var set = SegmentationSet()
        var confined = DatasetRoot(root)
        let imageIDs = Set(images.map(\.id))
        for id in labels.keys.sorted() where !imageIDs.contains(id) {
            for label in labels[id] ?? [] { collector.report.annotationsWithoutImage.append(DatasetFiles.relative(label.path, to: root)) }
        }
        for image in images.sorted(by: { $0.path < $1.path }) {
            collector.report.filesRead += 1
            let relative = DatasetFiles.relative(image.path, to: root)
            let masks = labels[image.id] ?? []
            if masks.count > 1 {
                try collector.invalid(DatasetError(.malformedRecord, file: relative, "has \(masks.count) \(options.isprsLabels) label tiles ("
                    + masks.map { DatasetFiles.relative($0.path, to: root) }.sorted().joined(separator: ", ") + "); keep one"))
                continue
            }
            do throws(DatasetError) {
                try confined.check(relative: relative)
                let size = try ImageSize.read(image.path, name: relative)
                var kept: [String] = []
                if let mask = masks.first {
                    let maskRelative = DatasetFiles.relative(mask.path, to: root)
                    try confined.check(relative: maskRelative)
                    let maskSize = try ImageSize.read(mask.path, name: maskRelative)
                    guard maskSize.width == size.width, maskSize.height == size.height else {
                        throw DatasetError(.sizeMismatch, file: maskRelative,
                            "is \(maskSize.width)x\(maskSize.height) but its tile \(relative) is \(size.width)x\(size.height); "
                            + "a label tile must have its tile's size")
                    }
                    kept.append(maskRelative)
                } else {
                    collector.report.imagesWithoutAnnotations.append(relative)
                }
                set.images.append(MaskedImage(relativePath: relative, masks: kept, split: options.split,
                                              width: size.width, height: size.height))
            } catch {
                try collector.invalid(error)
            }
        }
        set.images.sort { $0.relativePath < $1.relativePath }
        collector.report.recordsRead = set.maskCount
        set.report = collector.report
        return set
    }
}
