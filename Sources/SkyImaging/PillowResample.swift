#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSkyCodecs

/// The resampling filters of Pillow's `Image.resize`, with Pillow's kernels and supports.
public enum PillowFilter: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Nearest neighbour (Pillow's affine scale path, not a convolution).
    case nearest
    /// Box, support 0.5.
    case box
    /// Triangle, support 1.
    case bilinear
    /// Hamming-windowed sinc, support 1.
    case hamming
    /// Keys cubic with a = -0.5, support 2.
    case bicubic
    /// Lanczos-3 (imagehash's `ANTIALIAS`), support 3.
    case lanczos

    public var description: String { rawValue }

    /// The kernel's half-width at scale 1.
    var support: Double {
        switch self {
        case .nearest, .box: 0.5
        case .bilinear, .hamming: 1.0
        case .bicubic: 2.0
        case .lanczos: 3.0
        }
    }

    /// The kernel value at `x`, as Pillow's `Resample.c` computes it in double.
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest, .box:
            return x > -0.5 && x <= 0.5 ? 1.0 : 0.0
        case .bilinear:
            let t = abs(x)
            return t < 1.0 ? 1.0 - t : 0.0
        case .hamming:
            let t = abs(x)
            if t == 0.0 { return 1.0 }
            if t >= 1.0 { return 0.0 }
            let angle = t * Double.pi
            // Pillow writes the window constants as C floats (0.54f, 0.46f); keep their float values.
            return sin(angle) / angle * (Double(Float(0.54)) + Double(Float(0.46)) * cos(angle))
        case .bicubic:
            let a = -0.5
            let t = abs(x)
            if t < 1.0 { return ((a + 2.0) * t - (a + 3.0)) * t * t + 1 }
            if t < 2.0 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0.0
        case .lanczos:
            return -3.0 <= x && x < 3.0 ? Self.sinc(x) * Self.sinc(x / 3) : 0.0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0.0 { return 1.0 }
        let angle = x * Double.pi
        return sin(angle) / angle
    }
}

/// Which separable pass Pillow runs first when both axes change.
public enum PillowPassOrder: Sendable, Hashable {
    /// Pillow 13: vertical first iff the height shrinks and by more than twice what the width shrinks.
    case pillow13
    /// Pillow 12.1 and older: always horizontal, then vertical.
    case horizontalFirst
}

/// Pillow's `Image.resize` for 8-bit images, bit-exact: the same kernels, the same double-precision
/// coefficients rounded to 22-bit fixed point, the same uint8 rounding between the two passes, the same
/// pass order, and RGBA/LA resized premultiplied as Pillow does.
public enum PillowResample {
    /// Fixed-point fraction bits of 8-bit resampling (Pillow's `PRECISION_BITS = 32 - 8 - 2`).
    static let precisionBits: Int32 = 22

    /// Resizes `image` to `width` x `height` exactly as Pillow's `Image.resize(size, filter)` does.
    ///
    /// A target side of zero or less gives an empty image; resizing to the same size returns a copy.
    public static func resize(_ image: RasterImage, width: Int, height: Int, filter: PillowFilter,
                              passOrder: PillowPassOrder = .pillow13) -> RasterImage {
        let outWidth = max(width, 0), outHeight = max(height, 0)
        if outWidth == image.width && outHeight == image.height { return image }
        if outWidth == 0 || outHeight == 0 || image.width == 0 || image.height == 0 {
            return RasterImage(width: outWidth, height: outHeight, layout: image.layout)
        }
        if filter == .nearest {
            return nearest(image, width: outWidth, height: outHeight)
        }
        // Pillow resizes "RGBA" as "RGBa" and "LA" as "La": premultiplied, then divided back.
        let source = image.layout.hasAlpha ? PillowAlpha.premultiplied(image) : image
        let resized = convolve(source, width: outWidth, height: outHeight, filter: filter, passOrder: passOrder)
        return image.layout.hasAlpha ? PillowAlpha.unpremultiplied(resized) : resized
    }

    /// The two convolution passes, in Pillow's order; a pass whose size is unchanged is skipped.
    static func convolve(_ image: RasterImage, width: Int, height: Int, filter: PillowFilter,
                         passOrder: PillowPassOrder) -> RasterImage {
        let needHorizontal = width != image.width
        let needVertical = height != image.height
        var current = image
        if verticalFirst(image, width: width, height: height, passOrder: passOrder) {
            if needVertical { current = verticalPass(current, height: height, filter: filter) }
            if needHorizontal { current = horizontalPass(current, width: width, filter: filter) }
        } else {
            if needHorizontal { current = horizontalPass(current, width: width, filter: filter) }
            if needVertical { current = verticalPass(current, height: height, filter: filter) }
        }
        return current
    }

