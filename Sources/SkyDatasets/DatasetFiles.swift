import Foundation
import SkyGeometry
import SkyImaging

/// File-system helpers shared by the readers: listings, text lines, image folders, relative paths.
public enum DatasetFiles {
    /// File extensions read as images, lower case.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff", "bmp"]

    /// Whether `path` is an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Whether `path` is an existing regular file.
    public static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The visible entries of a directory, sorted; empty when it is not one.
    public static func list(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The subdirectory of `directory` whose name equals `name` ignoring case, if any.
    public static func child(_ directory: String, named name: String) -> String? {
        let wanted = name.lowercased()
        for entry in list(directory) where entry.lowercased() == wanted {
            let path = join(directory, entry)
            if isDirectory(path) { return path }
        }
        return nil
    }

    /// `a/b`, without doubling slashes.
    public static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `path` relative to `root` ('/' separated); `path` itself when it is not below `root`.
    public static func relative(_ path: String, to root: String) -> String {
        let base = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// The file name without its last extension.
    public static func stem(_ name: String) -> String {
        let file = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }

    /// The lower-case extension of a file name, without the dot.
    public static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// The file's bytes, or a typed error naming it.
    public static func bytes(_ path: String) throws(DatasetError) -> [UInt8] {
        do {
            return try FileBytes.read(path)
        } catch {
            throw DatasetError(.unreadableFile, file: path, "cannot read the file: \(error)")
        }
    }

    /// The file's text as UTF-8 (invalid bytes replaced), with a leading byte-order mark removed.
    public static func text(_ path: String) throws(DatasetError) -> String {
        var data = try bytes(path)
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The file's lines, without line terminators (`\n` or `\r\n`); a final empty line is dropped.
    public static func lines(_ path: String) throws(DatasetError) -> [Substring] {
        let text = try text(path)
        // "\r\n" is one Character in Swift: split on both spellings.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { line -> Substring in line.hasSuffix("\r") ? line.dropLast() : line }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}

/// The images of one folder, found by file stem (`P0003` -> `P0003.png`).
public struct ImageFolder: Sendable {
    /// The folder's path.
    public let path: String
    /// Stem -> file name, for every image file in the folder.
    public let byStem: [String: String]

    /// Lists `path` (an absent folder has no images).
    public init(_ path: String) {
        self.path = path
        var byStem: [String: String] = [:]
        for name in DatasetFiles.list(path) where DatasetFiles.imageExtensions.contains(DatasetFiles.fileExtension(name)) {
            let stem = DatasetFiles.stem(name)
            // Prefer PNG/JPEG over TIFF/BMP twins: their headers can be read.
            if let existing = byStem[stem], ["png", "jpg", "jpeg"].contains(DatasetFiles.fileExtension(existing)) {
                continue
            }
            byStem[stem] = name
        }
        self.byStem = byStem
    }

    /// The full path of the image with this stem, if present.
    public func image(stem: String) -> String? {
        byStem[stem].map { DatasetFiles.join(path, $0) }
    }

    /// The full path of the image with this file name (or, failing that, the same stem), if present.
    public func image(named name: String) -> String? {
        if byStem[DatasetFiles.stem(name)] == name { return DatasetFiles.join(path, name) }
        return image(stem: DatasetFiles.stem(name))
    }

    /// Every image's full path, sorted.
    public var all: [String] { byStem.values.sorted().map { DatasetFiles.join(path, $0) } }
}

/// Fills image sizes from headers, clips boxes to the image and drops boxes with no area.
public enum BoxRepair {
    /// Reads width and height from the image header when the annotation did not give them.
    public static func fillSize(_ image: inout AnnotatedImage, root: String,
                                collector: inout IssueCollector) throws(DatasetError) -> Bool {
        if image.width != nil && image.height != nil { return true }
        do {
            let size = try ImageSize.read(DatasetFiles.join(root, image.relativePath), name: image.relativePath)
            image.width = size.width
            image.height = size.height
            return true
        } catch {
            try collector.invalid(error)
            return false
        }
    }

    /// The image header from the first 16 KiB when they hold it (PNG always, most JPEGs), else from the file:
    /// a big aerial scene is not read in bulk just for its size.
    public static func headerQuickly(_ path: String, prefix given: [UInt8]? = nil) throws(ImageError) -> ImageHeader {
        let decoder = ImageDecoder()
        let prefix: [UInt8]
        if let given { prefix = given } else { prefix = try FileBytes.read(path, limit: 1 << 14) }
        if prefix.count < (1 << 14) { return try decoder.header(of: prefix, name: path) }
        if let header = try? decoder.header(of: prefix, name: path) { return header }
        return try decoder.header(ofFile: path)
    }

    /// How far, relative to the image's side, a box may pass an edge and still count as inside it: normalised
    /// coordinates (YOLO's) times the size land a few ulps past the edge (`(0.532 - 0.468) * 640 + 0.936 * 640` is
    /// `640.0000000000001`). Such a box is still clipped, but not counted as a clipped box.
    public static let roundOffTolerance = 1e-6

    /// Clips every box to `[0, width] x [0, height]` and drops those left with no area, counting both; a box
    /// that passes an edge by no more than ``roundOffTolerance`` of the side is clipped without being counted.
    public static func clipAndDrop(_ image: inout AnnotatedImage, report: inout ReadReport) {
        guard let width = image.width.map(Double.init), let height = image.height.map(Double.init) else {
            image.objects.removeAll { object in
                let degenerate = !(object.box.width > 0 && object.box.height > 0)
                if degenerate { report.degenerateBoxes += 1 }
                return degenerate
            }
            return
        }
        // In place: copying every object (its class string and polygon) would double the work on big sets.
        var degenerate = false
        for index in image.objects.indices {
            let box = image.objects[index].box
            let left = min(max(box.x, 0), width), top = min(max(box.y, 0), height)
            let right = min(max(box.maxX, 0), width), bottom = min(max(box.maxY, 0), height)
            let clipped = AxisBox(x: left, y: top, width: right - left, height: bottom - top)
            guard clipped.width > 0, clipped.height > 0, clipped.width.isFinite, clipped.height.isFinite else {
                report.degenerateBoxes += 1
                image.objects[index].box = AxisBox(x: 0, y: 0, width: 0, height: 0)
                degenerate = true
                continue
            }
            if clipped != box {
                let slackX = width * roundOffTolerance, slackY = height * roundOffTolerance
                if abs(clipped.x - box.x) > slackX || abs(clipped.maxX - box.maxX) > slackX
                    || abs(clipped.y - box.y) > slackY || abs(clipped.maxY - box.maxY) > slackY {
                    report.clippedBoxes += 1
                }
                image.objects[index].box = clipped
            }
        }
        if degenerate { image.objects.removeAll { $0.box.width == 0 } }
    }

    /// The axis-aligned box around some points.
    public static func bounds(of points: [Point2D]) -> AxisBox {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for point in points {
            minX = min(minX, point.x); maxX = max(maxX, point.x)
            minY = min(minY, point.y); maxY = max(maxY, point.y)
        }
        guard minX <= maxX else { return AxisBox(x: 0, y: 0, width: 0, height: 0) }
        return AxisBox(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }
}
