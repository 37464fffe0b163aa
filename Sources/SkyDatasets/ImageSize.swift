import SkyImaging

/// Width and height from an image file's header, without decoding it: PNG and JPEG through SkyImaging's
/// decoder, TIFF (UCM-captions, Sydney-captions, RSITMD, ISPRS originals) and BMP (HRSC2016) parsed here.
public enum ImageSize {
    /// The size of the image at `path`; `name` labels errors (the path relative to the dataset root).
    public static func read(_ path: String, name: String) throws(DatasetError) -> (width: Int, height: Int) {
        let prefix: [UInt8]
        do {
            prefix = try FileBytes.read(path, limit: 1 << 14)
        } catch {
            throw DatasetError(.unreadableImage, file: name, "cannot read the image: \(error)")
        }
        if prefix.starts(with: [0x49, 0x49, 0x2A, 0x00]) || prefix.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            if let size = tiffSize(prefix) { return size }
            // The first directory lies past the prefix: look at the whole file.
            if let whole = try? FileBytes.read(path), let size = tiffSize(whole) { return size }
            throw DatasetError(.unreadableImage, file: name,
                               "a TIFF whose first directory has no ImageWidth/ImageLength; re-save it or convert it to PNG")
        }
        if prefix.starts(with: [0x42, 0x4D]) {
            guard let size = bmpSize(prefix) else {
                throw DatasetError(.unreadableImage, file: name, "a BMP header too short or with a zero size; re-save it as PNG")
            }
            return size
        }
        do {
            let header = try BoxRepair.headerQuickly(path, prefix: prefix)
            return (header.width, header.height)
        } catch {
            throw DatasetError(.unreadableImage, file: name,
                               "cannot read the image size from its header (\(error)); convert it to PNG or JPEG")
        }
    }

    /// Width and height from a TIFF's first image directory (tags 256 ImageWidth, 257 ImageLength), if in `bytes`.
    static func tiffSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let little = bytes.first == 0x49
        func unsigned(_ offset: Int, _ count: Int) -> Int? {
            guard offset >= 0, offset + count <= bytes.count else { return nil }
            var value = 0
            for index in 0..<count {
                let byte = Int(bytes[offset + (little ? count - 1 - index : index)])
                value = value << 8 | byte
            }
            return value
        }
        guard let directory = unsigned(4, 4), let entries = unsigned(directory, 2) else { return nil }
        var width: Int? = nil, height: Int? = nil
        for entry in 0..<entries {
            let start = directory + 2 + entry * 12
            guard let tag = unsigned(start, 2), let type = unsigned(start + 2, 2) else { return nil }
            guard tag == 256 || tag == 257 else { continue }
            // SHORT (3) or LONG (4), held in the entry's value field.
            let value = type == 3 ? unsigned(start + 8, 2) : type == 4 ? unsigned(start + 8, 4) : nil
            if tag == 256 { width = value } else { height = value }
        }
        guard let width, let height, width > 0, height > 0 else { return nil }
        return (width, height)
    }

    /// Width and height from a BMP header (BITMAPCOREHEADER or BITMAPINFOHEADER and later).
    static func bmpSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        func little(_ offset: Int, _ count: Int) -> Int? {
            guard offset + count <= bytes.count else { return nil }
            var value = 0
            for index in (0..<count).reversed() { value = value << 8 | Int(bytes[offset + index]) }
            return value
        }
        guard let headerSize = little(14, 4) else { return nil }
        if headerSize == 12 {
            guard let width = little(18, 2), let height = little(20, 2), width > 0, height > 0 else { return nil }
            return (width, height)
        }
        guard let width = little(18, 4), let rawHeight = little(22, 4) else { return nil }
        // The height is signed: negative for top-down rows.
        let height = abs(Int(Int32(truncatingIfNeeded: rawHeight)))
        let signedWidth = Int(Int32(truncatingIfNeeded: width))
        guard signedWidth > 0, height > 0 else { return nil }
        return (signedWidth, height)
    }
}
