import CSkyBLAS
import Foundation

/// Splits work over the cores with OpenBLAS single-threaded meanwhile, so that each thread's BLAS call runs on its
/// own core instead of every call fanning out over OpenBLAS's (spinning) pool.
///
/// OpenBLAS 0.3.21's thread count is process-wide: it is lowered to 1 while any parallel section runs and the count
/// found on entry is restored when the last overlapping section leaves. (SkyCLIP's `BLASThreads` does the same for
/// its towers; a section of each overlapping is slower, never wrong.)
enum Parallel {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var configured = 1

    /// Threads worth using on this machine.
    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Threads for `work` multiply-adds: one below about 4 million (thread start-up would dominate).
    static func threads(forWork work: Int, limit: Int? = nil) -> Int {
        let wanted = min(cores, max(1, work / (1 << 22)))
        return min(wanted, limit ?? wanted)
    }

    /// Runs `body(part)` for `parts` parts on up to that many threads, BLAS single-threaded meanwhile.
    static func forEach(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            if parts == 1 { body(0) }
            return
        }
        lock.withLock {
            if depth == 0 {
                configured = Int(openblas_get_num_threads())
                openblas_set_num_threads(1)
            }
            depth += 1
        }
        defer {
            lock.withLock {
                depth -= 1
                if depth == 0 { openblas_set_num_threads(Int32(configured)) }
            }
        }
        // The parts are disjoint and concurrentPerform returns when all are done, so sharing the non-Sendable body
        // (and what it captures) across the threads is race-free.
        nonisolated(unsafe) let shared = body
        DispatchQueue.concurrentPerform(iterations: parts) { shared($0) }
    }

    /// `body(part)` results for `parts` parts, in part order.
    static func map<T>(parts: Int, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots  // each part writes only its own slot
            forEach(parts: parts) { part in slots[part] = body(part) }
        }
        return results.map { $0! }
    }
}
