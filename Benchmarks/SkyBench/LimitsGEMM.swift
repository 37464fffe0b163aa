import CSkyKernels
import Foundation
import SkyCLIP

/// The sgemm part of `skybench limits`: OpenBLAS (the library the package links, with the core type it chose)
/// against SkyCLIP's tower path (`GEMMBackend.current`) on one square product and the ViT-B/32 tower's products
/// (C = X · Wᵀ, weights stored out × in) at 50, 400 and 1600 rows: batch 1, 8 and 32 of 50 tokens; with
/// AVX512-BF16 also the bf16 kernel (operands rounded per call, B packed per call as in the other columns).
enum LimitsGEMM {
    static let shapes: [(name: String, m: Int, n: Int, k: Int, transB: Bool)] = [
        ("square 1536", 1536, 1536, 1536, false),
        ("vit qkv b1", 50, 2304, 768, true), ("vit fc b1", 50, 3072, 768, true), ("vit proj b1", 50, 768, 3072, true),
        ("vit qkv b8", 400, 2304, 768, true), ("vit fc b8", 400, 3072, 768, true), ("vit proj b8", 400, 768, 3072, true),
        ("vit fc b32", 1600, 3072, 768, true), ("vit proj b32", 1600, 768, 3072, true),
    ]

    static func run(threads: Int, repeats: Int) -> [String: Any] {
        var out: [String: Any] = ["openblas_core": BLASKernel.coreName, "own_backend": GEMMBackend.current.description]
        for workers in Set([1, threads]).sorted() {
            CLIPModel.setThreads(workers)
            var rows: [[String: Any]] = []
            for shape in shapes {
                let a = (0..<(shape.m * shape.k)).map { Float($0 % 13) * 0.01 - 0.06 }
                let b = (0..<(shape.k * shape.n)).map { Float($0 % 7) * 0.01 - 0.03 }
                var c = [Float](repeating: 0, count: shape.m * shape.n)
                let flops = 2.0 * Double(shape.m) * Double(shape.n) * Double(shape.k)
                var row: [String: Any] = ["shape": shape.name, "m": shape.m, "n": shape.n, "k": shape.k]
                let bf16 = sky_gemm_kernel_available(SKY_GEMM_AVX512_BF16) != 0
                let sides: [(String, Bool, Precision)] = [("openblas", true, .fp32), ("own", false, .fp32)]
                    + (bf16 ? [("own_bf16", false, .bf16)] : [])
                for (label, viaOpenBLAS, precision) in sides {
                    // Enough products per timing for ~0.1 s of work at 30 GFLOP/s, at least one.
                    let count = max(1, Int(3e9 / flops))
                    GEMMBackend.multiply(a, b, m: shape.m, n: shape.n, k: shape.k, transposedB: shape.transB, into: &c,
                                         viaOpenBLAS: viaOpenBLAS, precision: precision)
                    var wall: [Double] = [], cpu: [Double] = []
                    for _ in 0..<repeats {
                        let cpuStart = LimitsBench.processCPU(), start = BenchClock.now()
                        for _ in 0..<count {
                            GEMMBackend.multiply(a, b, m: shape.m, n: shape.n, k: shape.k, transposedB: shape.transB,
                                                 into: &c, viaOpenBLAS: viaOpenBLAS, precision: precision)
                        }
                        wall.append(BenchClock.now() - start)
                        cpu.append(LimitsBench.processCPU() - cpuStart)
                    }
                    row["\(label)_gflops"] = flops * Double(count) / BenchClock.median(wall) / 1e9
                    row["\(label)_gflops_per_cpu_s"] = flops * Double(count) / BenchClock.median(cpu) / 1e9
                }
                rows.append(row)
            }
            out["threads_\(workers)"] = rows
        }
        return out
    }
}
