/// How the bytes of one pixel are laid out in a ``RasterImage``.
public enum PixelLayout: Int, Sendable, Hashable, CustomStringConvertible {
    /// One luminance byte per pixel.
    case gray = 1
    /// Luminance then alpha.
    case grayAlpha = 2
    /// Red, green, blue.
    case rgb = 3
    /// Red, green, blue, alpha.
    case rgba = 4

    /// Bytes per pixel.
    public var channels: Int { rawValue }

    /// Whether the layout carries an alpha channel.
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }

    /// The Pillow mode name of the layout ("L", "LA", "RGB", "RGBA").
    public var description: String {
        switch self {
        case .gray: "L"
        case .grayAlpha: "LA"
        case .rgb: "RGB"
        case .rgba: "RGBA"
        }
    }
}

/// An 8-bit image held in memory: rows top to bottom, pixels left to right, channels interleaved.
public struct RasterImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// The channel layout of each pixel.
    public let layout: PixelLayout
    /// `width * height * layout.channels` bytes, row-major.
    public var pixels: [UInt8]

    /// Wraps existing pixels; the count must be `width * height * layout.channels`.
    public init(width: Int, height: Int, layout: PixelLayout, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size \(width)x\(height)")
        precondition(pixels.count == width * height * layout.channels,
                     "pixel count \(pixels.count) does not match \(width)x\(height) \(layout)")
        self.width = width
        self.height = height
        self.layout = layout
        self.pixels = pixels
    }

    /// A new image filled with one value in every channel.
    public init(width: Int, height: Int, layout: PixelLayout, filledWith value: UInt8 = 0) {
        self.init(width: width, height: height, layout: layout,
                  pixels: [UInt8](repeating: value, count: width * height * layout.channels))
    }

    /// Bytes per pixel.
    public var channels: Int { layout.channels }

    /// The byte offset of pixel (x, y).
    @inlinable
    public func offset(x: Int, y: Int) -> Int { (y * width + x) * layout.channels }

    /// The channel values of pixel (x, y).
    public subscript(x: Int, y: Int) -> ArraySlice<UInt8> {
        let start = offset(x: x, y: y)
        return pixels[start..<start + layout.channels]
    }
}

/// A palette image: one index per pixel and the palette it indexes, as index masks are stored.
public struct IndexedImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// One palette index per pixel, row-major.
    public var indices: [UInt8]
    /// The palette as RGBA entries; `palette[i]` is the colour of index `i`.
    public var palette: [RGBA]

    /// Wraps indices and a palette; the count must be `width * height`.
    public init(width: Int, height: Int, indices: [UInt8], palette: [RGBA]) {
        precondition(indices.count == width * height, "index count does not match the size")
        self.width = width
        self.height = height
        self.indices = indices
        self.palette = palette
    }
}

/// One RGBA colour.
public struct RGBA: Sendable, Hashable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8
    public var alpha: UInt8

    /// A colour from its four channels (opaque by default).
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8, _ alpha: UInt8 = 255) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// `(r, g, b)` or `(r, g, b, a)` when not opaque.
    public var description: String {
        alpha == 255 ? "(\(red), \(green), \(blue))" : "(\(red), \(green), \(blue), \(alpha))"
    }
}
