import CSkyCodecs

extension ImageDecoder {
    /// PNGs of at least this many pixels are resized to "L" in bounded memory by
    /// ``resizedLuminance(_:name:width:height:filter:minimumPixels:)``; smaller ones decode whole, where
    /// libdeflate's one-shot inflate is faster than zlib's streaming one.
    public static let streamingMinimumPixels = 16_000_000

    /// `PillowResample.resizeLuminance(decodeLuminance(bytes, name: name), width:height:filter:)` byte for byte
    /// for a large PNG, in bounded memory: the image data is inflated a band of rows at a time and each row is
    /// converted to "L" and resampled horizontally at once, so neither the colour nor the "L" image is ever held
    /// (a 20000 x 20000 RGBA file needs a few megabytes besides its own bytes, not 2 GB).
    ///
    /// Nil where that path does not apply, and the caller decodes whole: not a PNG, under `minimumPixels`,
    /// interlaced, 16-bit, damaged, a nearest-neighbour filter, or a resize whose vertical pass Pillow runs first.
    /// An image over the pixel budget is refused as `decode` refuses it.
    public func resizedLuminance(_ bytes: [UInt8], name: String, width: Int, height: Int, filter: PillowFilter,
                                 minimumPixels: Int = ImageDecoder.streamingMinimumPixels)
        throws(ImageError) -> RasterImage?
    {
        guard ImageFormat.sniff(bytes) == .png, filter != .nearest, width > 0, height > 0 else { return nil }
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let known = bytes.withUnsafeBufferPointer { input in
            csky_png_info(input.baseAddress, input.count, 0, &info, &message)
        }
        guard known == CSKY_OK else { return nil }
        try checkBudget(info, name: name)
        let inputWidth = Int(info.width), inputHeight = Int(info.height)
        guard inputWidth * inputHeight >= minimumPixels else { return nil }
        return Self.streamed(inputWidth: inputWidth, inputHeight: inputHeight, width: width, height: height,
                             filter: filter) { axis, output, count in
            bytes.withUnsafeBufferPointer { input in
                csky_png_luma_horizontal(input.baseAddress, input.count, axis, CSKY_RESAMPLE_BEST, output, count,
                                         &info, &message)
            }
        }
    }

    /// The part both streaming paths share: when Pillow runs the horizontal pass first and the kernel table splits,
    /// `decode(axis, output, count)` fills `count` bytes of horizontally resampled "L" rows (`width` x
    /// `inputHeight`) from the file and returns a CSkyCodecs status; then the vertical pass. Nil where the path
    /// does not apply or `decode` fails.
    static func streamed(inputWidth: Int, inputHeight: Int, width: Int, height: Int, filter: PillowFilter,
                         decode: (UnsafePointer<csky_resample_axis>, UnsafeMutablePointer<UInt8>?, Int) -> Int32)
        -> RasterImage?
    {
        guard width != inputWidth,
              !PillowResample.verticalFirst(inputWidth: inputWidth, inputHeight: inputHeight, width: width,
                                            height: height, passOrder: .pillow13)
        else { return nil }
        let table = PillowKernelCache.shared.table(inputSize: inputWidth, outputSize: width, filter: filter)
        guard table.splits else { return nil }
        let count = width * inputHeight
        var status: Int32 = CSKY_OK
        let rows = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            status = table.withAxis { axis in decode(axis, output.baseAddress, count) }
            initialized = status == CSKY_OK ? count : 0
        }
        guard status == CSKY_OK else { return nil }
        let gray = RasterImage(width: width, height: inputHeight, layout: .gray, pixels: rows)
        return height == inputHeight ? gray : PillowResample.verticalPass(gray, height: height, filter: filter)
    }
}

extension ImageDecoder {
    /// `PillowResample.resizeLuminance(decode(bytes, name: name, jpegScale: scale), ...)` byte for byte for a
    /// JPEG, decoded a band of rows at a time straight into the horizontal pass, so the full-size image is never
    /// written (and, for RGB files, never read back to convert it to "L"). `scale(width, height)` picks the DCT
    /// scaling from the file's own size. `grayFromY` decodes a colour file's Y plane alone: faster (libjpeg skips
    /// the colour components), close to but not equal to Pillow's "L", so only for hashes allowed to differ.
    ///
    /// Nil where the path does not apply and the caller decodes whole: not a JPEG, CMYK, a nearest-neighbour
    /// filter, an unchanged width, a resize whose vertical pass Pillow runs first, or any decoding error (the
    /// whole decode then reports it). An image over the pixel budget is refused as `decode` refuses it.
    public func resizedJPEGLuminance(_ bytes: [UInt8], name: String, width: Int, height: Int, filter: PillowFilter,
                                     scale: (_ width: Int, _ height: Int) -> JPEGScale = { _, _ in .full },
                                     grayFromY: Bool = false) throws(ImageError) -> RasterImage?
    {
        guard ImageFormat.sniff(bytes) == .jpeg, filter != .nearest, width > 0, height > 0 else { return nil }
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let known = bytes.withUnsafeBufferPointer { input in
            csky_jpeg_info(input.baseAddress, input.count, 1, &info, &message)
        }
        guard known == CSKY_OK, info.source_channels == 1 || info.source_channels == 3 else { return nil }
        try checkBudget(info, format: .jpeg, name: name)
        let denominator = scale(Int(info.source_width), Int(info.source_height)).rawValue
        // libjpeg's scaled size: each side divided by the denominator, rounded up.
        let inputWidth = (Int(info.source_width) + denominator - 1) / denominator
        let inputHeight = (Int(info.source_height) + denominator - 1) / denominator
        return Self.streamed(inputWidth: inputWidth, inputHeight: inputHeight, width: width, height: height,
                             filter: filter) { axis, output, count in
            let status = bytes.withUnsafeBufferPointer { input in
                csky_jpeg_luma_horizontal(input.baseAddress, input.count, Int32(denominator), grayFromY ? 1 : 0,
                                          axis, CSKY_RESAMPLE_BEST, output, count, &info, &message)
            }
            // libjpeg's own scaled size must be the one the table was made for.
            return status == CSKY_OK && (Int(info.width) != inputWidth || Int(info.height) != inputHeight)
                ? CSKY_ERROR : status
        }
    }
}

