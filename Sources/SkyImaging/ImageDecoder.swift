import Foundation
import CSkyCodecs

/// What an image header says, read without decoding pixels.
public struct ImageHeader: Sendable, Equatable {
    /// The file format.
    public var format: ImageFormat
    /// Width in pixels as stored.
    public var width: Int
    /// Height in pixels as stored.
    public var height: Int
    /// Components stored in the file (PNG and BMP palette: 1; JPEG CMYK: 4).
    public var sourceChannels: Int
    /// Bits per sample in the file.
    public var bitDepth: Int
    /// Whether the file is a palette PNG or TIFF, or a BMP that Pillow opens as "P" or "1".
    public var isPalette: Bool

    /// Width times height; nil where a hostile header's product does not fit an `Int` (over any pixel budget).
    public var pixels: Int? { Self.pixelCount(width: width, height: height) }

    /// `width * height`, nil on overflow: sizes come from files, and a header may claim anything.
    public static func pixelCount(width: Int, height: Int) -> Int? {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow ? nil : product
    }
}

extension ImageHeader {
    /// The header a codec's `csky_image_info` describes (the size as stored, before any JPEG scaling).
    init(_ info: csky_image_info, format: ImageFormat) {
        self.init(format: format, width: Int(info.source_width), height: Int(info.source_height),
                  sourceChannels: Int(info.source_channels), bitDepth: Int(info.bit_depth),
                  isPalette: info.palette_count > 0)
    }
}

/// The DCT scaling libjpeg-turbo applies while decoding a JPEG: output is ceil(size / denominator).
public enum JPEGScale: Int, Sendable, CaseIterable {
    case full = 1
    case half = 2
    case quarter = 4
    case eighth = 8
}

/// Decodes PNG, JPEG, TIFF and BMP files into 8-bit ``RasterImage``s, refusing images over a pixel budget.
///
/// TIFF: the first directory, 8-bit gray, gray+alpha, RGB or RGBA in one plane, any compression libtiff
/// reads, pixel for pixel as Pillow decodes it; other TIFF layouts are refused with "convert it to PNG".
/// BMP: decoded in Swift by `BMPDecoder`, pixel for pixel as Pillow 13 reads it (see there for the layouts).
public struct ImageDecoder: Sendable {
    /// The built-in pixel budget: 400 megapixels. Decoding costs about 4 bytes per pixel (RGBA) plus the encoded
    /// file; the heaviest steps (M2B on a mask, encoding) peak near 7.5 bytes per pixel, so the largest image
    /// allowed needs about 3 GB while one is processed per core.
    public static let defaultPixelLimit = 400_000_000
    /// The environment variable that sets the pixel budget of every decoder made without an explicit one.
    public static let pixelLimitVariable = "SKYCORPUS_PIXEL_LIMIT"
    /// The accepted budgets: from one kilopixel to 4 gigapixels (an RGBA image that size is 16 GB).
    public static let pixelLimitRange = 1_000...4_000_000_000

    /// The pixel budget from `SKYCORPUS_PIXEL_LIMIT` (a whole number of pixels, or with a suffix `M` for
    /// megapixels), else ``defaultPixelLimit``. A value that does not parse or is outside ``pixelLimitRange``
    /// is an error naming the variable; commands check it at start-up.
    public static func pixelLimit(environment: [String: String]) throws(ImageError) -> Int {
        guard let text = environment[pixelLimitVariable]?.trimmingCharacters(in: .whitespaces) else {
            return defaultPixelLimit
        }
        let megapixels = text.hasSuffix("M") || text.hasSuffix("m")
        let digits = megapixels ? String(text.dropLast()) : text
        guard let number = Int(digits), number >= 0 else {
            throw .unsupportedRequest(path: pixelLimitVariable,
                                      reason: "'\(text)' is not a number of pixels (write 400000000 or 400M)")
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: megapixels ? 1_000_000 : 1)
        guard !overflow, pixelLimitRange.contains(value) else {
            throw .unsupportedRequest(path: pixelLimitVariable,
                                      reason: "\(text) pixels is outside \(pixelLimitRange.lowerBound)..."
                                          + "\(pixelLimitRange.upperBound)")
        }
        return value
    }

    /// The pixel budget of decoders made without an explicit one: `SKYCORPUS_PIXEL_LIMIT` when it is valid, else
    /// ``defaultPixelLimit``.
    public static let configuredPixelLimit: Int =
        (try? pixelLimit(environment: ProcessInfo.processInfo.environment)) ?? defaultPixelLimit
    /// Bytes read for a header-only look before falling back to the whole file.
    static let headerPrefix = 1 << 18

    /// Images whose header claims more pixels than this are refused before any allocation.
    public var pixelLimit: Int