    /// Whether the vertical pass runs first, as `passOrder` decides for this resize.
    static func verticalFirst(_ image: RasterImage, width: Int, height: Int, passOrder: PillowPassOrder) -> Bool {
        verticalFirst(inputWidth: image.width, inputHeight: image.height, width: width, height: height,
                      passOrder: passOrder)
    }

    /// The same from the sizes alone.
    static func verticalFirst(inputWidth: Int, inputHeight: Int, width: Int, height: Int,
                              passOrder: PillowPassOrder) -> Bool {
        switch passOrder {
        case .pillow13:
            height < inputHeight && (inputHeight - height) > 2 * (inputWidth - width)
        case .horizontalFirst:
            false
        }
    }

    /// Resizes every row to `width` columns with the C kernel (each channel convolved on its own), or the
    /// Swift pass where the table's weights do not split. `path` exists so tests can compare the implementations.
    static func horizontalPass(_ image: RasterImage, width: Int, filter: PillowFilter,
                               path: PillowKernelPath = .best) -> RasterImage {
        let table = PillowKernelCache.shared.table(inputSize: image.width, outputSize: width, filter: filter)
        guard table.splits, let level = path.level else { return horizontalPassScalar(image, table: table) }
        let channels = image.channels
        var output = [UInt8](repeating: 0, count: width * image.height * channels)
        // Per row: one plane per channel of the input, then of the output (unused for gray).
        var scratch = [UInt8](repeating: 0, count: channels == 1 ? 0 : channels * (image.width + width))
        let status = image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    table.withAxis { axis in
                        csky_resample_horizontal(source.baseAddress, channels, image.width, image.height,
                                                 target.baseAddress, scratch.baseAddress, axis, level)
                    }
                }
            }
        }
        // The table is built for this input size, so the kernel's bounds check cannot fail.
        precondition(status == 0, "resample kernel table does not fit a \(image.width)-pixel row")
        return RasterImage(width: width, height: image.height, layout: image.layout, pixels: output)
    }

    /// Resizes every column to `height` rows (any layout: the pass treats each row as plain bytes).
    static func verticalPass(_ image: RasterImage, height: Int, filter: PillowFilter,
                             path: PillowKernelPath = .best) -> RasterImage {
        let table = PillowKernelCache.shared.table(inputSize: image.height, outputSize: height, filter: filter)
        guard table.splits, let level = path.level else { return verticalPassScalar(image, table: table) }
        let rowBytes = image.width * image.channels
        var output = [UInt8](repeating: 0, count: rowBytes * height)
        let status = image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                table.withAxis { axis in
                    csky_resample_vertical(source.baseAddress, rowBytes, image.height, target.baseAddress,
                                           axis, level)
                }
            }
        }
        precondition(status == 0, "resample kernel table does not fit a \(image.height)-row image")
        return RasterImage(width: image.width, height: height, layout: image.layout, pixels: output)
    }

    /// Pillow's `clip8`: the fixed-point sum shifted down and clamped to 0...255.
    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        let value = sum >> precisionBits
        return value < 0 ? 0 : (value > 255 ? 255 : UInt8(value))
    }

    /// Pillow's NEAREST resize: its affine scale with pixel centres accumulated in double.
    static func nearest(_ image: RasterImage, width: Int, height: Int) -> RasterImage {
        let channels = image.channels
        let columns = nearestSources(inputSize: image.width, outputSize: width)
        let rows = nearestSources(inputSize: image.height, outputSize: height)
        var output = [UInt8](repeating: 0, count: width * height * channels)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                var at = 0
                for y in 0..<height {
                    let rowStart = rows[y] * image.width
                    for x in 0..<width {
                        let from = (rowStart + columns[x]) * channels
                        for channel in 0..<channels { target[at + channel] = source[from + channel] }
                        at += channels
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, layout: image.layout, pixels: output)
    }

    /// The source index of each output index for NEAREST, as Pillow's `ImagingScaleAffine` finds it.
    static func nearestSources(inputSize: Int, outputSize: Int) -> [Int] {
        let step = Double(inputSize) / Double(outputSize)
        var position = step * 0.5
        var sources = [Int](repeating: 0, count: outputSize)
        for index in 0..<outputSize {
            // Positions stay inside [0, inputSize) for a full-image box; clamp against rounding anyway.
            sources[index] = min(max(Int(position), 0), inputSize - 1)
            position += step
        }
        return sources
    }
}
