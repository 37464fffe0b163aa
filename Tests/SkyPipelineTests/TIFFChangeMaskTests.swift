import Foundation
import SkyGeometry
import SkyPipeline
import SkyStorage
import SkyTestSupport
import Testing

/// Binary change labels stored as TIFF (WHU-CD ships TIFF) read like PNG ones.
@Suite struct TIFFChangeMaskTests {
    /// An uncompressed 8-bit gray little-endian TIFF of `width` x (values.count / width) pixels.
    static func grayTIFF(width: UInt32, values: [UInt8]) -> [UInt8] {
        let height = UInt32(values.count) / width
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]
        func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        func u32(_ value: UInt32) { for shift in [0, 8, 16, 24] { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
        let tags: [(UInt16, UInt16, UInt32)] = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                                                (273, 4, 8 + 2 + 9 * 12 + 4), (277, 3, 1), (278, 4, height),
                                                (279, 4, UInt32(values.count))]
        u16(UInt16(tags.count))
        for (tag, type, value) in tags {
            u16(tag); u16(type); u32(1)
            if type == 3 { u16(UInt16(value)); u16(0) } else { u32(value) }
        }
        u32(0)
        return bytes + values
    }

    @Test func zeroOneAndZero255TIFFLabelsGiveTheSameMask() throws {
        let changed: [UInt8] = [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]
        let zeroOne = try LabelMask.binaryChange(Self.grayTIFF(width: 4, values: changed), name: "a.tif")
        let zero255 = try LabelMask.binaryChange(
            Self.grayTIFF(width: 4, values: changed.map { $0 * 255 }), name: "b.tif")
        #expect(zeroOne.width == 4 && zeroOne.height == 3)
        #expect(zeroOne.values == changed)
        #expect(zero255.values == changed)
    }
}
