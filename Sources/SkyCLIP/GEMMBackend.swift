import CSkyBLAS
import CSkyKernels
import Foundation

/// Which GEMM runs the towers' matrix products: SkyCLIP's own AVX2+FMA kernel (`CSkyKernels`) when the CPU
/// has it and it passes its start-up self-check, otherwise OpenBLAS.
///
/// The choice is made once, on first use: the own kernel multiplies fixed odd shapes (every blocking edge,
/// both transposes, alpha/beta, beta = 0 over NaN) and is compared with a float64 reference product; an error
/// above 1e-4 of the product's scale, or any NaN, sends every product to OpenBLAS with one line on stderr, so a
/// wrong kernel can never give wrong embeddings. `SKYCLIP_GEMM=openblas` forces OpenBLAS; without it the own
/// kernel is used whenever it passes the self-check.
public enum GEMMBackend: Sendable, Equatable, CustomStringConvertible {
    /// SkyCLIP's own kernel, with the self-check's worst relative error.
    case own(kernel: String, selfCheckError: Double)
    /// OpenBLAS, with the core type it chose and why the own kernel is not used.
    case openBLAS(core: String, reason: String)

    /// The backend every tower uses in this process.
    public static var current: GEMMBackend { selection.backend }

    public var description: String {
        switch self {
        case let .own(kernel, error): return "own \(kernel) (self-check error \(String(format: "%.1e", error)))"
        case let .openBLAS(core, reason): return "OpenBLAS \(core) (\(reason))"
        }
    }

    /// Largest self-check error accepted: float32 products of these sizes stay near 1e-6.
    static let tolerance = 1e-4

    /// Runs the self-check of one kernel; exposed for tests. `deliberatelyWrong` checks the broken test kernel.
    static func selfCheck(deliberatelyWrong: Bool = false) -> (passed: Bool, error: Double) {
        let error = sky_gemm_self_check(deliberatelyWrong ? SKY_GEMM_BROKEN_FOR_TESTS : SKY_GEMM_AVX2)
        return (error <= tolerance, error)
    }

    struct Selection: Sendable {
        let backend: GEMMBackend
        let kernel: sky_gemm_kernel?
    }

    static let selection: Selection = {
        let core = BLASKernel.coreName
        if ProcessInfo.processInfo.environment["SKYCLIP_GEMM"]?.lowercased() == "openblas" {
            return Selection(backend: .openBLAS(core: core, reason: "SKYCLIP_GEMM=openblas"), kernel: nil)
        }
        guard sky_gemm_kernel_available(SKY_GEMM_AVX2) != 0 else {
            return Selection(backend: .openBLAS(core: core, reason: "no AVX2+FMA"), kernel: nil)
        }
        let check = selfCheck()
        guard check.passed else {
            FileHandle.standardError.write(Data(
                "SkyCLIP: own AVX2 GEMM failed its self-check (error \(check.error)); using OpenBLAS \(core)\n".utf8))
            return Selection(backend: .openBLAS(core: core, reason: "self-check failed"), kernel: nil)
        }
        return Selection(backend: .own(kernel: "AVX2+FMA 6x16", selfCheckError: check.error), kernel: SKY_GEMM_AVX2)
    }()
}

extension Kernels {
    /// Products below this many multiply-adds run on the calling thread: splitting them costs more than it saves.
    static let parallelGEMMThreshold = 1 << 21

    /// The own kernel on `threads` workers: columns split in multiples of 16 when there are enough of them,
    /// else rows in multiples of 6. Each worker computes a disjoint block of C, so the values do not depend on
    /// the split.
    static func ownGEMM(_ kernel: sky_gemm_kernel, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let runOne = { (m: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) in
            let done = sky_sgemm_thread_workspace(kernel, transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k),
                                                  alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            if done == 0 {  // out of memory for the scratch panels: OpenBLAS needs none of ours
                cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            }
        }
        let workers = m * n * k < parallelGEMMThreshold ? 1 : threads
        // The workers write disjoint blocks of C and `concurrentPerform` returns when all are done, so sharing
        // the pointers and the non-Sendable closure across them is race-free.
        nonisolated(unsafe) let (a, b, c, single) = (a, b, c, runOne)
        if workers > 1, n >= 64 * workers {
            let panels = (n + 15) / 16
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let j0 = panels * worker / workers * 16, j1 = min(n, panels * (worker + 1) / workers * 16)
                guard j1 > j0 else { return }
                single(m, j1 - j0, a, transB ? b + j0 * ldb : b + j0, c + j0)
            }
        } else if workers > 1, m >= 12 * workers {
            let panels = (m + 5) / 6
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let i0 = panels * worker / workers * 6, i1 = min(m, panels * (worker + 1) / workers * 6)
                guard i1 > i0 else { return }
                single(i1 - i0, n, transA ? a + i0 : a + i0 * lda, b, c + i0 * ldc)
            }
        } else {
            single(m, n, a, b, c)
        }
    }
}

extension GEMMBackend {
    /// `c = a · op(b)` for row-major `a` (m × k) and `b` (k × n, or n × k with `transposedB`, the towers' weight
    /// layout), on the towers' path (`viaOpenBLAS: false`: the current backend) or through OpenBLAS directly,
    /// with the thread count set by `CLIPModel.setThreads`. For benchmarks and tests.
    public static func multiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposedB: Bool,
                                into c: inout [Float], viaOpenBLAS: Bool = false) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "buffers too small for \(m)x\(n)x\(k)")
        guard m > 0, n > 0 else { return }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let ldb = transposedB ? k : n
                    if viaOpenBLAS {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposedB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
                                    Int32(k), 1, a.baseAddress, Int32(k), b.baseAddress, Int32(ldb), 0, c.baseAddress, Int32(n))
                    } else {
                        Kernels.gemm(transB: transposedB, m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!,
                                     ldb: ldb, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
    }
}