    /// A decoder with the given pixel budget.
    public init(pixelLimit: Int = ImageDecoder.configuredPixelLimit) {
        self.pixelLimit = pixelLimit
    }

    // MARK: Headers

    /// Reads width, height and format from the file's header without decoding pixels.
    public func header(ofFile path: String) throws(ImageError) -> ImageHeader {
        let prefix = try FileBytes.read(path, limit: Self.headerPrefix)
        do {
            return try header(of: prefix, name: path)
        } catch {
            // A header past the prefix (large EXIF or text chunks): look at the whole file.
            guard prefix.count == Self.headerPrefix else { throw error }
            return try header(of: FileBytes.read(path), name: path)
        }
    }

    /// Reads width, height and format from bytes in memory; `name` labels errors.
    public func header(of bytes: [UInt8], name: String) throws(ImageError) -> ImageHeader {
        let format = try Self.format(of: bytes, name: name)
        if format == .bmp { return try bmpHeader(bytes, name: name) }
        return ImageHeader(try Self.info(bytes, format: format, keepIndices: false, scale: .full, name: name),
                           format: format)
    }

    // MARK: Pixels

    /// Decodes a PNG, JPEG or TIFF file. JPEGs can be decoded at a reduced scale; the others refuse one.
    public func decode(file path: String, jpegScale: JPEGScale = .full) throws(ImageError) -> RasterImage {
        try decode(FileBytes.read(path), name: path, jpegScale: jpegScale)
    }

    /// Decodes PNG, JPEG or TIFF bytes in memory; `name` labels errors.
    public func decode(_ bytes: [UInt8], name: String, jpegScale: JPEGScale = .full) throws(ImageError) -> RasterImage {
        try decode(bytes, name: name, jpegScale: jpegScale, clipGray16: false)
    }

    /// `decode`, with 16-bit gray PNGs and TIFFs (Pillow's "I;16") either keeping each sample's high byte
    /// (`clipGray16` false, as for every other 16-bit layout) or becoming Pillow's "L" of them: the sample,
    /// clipped to 255 (what `convert("L")` and so imagehash do).
    func decode(_ bytes: [UInt8], name: String, jpegScale: JPEGScale,
                clipGray16: Bool) throws(ImageError) -> RasterImage {
        let format = try Self.format(of: bytes, name: name)
        if format != .jpeg && jpegScale != .full {
            throw .unsupportedRequest(path: name, reason: "\(format) has no reduced-scale decoding; use .full")
        }
        if format == .bmp { return try decodeBMP(bytes, name: name) }
        let flags = clipGray16 ? CSKY_DECODE_GRAY16_CLIP : 0
        var info = try Self.info(bytes, format: format, keepIndices: false, scale: jpegScale, name: name)
        try checkBudget(info, format: format, name: name)
        let pixels = try Self.pixels(bytes, format: format, keepIndices: false, scale: jpegScale,
                                     info: &info, name: name, flags: flags)
        guard let layout = PixelLayout(rawValue: Int(info.layout)) else {
            throw .decodeFailed(path: name, format: format, message: "unexpected layout \(info.layout)")
        }
        return RasterImage(width: Int(info.width), height: Int(info.height), layout: layout, pixels: pixels)
    }

    /// Decodes an index mask: a palette PNG's or TIFF's indices with its palette, or a gray PNG's or TIFF's values.
    ///
    /// Gray masks (LoveDA, Potsdam and Vaihingen as index PNGs) come back with an empty palette.
    /// A palette TIFF's palette has 256 entries, as Pillow reads it.
    public func decodeIndexed(file path: String) throws(ImageError) -> IndexedImage {
        try decodeIndexed(FileBytes.read(path), name: path)
    }

