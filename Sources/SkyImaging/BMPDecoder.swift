/// Windows BMP decoding, pixel for pixel as Pillow 13's BmpImagePlugin reads a file (HRSC2016 ships 24-bit BMP).
///
/// Read: the 12-byte core header and the 40/52/56/64/108/124-byte info headers; uncompressed 1/4/8-bit palette,
/// 16-bit (5-5-5), 24-bit and 32-bit (the 4th byte ignored, as Pillow does); BI_BITFIELDS with exactly the masks
/// Pillow accepts; bottom-up and top-down rows. Refused with "convert it to PNG": RLE4/RLE8, embedded JPEG/PNG,
/// other masks and depths, and the grayscale-palette layouts Pillow misreads (see `PaletteKind`).
/// Every offset and size is checked against the bytes before it is read; a lying header is an error.
struct BMPDecoder {
    /// How Pillow interprets a palette: its mode decides what `convert("RGB")` and `convert("L")` see.
    enum PaletteKind: Equatable {
        /// Pillow mode "P": the palette is looked up; indices past it are black (Pillow pads with zeros).
        case palette
        /// Pillow mode "L": the palette is the identity ramp, so the stored byte is the gray value.
        case identityGray
        /// Pillow mode "1": a black/white palette of a 1-bit file; a set bit is 255.
        case bilevel
    }

    /// Where each output channel comes from in a pixel of 16/24/32 bits.
    enum Packing: Equatable {
        /// 16-bit, 5 bits per channel: Pillow's "BGR;15".
        case bgr15
        /// 16-bit, 5-6-5: Pillow's "BGR;16".
        case bgr16
        /// Byte positions of red, green, blue (and alpha, if any) inside a 3- or 4-byte pixel.
        case bytes(red: Int, green: Int, blue: Int, alpha: Int?)
    }

    /// What the header says, every field checked.
    struct Layout {
        var width: Int
        var height: Int
        var bitsPerPixel: Int
        var topDown: Bool
        var stride: Int
        var pixelOffset: Int
        /// Palette entries (BGR or BGRX), for 1/4/8-bit files.
        var palette: [RGBA]
        var paletteKind: PaletteKind?
        var packing: Packing?

        var isPalette: Bool { bitsPerPixel <= 8 }
        var outputLayout: PixelLayout {
            if let kind = paletteKind { return kind == .palette ? .rgb : .gray }
            if case .bytes(_, _, _, let alpha) = packing, alpha != nil { return .rgba }
            return .rgb
        }
    }

    let bytes: [UInt8]
    let name: String

    func fail(_ message: String) -> ImageError {
        .decodeFailed(path: name, format: .bmp, message: message)
    }

    func refuse(_ what: String) -> ImageError {
        .decodeFailed(path: name, format: .bmp, message: "\(what) is not supported; convert it to PNG")
    }

    /// A little-endian unsigned field, or an error when it lies past the end.
    func field(_ offset: Int, _ count: Int) throws(ImageError) -> Int {
        guard offset >= 0, offset <= bytes.count - count else {
            throw fail("the file ends inside its header (\(bytes.count) bytes)")
        }
        var value = 0
        for index in (0..<count).reversed() { value = value << 8 | Int(bytes[offset + index]) }
        return value
    }

