import Foundation
import SkyDatasets
import SkyGeometry
import SkyImaging

/// Where patches go and how large they are: the `--patches DIR --patch-size N --patch-stride N` of `ingest`.
public struct PatchGrid: Sendable, Hashable {
    /// Side of a square patch in pixels.
    public var size: Int
    /// Distance between the starts of neighbouring patches (smaller than `size`: the patches overlap).
    public var stride: Int

    /// The sizes a patch may have.
    public static let sizeRange = 16...16_384
    /// ISPRS: 512 x 512 patches without overlap, as RemoteCLIP cut Potsdam and Vaihingen.
    public static let isprs = PatchGrid(size: 512, stride: 512)
    /// The iSAID devkit's `split.py`: 800 x 800 patches overlapping by 200 (stride 600).
    public static let isaidDevkit = PatchGrid(size: 800, stride: 600)

    public init(size: Int, stride: Int) {
        self.size = size
        self.stride = stride
    }

    /// The grid a format is cut with when no size or stride is given.
    public static func standard(for format: DatasetFormat) -> PatchGrid {
        format == .isaid ? isaidDevkit : isprs
    }

    /// Nil when valid, else what is wrong.
    public var problem: String? {
        if !Self.sizeRange.contains(size) {
            return "patch size \(size) is outside \(Self.sizeRange.lowerBound)...\(Self.sizeRange.upperBound)"
        }
        if stride < 1 || stride > size { return "patch stride \(stride) must be from 1 to the patch size \(size)" }
        return nil
    }

    /// The windows of an image, as the iSAID devkit's `split.py` places them: only an image larger than the patch
    /// in both directions is cut (otherwise it is kept whole, one window); patches start every `stride` pixels
    /// from 0 while the start is inside the image, and one that would reach past the border is moved back to end
    /// there (repeats of it are dropped). Rows of windows from the top, each from the left.
    public func windows(width: Int, height: Int) -> [PixelRect] {
        guard width > size && height > size else { return [PixelRect(x: 0, y: 0, width: width, height: height)] }
        func starts(_ length: Int) -> [Int] {
            var result: [Int] = []
            for start in Swift.stride(from: 0, to: length, by: stride) {
                let moved = min(start, length - size)
                if result.last != moved { result.append(moved) }
            }
            return result
        }
        let columns = starts(width)
        return starts(height).flatMap { y in columns.map { x in PixelRect(x: x, y: y, width: size, height: size) } }
    }
}

/// Cuts large images (and the masks that go with them) into patches once: PNG files named as the iSAID devkit
/// names them (`STEM_y0_y1_x0_x1SUFFIX.png`; an image kept whole keeps its stem). A patch already on disk with
/// the right size is kept, so cutting again writes nothing; each patch is written to a temporary name and renamed
/// into place, so an interrupted cut leaves no half-written patch.
public struct PatchCutter {
    public let grid: PatchGrid
    /// Patches written, and patches that were there already.
    public private(set) var written = 0
    public private(set) var present = 0

    public init(grid: PatchGrid) {
        self.grid = grid
    }

    /// A patch's file name: `STEM_y0_y1_x0_x1SUFFIX.png`, or `STEMSUFFIX.png` for an image kept whole.
    public static func name(stem: String, suffix: String, window: PixelRect, whole: Bool) -> String {
        whole ? "\(stem)\(suffix).png"
            : "\(stem)_\(window.y)_\(window.y + window.height)_\(window.x)_\(window.x + window.width)\(suffix).png"
    }

    /// One file to cut: the file, the stem its patches are named by, its suffix (`_instance_id_RGB`, `_label`, ...)
    /// and the folder they go to.
    public struct Source: Sendable {
        public var path: String
        public var stem: String
        public var suffix: String
        public var folder: String
        /// For an RGB-coded mask: its palette, so that a colour it does not list stops the cut (naming the file,
        /// the colour and where it first is) before any patch of it is written.
        public var palette: Palette?
        /// The file as errors name it (relative to the dataset root).
        public var name: String
        public init(path: String, stem: String, suffix: String = "", folder: String, palette: Palette? = nil,
                    name: String? = nil) {
            self.palette = palette
            self.name = name ?? path
            self.path = path
            self.stem = stem
            self.suffix = suffix
            self.folder = folder
        }
    }

    /// Cuts an image and its companions (masks of the same size) with one grid; returns the patch paths per window,
    /// image first. `width` and `height` are the image's.
    public mutating func cut(_ sources: [Source], width: Int, height: Int) throws -> [[String]] {
        let windows = grid.windows(width: width, height: height)
        let whole = windows.count == 1 && windows[0].width == width && windows[0].height == height
        var result = [[String]](repeating: [], count: windows.count)
        for source in sources {
            let targets = windows.map {
                DatasetFiles.join(source.folder, Self.name(stem: source.stem, suffix: source.suffix, window: $0, whole: whole))
            }
            var missing: [Int] = []
            for (index, target) in targets.enumerated() {
                if let header = try? ImageDecoder().header(ofFile: target),
                   header.width == windows[index].width, header.height == windows[index].height {
                    present += 1
                } else {
                    missing.append(index)
                }
            }
            if !missing.isEmpty {
                let image: RasterImage
                do {
                    image = try ImageDecoder().decode(file: source.path)
                } catch {
                    throw PipelineError.image(error)
                }
                if let palette = source.palette {
                    do {
                        _ = try palette.labelMask(from: image, path: source.name)
                    } catch {
                        throw DatasetError(.malformedRecord, file: source.name, "\(error)")
                    }
                }
                guard image.width == width, image.height == height else {
                    throw DatasetError(.sizeMismatch, file: source.name,
                        "is \(image.width)x\(image.height) but its image is \(width)x\(height); patches need one size")
                }
                try FileManager.default.createDirectory(atPath: source.folder, withIntermediateDirectories: true)
                for index in missing {
                    let bytes = try ImageEncoder.png(Self.crop(image, windows[index]), compressionLevel: 1, name: targets[index])
                    let partial = targets[index] + ".partial-\(getpid())"
                    try FileBytes.write(bytes, to: partial)
                    guard rename(partial, targets[index]) == 0 else {
                        try? FileManager.default.removeItem(atPath: partial)
                        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: targets[index]])
                    }
                    written += 1
                }
            }
            for index in targets.indices { result[index].append(targets[index]) }
        }
        return result
    }

    /// The pixels of `window`, in the image's layout.
    static func crop(_ image: RasterImage, _ window: PixelRect) -> RasterImage {
        let channels = image.channels
        var pixels = [UInt8](repeating: 0, count: window.width * window.height * channels)
        let rowBytes = window.width * channels
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for row in 0..<window.height {
                    let from = ((window.y + row) * image.width + window.x) * channels
                    for byte in 0..<rowBytes { target[row * rowBytes + byte] = source[from + byte] }
                }
            }
        }
        return RasterImage(width: window.width, height: window.height, layout: image.layout, pixels: pixels)
    }
}
