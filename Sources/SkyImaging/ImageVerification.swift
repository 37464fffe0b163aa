extension ImageDecoder {
    /// Decodes every pixel of an image once to prove the file whole (a truncated download keeps an intact header,
    /// and shipping it would fail a training run midway), without keeping the pixels. Returns the file's header.
    ///
    /// PNGs, JPEGs and TIFFs of `minimumPixels` or more are decoded a band of rows at a time into a one-column
    /// resample, so memory is a band, not the image (a 20000 x 20000 file costs megabytes, not gigabytes). Smaller
    /// files, BMPs, and any file the band path declines (damaged, interlaced, 16-bit, CMYK, ...) are decoded whole to
    /// "L", so the verdict and the error are ``decodeLuminance(_:name:jpegScale:)``'s. An image over the pixel budget
    /// is refused, naming the file, before anything is decoded.
    public func verify(_ bytes: [UInt8], name: String,
                       minimumPixels: Int = ImageDecoder.streamingMinimumPixels) throws(ImageError) -> ImageHeader
    {
        let header = try header(of: bytes, name: name)
        try checkBudget(width: header.width, height: header.height, format: header.format, name: name)
        if header.width * header.height >= minimumPixels {
            let (width, height, filter) = Self.verificationResize(header)
            let banded: RasterImage? = switch header.format {
            case .png: try resizedLuminance(bytes, name: name, width: width, height: height, filter: filter,
                                            minimumPixels: 0)
            case .jpeg: try resizedJPEGLuminance(bytes, name: name, width: width, height: height, filter: filter)
            case .tiff: try resizedTIFFLuminance(bytes, name: name, width: width, height: height, filter: filter)
            case .bmp: nil
            }
            if banded != nil { return header }
        }
        _ = try decodeLuminance(bytes, name: name)
        return header
    }

    /// ``verify(_:name:minimumPixels:)`` of a TIFF read from its file a strip (or a row of tiles) at a time, so
    /// neither its bytes nor its pixels are ever held: an uncompressed GeoTIFF scene of gigabytes costs one strip.
    ///
    /// Nil where that does not apply and the caller reads the bytes and verifies them: not a TIFF, under
    /// `minimumPixels`, or a file the band path declines (the whole decode then gives the verdict). A file that
    /// cannot be opened, or whose header is over the pixel budget, throws, naming it.
    public func verifyTIFF(file path: String, minimumPixels: Int = ImageDecoder.streamingMinimumPixels)
        throws(ImageError) -> ImageHeader?
    {
        try verifyTIFF(OpenFile(path), minimumPixels: minimumPixels)
    }

    /// The same for a file already open (its kind read through the same value, so it is opened once).
    public func verifyTIFF(_ file: borrowing OpenFile, minimumPixels: Int = ImageDecoder.streamingMinimumPixels)
        throws(ImageError) -> ImageHeader?
    {
        try streamedTIFF(file, target: .verification(minimumPixels: minimumPixels))?.header
    }

    /// The cheapest resize that still decodes every pixel: each row box-filtered to one column (two for a one-pixel
    /// wide image, whose width must change), the height kept, so there is no vertical pass.
    static func verificationResize(_ header: ImageHeader) -> (width: Int, height: Int, filter: PillowFilter) {
        (header.width == 1 ? 2 : 1, header.height, .box)
    }
}
