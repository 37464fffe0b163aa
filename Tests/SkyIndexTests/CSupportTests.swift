import CSkyIndex
import Foundation
import Testing

@Suite struct CSupportTests {
    @Test func xxh64MatchesTheReference() {
        // Values from Python's xxhash 3 (the reference C library).
        #expect(skyidx_xxh64(nil, 0, 0) == 0xEF46_DB37_51D8_E999)
        #expect(skyidx_xxh64(Array("abc".utf8), 3, 0) == 0x44BC_2CF5_AD77_0999)
        #expect(skyidx_xxh64(Array("abc".utf8), 3, 7) == 0x9E75_5206_1566_76D7)
        let bytes = (0..<768).map { UInt8($0 % 256) }
        #expect(skyidx_xxh64(bytes, bytes.count, 0) == 0x8E03_C838_C596_036F)
        for split in [0, 1, 5, 31, 32, 33, 100, 767] {  // streaming in two pieces gives the same value
            var state = skyidx_xxh64_state()
            skyidx_xxh64_reset(&state, 0)
            bytes.withUnsafeBufferPointer { all in
                skyidx_xxh64_update(&state, all.baseAddress, split)
                skyidx_xxh64_update(&state, all.baseAddress! + split, all.count - split)
            }
            #expect(skyidx_xxh64_digest(&state) == 0x8E03_C838_C596_036F)
        }
    }

    #if arch(x86_64) || arch(arm64)
    @Test func float16ConversionMatchesSwiftFloat16() {
        let halves = (0...UInt16.max).map { $0 }
        var floats = [Float](repeating: 0, count: halves.count)
        skyidx_f16_to_f32(halves, &floats, halves.count)
        for (h, f) in zip(halves, floats) {
            let expected = Float(Float16(bitPattern: h))
            #expect(expected.isNaN ? f.isNaN : f.bitPattern == expected.bitPattern, "half \(h)")
        }
        var random = SeededRandom(seed: 40)
        let values: [Float] = (0..<20_000).map { i in
            let magnitude = Float(pow(2.0, Double.random(in: -26...17, using: &random)))
            return (i % 2 == 0 ? 1 : -1) * magnitude * Float.random(in: 1..<2, using: &random)
        } + [0, -0, 65504, 65519.99, 65520, .infinity, -.infinity, 5.96e-8, 2.98e-8, 2.99e-8, 6.1e-5]
        var converted = [UInt16](repeating: 0, count: values.count)
        skyidx_f32_to_f16(values, &converted, values.count)
        for (value, half) in zip(values, converted) {
            #expect(half == Float16(value).bitPattern, "float \(value)")
        }
    }
    #endif
}
