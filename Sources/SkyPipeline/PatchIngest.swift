import Foundation
import SkyDatasets
import SkyGeometry
import SkyImaging
import SkyStorage

/// `ingest --patches DIR`: the dataset is cut into patches under DIR first, and the patches are what is ingested
/// (DIR becomes the dataset's root). ISPRS tiles are cut with their label tiles (`DIR/[SPLIT/]images/` and
/// `DIR/[SPLIT/]labels/`); iSAID images with their instance-id and semantic masks, into `DIR/SPLIT/images/` as the
/// devkit's `split.py` lays them out, then read as iSAID instances.
public struct PatchRequest: Sendable, Hashable {
    /// The folder the patches are written to (and read from).
    public var folder: String
    /// Patch size and stride; nil takes the format's (``PatchGrid/standard(for:)``).
    public var size: Int?
    public var stride: Int?

    public init(folder: String, size: Int? = nil, stride: Int? = nil) {
        self.folder = folder
        self.size = size
        self.stride = stride
    }

    public init(folder: String, grid: PatchGrid) {
        self.init(folder: folder, size: grid.size, stride: grid.stride)
    }

    /// The grid for `format`: a size given alone strides by itself; a stride given alone goes with the format's size.
    public func grid(for format: DatasetFormat) -> PatchGrid {
        let standard = PatchGrid.standard(for: format)
        guard let size else { return PatchGrid(size: standard.size, stride: stride ?? standard.stride) }
        return PatchGrid(size: size, stride: stride ?? size)
    }

    /// The formats that can be cut into patches.
    public static let formats: [DatasetFormat] = [.isprs, .isaid]
}

/// What cutting did.
public struct PatchSummary: Sendable, Codable, Equatable {
    /// The patch folder (the dataset root of the ingest).
    public var folder: String
    public var size: Int
    public var stride: Int
    /// Images (tiles) cut, patches written, patches found already cut.
    public var imagesCut = 0
    public var patchesWritten = 0
    public var patchesPresent = 0
}

enum PatchIngest {
    /// Cuts the dataset at `root` into patches and reads them.
    static func cut(format: DatasetFormat, root: String, request: PatchRequest,
                    options: ReadOptions) throws -> (root: String, contents: DatasetContents, summary: PatchSummary) {
        guard PatchRequest.formats.contains(format) else {
            throw CorpusError.invalidRequest("--patches cuts \(PatchRequest.formats.map(\.rawValue).joined(separator: " and ")) "
                + "datasets, not \(format.rawValue)")
        }
        let grid = request.grid(for: format)
        if let problem = grid.problem { throw CorpusError.invalidRequest(problem) }
        let folder = URL(fileURLWithPath: request.folder).standardizedFileURL.path
        // Inside the dataset, the patches would be read as more tiles by the next ingest.
        guard folder != root && !folder.hasPrefix(root + "/") else {
            throw CorpusError.invalidRequest("\(request.folder): the patch folder must be outside the dataset \(root)")
        }
        var cutter = PatchCutter(grid: grid)
        var summary = PatchSummary(folder: folder, size: grid.size, stride: grid.stride)
        let contents: DatasetContents
        switch format {
        case .isaid:
            try cutISAID(root: root, into: folder, cutter: &cutter, summary: &summary, options: options)
            contents = .detection(try ISAIDReader.read(root: folder, options: options))
        default:
            contents = .segmentation(try cutISPRS(root: root, into: folder, cutter: &cutter, summary: &summary, options: options))
        }
        summary.patchesWritten = cutter.written
        summary.patchesPresent = cutter.present
        return (folder, contents, summary)
    }

    /// ISPRS: each tile and its label tile, into `images/` and `labels/`; the patches as a segmentation set.
    static func cutISPRS(root: String, into folder: String, cutter: inout PatchCutter, summary: inout PatchSummary,
                         options: ReadOptions) throws -> SegmentationSet {
        let tiles = try ISPRSReader.read(root: root, options: options)
        var set = SegmentationSet()
        var collector = IssueCollector(options: options)
        collector.report = tiles.report
        let palette = try ISPRSReader.family(root: root).map { family throws(DatasetError) in
            do {
                return try Palette.named(family.rawValue)
            } catch {
                throw DatasetError(.unreadableFile, file: "Schemas/palettes/\(family.rawValue).json", "\(error)")
            }
        }
        let base = options.split.map { DatasetFiles.join(folder, $0) } ?? folder
        for tile in tiles.images {
            var sources = [PatchCutter.Source(path: DatasetFiles.join(root, tile.relativePath),
                                              stem: DatasetFiles.stem(tile.relativePath), folder: DatasetFiles.join(base, "images"),
                                              name: tile.relativePath)]
            for mask in tile.masks {
                sources.append(PatchCutter.Source(path: DatasetFiles.join(root, mask), stem: DatasetFiles.stem(mask),
                                                  folder: DatasetFiles.join(base, "labels"), palette: palette, name: mask))
            }
            let windows = cutter.grid.windows(width: tile.width, height: tile.height)
            let patches: [[String]]
            do {
                patches = try cutter.cut(sources, width: tile.width, height: tile.height)
            } catch let error as DatasetError {
                try collector.invalid(error)
                continue
            }
            summary.imagesCut += 1
            for (window, paths) in zip(windows, patches) {
                set.images.append(MaskedImage(relativePath: DatasetFiles.relative(paths[0], to: folder),
                                              masks: paths.dropFirst().map { DatasetFiles.relative($0, to: folder) },
                                              split: tile.split, width: window.width, height: window.height))
            }
        }
        set.images.sort { $0.relativePath < $1.relativePath }
        collector.report.recordsRead = set.maskCount
        set.report = collector.report
        return set
    }

    /// iSAID: each image with its `_instance_id_RGB` and `_instance_color_RGB` masks, into `SPLIT/images/`.
    static func cutISAID(root: String, into folder: String, cutter: inout PatchCutter, summary: inout PatchSummary,
                         options: ReadOptions) throws {
        let splits = ISAIDReader.splitFolders(root: root)
        guard !splits.isEmpty else { _ = try ISAIDReader.read(root: root, options: options); return }
        for split in splits {
            if let wanted = options.split, let name = split.split, name != wanted { continue }
            let target = DatasetFiles.join(folder, DatasetFiles.relative(split.images, to: root))
            let masks = [(ISAIDReader.instanceSuffix, split.instanceMasks), (SegmentationReader.isaidMaskSuffix, split.semanticMasks)]
            for name in DatasetFiles.list(split.images).sorted()
            where DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)) && !name.contains("_instance_") {
                let stem = DatasetFiles.stem(name), path = DatasetFiles.join(split.images, name)
                var sources = [PatchCutter.Source(path: path, stem: stem, folder: target, name: DatasetFiles.relative(path, to: root))]
                for (suffix, maskFolder) in masks {
                    if let mask = DatasetFiles.list(maskFolder).first(where: { DatasetFiles.stem($0) == stem + suffix }) {
                        let maskPath = DatasetFiles.join(maskFolder, mask)
                        sources.append(PatchCutter.Source(path: maskPath, stem: stem, suffix: suffix, folder: target,
                                                          name: DatasetFiles.relative(maskPath, to: root)))
                    }
                }
                let size = try ImageSize.read(path, name: DatasetFiles.relative(path, to: root))
                _ = try cutter.cut(sources, width: size.width, height: size.height)
                summary.imagesCut += 1
            }
        }
    }
}