    /// Decodes an index mask from bytes in memory; `name` labels errors.
    public func decodeIndexed(_ bytes: [UInt8], name: String) throws(ImageError) -> IndexedImage {
        let format = try Self.format(of: bytes, name: name)
        guard format != .jpeg else {
            throw .unsupportedRequest(path: name, reason: "an index mask must be a PNG, not a lossy JPEG")
        }
        if format == .bmp { return try decodeIndexedBMP(bytes, name: name) }
        var info = try Self.info(bytes, format: format, keepIndices: true, scale: .full, name: name)
        try checkBudget(info, format: format, name: name)
        if info.channels == 0 {
            // A TIFF layout the codec does not decode: its error says which and to convert it.
            _ = try Self.pixels(bytes, format: format, keepIndices: true, scale: .full, info: &info, name: name)
        }
        // Decoding keeps a 16-bit sample's high byte, which would turn class values below 256 into 0.
        guard info.bit_depth <= 8 else {
            throw .unsupportedRequest(path: name, reason: "a 16-bit index mask is not supported; save it as an 8-bit "
                + "gray or palette PNG (class values 0-255)")
        }
        let isIndexed = info.layout == CSKY_LAYOUT_INDEXED.rawValue
        guard isIndexed || info.layout == CSKY_LAYOUT_GRAY.rawValue else {
            throw .unsupportedRequest(
                path: name,
                reason: "an index mask must be a palette or gray \(format), this one is \(info.channels)-channel colour; "
                    + "decode it as colour and map it through a palette")
        }
        let indices = try Self.pixels(bytes, format: format, keepIndices: true, scale: .full, info: &info, name: name)
        var palette: [RGBA] = []
        if isIndexed {
            withUnsafeBytes(of: &info.palette) { raw in
                for entry in 0..<Int(info.palette_count) {
                    palette.append(RGBA(raw[entry * 4], raw[entry * 4 + 1], raw[entry * 4 + 2], raw[entry * 4 + 3]))
                }
            }
        }
        return IndexedImage(width: Int(info.width), height: Int(info.height), indices: indices, palette: palette)
    }

    // MARK: Internals

    func checkBudget(_ info: csky_image_info, format: ImageFormat = .png, name: String) throws(ImageError) {
        try checkBudget(width: Int(info.source_width), height: Int(info.source_height), format: format, name: name)
    }

    /// The pixel budget on a size from a header: over it (or past `Int`) is `tooLarge`, no pixels is an error.
    func checkBudget(width: Int, height: Int, format: ImageFormat, name: String) throws(ImageError) {
        if (ImageHeader.pixelCount(width: width, height: height) ?? .max) > pixelLimit {
            throw .tooLarge(path: name, width: width, height: height, limit: pixelLimit)
        }
        if width == 0 || height == 0 {
            throw .decodeFailed(path: name, format: format, message: "the image has no pixels (\(width)x\(height))")
        }
    }

    static func format(of bytes: [UInt8], name: String) throws(ImageError) -> ImageFormat {
        if bytes.isEmpty { throw .empty(path: name) }
        guard let format = ImageFormat.sniff(bytes) else {
            let signature = bytes.prefix(4).map { byte in
                let hex = String(byte, radix: 16, uppercase: true)
                return hex.count == 1 ? "0" + hex : hex
            }.joined(separator: " ")
            throw .unsupportedFormat(path: name, signature: signature)
        }
        return format
    }

    static func info(_ bytes: [UInt8], format: ImageFormat, keepIndices: Bool, scale: JPEGScale,
                     name: String) throws(ImageError) -> csky_image_info {
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let status: Int32 = bytes.withUnsafeBufferPointer { buffer in
            switch format {
            case .png: csky_png_info(buffer.baseAddress, buffer.count, keepIndices ? 1 : 0, &info, &message)
            case .jpeg: csky_jpeg_info(buffer.baseAddress, buffer.count, Int32(scale.rawValue), &info, &message)
            case .tiff: csky_tiff_info(buffer.baseAddress, buffer.count, keepIndices ? 1 : 0, &info, &message)
            case .bmp: CSKY_ERROR  // Decoded in Swift (BMPDecoder) before any codec call.
            }
        }
        guard status == CSKY_OK else {
            throw .decodeFailed(path: name, format: format, message: codecMessage(message))
        }
        return info
    }

    /// `flags` are or-ed into the codec's keep_indices argument (``CSKY_DECODE_GRAY16_CLIP``).
    static func pixels(_ bytes: [UInt8], format: ImageFormat, keepIndices: Bool, scale: JPEGScale,
                       info: inout csky_image_info, name: String, flags: Int32 = 0) throws(ImageError) -> [UInt8] {
        let mode = (keepIndices ? 1 : 0) | flags
        let count = Int(info.width) * Int(info.height) * Int(info.channels)
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        var status: Int32 = CSKY_OK
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            status = bytes.withUnsafeBufferPointer { input in
                switch format {
                case .png:
                    csky_png_decode(input.baseAddress, input.count, mode, output.baseAddress, count, &info, &message)
                case .jpeg:
                    csky_jpeg_decode(input.baseAddress, input.count, Int32(scale.rawValue),
                                     output.baseAddress, count, &info, &message)
                case .tiff:
                    csky_tiff_decode(input.baseAddress, input.count, mode, output.baseAddress, count, &info, &message)
                case .bmp:
                    CSKY_ERROR  // Decoded in Swift (BMPDecoder) before any codec call.
                }
            }
            initialized = status == CSKY_OK ? count : 0
        }
        guard status == CSKY_OK else {
            throw .decodeFailed(path: name, format: format, message: codecMessage(message))
        }
        return pixels
    }
}
