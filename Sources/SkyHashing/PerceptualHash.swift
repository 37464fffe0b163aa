import SkyImaging

/// The perceptual hashes SkyHashing computes, each bit-identical to its reference.
public enum HashKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// imagehash's `phash`: "L", LANCZOS 32x32, 2-D type-II DCT, top-left 8x8 above its median.
    case phash
    /// imagehash's `dhash`: "L", LANCZOS 9x8, each pixel brighter than its left neighbour.
    case dhash
    /// imagehash's `average_hash`: "L", LANCZOS 8x8, each pixel above the mean.
    case ahash
    /// imagededup's `PHash`: RGB resized first, then "L"; median without the DC term; `>=`.
    case phashImagededup = "phash-imagededup"

    public var description: String { rawValue }
}

/// How an image file is decoded before hashing.
public enum HashMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Full-size decoding: the same pixels as Pillow, so hashes equal imagehash's bit for bit.
    ///
    /// One known exception: a 16-bit grayscale PNG. Pillow opens it as "I;16" and its "L" conversion
    /// clips every value over 255 to 255, while SkyImaging decodes the high byte of each sample.
    case exact
    /// JPEGs decoded at 1/2, 1/4 or 1/8 scale through libjpeg's DCT scaling, keeping at least
    /// ``PerceptualHasher/fastMinimumSide`` pixels on the shorter side; other formats as in exact mode.
    /// Faster on large JPEGs; hashes are close to, not always equal to, the exact ones. Use it to screen
    /// millions of JPEGs for near-duplicates at a threshold of 2 or more; use exact mode for hashes that
    /// must equal imagehash's (stored corpus hashes, leakage reports against published hashes).
    case fast

    public var description: String { rawValue }
}

/// Computes perceptual hashes of images and image files.
public struct PerceptualHasher: Sendable {
    /// The default ``fastMinimumSide``. Measured on 41 real JPEGs (Benchmarks/hash_results.md): 64 px kept
    /// 28 hashes equal to exact mode with two 6 bits away; 256 px kept 34 equal and none over 2 bits away,
    /// at 3.9 instead of 2.9 ms per image (exact: 6.6 ms). Large images still decode at 1/8.
    public static let defaultFastMinimumSide = 256

    /// Which hash.
    public var kind: HashKind
    /// Exact or fast decoding.
    public var mode: HashMode
    /// The decoder (and its pixel budget) used for files.
    public var decoder: ImageDecoder
    /// Fast mode never decodes a JPEG's shorter side below this many pixels.
    public var fastMinimumSide: Int = PerceptualHasher.defaultFastMinimumSide
    /// Fast mode takes a colour JPEG's "L" from its Y plane (libjpeg skips the colour components) instead of
    /// converting its RGB as Pillow does.
    public var fastLuminanceFromY = false

    /// A hasher of `kind` in `mode`.
    public init(kind: HashKind = .phash, mode: HashMode = .exact, decoder: ImageDecoder = ImageDecoder()) {
        self.kind = kind
        self.mode = mode
        self.decoder = decoder
    }

    /// The hash of decoded pixels (the mode does not apply: the pixels are already decoded).
    public func hash(_ image: RasterImage) -> Hash64 {
        if kind == .phashImagededup {
            let small = PillowResample.resize(PillowConvert.rgb(image), width: 32, height: 32, filter: .lanczos)
            return Self.imagededupPhashBits(of: PillowConvert.luminance(small).pixels)
        }
        let size = smallSize
        return bits(of: PillowResample.resizeLuminance(image, width: size.width, height: size.height, filter: .lanczos))
    }

    /// The size of the "L" image phash, dhash and ahash take their bits from.
    var smallSize: (width: Int, height: Int) {
        switch kind {
        case .phash, .phashImagededup: (32, 32)
        case .dhash: (9, 8)
        case .ahash: (8, 8)
        }
    }

    /// The bits of phash, dhash or ahash from its small "L" image.
    func bits(of small: RasterImage) -> Hash64 {
        switch kind {
        case .phash, .phashImagededup: Self.phashBits(of: small.pixels)
        case .dhash: Self.dhashBits(of: small.pixels)
        case .ahash: Self.ahashBits(of: small.pixels)
        }
    }

    /// The hash of an image file; a file that cannot be read or decoded throws an error naming it.
    public func hash(file path: String) throws(ImageError) -> Hash64 {
        // A TIFF (a GeoTIFF scene can be gigabytes, uncompressed) is read from the file a strip at a time, so neither
        // its pixels nor its bytes are held whole; where that path does not apply, the bytes path below decides.
        // The file is opened once: its kind, then its strips or its bytes, are read through the same value.
        let file = try OpenFile(path)
        if kind != .phashImagededup, ImageFormat.sniff(try file.read(limit: 8)) == .tiff {
            let size = smallSize
            if let small = try decoder.resizedTIFFLuminance(file, width: size.width, height: size.height,
                                                            filter: .lanczos) {
                return bits(of: small)
            }
        }
        return try hash(bytes: file.read(), name: path)
    }

