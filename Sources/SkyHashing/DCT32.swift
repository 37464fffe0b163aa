#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The unnormalised type-II DCT that imagehash takes through `scipy.fftpack.dct` (norm=None), over a
/// 32x32 image, computed the way scipy computes it so that every output is bit-identical:
/// `y[k] = 2 * sum_n x[n] * cos(pi * k * (2n + 1) / 64)`.
///
/// scipy runs pocketfft's `T_dcst23` (type 2): pre-butterflies, a *backward* real FFT of length 32
/// factored as 2 x 4 x 4 (FFTPACK passes `radb2`, `radb4`, `radb4`), then twiddle post-processing.
/// The twiddles come from pocketfft's `sincos_2pibyn` (two tables multiplied together), so they are
/// reproduced the same way rather than taken from `cos` directly. Bit-identical outputs matter because
/// phash compares coefficients with their median: a last-bit difference flips a bit of the hash when
/// two coefficients are mathematically equal (symmetric images).
enum DCT32 {
    static let size = 32

    /// pocketfft's `sincos_2pibyn(n)`: e^(2 pi i k / n) as the product of a fine and a coarse table.
    struct UnitRoots {
        let count: Int
        let mask: Int
        let shift: Int
        let fine: [(Double, Double)]
        let coarse: [(Double, Double)]

        init(_ n: Int) {
            count = n
            // 0.25 * pi / n: n is a power of two here, so the long-double product pocketfft forms rounds
            // to exactly this double.
            let angle = 0.25 * Double.pi / Double(n)
            let values = (n + 2) / 2
            var shift = 1
            while (1 << shift) * (1 << shift) < values { shift += 1 }
            let mask = (1 << shift) - 1
            self.shift = shift
            self.mask = mask
            fine = [(1, 0)] + (1..<(mask + 1)).map { Self.octant($0, n, angle) }
            let coarseCount = (values + mask) / (mask + 1)
            coarse = [(1, 0)] + (1..<max(coarseCount, 1)).map { Self.octant($0 * (mask + 1), n, angle) }
        }

        /// cos and sin of 2 pi x / n, reduced to the first octant as pocketfft's `calc` does.
        private static func octant(_ index: Int, _ n: Int, _ angle: Double) -> (Double, Double) {
            var x = index << 3
            if x < 4 * n {
                if x < 2 * n {
                    if x < n { return (cos(Double(x) * angle), sin(Double(x) * angle)) }
                    return (sin(Double(2 * n - x) * angle), cos(Double(2 * n - x) * angle))
                }
                x -= 2 * n
                if x < n { return (-sin(Double(x) * angle), cos(Double(x) * angle)) }
                return (-cos(Double(2 * n - x) * angle), sin(Double(2 * n - x) * angle))
            }
            x = 8 * n - x
            if x < 2 * n {
                if x < n { return (cos(Double(x) * angle), -sin(Double(x) * angle)) }
                return (sin(Double(2 * n - x) * angle), -cos(Double(2 * n - x) * angle))
            }
            x -= 2 * n
            if x < n { return (-sin(Double(x) * angle), -cos(Double(x) * angle)) }
            return (-cos(Double(2 * n - x) * angle), -sin(Double(2 * n - x) * angle))
        }

        subscript(index: Int) -> (re: Double, im: Double) {
            if 2 * index <= count {
                let a = fine[index & mask], b = coarse[index >> shift]
                return (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
            }
            let mirrored = count - index
            let a = fine[mirrored & mask], b = coarse[mirrored >> shift]
            return (a.0 * b.0 - a.1 * b.1, -(a.0 * b.1 + a.1 * b.0))
        }
    }

    /// Twiddles of the radix-2 pass (ido 16) and of the first radix-4 pass (ido 4), as `comp_twiddle` lays them out.
    private static let passTwiddles: (radix2: [Double], radix4: [Double]) = {
        let roots = UnitRoots(size)
        var radix2 = [Double](repeating: 0, count: 15)
        for i in 1...7 {
            let root = roots[i]
            radix2[2 * i - 2] = root.re
            radix2[2 * i - 1] = root.im
        }
        var radix4 = [Double](repeating: 0, count: 9)
        for j in 1...3 {
            let root = roots[j * 2]
            radix4[(j - 1) * 3] = root.re
            radix4[(j - 1) * 3 + 1] = root.im
        }
        return (radix2, radix4)
    }()

    /// `T_dcst23`'s post-processing twiddles: cos(2 pi (i + 1) / 128).
    private static let dctTwiddles: [Double] = {
        let roots = UnitRoots(4 * size)
        return (0..<size).map { roots[$0 + 1].re }
    }()

    /// The DCT-II of 32 values, in place.
    static func transform(_ c: inout [Double]) {
        c[0] *= 2
        c[size - 1] *= 2
        var k = 1
        while k < size - 1 {
            let t = c[k + 1]
            c[k + 1] = t - c[k]
            c[k] = t + c[k]
            k += 2
        }
        var scratch = [Double](repeating: 0, count: size)
        radb2(ido: 16, l1: 1, input: c, output: &scratch, twiddles: passTwiddles.radix2)
        radb4(ido: 4, l1: 2, input: scratch, output: &c, twiddles: passTwiddles.radix4)
        radb4(ido: 1, l1: 8, input: c, output: &scratch, twiddles: [])
        c = scratch
        let half = size / 2
        for k in 1..<half {
            let kc = size - k
            let t1 = dctTwiddles[k - 1] * c[kc] + dctTwiddles[kc - 1] * c[k]
            let t2 = dctTwiddles[k - 1] * c[k] - dctTwiddles[kc - 1] * c[kc]
            c[k] = 0.5 * (t1 + t2)
            c[kc] = 0.5 * (t1 - t2)
        }
        c[half] *= dctTwiddles[half - 1]
    }

