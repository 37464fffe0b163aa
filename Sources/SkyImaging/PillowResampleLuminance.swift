import CSkyCodecs

extension PillowResample {
    /// `resize(PillowConvert.luminance(image), ...)`, byte for byte, without the full-size "L" image where
    /// possible: when the horizontal pass runs first (every resize to a hash's 32x32, 9x8 or 8x8 except of
    /// images much taller than wide), RGB and RGBA rows are converted one at a time inside that pass.
    public static func resizeLuminance(_ image: RasterImage, width: Int, height: Int, filter: PillowFilter,
                                       passOrder: PillowPassOrder = .pillow13) -> RasterImage {
        resizeLuminance(image, width: width, height: height, filter: filter, passOrder: passOrder, path: .best)
    }

    /// The same with the kernel path chosen (tests compare the paths).
    static func resizeLuminance(_ image: RasterImage, width: Int, height: Int, filter: PillowFilter,
                                passOrder: PillowPassOrder, path: PillowKernelPath) -> RasterImage {
        let fusable = (image.layout == .rgb || image.layout == .rgba) && filter != .nearest
            && width > 0 && height > 0 && image.width > 0 && image.height > 0 && width != image.width
            && !verticalFirst(image, width: width, height: height, passOrder: passOrder)
        let table = fusable ? PillowKernelCache.shared.table(inputSize: image.width, outputSize: width, filter: filter)
                            : nil
        guard let table, table.splits, let level = path.level else {
            return resize(PillowConvert.luminance(image), width: width, height: height, filter: filter,
                          passOrder: passOrder)
        }
        var rows = [UInt8](repeating: 0, count: width * image.height)
        var scratch = [UInt8](repeating: 0, count: image.width)
        let status = image.pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    table.withAxis { axis in
                        csky_resample_horizontal_luma(source.baseAddress, image.channels, image.width, image.height,
                                                      target.baseAddress, scratch.baseAddress, axis, level)
                    }
                }
            }
        }
        precondition(status == 0, "resample kernel table does not fit a \(image.width)-pixel row")
        let gray = RasterImage(width: width, height: image.height, layout: .gray, pixels: rows)
        // The "L" image has no alpha, so the vertical pass needs no premultiplication either way.
        return height == image.height ? gray : verticalPass(gray, height: height, filter: filter, path: path)
    }
}
