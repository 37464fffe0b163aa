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
        TestTIFF.uncompressed(width: Int(width), height: values.count / Int(width), pixels: values)
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