    /// Parses and checks the headers and palette; reads no pixels.
    func layout() throws(ImageError) -> Layout {
        guard bytes.count >= 2, bytes[0] == 0x42, bytes[1] == 0x4D else { throw fail("no BM signature") }
        let dataOffset = try field(10, 4)
        let headerSize = try field(14, 4)
        let width: Int, height: Int, bits: Int, compression: Int
        var topDown = false
        var colors = 0
        let paletteEntrySize: Int
        if headerSize == 12 {
            width = try field(18, 2)
            height = try field(20, 2)
            bits = try field(24, 2)
            compression = 0
            paletteEntrySize = 3
        } else if [40, 52, 56, 64, 108, 124].contains(headerSize) {
            // The whole header must be there, as Pillow's _safe_read demands.
            guard bytes.count >= 14 + headerSize else { throw fail("the file ends inside its header (\(bytes.count) bytes)") }
            width = try field(18, 4)
            let rawHeight = try field(22, 4)
            // Pillow takes the height as top-down when its top byte is 0xFF (a small negative number).
            topDown = bytes[25] == 0xFF
            height = topDown ? (1 << 32) - rawHeight : rawHeight
            bits = try field(28, 2)
            compression = try field(30, 4)
            colors = try field(46, 4)
            paletteEntrySize = 4
        } else {
            throw refuse("a BMP header of \(headerSize) bytes")
        }
        if colors == 0 { colors = 1 << min(bits, 32) }

        var packing: Packing?
        var afterHeader = 14 + headerSize
        switch (compression, bits) {
        case (0, 1), (0, 4), (0, 8): break
        case (0, 16): packing = .bgr15
        case (0, 24): packing = .bytes(red: 2, green: 1, blue: 0, alpha: nil)
        case (0, 32): packing = .bytes(red: 2, green: 1, blue: 0, alpha: nil)
        case (3, 16), (3, 24), (3, 32):
            // The masks follow a 40-byte header, or sit inside a longer one: at offset 54 either way.
            let red = try field(54, 4), green = try field(58, 4), blue = try field(62, 4)
            let alpha = headerSize >= 56 ? try field(66, 4) : 0
            if headerSize == 40 { afterHeader += 12 }
            packing = Self.bitfieldPacking(bits: bits, masks: (red, green, blue, alpha))
            if packing == nil { throw refuse("the BMP bitfields layout \(bits)-bit \(Self.hexMasks(red, green, blue, alpha))") }
        case (1, _): throw refuse("RLE8 compression")
        case (2, _): throw refuse("RLE4 compression")
        case (3, _): throw refuse("BI_BITFIELDS with \(bits) bits per pixel")
        case (4, _): throw refuse("a BMP holding a JPEG")
        case (5, _): throw refuse("a BMP holding a PNG")
        case (0, _): throw refuse("a BMP of \(bits) bits per pixel")
        default: throw refuse("BMP compression \(compression)")
        }

        var palette: [RGBA] = []
        var paletteKind: PaletteKind?
        var pixelOffset = dataOffset
        if bits <= 8 {
            guard colors <= 256 else { throw refuse("a BMP palette of \(colors) entries") }
            let paletteStart = 14 + headerSize
            guard bytes.count >= paletteStart + paletteEntrySize * colors else {
                throw fail("the file ends inside its palette of \(colors) entries")
            }
            for entry in 0..<colors {
                let at = paletteStart + entry * paletteEntrySize
                palette.append(RGBA(bytes[at + 2], bytes[at + 1], bytes[at]))
            }
            paletteKind = try kind(of: palette, bits: bits)
            // Pillow's rule: an offset pointing at the palette means the pixels follow it.
            if dataOffset == paletteStart { pixelOffset += paletteEntrySize * colors }
            afterHeader = paletteStart + paletteEntrySize * colors
        }
        // Pillow reads from where the headers ended when the offset is 0.
        if pixelOffset == 0 { pixelOffset = afterHeader }

        guard width > 0, height > 0 else { throw fail("the image has no pixels (\(width)x\(height))") }
        let stride = ((width * bits + 31) >> 3) & ~3
        return Layout(width: width, height: height, bitsPerPixel: bits, topDown: topDown, stride: stride,
                      pixelOffset: pixelOffset, palette: palette, paletteKind: paletteKind, packing: packing)
    }

