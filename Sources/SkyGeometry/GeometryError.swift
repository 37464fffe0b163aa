import SkyImaging

/// Why a geometry or mask operation refused its input. Every case says what is wrong and where.
public enum GeometryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A mask's value count does not match its width and height.
    case invalidMaskSize(width: Int, height: Int, valueCount: Int)
    /// A mask and its image differ in size.
    case maskSizeMismatch(path: String, maskWidth: Int, maskHeight: Int, imageWidth: Int, imageHeight: Int)
    /// An RGB mask holds a colour its palette does not list.
    case unknownColour(path: String, palette: String, colour: String, pixelCount: Int, firstX: Int, firstY: Int)
    /// A palette file is malformed.
    case invalidPalette(name: String, reason: String)
    /// No palette of that name ships in `Schemas/palettes/`.
    case unknownPalette(name: String, available: [String])
    /// The mask image has a layout the request cannot use.
    case unsupportedMask(path: String, reason: String)
    /// The mask file could not be read or decoded.
    case image(ImageError)

    public var description: String {
        switch self {
        case .invalidMaskSize(let width, let height, let count):
            "a \(width)x\(height) mask needs \(width * height) values, got \(count)"
        case .maskSizeMismatch(let path, let mw, let mh, let iw, let ih):
            "\(path): the mask is \(mw)x\(mh) but its image is \(iw)x\(ih); pair each mask with its own image"
        case .unknownColour(let path, let palette, let colour, let count, let x, let y):
            "\(path): colour \(colour) is not in palette '\(palette)' (\(count) pixels, first at x=\(x), y=\(y)); "
                + "use the right palette or ask to ignore unknown colours"
        case .invalidPalette(let name, let reason):
            "palette '\(name)': \(reason)"
        case .unknownPalette(let name, let available):
            "no palette named '\(name)'; available: \(available.joined(separator: ", "))"
        case .unsupportedMask(let path, let reason):
            "\(path): \(reason)"
        case .image(let error):
            error.description
        }
    }
}