    /// The hash of encoded PNG, JPEG, TIFF or BMP bytes; `name` labels errors.
    public func hash(bytes: [UInt8], name: String) throws(ImageError) -> Hash64 {
        let format = ImageFormat.sniff(bytes)
        // phash, dhash and ahash only need "L": PNGs are decoded straight to it, row by row, without the
        // full-colour image. JPEGs are decoded to colour and converted to "L" a row at a time inside the
        // first resample pass (resizeLuminance), which measured faster than decodeLuminance's separate
        // conversion for them. imagededup's variant resizes colour first, so it always decodes colour.
        // 16-bit gray PNGs and TIFFs go through decodeLuminance too: their "L" is Pillow's clipped "I;16".
        // A large PNG never exists in memory as a whole: rows are converted and resampled as they are inflated.
        if format == .png && kind != .phashImagededup {
            let size = smallSize
            if let small = try decoder.resizedLuminance(bytes, name: name, width: size.width, height: size.height,
                                                        filter: .lanczos) {
                return bits(of: small)
            }
        }
        // JPEGs: decoded a band of rows at a time straight into the "L" conversion and the horizontal pass (at the
        // DCT scale fast mode picks), so the full-size colour image is never written or read back.
        if format == .jpeg && kind != .phashImagededup {
            let size = smallSize
            let (fast, minimumSide) = (mode == .fast, fastMinimumSide)
            if let small = try decoder.resizedJPEGLuminance(
                bytes, name: name, width: size.width, height: size.height, filter: .lanczos,
                scale: { fast ? Self.fastScale(width: $0, height: $1, minimumSide: minimumSide) : .full },
                grayFromY: fast && fastLuminanceFromY)
            {
                return bits(of: small)
            }
        }
        // TIFFs (large GeoTIFF scenes): a strip or a row of tiles at a time into the "L" conversion and the
        // horizontal pass, never the whole image.
        if format == .tiff && kind != .phashImagededup {
            let size = smallSize
            if let small = try decoder.resizedTIFFLuminance(bytes, name: name, width: size.width, height: size.height,
                                                            filter: .lanczos) {
                return bits(of: small)
            }
        }
        if (format == .png || format == .tiff) && kind != .phashImagededup {
            return hash(try decoder.decodeLuminance(bytes, name: name))
        }
        var scale = JPEGScale.full
        if mode == .fast, format == .jpeg {
            let header = try decoder.header(of: bytes, name: name)
            scale = Self.fastScale(width: header.width, height: header.height, minimumSide: fastMinimumSide)
        }
        return hash(try decoder.decode(bytes, name: name, jpegScale: scale))
    }

    /// The largest DCT scaling that keeps the shorter side at least `minimumSide` (else the full size).
    public static func fastScale(width: Int, height: Int, minimumSide: Int = defaultFastMinimumSide) -> JPEGScale {
        let shorter = min(width, height)
        for scale in [JPEGScale.eighth, .quarter, .half] {
            let side = (shorter + scale.rawValue - 1) / scale.rawValue
            if side >= minimumSide { return scale }
        }
        return .full
    }

    // MARK: Bits from the small image

    /// imagehash's phash bits from a 32x32 "L" image: DCT top-left 8x8 strictly above its median.
    static func phashBits(of pixels: [UInt8]) -> Hash64 {
        let low = DCT32.lowFrequencies(of: pixels)
        let sorted = low.sorted()
        // numpy.median of 64 values: the mean of the two middle ones.
        let median = (sorted[31] + sorted[32]) / 2
        return pack(low.map { $0 > median })
    }

    /// imagededup's PHash bits: the median of the 63 values after the DC term, compared with `>=`.
    static func imagededupPhashBits(of pixels: [UInt8]) -> Hash64 {
        let low = DCT32.lowFrequencies(of: pixels)
        let median = low.dropFirst().sorted()[31]
        return pack(low.map { $0 >= median })
    }

    /// dhash bits from a 9x8 image: right neighbour strictly brighter, row by row.
    static func dhashBits(of pixels: [UInt8]) -> Hash64 {
        var bits: [Bool] = []
        bits.reserveCapacity(64)
        for row in 0..<8 {
            for column in 0..<8 {
                bits.append(pixels[row * 9 + column + 1] > pixels[row * 9 + column])
            }
        }
        return pack(bits)
    }

    /// average_hash bits from an 8x8 image: strictly above the mean (compared in integers: 64 p > sum).
    static func ahashBits(of pixels: [UInt8]) -> Hash64 {
        let sum = pixels.reduce(0) { $0 + Int($1) }
        return pack(pixels.map { Int($0) * 64 > sum })
    }

    /// Packs 64 booleans, first one in the most significant bit (imagehash's hex order).
    static func pack(_ bits: [Bool]) -> Hash64 {
        var value: UInt64 = 0
        for bit in bits { value = value << 1 | (bit ? 1 : 0) }
        return Hash64(bits: value)
    }
}
