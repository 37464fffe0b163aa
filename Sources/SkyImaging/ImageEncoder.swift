import CSkyCodecs

/// Encodes ``RasterImage``s and ``IndexedImage``s as PNG or JPEG.
public enum ImageEncoder {
    /// PNG bytes of an image in any layout; `compressionLevel` is zlib's 0-9.
    public static func png(_ image: RasterImage, compressionLevel: Int = 6, name: String = "<memory>") throws(ImageError) -> [UInt8] {
        try encode(name: name, format: .png) { output, size, message in
            image.pixels.withUnsafeBufferPointer { pixels in
                csky_png_encode(pixels.baseAddress, Int32(image.width), Int32(image.height),
                                Int32(image.channels), Int32(compressionLevel), &output, &size, message)
            }
        }
    }

    /// PNG bytes of a palette image (at most 256 colours; alpha of the palette is dropped).
    public static func png(_ image: IndexedImage, name: String = "<memory>") throws(ImageError) -> [UInt8] {
        let palette = image.palette.flatMap { [$0.red, $0.green, $0.blue] }
        return try encode(name: name, format: .png) { output, size, message in
            image.indices.withUnsafeBufferPointer { indices in
                palette.withUnsafeBufferPointer { entries in
                    csky_png_encode_indexed(indices.baseAddress, Int32(image.width), Int32(image.height),
                                            entries.baseAddress, Int32(image.palette.count), &output, &size, message)
                }
            }
        }
    }

    /// JPEG bytes at `quality` 1-100; alpha is dropped (JPEG holds gray or RGB).
    public static func jpeg(_ image: RasterImage, quality: Int = 90, name: String = "<memory>") throws(ImageError) -> [UInt8] {
        let opaque = image.droppingAlpha()
        return try encode(name: name, format: .jpeg) { output, size, message in
            opaque.pixels.withUnsafeBufferPointer { pixels in
                csky_jpeg_encode(pixels.baseAddress, Int32(opaque.width), Int32(opaque.height),
                                 Int32(opaque.channels), Int32(quality), &output, &size, message)
            }
        }
    }

    /// Encodes in the format the path's extension names (.png, .jpg, .jpeg) and writes the file.
    public static func write(_ image: RasterImage, to path: String, quality: Int = 90) throws(ImageError) {
        let lower = path.lowercased()
        let bytes: [UInt8]
        if lower.hasSuffix(".png") {
            bytes = try png(image, name: path)
        } else if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
            bytes = try jpeg(image, quality: quality, name: path)
        } else {
            throw .unsupportedRequest(path: path, reason: "write images as .png, .jpg or .jpeg")
        }
        try FileBytes.write(bytes, to: path)
    }

    private static func encode(
        name: String, format: ImageFormat,
        _ body: (inout UnsafeMutablePointer<UInt8>?, inout Int, UnsafeMutablePointer<CChar>) -> Int32
    ) throws(ImageError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let status = message.withUnsafeMutableBufferPointer { body(&output, &size, $0.baseAddress!) }
        defer { csky_free(output) }
        guard status == CSKY_OK, let output else {
            throw .encodeFailed(path: name, format: format, message: codecMessage(message))
        }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}

extension RasterImage {
    /// The same image without its alpha channel (gray+alpha to gray, RGBA to RGB).
    public func droppingAlpha() -> RasterImage {
        guard layout.hasAlpha else { return self }
        let target: PixelLayout = layout == .rgba ? .rgb : .gray
        let source = layout.channels, keep = target.channels
        var out = [UInt8](repeating: 0, count: width * height * keep)
        pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for pixel in 0..<(width * height) {
                    for channel in 0..<keep {
                        output[pixel * keep + channel] = input[pixel * source + channel]
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, layout: target, pixels: out)
    }
}
