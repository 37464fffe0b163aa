import CSkyKernels
import Foundation
import SkyConcurrency

/// A weight matrix packed once, at load, into the own GEMM kernel's panel order, so the towers' products do
/// not repack their weights on every call (at batch 1 the packing cost as much as a third of a ViT product).
///
/// Made only when the layer's kernel is an own kernel (float32 panels, or bf16 pairs for the bf16 kernel: half
/// the bytes), on a layer's first product (`LazyPackedWeights`), so a
/// tower never used costs no memory; `SKYCLIP_PREPACK=0` turns it off (the products then pack per call, as
/// OpenBLAS does). The packed copy is owned memory beside the mapped checkpoint: a used tower's weights are
/// resident twice (ViT-B/32 image tower alone, batch 8: peak RSS 732 MiB, 410 MiB on OpenBLAS; clip_results.md).
final class PackedWeights: @unchecked Sendable {
    // Written once in init, then only read.
    private let storage: UnsafeMutableRawPointer
    let start: UnsafePointer<Float>
    /// op(B)'s columns (the layer's outputs) and depth (its inputs).
    let columns: Int, depth: Int

    /// The kernel whose layout the panels have (the bf16 kernel's differs from the float32 kernels').
    let kernel: sky_gemm_kernel

    /// Packs `weight` stored `[columns, depth]` (torch's `[out, in]`, used transposed) for `kernel`.
    init(transposed weight: UnsafePointer<Float>, columns: Int, depth: Int, kernel: sky_gemm_kernel) {
        let bytes = sky_packed_b_bytes(kernel, Int32(columns), Int32(depth))
        storage = .allocate(byteCount: bytes, alignment: 64)
        start = UnsafePointer(sky_pack_b(kernel, 1, Int32(columns), Int32(depth), weight, Int32(depth), storage))
        self.columns = columns
        self.depth = depth
        self.kernel = kernel
    }

    deinit { storage.deallocate() }

    /// Whether layers should pack their weights in this process (`SKYCLIP_PREPACK=0` turns it off).
    static let enabled: Bool = ProcessInfo.processInfo.environment["SKYCLIP_PREPACK"] != "0"

    /// A lazy packed form of a `[columns, depth]` weight for an own `kernel` when packing is on.
    static func make(_ weight: Weights, columns: Int, depth: Int, kernel: sky_gemm_kernel?) -> LazyPacked<PackedWeights>? {
        guard enabled, let kernel, columns > 0, depth > 0, weight.count >= columns * depth else { return nil }
        return LazyPacked { PackedWeights(transposed: weight.pointer, columns: columns, depth: depth, kernel: kernel) }
    }
}

/// A packed form of a layer's weights made on its first product; concurrent first callers wait for the one packing.
final class LazyPacked<Value: Sendable>: Sendable {
    private let made = Locked<Value?>(nil)
    private let make: @Sendable () -> Value

    init(_ make: @escaping @Sendable () -> Value) { self.make = make }

    /// The packed form, made now if this is the first use.
    var value: Value {
        made.withLock { made in
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }
}

extension Kernels {
    /// C[m×columns] = A·Wᵀ + beta·C with `packed` W on its kernel, on `threads` workers: columns split in
    /// multiples of 16 when there are enough, else rows in multiples of the tile rows (disjoint blocks of C, so
    /// the same values). Falls back to the unpacked product if the thread's scratch cannot be allocated.
    static func packedGEMM(m: Int, a: UnsafePointer<Float>, lda: Int, packed: PackedWeights,
                           unpacked: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let n = packed.columns, k = packed.depth, kernel = packed.kernel
        forEachBlock(m: m, n: n, k: k, tile: Int(sky_gemm_kernel_rows(kernel)), threads: threads) { i0, rows, j0, cols in
            let done = sky_sgemm_packed(kernel, 0, Int32(rows), Int32(cols), Int32(k), 1, a + i0 * lda, Int32(lda),
                                        packed.start, Int32(n), Int32(j0), beta, c + i0 * ldc + j0, Int32(ldc))
            if done == 0 {
                gemm(kernel, transB: true, m: rows, n: cols, k: k, a: a + i0 * lda, lda: lda, b: unpacked + j0 * k, ldb: k,
                     beta: beta, c: c + i0 * ldc + j0, ldc: ldc)
            }
        }
    }
}

extension Linear {
    /// `out = x·Wᵀ + beta·out` for `rows` rows (row stride `lda`), through the packed weights when there are.
    func product(_ x: UnsafePointer<Float>, lda: Int, rows: Int, beta: Float, into out: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        if let packed {
            Kernels.packedGEMM(m: rows, a: x, lda: lda, packed: packed.value, unpacked: weight.pointer, beta: beta,
                               c: out, ldc: outFeatures, threads: Kernels.gemmThreads)
        } else {
            Kernels.gemm(kernel, transB: true, m: rows, n: outFeatures, k: inFeatures, a: x, lda: lda, b: weight.pointer,
                         ldb: inFeatures, beta: beta, c: out, ldc: outFeatures)
        }
    }
}
