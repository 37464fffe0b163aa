import CSkyBLAS
import CSkyKernels
import Foundation
import SkyConcurrency

/// Which GEMM runs the towers' float32 matrix products: SkyCLIP's own kernel (`CSkyKernels`), AVX-512 when the
/// CPU has AVX-512F, else AVX2+FMA, each only if it passes its start-up self-check; otherwise OpenBLAS.
///
/// The choice is made once, on first use: a kernel multiplies fixed odd shapes (every blocking edge, both
/// transposes, alpha/beta, beta = 0 over NaN, B packed per call and packed once) and is compared with a float64
/// reference product; an error above 1e-4 of the product's scale, or any NaN, rules it out. Whenever the
/// AVX-512 kernel is not used (no AVX-512F, or a failed self-check) exactly one line on stderr says which path
/// runs instead and why, so a wrong kernel can never give wrong embeddings. `SKYCLIP_GEMM` forces a path for
/// tests and benchmarks: `avx512`, `avx2`, `scalar` (the portable C kernel) or `openblas` (a forced own kernel
/// that the CPU lacks or that fails its self-check still falls back, with the line). `SKYCLIP_CPU_MASK`
/// (`CPUFeatures`) hides CPU features or breaks a kernel's self-check, to run these fallbacks on any CPU.
public enum GEMMBackend: Sendable, Equatable, CustomStringConvertible {
    /// SkyCLIP's own kernel, with the self-check's worst relative error.
    case own(kernel: String, selfCheckError: Double)
    /// OpenBLAS, with the core type it chose and why the own kernel is not used.
    case openBLAS(core: String, reason: String)

    /// The backend every tower uses in this process for float32 products.
    public static var current: GEMMBackend { selection.backend }

    public var description: String {
        switch self {
        case let .own(kernel, error): return "own \(kernel) (self-check error \(String(format: "%.1e", error)))"
        case let .openBLAS(core, reason): return "OpenBLAS \(core) (\(reason))"
        }
    }

    /// Largest self-check error accepted: float32 products of these sizes stay near 1e-6.
    static let tolerance = 1e-4

    /// The own kernels, best first, with their names and `SKYCLIP_GEMM` spellings.
    static let ownKernels: [(kernel: sky_gemm_kernel, name: String, spelling: String)] = [
        (SKY_GEMM_AVX512, "AVX-512F 8x16", "avx512"),
        (SKY_GEMM_AVX2, "AVX2+FMA 6x16", "avx2"),
        (SKY_GEMM_SCALAR, "portable C 6x16", "scalar"),
    ]

    /// Runs the self-check of one kernel (the AVX2 one by default); exposed for tests. `deliberatelyWrong`
    /// checks the broken test kernel instead.
    static func selfCheck(_ kernel: sky_gemm_kernel = SKY_GEMM_AVX2, deliberatelyWrong: Bool = false) -> (passed: Bool, error: Double) {
        let error = sky_gemm_self_check(deliberatelyWrong ? SKY_GEMM_BROKEN_FOR_TESTS : kernel)
        return (error <= tolerance, error)
    }

    /// Whether `kernel` may run with `features` and passes its self-check (each real kernel checked once per
    /// process; a kernel the features mark broken runs the broken kernel's check instead, a genuine failure).
    static func usable(_ kernel: sky_gemm_kernel, features: CPUFeatures = .current) -> (passed: Bool, error: Double) {
        guard features.runs(kernel) else { return (false, .infinity) }
        if features.breaks(kernel) { return selfCheck(deliberatelyWrong: true) }
        return checked.withLock { results in
            if let known = results[kernel.rawValue] { return known }
            let result = selfCheck(kernel)
            results[kernel.rawValue] = result
            return result
        }
    }

    private static let checked = Locked<[UInt32: (passed: Bool, error: Double)]>([:])

    struct Selection: Sendable {
        let backend: GEMMBackend
        let kernel: sky_gemm_kernel?
    }