    /// FFTPACK's backward radix-2 pass (`radb2`).
    private static func radb2(ido: Int, l1: Int, input cc: [Double], output ch: inout [Double], twiddles wa: [Double]) {
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + 2 * c)] }
        func at(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + l1 * c) }
        for k in 0..<l1 {
            let x = CC(0, 0, k), y = CC(ido - 1, 1, k)
            ch[at(0, k, 0)] = x + y
            ch[at(0, k, 1)] = x - y
        }
        if ido & 1 == 0 {
            for k in 0..<l1 {
                ch[at(ido - 1, k, 0)] = 2 * CC(ido - 1, 0, k)
                ch[at(ido - 1, k, 1)] = -2 * CC(0, 1, k)
            }
        }
        if ido <= 2 { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                ch[at(i - 1, k, 0)] = CC(i - 1, 0, k) + CC(ic - 1, 1, k)
                let tr2 = CC(i - 1, 0, k) - CC(ic - 1, 1, k)
                let ti2 = CC(i, 0, k) + CC(ic, 1, k)
                ch[at(i, k, 0)] = CC(i, 0, k) - CC(ic, 1, k)
                let wr = wa[i - 2], wi = wa[i - 1]
                ch[at(i, k, 1)] = wr * ti2 + wi * tr2
                ch[at(i - 1, k, 1)] = wr * tr2 - wi * ti2
            }
        }
    }

    /// FFTPACK's backward radix-4 pass (`radb4`).
    private static func radb4(ido: Int, l1: Int, input cc: [Double], output ch: inout [Double], twiddles wa: [Double]) {
        let sqrt2 = 1.4142135623730951
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + 4 * c)] }
        func at(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + l1 * c) }
        for k in 0..<l1 {
            let tr2 = CC(0, 0, k) + CC(ido - 1, 3, k), tr1 = CC(0, 0, k) - CC(ido - 1, 3, k)
            let tr3 = 2 * CC(ido - 1, 1, k), tr4 = 2 * CC(0, 2, k)
            ch[at(0, k, 0)] = tr2 + tr3
            ch[at(0, k, 2)] = tr2 - tr3
            ch[at(0, k, 3)] = tr1 + tr4
            ch[at(0, k, 1)] = tr1 - tr4
        }
        if ido & 1 == 0 {
            for k in 0..<l1 {
                let ti1 = CC(0, 3, k) + CC(0, 1, k), ti2 = CC(0, 3, k) - CC(0, 1, k)
                let tr2 = CC(ido - 1, 0, k) + CC(ido - 1, 2, k), tr1 = CC(ido - 1, 0, k) - CC(ido - 1, 2, k)
                ch[at(ido - 1, k, 0)] = tr2 + tr2
                ch[at(ido - 1, k, 1)] = sqrt2 * (tr1 - ti1)
                ch[at(ido - 1, k, 2)] = ti2 + ti2
                ch[at(ido - 1, k, 3)] = -sqrt2 * (tr1 + ti1)
            }
        }
        if ido <= 2 { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                let tr2 = CC(i - 1, 0, k) + CC(ic - 1, 3, k), tr1 = CC(i - 1, 0, k) - CC(ic - 1, 3, k)
                let ti1 = CC(i, 0, k) + CC(ic, 3, k), ti2 = CC(i, 0, k) - CC(ic, 3, k)
                let tr4 = CC(i, 2, k) + CC(ic, 1, k), ti3 = CC(i, 2, k) - CC(ic, 1, k)
                let tr3 = CC(i - 1, 2, k) + CC(ic - 1, 1, k), ti4 = CC(i - 1, 2, k) - CC(ic - 1, 1, k)
                ch[at(i - 1, k, 0)] = tr2 + tr3
                let cr3 = tr2 - tr3
                ch[at(i, k, 0)] = ti2 + ti3
                let ci3 = ti2 - ti3
                let cr4 = tr1 + tr4, cr2 = tr1 - tr4
                let ci2 = ti1 + ti4, ci4 = ti1 - ti4
                for (branch, (ci, cr)) in [(ci2, cr2), (ci3, cr3), (ci4, cr4)].enumerated() {
                    let wr = wa[branch * (ido - 1) + i - 2], wi = wa[branch * (ido - 1) + i - 1]
                    ch[at(i, k, branch + 1)] = wr * ci + wi * cr
                    ch[at(i - 1, k, branch + 1)] = wr * cr - wi * ci
                }
            }
        }
    }

    /// The top-left 8x8 of `dct(dct(pixels, axis=0), axis=1)` for a 32x32 image, row-major.
    static func lowFrequencies(of pixels: [UInt8]) -> [Double] {
        // Columns first (axis 0), keeping the 8 lowest rows of the result.
        var columnsDone = [Double](repeating: 0, count: 8 * size)
        var column = [Double](repeating: 0, count: size)
        for x in 0..<size {
            for y in 0..<size { column[y] = Double(pixels[y * size + x]) }
            transform(&column)
            for k in 0..<8 { columnsDone[k * size + x] = column[k] }
        }
        // Then rows (axis 1), keeping the 8 lowest columns.
        var low = [Double](repeating: 0, count: 64)
        var row = [Double](repeating: 0, count: size)
        for r in 0..<8 {
            for x in 0..<size { row[x] = columnsDone[r * size + x] }
            transform(&row)
            for k in 0..<8 { low[r * 8 + k] = row[k] }
        }
        return low
    }
}