extension ImageDecoder {
    /// `PillowResample.resizeLuminance(decodeLuminance(bytes, name: name), width:height:filter:)` byte for byte for
    /// a TIFF, decoded a strip (or a row of tiles) at a time straight into the "L" conversion and the horizontal
    /// pass, so the full-size image is never held: memory is one strip or tile row besides the file's own bytes.
    ///
    /// Nil where the path does not apply and the caller decodes whole: not a TIFF, a layout the decoder refuses, a
    /// nearest-neighbour filter, an unchanged width, a resize whose vertical pass Pillow runs first, or any decoding
    /// error (the whole decode then reports it). An image over the pixel budget is refused as `decode` refuses it.
    public func resizedTIFFLuminance(_ bytes: [UInt8], name: String, width: Int, height: Int, filter: PillowFilter)
        throws(ImageError) -> RasterImage?
    {
        guard ImageFormat.sniff(bytes) == .tiff else { return nil }
        return try streamedTIFF(bytes, name: name, target: .fixed(width: width, height: height, filter: filter))?.image
    }

    /// ``resizedTIFFLuminance(_:name:width:height:filter:)`` of a TIFF file read from disk a strip (or a row of tiles)
    /// at a time as libtiff asks for it, so neither the pixels nor the file's bytes are held whole: an uncompressed
    /// GeoTIFF scene of gigabytes costs one strip of memory. Nil where the path does not apply (not a TIFF, or any of
    /// the cases above); a file that cannot be opened throws, naming it.
    public func resizedTIFFLuminance(file path: String, width: Int, height: Int, filter: PillowFilter)
        throws(ImageError) -> RasterImage?
    {
        try resizedTIFFLuminance(OpenFile(path), width: width, height: height, filter: filter)
    }

    /// The same for a file already open (its kind read through the same value, so it is opened once).
    public func resizedTIFFLuminance(_ file: borrowing OpenFile, width: Int, height: Int, filter: PillowFilter)
        throws(ImageError) -> RasterImage?
    {
        try streamedTIFF(file, target: .fixed(width: width, height: height, filter: filter))?.image
    }

    /// The size a streamed TIFF pass resizes to: one the caller fixed, or add-images' verification resize for images of
    /// at least `minimumPixels` (nil below it).
    enum TIFFTarget {
        case fixed(width: Int, height: Int, filter: PillowFilter)
        case verification(minimumPixels: Int)
    }

    /// A TIFF in memory through the shared pass below.
    func streamedTIFF(_ bytes: [UInt8], name: String, target: TIFFTarget)
        throws(ImageError) -> (header: ImageHeader, image: RasterImage)?
    {
        try streamedTIFF(name: name, target: target) { info, message in
            bytes.withUnsafeBufferPointer { csky_tiff_info($0.baseAddress, $0.count, 0, &info, &message) }
        } horizontal: { axis, output, count, info, message in
            bytes.withUnsafeBufferPointer { input in
                csky_tiff_luma_horizontal(input.baseAddress, input.count, axis, CSKY_RESAMPLE_BEST, output, count,
                                          &info, &message)
            }
        }
    }

    /// A TIFF file read as libtiff asks, through the shared pass below.
    func streamedTIFF(_ file: borrowing OpenFile, target: TIFFTarget)
        throws(ImageError) -> (header: ImageHeader, image: RasterImage)?
    {
        let descriptor = file.descriptor
        return try streamedTIFF(name: file.path, target: target) { info, message in
            csky_tiff_info_file(descriptor, 0, &info, &message)
        } horizontal: { axis, output, count, info, message in
            csky_tiff_luma_horizontal_file(descriptor, axis, CSKY_RESAMPLE_BEST, output, count, &info, &message)
        }
    }

    /// What every TIFF source shares: the header (`info`), the pixel budget, the target size, then the streamed
    /// horizontal pass. Nil where the pass does not apply or the decode fails.
    private func streamedTIFF(
        name: String, target: TIFFTarget,
        info readInfo: (inout csky_image_info, inout [CChar]) -> Int32,
        horizontal: (UnsafePointer<csky_resample_axis>, UnsafeMutablePointer<UInt8>?, Int, inout csky_image_info,
                     inout [CChar]) -> Int32
    ) throws(ImageError) -> (header: ImageHeader, image: RasterImage)? {
        if case .fixed(let width, let height, let filter) = target, filter == .nearest || width <= 0 || height <= 0 {
            return nil
        }
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        guard readInfo(&info, &message) == CSKY_OK, info.channels > 0 else { return nil }
        try checkBudget(info, format: .tiff, name: name)
        let header = ImageHeader(info, format: .tiff)
        let size: (width: Int, height: Int, filter: PillowFilter)
        switch target {
        case .fixed(let width, let height, let filter): size = (width, height, filter)
        case .verification(let minimumPixels):
            guard let pixels = header.pixels, pixels >= minimumPixels else { return nil }
            size = Self.verificationResize(header)
        }
        guard let image = Self.streamed(inputWidth: Int(info.width), inputHeight: Int(info.height), width: size.width,
                                        height: size.height, filter: size.filter, decode: { axis, output, count in
            horizontal(axis, output, count, &info, &message)
        }) else { return nil }
        return (header, image)
    }
}