    /// Pillow's grayscale test: a 2-entry black/white palette is mode "1", the identity ramp is mode "L".
    func kind(of palette: [RGBA], bits: Int) throws(ImageError) -> PaletteKind {
        let expected = palette.count == 2 ? [0, 255] : Array(0..<palette.count)
        let gray = zip(palette, expected).allSatisfy { entry, value in
            Int(entry.red) == value && Int(entry.green) == value && Int(entry.blue) == value
        }
        guard gray else { return .palette }
        if palette.count <= 2 {
            // Pillow unpacks mode "1" one bit per pixel whatever the file's depth: only a 1-bit file is read right.
            guard bits == 1 else { throw refuse("a \(bits)-bit BMP with a black/white palette (Pillow misreads it)") }
            return .bilevel
        }
        // Mode "L" is unpacked one byte per pixel: only an 8-bit file is read right.
        guard bits == 8 else { throw refuse("a \(bits)-bit BMP with a gray ramp palette (Pillow misreads it)") }
        return .identityGray
    }

    /// The packing for the BI_BITFIELDS masks Pillow 13 supports, or nil.
    static func bitfieldPacking(bits: Int, masks: (Int, Int, Int, Int)) -> Packing? {
        let (red, green, blue, alpha) = masks
        switch bits {
        case 16:
            if (red, green, blue) == (0xF800, 0x7E0, 0x1F) { return .bgr16 }
            if (red, green, blue) == (0x7C00, 0x3E0, 0x1F) { return .bgr15 }
            return nil
        case 24:
            return (red, green, blue) == (0xFF0000, 0xFF00, 0xFF) ? .bytes(red: 2, green: 1, blue: 0, alpha: nil) : nil
        default:
            // Pillow's list of 32-bit masks; all-zero masks read as BGRA.
            if (red, green, blue, alpha) == (0, 0, 0, 0) { return .bytes(red: 2, green: 1, blue: 0, alpha: 3) }
            let supported: [(Int, Int, Int, Int)] = [
                (0xFF0000, 0xFF00, 0xFF, 0x0), (0xFF000000, 0xFF0000, 0xFF00, 0x0), (0xFF000000, 0xFF00, 0xFF, 0x0),
                (0xFF000000, 0xFF0000, 0xFF00, 0xFF), (0xFF, 0xFF00, 0xFF0000, 0xFF000000),
                (0xFF0000, 0xFF00, 0xFF, 0xFF000000), (0xFF000000, 0xFF00, 0xFF, 0xFF0000),
            ]
            guard supported.contains(where: { $0 == masks }) else { return nil }
            func byte(_ mask: Int) -> Int { mask.trailingZeroBitCount / 8 }
            return .bytes(red: byte(red), green: byte(green), blue: byte(blue), alpha: alpha == 0 ? nil : byte(alpha))
        }
    }