    /// The process's selection, made once with `CPUFeatures.current` and `SKYCLIP_GEMM`; its line, if any, on stderr.
    static let selection: Selection = {
        let forced = ProcessInfo.processInfo.environment["SKYCLIP_GEMM"]?.lowercased()
        let (selection, line) = select(features: .current, forced: forced)
        if let line { report(line) }
        return selection
    }()

    /// The float32 path for `features`: a `forced` own kernel (a `SKYCLIP_GEMM` spelling) first, then AVX-512,
    /// then AVX2, each only where it may run and passes its self-check, else OpenBLAS; with the one line to
    /// print when the path is not the AVX-512 kernel and was not forced (nil otherwise).
    static func select(features: CPUFeatures, forced: String? = nil) -> (selection: Selection, line: String?) {
        let core = BLASKernel.coreName
        if forced == "openblas" {
            return (Selection(backend: .openBLAS(core: core, reason: "SKYCLIP_GEMM=openblas"), kernel: nil), nil)
        }
        // A forced kernel is tried first, then the usual order (AVX-512, AVX2); the portable kernel only when forced.
        let candidates = ownKernels.filter { $0.spelling == forced }
            + ownKernels.filter { $0.kernel != SKY_GEMM_SCALAR && $0.spelling != forced }
        var skipped: [String] = []
        for candidate in candidates {
            guard features.runs(candidate.kernel) else {
                skipped.append("\(candidate.name): \(features.whyNot(candidate.kernel))")
                continue
            }
            let check = usable(candidate.kernel, features: features)
            guard check.passed else {
                skipped.append("\(candidate.name): failed its self-check (error \(check.error))")
                continue
            }
            let line = candidate.kernel != SKY_GEMM_AVX512 && forced != candidate.spelling
                ? "SkyCLIP: using own \(candidate.name) GEMM (\(skipped.joined(separator: "; ")))" : nil
            return (Selection(backend: .own(kernel: candidate.name, selfCheckError: check.error), kernel: candidate.kernel), line)
        }
        let reason = skipped.joined(separator: "; ")
        return (Selection(backend: .openBLAS(core: core, reason: reason), kernel: nil), "SkyCLIP: using OpenBLAS \(core) (\(reason))")
    }

    /// One line on stderr.
    private static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// How one model runs its products: the kernel of its float32 products (nil: OpenBLAS) and the kernel of its
/// weight products (the bf16 kernel at `Precision.bf16`, else the same). Chosen once, when the model is built.
struct GEMMEngine: Sendable {
    let kernel: sky_gemm_kernel?
    let weightKernel: sky_gemm_kernel?
    let precision: Precision

    /// The process's float32 selection (`GEMMBackend.selection`).
    static var standard: GEMMEngine {
        GEMMEngine(kernel: GEMMBackend.selection.kernel, weightKernel: GEMMBackend.selection.kernel, precision: .fp32)
    }

    /// The engine for `precision`: bf16 needs AVX512-BF16 and a passing self-check of the bf16 kernel.
    static func make(_ precision: Precision) throws(CLIPError) -> GEMMEngine {
        try make(precision, kernel: GEMMBackend.selection.kernel)
    }

    /// The engine with float32 products on `kernel` (tests run the towers on each available kernel); bf16 is
    /// checked against `features` (tests pass masked ones).
    static func make(_ precision: Precision, kernel: sky_gemm_kernel?, features: CPUFeatures = .current) throws(CLIPError) -> GEMMEngine {
        switch precision {
        case .fp32:
            return GEMMEngine(kernel: kernel, weightKernel: kernel, precision: .fp32)
        case .bf16:
            guard features.runs(SKY_GEMM_AVX512_BF16) else {
                let why = features.hidden.contains(.avx512bf16) ? "AVX512-BF16 is hidden by \(CPUFeatures.maskVariable)"
                                                                : "this CPU lacks AVX512-BF16 (vdpbf16ps)"
                throw .unsupportedPrecision(.bf16, reason: why)
            }
            let check = GEMMBackend.usable(SKY_GEMM_AVX512_BF16, features: features)
            guard check.passed else {
                throw .unsupportedPrecision(.bf16, reason: "the bf16 kernel failed its self-check (error \(check.error))")
            }
            return GEMMEngine(kernel: kernel, weightKernel: SKY_GEMM_AVX512_BF16, precision: .bf16)
        }
    }
}

extension Kernels {
    /// Products below this many multiply-adds run on the calling thread: splitting them costs more than it saves.
    static let parallelGEMMThreshold = 1 << 21

