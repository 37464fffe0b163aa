/// BMP entry points of ``ImageDecoder``: the parsing and pixels are `BMPDecoder`'s.
extension ImageDecoder {
    func bmpHeader(_ bytes: [UInt8], name: String) throws(ImageError) -> ImageHeader {
        let layout = try BMPDecoder(bytes: bytes, name: name).layout()
        let bits = layout.bitsPerPixel
        let channels = layout.isPalette ? 1 : (layout.outputLayout == .rgba ? 4 : 3)
        // "Palette" as Pillow opens it: "P" and "1" (both resized with NEAREST, as CLIPPreprocessor relies on);
        // the identity gray ramp opens as "L", a plain gray image.
        let palette = layout.paletteKind == .palette || layout.paletteKind == .bilevel
        return ImageHeader(format: .bmp, width: layout.width, height: layout.height, sourceChannels: channels,
                           bitDepth: layout.isPalette ? bits : (bits == 16 ? 5 : 8), isPalette: palette)
    }

    /// Pillow's pixels for the file: RGB (palette and colour files), RGBA (alpha bitfields) or gray (Pillow's
    /// "L" and "1" palettes, whose `convert("RGB")` repeats the gray value).
    func decodeBMP(_ bytes: [UInt8], name: String) throws(ImageError) -> RasterImage {
        let decoder = BMPDecoder(bytes: bytes, name: name)
        let layout = try decoder.layout()
        try decoder.checkPixels(layout, pixelLimit: pixelLimit)
        return RasterImage(width: layout.width, height: layout.height, layout: layout.outputLayout,
                           pixels: decoder.pixels(layout))
    }

    /// The stored indices of a 1/4/8-bit file with its palette; Pillow's "L" identity ramp comes back as a gray
    /// mask (empty palette), its "1" black/white palette as indices 0/1 with that palette.
    func decodeIndexedBMP(_ bytes: [UInt8], name: String) throws(ImageError) -> IndexedImage {
        let decoder = BMPDecoder(bytes: bytes, name: name)
        let layout = try decoder.layout()
        guard let kind = layout.paletteKind else {
            throw .unsupportedRequest(
                path: name, reason: "an index mask must be a palette or gray BMP, this one is \(layout.bitsPerPixel)-bit "
                    + "colour; decode it as colour and map it through a palette")
        }
        try decoder.checkPixels(layout, pixelLimit: pixelLimit)
        let palette: [RGBA] = switch kind {
        case .identityGray: []
        case .bilevel: [RGBA(0, 0, 0), RGBA(255, 255, 255)]
        case .palette: layout.palette
        }
        return IndexedImage(width: layout.width, height: layout.height, indices: decoder.indices(layout),
                            palette: palette)
    }
}
