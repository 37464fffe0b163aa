#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSkyCodecs

/// Which implementation of a convolution pass runs (all give the same bytes; tests compare them).
enum PillowKernelPath: CaseIterable {
    /// The C kernel at the best level the CPU offers (AVX2 on x86-64).
    case best
    /// The C kernel's portable code.
    case portable
    /// The Swift passes (PillowResampleScalar.swift).
    case scalar

    var level: csky_resample_level? {
        switch self {
        case .best: CSKY_RESAMPLE_BEST
        case .portable: CSKY_RESAMPLE_PORTABLE
        case .scalar: nil
        }
    }
}

/// Pillow's per-output-pixel kernel table for one axis (`precompute_coeffs` and `normalize_coeffs_8bpc`).
///
/// Immutable once built, so one table is shared by every thread that resizes between the same sizes.
final class PillowKernelTable: Sendable {
    /// The first input index each output pixel reads.
    let firsts: [Int]
    /// How many input pixels each output pixel reads.
    let counts: [Int]
    /// Fixed-point weights, `stride` per output pixel.
    let weights: [Int32]
    /// Weights reserved per output pixel (Pillow's `ksize`).
    let stride: Int
    /// `firsts` and `counts` as the C kernels take them.
    private let firsts32: [Int32], counts32: [Int32]
    /// Each weight split as `high * 2^15 + low` with `0 <= low < 2^15`, for 16-bit multiply-adds.
    private let high: [Int16], low: [Int16]
    /// Whether every weight splits that way (`|w| < 2^30`); else only the scalar passes may run.
    let splits: Bool

    init(inputSize: Int, outputSize: Int, filter: PillowFilter) {
        // Pillow computes the box end as a C float; a full box is exact for any realistic size.
        let scale = Double(Float(inputSize)) / Double(outputSize)
        let filterScale = max(scale, 1.0)
        let support = filter.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var firsts = [Int](repeating: 0, count: outputSize)
        var counts = [Int](repeating: 0, count: outputSize)
        var weights = [Int32](repeating: 0, count: outputSize * stride)
        let inverseScale = 1.0 / filterScale
        var kernel = [Double](repeating: 0, count: stride)
        let one = Double(1 << PillowResample.precisionBits)
        for output in 0..<outputSize {
            let center = (Double(output) + 0.5) * scale
            // C's (int) cast truncates toward zero; both ends are then clamped to the image.
            let first = max(Int(center - support + 0.5), 0)
            let count = min(Int(center + support + 0.5), inputSize) - first
            var total = 0.0
            for tap in 0..<max(count, 0) {
                let value = filter.weight((Double(tap + first) - center + 0.5) * inverseScale)
                kernel[tap] = value
                total += value
            }
            for tap in 0..<max(count, 0) {
                let normalized = total != 0.0 ? kernel[tap] / total : kernel[tap]
                // Round half away from zero, as Pillow's (int)(x +/- 0.5).
                let scaled = normalized * one
                weights[output * stride + tap] = Int32(normalized < 0 ? scaled - 0.5 : scaled + 0.5)
            }
            firsts[output] = first
            counts[output] = max(count, 0)
        }
        self.stride = stride
        self.firsts = firsts
        self.counts = counts
        self.weights = weights
        firsts32 = firsts.map { Int32(clamping: $0) }
        counts32 = counts.map { Int32(clamping: $0) }
        // Normalised weights stay within a few times 2^22, so the high half fits 16 bits with room to spare;
        // a degenerate kernel (a near-zero total) could in principle exceed it, and is left to the scalar path.
        splits = weights.allSatisfy { $0 >= -(1 << 30) && $0 < 1 << 30 }
        high = weights.map { Int16(truncatingIfNeeded: $0 >> 15) }
        low = weights.map { Int16(truncatingIfNeeded: $0 & 0x7FFF) }
    }

    /// The number of weights held (what the cache budgets by).
    var weightCount: Int { weights.count }

    /// Calls `body` with the table as the C kernels read it (valid only inside `body`).
    func withAxis<Result>(_ body: (UnsafePointer<csky_resample_axis>) -> Result) -> Result {
        firsts32.withUnsafeBufferPointer { firsts in
            counts32.withUnsafeBufferPointer { counts in
                high.withUnsafeBufferPointer { high in
                    low.withUnsafeBufferPointer { low in
                        var axis = csky_resample_axis(firsts: firsts.baseAddress, counts: counts.baseAddress,
                                                      high: high.baseAddress, low: low.baseAddress,
                                                      stride: stride, outputs: firsts.count)
                        return withUnsafePointer(to: &axis) { body($0) }
                    }
                }
            }
        }
    }
}

/// Kernel tables by (input size, output size, filter), so that a batch of same-sized images computes
/// each table's sines once. Bounded by total weights; when full it starts over (sizes repeat in batches).
final class PillowKernelCache: @unchecked Sendable {
    /// The process-wide cache the resampler uses.
    static let shared = PillowKernelCache()

    private struct Key: Hashable {
        var inputSize: Int, outputSize: Int, filter: PillowFilter
    }

    /// At most this many weights (4 x 2 + 8 bytes each with the split copies) are kept: about 16 MB.
    private let weightBudget: Int
    private var tables: [Key: PillowKernelTable] = [:]
    private var heldWeights = 0
    // pthread rather than Foundation's NSLock: SkyImaging depends on nothing but the C codecs.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(weightBudget: Int = 1 << 20) {
        self.weightBudget = weightBudget
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The table for one axis, built on first use (outside the lock: two threads may both build it).
    func table(inputSize: Int, outputSize: Int, filter: PillowFilter) -> PillowKernelTable {
        let key = Key(inputSize: inputSize, outputSize: outputSize, filter: filter)
        if let found = locked({ tables[key] }) { return found }
        let built = PillowKernelTable(inputSize: inputSize, outputSize: outputSize, filter: filter)
        // A table larger than the whole budget is used once and not kept.
        guard built.weightCount <= weightBudget else { return built }
        locked {
            if heldWeights + built.weightCount > weightBudget {
                tables.removeAll()
                heldWeights = 0
            }
            if tables.updateValue(built, forKey: key) == nil { heldWeights += built.weightCount }
        }
        return built
    }

    /// How many tables are held (for tests).
    var count: Int { locked { tables.count } }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
