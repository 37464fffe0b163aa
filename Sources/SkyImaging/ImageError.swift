/// Why an image could not be read or written. Every case names the file.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file is empty.
    case empty(path: String)
    /// The bytes are neither PNG, JPEG, TIFF nor BMP.
    case unsupportedFormat(path: String, signature: String)
    /// The codec rejected the data; `message` is the codec's own.
    case decodeFailed(path: String, format: ImageFormat, message: String)
    /// The header claims more pixels than the budget allows.
    case tooLarge(path: String, width: Int, height: Int, limit: Int)
    /// The image could not be encoded.
    case encodeFailed(path: String, format: ImageFormat, message: String)
    /// The request does not fit the image (a scale PNG lacks, indices of a non-palette PNG, ...).
    case unsupportedRequest(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unreadable(let path, _), .empty(let path), .unsupportedFormat(let path, _),
             .decodeFailed(let path, _, _), .tooLarge(let path, _, _, _),
             .encodeFailed(let path, _, _), .unsupportedRequest(let path, _):
            path
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot read the file: \(reason)"
        case .empty(let path):
            "\(path): the file is empty"
        case .unsupportedFormat(let path, let signature):
            "\(path): not a PNG, JPEG, TIFF or BMP image (starts with \(signature)); convert it to PNG or JPEG"
        case .decodeFailed(let path, let format, let message):
            "\(path): cannot decode \(format): \(message)"
        case .tooLarge(let path, let width, let height, let limit):
            "\(path): \(width)x\(height) is \(ImageHeader.pixelCount(width: width, height: height).map(String.init) ?? "too many") "
                + "pixels, over the limit of \(limit); "
                + "raise the limit with SKYCORPUS_PIXEL_LIMIT if the image is genuine"
        case .encodeFailed(let path, let format, let message):
            "\(path): cannot encode \(format): \(message)"
        case .unsupportedRequest(let path, let reason):
            "\(path): \(reason)"
        }
    }
}

/// The image file formats SkyCorpus reads and writes.
public enum ImageFormat: String, Sendable, Hashable, CustomStringConvertible {
    case png = "PNG"
    case jpeg = "JPEG"
    /// Decoded only (UCM-captions, Sydney-captions, RSITMD ship TIFF); never written.
    case tiff = "TIFF"
    /// Decoded only (HRSC2016 ships BMP); never written.
    case bmp = "BMP"

    public var description: String { rawValue }

    /// The format that the first bytes announce, or nil.
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat?
    where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head.count >= 8, head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        // TIFF, little-endian "II*\0" or big-endian "MM\0*", and little-endian BigTIFF "II+\0". Big-endian
        // BigTIFF is left out: Pillow 13 cannot open it, so there is no reference to be exact against.
        if head.count >= 4 {
            let magic = Array(head[0..<4])
            if magic == [0x49, 0x49, 0x2A, 0x00] || magic == [0x4D, 0x4D, 0x00, 0x2A]
                || magic == [0x49, 0x49, 0x2B, 0x00] { return .tiff }
        }
        // BMP: "BM", then (after size, reserved and offset) a header size Pillow knows.
        if head.count >= 2, head[0] == 0x42, head[1] == 0x4D {
            let sizeBytes = Array(bytes.dropFirst(14).prefix(4))
            if sizeBytes.count == 4 {
                let size = sizeBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
                if [12, 40, 52, 56, 64, 108, 124].contains(size) { return .bmp }
            }
        }
        return nil
    }
}

/// The text a codec wrote into a NUL-terminated error buffer.
func codecMessage(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
