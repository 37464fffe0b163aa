/// Hand-built TIFFs for tests: the layouts datasets ship (UCM-captions' RGB, WHU-CD's gray labels) without a writer.
public enum TestTIFF {
    /// A little-endian TIFF of one uncompressed 8-bit strip: gray (`channels` 1) or interleaved RGB (3), `pixels` row
    /// by row (width * height * channels bytes). The directory comes first and the pixels last, so a copy cut short
    /// keeps an intact header and loses pixels, as a truncated download does.
    public static func uncompressed(width: Int, height: Int, channels: Int = 1, pixels: [UInt8]) -> [UInt8] {
        precondition(channels == 1 || channels == 3, "gray or RGB")
        precondition(pixels.count == width * height * channels, "width * height * channels bytes")
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]
        func u16(_ value: Int) { bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
        func u32(_ value: Int) { for shift in [0, 8, 16, 24] { bytes.append(UInt8((value >> shift) & 0xFF)) } }
        var tags: [(tag: Int, type: Int, value: Int)] = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, channels == 1 ? 1 : 2),
            (273, 4, 0), (277, 3, channels), (278, 4, height), (279, 4, pixels.count),
        ]
        if channels == 3 { tags.append((284, 3, 1)) }
        // The strip starts right after the directory: count, entries, next-directory offset.
        tags[5].value = 8 + 2 + tags.count * 12 + 4
        u16(tags.count)
        for (tag, type, value) in tags {
            u16(tag); u16(type); u32(1)
            if type == 3 { u16(value); u16(0) } else { u32(value) }
        }
        u32(0)
        return bytes + pixels
    }
}
