import CSkyKernels
import Foundation
import Testing
@testable import SkyCLIP

/// SkyCLIP's own GEMM (`CSkyKernels`) against a float64 reference, and its start-up self-check.
@Suite struct GEMMTests {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(state >> 40) / Double(1 << 24) * 2 - 1)
        }
    }

    /// Worst |C - reference| over the reference's RMS, padding columns required untouched.
    static func check(kernel: sky_gemm_kernel?, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, beta: Float,
                      threads: Int = 1, seed: UInt64, roundToBF16: Bool = false) -> Double {
        let round = { (x: Float) in roundToBF16 ? sky_round_bf16(x) : x }
        let lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 3, ldc = n + 2
        let a = values((transA ? k : m) * lda, seed: seed), b = values((transB ? n : k) * ldb, seed: seed + 1)
        let start = beta == 0 ? [Float](repeating: .nan, count: m * ldc) : values(m * ldc, seed: seed + 2)
        var c = start
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    if let kernel {
                        Kernels.ownGEMM(kernel, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                        a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                                        c: c.baseAddress!, ldc: ldc, threads: threads)
                    } else {
                        Kernels.gemm(GEMMBackend.selection.kernel, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.baseAddress!,
                                     lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
                    }
                }
            }
        }
        var worst = 0.0, sumSquares = 0.0
        var reference = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = Double(round(transA ? a[p * lda + i] : a[i * lda + p]))
                    let y = Double(round(transB ? b[j * ldb + p] : b[p * ldb + j]))
                    sum += x * y
                }
                reference[i * n + j] = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(start[i * ldc + j]))
                sumSquares += reference[i * n + j] * reference[i * n + j]
            }
        }
        let scale = (sumSquares / Double(max(1, m * n))).squareRoot() + 1e-30
        for i in 0..<m {
            for j in 0..<ldc {
                if j < n {
                    let error = abs(Double(c[i * ldc + j]) - reference[i * n + j]) / scale
                    if !(error <= worst) { worst = error }
                } else if c[i * ldc + j].bitPattern != start[i * ldc + j].bitPattern {
                    return .infinity
                }
            }
        }
        return worst
    }

    /// The float32 SIMD kernels this CPU has (AVX2, AVX-512).
    static let simdKernels = [SKY_GEMM_AVX2, SKY_GEMM_AVX512].filter { sky_gemm_kernel_available($0) != 0 }

    /// Odd shapes crossing every blocking edge (6- and 8-row and 16-column tiles, 256-deep and 120-row blocks),
    /// all four transpose pairs, alpha/beta and beta = 0 over NaN, single-threaded and split over 2 and 3
    /// workers, on every SIMD kernel the CPU has.
    @Test(arguments: [(1, 1, 1), (5, 15, 7), (7, 17, 3), (13, 33, 257), (50, 77, 64), (121, 130, 300), (2, 2049, 5)])
    func ownKernelMatchesFloat64(shape: (Int, Int, Int)) throws {
        let (m, n, k) = shape
        for kernel in Self.simdKernels {
            var seed: UInt64 = 7
            for (transA, transB) in [(false, false), (false, true), (true, false), (true, true)] {
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 0.25), (-2, 1)] {
                    for threads in [1, 2, 3] {
                        seed += 3
                        let error = Self.check(kernel: kernel, transA: transA, transB: transB, m: m, n: n, k: k,
                                               alpha: alpha, beta: beta, threads: threads, seed: seed)
                        #expect(error < 1e-5, "kernel \(kernel.rawValue) \(m)x\(n)x\(k) tA \(transA) tB \(transB) α \(alpha) β \(beta) threads \(threads): \(error)")
                    }
                }
            }
        }
    }

    /// The bf16 kernel against the float64 product of the bf16-rounded operands (so the only difference left
    /// is float32 accumulation), unpacked and from weights packed once, odd depths included.
    @Test(arguments: [(1, 1, 1), (7, 17, 3), (13, 33, 257), (50, 77, 513), (121, 130, 300)])
    func bf16KernelMatchesRoundedFloat64(shape: (Int, Int, Int)) {
        guard sky_gemm_kernel_available(SKY_GEMM_AVX512_BF16) != 0 else { return }
        let (m, n, k) = shape
        var seed: UInt64 = 11
        for (transA, transB) in [(false, true), (true, false)] {
            for threads in [1, 2] {
                seed += 5
                let error = Self.check(kernel: SKY_GEMM_AVX512_BF16, transA: transA, transB: transB, m: m, n: n, k: k,
                                       alpha: 1, beta: 0.5, threads: threads, seed: seed, roundToBF16: true)
                #expect(error < 1e-5, "\(m)x\(n)x\(k) tA \(transA) tB \(transB) threads \(threads): \(error)")
            }
        }
    }

    /// The portable C kernel (the same loops without intrinsics) and the dispatching entry point agree too.
    @Test func scalarKernelAndDispatchMatchFloat64() {
        for (index, shape) in [(3, 5, 2), (37, 40, 300), (64, 200, 33)].enumerated() {
            let (m, n, k) = shape
            #expect(Self.check(kernel: SKY_GEMM_SCALAR, transA: index == 1, transB: true, m: m, n: n, k: k, alpha: 1,
                               beta: 0.5, seed: UInt64(index)) < 1e-5)
            #expect(Self.check(kernel: nil, transA: false, transB: index != 1, m: m, n: n, k: k, alpha: 0.75,
                               beta: 0, seed: UInt64(index + 10)) < 1e-5)
        }
    }

    /// Weights packed once (`PackedWeights`) and multiplied by slices of rows and columns: every edge, beta 0
    /// over NaN and beta 1, strided input rows, 1 to 3 workers, against the float64 product.
    @Test(arguments: [(1, 1, 1), (7, 17, 3), (50, 77, 300), (13, 130, 257), (121, 48, 64)])
    func packedWeightsMatchFloat64(shape: (Int, Int, Int)) {
        for kernel in Self.simdKernels + [SKY_GEMM_AVX512_BF16] where sky_gemm_kernel_available(kernel) != 0 {
            packedWeightsMatchFloat64(shape: shape, kernel: kernel)
        }
    }

    func packedWeightsMatchFloat64(shape: (Int, Int, Int), kernel: sky_gemm_kernel) {
        let (m, n, k) = shape
        let round = { (x: Float) in kernel == SKY_GEMM_AVX512_BF16 ? sky_round_bf16(x) : x }
        let lda = k + 5
        let x = Self.values(m * lda, seed: UInt64(m * n + k)), w = Self.values(n * k, seed: UInt64(n + 3 * k))
        w.withUnsafeBufferPointer { weight in
            let packed = PackedWeights(transposed: weight.baseAddress!, columns: n, depth: k, kernel: kernel)
            for beta in [Float(0), 1] {
                for threads in [1, 2, 3] {
                    let start = beta == 0 ? [Float](repeating: .nan, count: m * n) : Self.values(m * n, seed: 99)
                    var c = start
                    x.withUnsafeBufferPointer { a in
                        c.withUnsafeMutableBufferPointer { out in
                            Kernels.packedGEMM(m: m, a: a.baseAddress!, lda: lda, packed: packed,
                                               unpacked: weight.baseAddress!, beta: beta, c: out.baseAddress!, ldc: n,
                                               threads: threads)
                        }
                    }
                    var worst = 0.0, sumSquares = 0.0, reference = [Double](repeating: 0, count: m * n)
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = beta == 0 ? 0 : Double(start[i * n + j])
                            for p in 0..<k { sum += Double(round(x[i * lda + p])) * Double(round(w[j * k + p])) }
                            reference[i * n + j] = sum
                            sumSquares += sum * sum
                        }
                    }
                    let scale = (sumSquares / Double(m * n)).squareRoot()
                    for index in 0..<(m * n) {
                        let error = abs(Double(c[index]) - reference[index]) / scale
                        if !(error <= worst) { worst = error }
                    }
                    #expect(worst < 1e-5, "kernel \(kernel.rawValue) \(m)x\(n)x\(k) beta \(beta) threads \(threads): \(worst)")
                }
            }
        }
    }

    /// The self-check passes the real kernels and rejects a kernel that drops one k step; the process runs
    /// the best kernel the CPU has.
    @Test func selfCheckRejectsAWrongKernel() {
        guard sky_gemm_kernel_available(SKY_GEMM_AVX2) != 0 else { return }
        for kernel in Self.simdKernels + [SKY_GEMM_AVX512_BF16] where sky_gemm_kernel_available(kernel) != 0 {
            let good = GEMMBackend.selfCheck(kernel)
            #expect(good.passed, "kernel \(kernel.rawValue): self-check error \(good.error)")
        }
        let wrong = GEMMBackend.selfCheck(deliberatelyWrong: true)
        #expect(!wrong.passed, "the broken kernel passed with error \(wrong.error)")
        #expect(sky_gemm_self_check(SKY_GEMM_SCALAR) < GEMMBackend.tolerance)
        if ProcessInfo.processInfo.environment["SKYCLIP_GEMM"] == nil, CPUFeatures.current == .detected {
            let best = sky_gemm_kernel_available(SKY_GEMM_AVX512) != 0 ? SKY_GEMM_AVX512 : SKY_GEMM_AVX2
            #expect(GEMMBackend.selection.kernel == best, "backend \(GEMMBackend.current)")
        }
    }
}
