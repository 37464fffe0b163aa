import CSkyCodecs
import Testing
import SkyTestSupport

/// The SIMD row unfiltering (SSE2, and SSE4.1 for Paeth) gives exactly what the byte loops give.
@Suite struct PNGUnfilterTests {
    /// The byte loops, the best SIMD code for this CPU, SSE2 only.
    static let simdModes: [Int32] = [1, 2]

    /// Unfilters one row through `mode`; `guardBytes` after the row catch writes past its end.
    static func unfilter(_ filtered: [UInt8], prior: [UInt8]?, bpp: Int, mode: Int32,
                         guardBytes: Int = 8) -> (status: Int32, row: [UInt8], guardIntact: Bool) {
        let count = filtered.count - 1
        var row = [UInt8](repeating: 0xA5, count: count + guardBytes)
        var reason = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let status = filtered.withUnsafeBufferPointer { input in
            row.withUnsafeMutableBufferPointer { output in
                if let prior {
                    prior.withUnsafeBufferPointer { above in
                        csky_png_unfilter_row_using(input.baseAddress, above.baseAddress, output.baseAddress, count,
                                                    Int32(bpp), mode, &reason)
                    }
                } else {
                    csky_png_unfilter_row_using(input.baseAddress, nil, output.baseAddress, count, Int32(bpp), mode,
                                                &reason)
                }
            }
        }
        let intact = row[count...].allSatisfy { $0 == 0xA5 }
        return (status, Array(row[..<count]), intact)
    }

    /// The specification's Paeth predictor, written out as section 9.4 has it.
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// A sequence of bytes in which every ordered pair (x, y) appears once as neighbours (a de Bruijn
    /// sequence over 256 symbols, order 2, made linear).
    static func everyBytePair() -> [UInt8] {
        var sequence: [UInt8] = []
        var word = [Int](repeating: 0, count: 3)
        func extend(_ t: Int, _ p: Int) {
            if t > 2 {
                if 2 % p == 0 { sequence += word[1...p].map { UInt8($0) } }
                return
            }
            word[t] = word[t - p]
            extend(t + 1, p)
            for symbol in (word[t - p] + 1)..<256 {
                word[t] = symbol
                extend(t + 1, t)
            }
        }
        extend(1, 1)
        return sequence + [sequence[0]]
    }

    @Test func theBytePairSequenceHoldsEveryPair() {
        let sequence = Self.everyBytePair()
        #expect(sequence.count == 65537)
        let pairs = Set(zip(sequence, sequence.dropFirst()).map { Int($0) << 8 | Int($1) })
        #expect(pairs.count == 65536)
    }

