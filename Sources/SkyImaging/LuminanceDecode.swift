import CSkyCodecs

extension ImageDecoder {
    /// Decodes an image file straight to Pillow's "L" mode: byte for byte
    /// `PillowConvert.luminance(decode(file: path, jpegScale: jpegScale))`, errors included, except for 16-bit
    /// gray PNGs and TIFFs, whose "L" is each sample clipped to 255 as Pillow converts "I;16" (where `decode`
    /// keeps the high byte).
    public func decodeLuminance(file path: String, jpegScale: JPEGScale = .full) throws(ImageError) -> RasterImage {
        try decodeLuminance(FileBytes.read(path), name: path, jpegScale: jpegScale)
    }

    /// Decodes image bytes to a one-channel ``RasterImage``: Pillow's `convert("L")` of the file, equal to
    /// `PillowConvert.luminance(decode(bytes, name: name, jpegScale: jpegScale))` for every input but 16-bit
    /// gray (see `decodeLuminance(file:)`).
    ///
    /// 8-bit PNGs (gray, gray+alpha, RGB, RGBA, palette) are converted row by row while they are
    /// unfiltered, so the full-colour image is never written (Adam7 ones once their passes are in place);
    /// every other file (JPEGs, other PNGs, damaged ones) is decoded and converted, so its result and its
    /// errors are `decode`'s.
    public func decodeLuminance(_ bytes: [UInt8], name: String,
                                jpegScale: JPEGScale = .full) throws(ImageError) -> RasterImage {
        if let gray = try fusedLuminance(bytes, name: name, jpegScale: jpegScale) { return gray }
        return PillowConvert.luminance(try decode(bytes, name: name, jpegScale: jpegScale, clipGray16: true))
    }

    /// The fused PNG path, or nil where it does not apply (the caller then decodes and converts).
    private func fusedLuminance(_ bytes: [UInt8], name: String,
                                jpegScale: JPEGScale) throws(ImageError) -> RasterImage? {
        guard jpegScale == .full, ImageFormat.sniff(bytes) == .png else { return nil }
        // The header and the pixel budget first, as `decode` checks them, before any allocation.
        var info = csky_image_info()
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let known = bytes.withUnsafeBufferPointer { input in
            csky_png_info(input.baseAddress, input.count, 0, &info, &message)
        }
        guard known == CSKY_OK else { return nil }
        try checkBudget(info, name: name)
        let count = Int(info.width) * Int(info.height)
        var status: Int32 = CSKY_OK
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            status = bytes.withUnsafeBufferPointer { input in
                csky_png_fast_decode_luma(input.baseAddress, input.count, output.baseAddress, count, &info, &message)
            }
            initialized = status == CSKY_OK ? count : 0
        }
        guard status == CSKY_OK else { return nil }
        return RasterImage(width: Int(info.width), height: Int(info.height), layout: .gray, pixels: pixels)
    }
}
