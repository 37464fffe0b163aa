import CSkyKernels
import Foundation

/// A layer's weights that are a product's left operand, `[rows][depth]` (a convolution's `[out][in·k·k]`, or one
/// Winograd position's `[out][in]`), with the kernel of its products.
///
/// On an own kernel the filters are packed once, on their first product, into the kernel's row panels
/// (`sky_pack_a`; bf16 pairs for the bf16 kernel, rounded once), so no call repacks them; before this every
/// convolution re-packed (and at bf16 re-rounded) its filters on every call, once per 2048-column block
/// (Benchmarks/clip_results.md). `SKYCLIP_PREPACK=0` turns it off as for `PackedWeights`. The packed copy is owned
/// memory beside the folded float32 filters (half their bytes at bf16).
struct Filters: Sendable {
    let weight: Weights
    let rows: Int, depth: Int
    /// The kernel of the products (nil: OpenBLAS).
    let kernel: sky_gemm_kernel?
    private let packed: LazyPacked<PackedFilters>?

    init(_ weight: Weights, rows: Int, depth: Int, kernel: sky_gemm_kernel?) {
        precondition(weight.count >= rows * depth)
        self.weight = weight
        self.rows = rows
        self.depth = depth
        self.kernel = kernel
        packed = PackedWeights.enabled && rows > 0 && depth > 0
            ? kernel.map { kernel in LazyPacked { PackedFilters(weight.pointer, rows: rows, depth: depth, kernel: kernel) } } : nil
    }

    /// `c[rows × n] = W · b + beta · c` for `b` stored `depth × n` (row stride `ldb`), on `Kernels.gemmThreads`
    /// workers: columns split in multiples of 16 when there are enough, else rows in multiples of the tile rows
    /// (disjoint blocks of C, so the values do not depend on the split).
    func multiply(n: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard let packed, let kernel, n > 0 else {
            return Kernels.gemm(kernel, m: rows, n: n, k: depth, a: weight.pointer, lda: depth, b: b, ldb: ldb, beta: beta,
                                c: c, ldc: ldc)
        }
        let panels = packed.value, (rows, depth, weight) = (rows, depth, weight)
        Kernels.forEachBlock(m: rows, n: n, k: depth, tile: Int(sky_gemm_kernel_rows(kernel)), threads: Kernels.gemmThreads) { i0, m, j0, cols in
            let done = sky_sgemm_packed_a(kernel, Int32(m), Int32(cols), Int32(depth), 1, panels.start, Int32(rows), Int32(i0),
                                          0, b + j0, Int32(ldb), beta, c + i0 * ldc + j0, Int32(ldc))
            if done == 0 {  // out of memory for the scratch panel: the unpacked product needs none of this
                Kernels.gemm(kernel, m: m, n: cols, k: depth, a: weight.pointer + i0 * depth, lda: depth, b: b + j0, ldb: ldb,
                             beta: beta, c: c + i0 * ldc + j0, ldc: ldc)
            }
        }
    }
}

/// Filters packed into an own kernel's row panels (`sky_pack_a`), owned memory.
final class PackedFilters: @unchecked Sendable {
    // Written once in init, then only read.
    private let storage: UnsafeMutableRawPointer
    let start: UnsafePointer<Float>

    init(_ weight: UnsafePointer<Float>, rows: Int, depth: Int, kernel: sky_gemm_kernel) {
        storage = .allocate(byteCount: sky_packed_a_bytes(kernel, Int32(rows), Int32(depth)), alignment: 64)
        start = UnsafePointer(sky_pack_a(kernel, 0, Int32(rows), Int32(depth), weight, Int32(depth), storage))
    }

    deinit { storage.deallocate() }
}
