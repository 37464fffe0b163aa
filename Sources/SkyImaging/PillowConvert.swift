/// Pillow's mode conversions that hashing and CLIP preprocessing depend on, bit-exact.
public enum PillowConvert {
    /// Pillow's `convert("L")` (Pillow 7 and later): ITU-R 601-2 luma in 16-bit fixed point, rounded.
    ///
    /// RGB and RGBA use `(19595 R + 38470 G + 7471 B + 0x8000) >> 16`; alpha is ignored, not
    /// composited. Gray+alpha keeps its gray channel; gray is returned as is.
    public static func luminance(_ image: RasterImage) -> RasterImage {
        switch image.layout {
        case .gray:
            return image
        case .grayAlpha:
            return RasterImage(width: image.width, height: image.height, layout: .gray,
                               pixels: strided(image.pixels, stride: 2))
        case .rgb, .rgba:
            let count = image.width * image.height
            let gray = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
                image.pixels.withUnsafeBufferPointer { input in
                    // A constant stride per layout lets the compiler vectorise the interleaved loads.
                    if image.layout == .rgb {
                        lumaRows(input, output, count: count, stride: 3)
                    } else {
                        lumaRows(input, output, count: count, stride: 4)
                    }
                }
                initialized = count
            }
            return RasterImage(width: image.width, height: image.height, layout: .gray, pixels: gray)
        }
    }

    @inline(__always)
    private static func lumaRows(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>,
                                 count: Int, stride: Int) {
        guard let source = input.baseAddress, let target = output.baseAddress else { return }
        for pixel in 0..<count {
            let at = source + pixel &* stride
            let sum = UInt32(at[0]) &* 19595 &+ UInt32(at[1]) &* 38470 &+ UInt32(at[2]) &* 7471 &+ 0x8000
            target[pixel] = UInt8(truncatingIfNeeded: sum >> 16)
        }
    }

    /// Pillow's `L24(rgb) >> 16` for one pixel.
    @inlinable
    public static func luma(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt32(red) &* 19595 &+ UInt32(green) &* 38470
            &+ UInt32(blue) &* 7471 &+ 0x8000) >> 16)
    }

    /// Pillow's `convert("RGB")`: gray is replicated, alpha is dropped without compositing.
    public static func rgb(_ image: RasterImage) -> RasterImage {
        switch image.layout {
        case .rgb:
            return image
        case .rgba:
            return image.droppingAlpha()
        case .gray, .grayAlpha:
            let channels = image.channels, count = image.width * image.height
            var output = [UInt8](repeating: 0, count: count * 3)
            image.pixels.withUnsafeBufferPointer { input in
                for pixel in 0..<count {
                    let value = input[pixel * channels]
                    output[pixel * 3] = value
                    output[pixel * 3 + 1] = value
                    output[pixel * 3 + 2] = value
                }
            }
            return RasterImage(width: image.width, height: image.height, layout: .rgb, pixels: output)
        }
    }

    private static func strided(_ pixels: [UInt8], stride: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: pixels.count / stride)
        for index in out.indices { out[index] = pixels[index * stride] }
        return out
    }
}

/// Pillow's premultiplied-alpha round trip ("RGBA" to "RGBa" and back), used around resampling.
enum PillowAlpha {
    /// Colour channels multiplied by alpha / 255 with Pillow's `MULDIV255` rounding.
    static func premultiplied(_ image: RasterImage) -> RasterImage {
        var pixels = image.pixels
        let channels = image.channels, colours = channels - 1
        pixels.withUnsafeMutableBufferPointer { buffer in
            var at = 0
            while at < buffer.count {
                let alpha = UInt32(buffer[at + colours])
                for channel in 0..<colours {
                    let product = UInt32(buffer[at + channel]) * alpha + 128
                    buffer[at + channel] = UInt8(truncatingIfNeeded: ((product >> 8) + product) >> 8)
                }
                at += channels
            }
        }
        return RasterImage(width: image.width, height: image.height, layout: image.layout, pixels: pixels)
    }

    /// Colour channels divided back by alpha (truncating, clipped), as Pillow's `rgba2rgbA`.
    static func unpremultiplied(_ image: RasterImage) -> RasterImage {
        var pixels = image.pixels
        let channels = image.channels, colours = channels - 1
        pixels.withUnsafeMutableBufferPointer { buffer in
            var at = 0
            while at < buffer.count {
                let alpha = UInt32(buffer[at + colours])
                if alpha != 0 && alpha != 255 {
                    for channel in 0..<colours {
                        buffer[at + channel] = UInt8(min(255 * UInt32(buffer[at + channel]) / alpha, 255))
                    }
                }
                at += channels
            }
        }
        return RasterImage(width: image.width, height: image.height, layout: image.layout, pixels: pixels)
    }
}
