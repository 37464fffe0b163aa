/// The two convolution passes in plain Swift: the reference the C kernels (Sources/CSkyCodecs/resample.c)
/// are tested against, and the fallback for a kernel table whose weights do not split into 16-bit halves.
extension PillowResample {
    /// Resizes every row to `table`'s output size, any layout, channel by channel.
    static func horizontalPassScalar(_ image: RasterImage, table: PillowKernelTable) -> RasterImage {
        let width = table.firsts.count
        let channels = image.channels
        let inputRow = image.width * channels, outputRow = width * channels
        var output = [UInt8](repeating: 0, count: outputRow * image.height)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                table.weights.withUnsafeBufferPointer { weights in
                    for y in 0..<image.height {
                        let rowIn = source.baseAddress! + y * inputRow
                        let rowOut = target.baseAddress! + y * outputRow
                        for x in 0..<width {
                            let first = table.firsts[x], count = table.counts[x]
                            let taps = weights.baseAddress! + x * table.stride
                            for channel in 0..<channels {
                                var sum: Int32 = 1 << (precisionBits - 1)
                                var at = rowIn + first * channels + channel
                                for tap in 0..<count {
                                    sum &+= Int32(at.pointee) &* taps[tap]
                                    at += channels
                                }
                                rowOut[x * channels + channel] = clip8(sum)
                            }
                        }
                    }
                }
            }
        }
        return RasterImage(width: width, height: image.height, layout: image.layout, pixels: output)
    }

    /// Resizes every column to `table`'s output size, any layout.
    static func verticalPassScalar(_ image: RasterImage, table: PillowKernelTable) -> RasterImage {
        let height = table.firsts.count
        let rowBytes = image.width * image.channels
        var output = [UInt8](repeating: 0, count: rowBytes * height)
        var sums = [Int32](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                sums.withUnsafeMutableBufferPointer { sums in
                    for y in 0..<height {
                        let first = table.firsts[y], count = table.counts[y]
                        for index in 0..<rowBytes { sums[index] = 1 << (precisionBits - 1) }
                        // Row by row: the same integer sums as Pillow's column loop, in cache order.
                        for tap in 0..<count {
                            let weight = table.weights[y * table.stride + tap]
                            let row = source.baseAddress! + (first + tap) * rowBytes
                            for index in 0..<rowBytes {
                                sums[index] &+= Int32(row[index]) &* weight
                            }
                        }
                        let rowOut = target.baseAddress! + y * rowBytes
                        for index in 0..<rowBytes { rowOut[index] = clip8(sums[index]) }
                    }
                }
            }
        }
        return RasterImage(width: image.width, height: height, layout: image.layout, pixels: output)
    }
}
