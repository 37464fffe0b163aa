import SkyImaging
import Testing

/// The pixel budget: built in, set by `SKYCORPUS_PIXEL_LIMIT`, checked before any allocation.
@Suite struct PixelLimitTests {
    private func limit(_ value: String?) throws(ImageError) -> Int {
        try ImageDecoder.pixelLimit(environment: value.map { [ImageDecoder.pixelLimitVariable: $0] } ?? [:])
    }

    @Test func theVariableSetsTheBudget() throws {
        #expect(try limit(nil) == ImageDecoder.defaultPixelLimit)
        #expect(try limit("1000000") == 1_000_000)
        #expect(try limit(" 64M ") == 64_000_000)
        #expect(try limit("2000m") == 2_000_000_000)
    }

    @Test(arguments: ["", "abc", "-5", "12.5M", "999", "5000M", "99999999999999999999", "9223372036854775807M"])
    func aBadValueNamesTheVariable(_ value: String) throws {
        let error = #expect(throws: ImageError.self) { _ = try limit(value) }
        #expect(error?.description.hasPrefix("SKYCORPUS_PIXEL_LIMIT: ") == true, "\(String(describing: error))")
    }

    @Test func anImageOverTheBudgetIsRefusedWithTheWayToRaiseIt() throws {
        let png = try ImageEncoder.png(RasterImage(width: 40, height: 30, layout: .rgb))
        let decoder = ImageDecoder(pixelLimit: 40 * 30 - 1)
        let error = #expect(throws: ImageError.self) { _ = try decoder.decode(png, name: "big.png") }
        #expect(error == .tooLarge(path: "big.png", width: 40, height: 30, limit: 1199))
        #expect(error?.description.contains("raise the limit with SKYCORPUS_PIXEL_LIMIT") == true)
        #expect(try ImageDecoder(pixelLimit: 1200).decode(png, name: "ok.png").width == 40)
    }
}