    /// Every (a, b, c) for Paeth and every (a, b) for Average, one byte per pixel: the row above walks
    /// every (c, b) pair, and 256 rows make the pixel to the left take every value at every position.
    @Test(arguments: [Int32(3), Int32(4)])
    func everyPredictorInputMatchesTheSpecification(filter: Int32) {
        let prior = Self.everyBytePair()
        var mismatches = 0
        for shift in 0..<256 {
            // The intended output at x is (x + shift) & 255; raw bytes are chosen to produce it.
            var filtered = [UInt8(filter)]
            filtered.reserveCapacity(prior.count + 1)
            for x in prior.indices {
                let left = x == 0 ? 0 : (x - 1 + shift) & 255
                let above = Int(prior[x]), corner = x == 0 ? 0 : Int(prior[x - 1])
                let predicted = filter == 4 ? Self.paeth(left, above, corner) : (left + above) >> 1
                filtered.append(UInt8(truncatingIfNeeded: (x + shift) - predicted))
            }
            for mode in Self.simdModes {
                let result = Self.unfilter(filtered, prior: prior, bpp: 1, mode: mode)
                for x in result.row.indices where Int(result.row[x]) != (x + shift) & 255 { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    /// Random rows, every filter type, every pixel size 1-8, every row length from one pixel up,
    /// with and without a row above: SIMD and byte loops agree and nothing is written past the row.
    @Test func randomRowsMatchTheByteLoops() {
        var generator = SplitMix64(seed: 0x5EED)
        var rows = 0
        for bpp in 1...8 {
            for filter in 0...4 {
                for width in 1...70 {
                    for _ in 0..<4 {
                        let count = width * bpp
                        // Bytes drawn from a narrow range half of the time, so that ties come often.
                        let narrow = generator.next() % 2 == 0
                        let byte = { () -> UInt8 in
                            narrow ? UInt8(120 + generator.next() % 8) : UInt8(truncatingIfNeeded: generator.next())
                        }
                        let filtered = [UInt8(filter)] + (0..<count).map { _ in byte() }
                        let prior = (0..<count).map { _ in byte() }
                        for above in [prior, nil] {
                            let reference = Self.unfilter(filtered, prior: above, bpp: bpp, mode: 0)
                            #expect(reference.status == CSKY_OK && reference.guardIntact)
                            for mode in Self.simdModes {
                                let simd = Self.unfilter(filtered, prior: above, bpp: bpp, mode: mode)
                                #expect(simd.status == CSKY_OK)
                                #expect(simd.guardIntact, "bpp \(bpp) filter \(filter) width \(width): wrote past the row")
                                #expect(simd.row == reference.row,
                                        "bpp \(bpp) filter \(filter) width \(width) mode \(mode) differs")
                            }
                            rows += 1
                        }
                    }
                }
            }
        }
        #expect(rows == 8 * 5 * 70 * 4 * 2)
    }

    /// Long rows cross the Paeth pass's 1536-byte chunks.
    @Test func longRowsMatchTheByteLoops() {
        var generator = SplitMix64(seed: 42)
        for bpp in 1...4 {
            for width in [511, 512, 513, 1536, 1537, 4099] {
                let count = width * bpp
                for filter in 1...4 {
                    let filtered = [UInt8(filter)] + (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    let prior = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    let reference = Self.unfilter(filtered, prior: prior, bpp: bpp, mode: 0)
                    for mode in Self.simdModes {
                        let simd = Self.unfilter(filtered, prior: prior, bpp: bpp, mode: mode)
                        #expect(simd.row == reference.row && simd.guardIntact,
                                "bpp \(bpp) width \(width) filter \(filter) mode \(mode)")
                    }
                }
            }
        }
    }

    /// Two rows at once (two Paeth rows run together, their chunks interleaved): the same bytes as one row after
    /// the other through the byte loops, for every pair of filter types, pixel sizes 1-8, widths across chunks.
    @Test func rowPairsMatchTheByteLoops() {
        var generator = SplitMix64(seed: 0xFA1F)
        var pairs = 0
        for bpp in 1...8 {
            for width in [1, 2, 5, 17, 127, 128, 129, 383, 384, 385, 1000] {
                let count = width * bpp
                for filters in [(4, 4), (4, 4), (4, 1), (3, 4), (0, 4), (4, 2), (Int(generator.next() % 5), 4)] {
                    var filtered = [UInt8(filters.0)] + (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    filtered += [UInt8(filters.1)] + (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    let prior = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    for above in [prior, nil] {
                        let reference = Self.unfilterPair(filtered, prior: above, count: count, bpp: bpp, mode: 0)
                        for mode in Self.simdModes {
                            let simd = Self.unfilterPair(filtered, prior: above, count: count, bpp: bpp, mode: mode)
                            #expect(simd == reference, "bpp \(bpp) width \(width) filters \(filters) mode \(mode)")
                        }
                        pairs += 1
                    }
                }
            }
        }
        #expect(pairs == 8 * 11 * 7 * 2)
    }

    /// Both rows of a pair and the guard bytes after them.
    static func unfilterPair(_ filtered: [UInt8], prior: [UInt8]?, count: Int, bpp: Int, mode: Int32) -> [UInt8] {
        var rows = [UInt8](repeating: 0xA5, count: 2 * count + 8)
        var reason = [CChar](repeating: 0, count: Int(CSKY_ERROR_LEN))
        let status = filtered.withUnsafeBufferPointer { input in
            rows.withUnsafeMutableBufferPointer { output in
                let second = output.baseAddress! + count
                if let prior {
                    return prior.withUnsafeBufferPointer { above in
                        csky_png_unfilter_pair_using(input.baseAddress, above.baseAddress, output.baseAddress, second,
                                                     count, Int32(bpp), mode, &reason)
                    }
                }
                return csky_png_unfilter_pair_using(input.baseAddress, nil, output.baseAddress, second, count,
                                                    Int32(bpp), mode, &reason)
            }
        }
        #expect(status == CSKY_OK)
        return rows
    }

    @Test func badFilterTypesAndPixelSizesAreDeclined() {
        for mode in [Int32(0)] + Self.simdModes {
            #expect(Self.unfilter([5, 1, 2, 3], prior: [0, 0, 0], bpp: 3, mode: mode).status == CSKY_PNG_DECLINED)
            #expect(Self.unfilter([1, 1, 2, 3], prior: nil, bpp: 0, mode: mode).status == CSKY_PNG_DECLINED)
            #expect(Self.unfilter([1] + [UInt8](repeating: 1, count: 9), prior: nil, bpp: 9, mode: mode).status
                == CSKY_PNG_DECLINED)
        }
    }
}
