import CSkyKernels
import Foundation
import SkyConcurrency

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
    private let packed: LazyPackedFilters?

    init(_ weight: Weights, rows: Int, depth: Int, kernel: sky_gemm_kernel?) {
        precondition(weight.count >= rows * depth)
        self.weight = weight
        self.rows = rows
        self.depth = depth
        self.kernel = kernel
        packed = PackedWeights.enabled && rows > 0 && depth > 0 ? kernel.map { LazyPackedFilters(weight, rows: rows, depth: depth, kernel: $0) } : nil
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
        let runOne = { (i0: Int, m: Int, j0: Int, cols: Int) in
            let done = sky_sgemm_packed_a(kernel, Int32(m), Int32(cols), Int32(depth), 1, panels.start, Int32(rows), Int32(i0),
                                          0, b + j0, Int32(ldb), beta, c + i0 * ldc + j0, Int32(ldc))
            if done == 0 {  // out of memory for the scratch panel: the unpacked product needs none of this
                Kernels.gemm(kernel, m: m, n: cols, k: depth, a: weight.pointer + i0 * depth, lda: depth, b: b + j0, ldb: ldb,
                             beta: beta, c: c + i0 * ldc + j0, ldc: ldc)
            }
        }
        let workers = rows * n * depth < Kernels.parallelGEMMThreshold ? 1 : Kernels.gemmThreads
        let tile = Int(sky_gemm_kernel_rows(kernel))
        // Disjoint blocks of C; `concurrentPerform` returns when all are done, so the sharing is race-free.
        nonisolated(unsafe) let single = runOne
        if workers > 1, n >= 64 * workers {
            let columnPanels = (n + 15) / 16
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let j0 = columnPanels * worker / workers * 16, j1 = min(n, columnPanels * (worker + 1) / workers * 16)
                if j1 > j0 { single(0, rows, j0, j1 - j0) }
            }
        } else if workers > 1, rows >= 2 * tile * workers {
            let rowPanels = (rows + tile - 1) / tile
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let i0 = rowPanels * worker / workers * tile, i1 = min(rows, rowPanels * (worker + 1) / workers * tile)
                if i1 > i0 { single(i0, i1 - i0, 0, n) }
            }
        } else {
            single(0, rows, 0, n)
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

/// Packs filters on their first product; concurrent first callers wait for the one packing.
final class LazyPackedFilters: Sendable {
    private let packed = Locked<PackedFilters?>(nil)
    private let weight: Weights
    private let rows: Int, depth: Int
    private let kernel: sky_gemm_kernel

    init(_ weight: Weights, rows: Int, depth: Int, kernel: sky_gemm_kernel) {
        self.weight = weight
        self.rows = rows
        self.depth = depth
        self.kernel = kernel
    }

    /// The packed filters, made now if this is the first use.
    var value: PackedFilters {
        packed.withLock { packed in
            if let packed { return packed }
            let made = PackedFilters(weight.pointer, rows: rows, depth: depth, kernel: kernel)
            packed = made
            return made
        }
    }
}