    /// The own kernel on `threads` workers (`forEachBlock`).
    static func ownGEMM(_ kernel: sky_gemm_kernel, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        forEachBlock(m: m, n: n, k: k, tile: Int(sky_gemm_kernel_rows(kernel)), threads: threads) { i0, rows, j0, cols in
            let a = transA ? a + i0 : a + i0 * lda, b = transB ? b + j0 * ldb : b + j0, c = c + i0 * ldc + j0
            let done = sky_sgemm_thread_workspace(kernel, transA ? 1 : 0, transB ? 1 : 0, Int32(rows), Int32(cols), Int32(k),
                                                  alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            if done == 0 {  // out of memory for the scratch panels: OpenBLAS needs none of ours
                cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                            Int32(rows), Int32(cols), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            }
        }
    }

    /// Splits a product C[m×n] of depth k over `threads` workers and calls `body(i0, rows, j0, cols)` once per
    /// disjoint block of C, concurrently: columns in multiples of 16 when there are enough of them, else rows in
    /// multiples of the kernel's `tile` rows; products below `parallelGEMMThreshold` in one block on the calling
    /// thread. Each block is computed whole, so the values do not depend on the split.
    static func forEachBlock(m: Int, n: Int, k: Int, tile: Int, threads: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let workers = m * n * k < parallelGEMMThreshold ? 1 : threads
        // The workers write disjoint blocks of C and `concurrentPerform` returns when all are done, so sharing
        // the non-Sendable closure across them is race-free.
        nonisolated(unsafe) let single = body
        if workers > 1, n >= 64 * workers {
            let panels = (n + 15) / 16
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let j0 = panels * worker / workers * 16, j1 = min(n, panels * (worker + 1) / workers * 16)
                if j1 > j0 { single(0, m, j0, j1 - j0) }
            }
        } else if workers > 1, m >= 2 * tile * workers {
            let panels = (m + tile - 1) / tile
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let i0 = panels * worker / workers * tile, i1 = min(m, panels * (worker + 1) / workers * tile)
                if i1 > i0 { single(i0, i1 - i0, 0, n) }
            }
        } else {
            body(0, m, 0, n)
        }
    }
}

extension GEMMBackend {
    /// `c = a · op(b)` for row-major `a` (m × k) and `b` (k × n, or n × k with `transposedB`, the towers' weight
    /// layout), on the towers' path (`viaOpenBLAS: false`: the current backend, or the bf16 kernel at
    /// `precision: .bf16`) or through OpenBLAS directly, with the thread count set by `CLIPModel.setThreads`.
    /// For benchmarks and tests.
    public static func multiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposedB: Bool,
                                into c: inout [Float], viaOpenBLAS: Bool = false, precision: Precision = .fp32) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "buffers too small for \(m)x\(n)x\(k)")
        precondition(precision == .fp32 || CPUFeatures.current.runs(SKY_GEMM_AVX512_BF16), "bf16 needs AVX512-BF16")
        guard m > 0, n > 0 else { return }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let ldb = transposedB ? k : n
                    if viaOpenBLAS {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposedB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
                                    Int32(k), 1, a.baseAddress, Int32(k), b.baseAddress, Int32(ldb), 0, c.baseAddress, Int32(n))
                    } else {
                        let kernel = precision == .bf16 ? SKY_GEMM_AVX512_BF16 : GEMMBackend.selection.kernel
                        Kernels.gemm(kernel, transB: transposedB, m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!,
                                     ldb: ldb, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
    }
}