    static func hexMasks(_ masks: Int...) -> String {
        masks.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: "/")
    }

    /// Checks the pixel budget and that every row lies inside the file, before anything is allocated.
    func checkPixels(_ layout: Layout, pixelLimit: Int) throws(ImageError) {
        let (pixels, overflow) = layout.width.multipliedReportingOverflow(by: layout.height)
        if overflow || pixels > pixelLimit {
            throw .tooLarge(path: name, width: layout.width, height: layout.height, limit: pixelLimit)
        }
        let (size, sizeOverflow) = layout.stride.multipliedReportingOverflow(by: layout.height)
        guard !sizeOverflow, layout.pixelOffset <= bytes.count, size <= bytes.count - layout.pixelOffset else {
            throw fail("the file is truncated: \(layout.height) rows of \(layout.stride) bytes at offset "
                + "\(layout.pixelOffset) need more than its \(bytes.count) bytes")
        }
    }

    /// The stored value of each pixel of a 1/4/8-bit file, row-major and top row first.
    func indices(_ layout: Layout) -> [UInt8] {
        let width = layout.width, bits = layout.bitsPerPixel
        var output = [UInt8](repeating: 0, count: width * layout.height)
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                for row in 0..<layout.height {
                    let stored = layout.topDown ? row : layout.height - 1 - row
                    let start = layout.pixelOffset + stored * layout.stride
                    let out = row * width
                    switch bits {
                    case 8:
                        for x in 0..<width { output[out + x] = input[start + x] }
                    case 4:
                        for x in 0..<width { output[out + x] = (input[start + x >> 1] >> (x & 1 == 0 ? 4 : 0)) & 0x0F }
                    default:
                        for x in 0..<width { output[out + x] = (input[start + x >> 3] >> (7 - x & 7)) & 1 }
                    }
                }
            }
        }
        return output
    }

    /// The pixels as Pillow holds them: RGB for palettes and colour, RGBA with alpha masks, gray for "L"/"1".
    func pixels(_ layout: Layout) -> [UInt8] {
        if let kind = layout.paletteKind {
            var values = indices(layout)
            switch kind {
            case .identityGray: return values
            case .bilevel:
                for index in values.indices { values[index] = values[index] == 0 ? 0 : 255 }
                return values
            case .palette:
                // Pillow pads the palette to 256 entries with black.
                var lookup = [UInt8](repeating: 0, count: 256 * 3)
                for (entry, colour) in layout.palette.enumerated() {
                    lookup[entry * 3] = colour.red
                    lookup[entry * 3 + 1] = colour.green
                    lookup[entry * 3 + 2] = colour.blue
                }
                var output = [UInt8](repeating: 0, count: values.count * 3)
                for (pixel, value) in values.enumerated() {
                    let from = Int(value) * 3
                    output[pixel * 3] = lookup[from]
                    output[pixel * 3 + 1] = lookup[from + 1]
                    output[pixel * 3 + 2] = lookup[from + 2]
                }
                return output
            }
        }
        return colourPixels(layout)
    }

    /// The low `bits` of `value` scaled to 0-255 with a truncating division, as Pillow's BGR;15/BGR;16 unpackers do.
    static func scaled(_ value: Int, bits: Int) -> UInt8 {
        let maximum = (1 << bits) - 1
        return UInt8((value & maximum) * 255 / maximum)
    }

    /// 16/24/32-bit pixels; the packing is chosen once per image, outside the pixel loops (HRSC2016's 24-bit
    /// files are the common case).
    func colourPixels(_ layout: Layout) -> [UInt8] {
        let channels = layout.outputLayout.channels, width = layout.width
        let pixelBytes = layout.bitsPerPixel / 8
        var output = [UInt8](repeating: 0, count: width * layout.height * channels)
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                for row in 0..<layout.height {
                    let stored = layout.topDown ? row : layout.height - 1 - row
                    let source = UnsafeBufferPointer(rebasing: input[(layout.pixelOffset + stored * layout.stride)...])
                    let target = UnsafeMutableBufferPointer(
                        rebasing: output[(row * width * channels)..<((row + 1) * width * channels)])
                    switch layout.packing {
                    case .bgr15?, .bgr16?:
                        Self.unpack16(source, into: target, width: width, wide: layout.packing == .bgr16)
                    case .bytes(let red, let green, let blue, let alpha)?:
                        var at = 0, out = 0
                        for _ in 0..<width {
                            target[out] = source[at + red]
                            target[out + 1] = source[at + green]
                            target[out + 2] = source[at + blue]
                            if let alpha { target[out + 3] = source[at + alpha] }
                            at += pixelBytes
                            out += channels
                        }
                    case nil:
                        break
                    }
                }
            }
        }
        return output
    }

    /// One row of 16-bit pixels (Pillow's "BGR;15" or, `wide`, "BGR;16") to RGB.
    static func unpack16(_ source: UnsafeBufferPointer<UInt8>, into target: UnsafeMutableBufferPointer<UInt8>,
                         width: Int, wide: Bool) {
        for x in 0..<width {
            let value = Int(source[2 * x]) | Int(source[2 * x + 1]) << 8
            target[3 * x] = scaled(value >> (wide ? 11 : 10), bits: 5)
            target[3 * x + 1] = scaled(value >> 5, bits: wide ? 6 : 5)
            target[3 * x + 2] = scaled(value, bits: 5)
        }
    }
}
