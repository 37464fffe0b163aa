import CSkyBLAS
import Foundation

/// Lets a tower spread independent GEMMs over its own threads, with OpenBLAS single-threaded meanwhile.
///
/// Many mid-sized GEMMs each split over OpenBLAS's threads scale poorly: between calls OpenBLAS's idle workers
/// spin with `sched_yield` (in perf, a third of the time of a 2-thread ResNet run was kernel time) and fight
/// the threads that run the work between the GEMMs. Whole images on separate threads need no synchronisation.
/// OpenBLAS's thread count is process-wide (0.3.21 has no per-call setting), so it is lowered to 1 for the
/// duration and the configured count is restored when the last overlapping caller leaves; a tower running
/// concurrently meanwhile gets single-threaded GEMMs (slower, never wrong).
enum BLASThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var configured = 1

    /// OpenBLAS's thread count right now.
    static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with the configured thread count as its argument while OpenBLAS runs single-threaded.
    static func withSingleThreadedBLAS<R>(_ body: (Int) -> R) -> R {
        let threads = lock.withLock { () -> Int in
            if depth == 0 {
                configured = Int(openblas_get_num_threads())
                openblas_set_num_threads(1)
            }
            depth += 1
            return configured
        }
        defer {
            lock.withLock {
                depth -= 1
                if depth == 0 { openblas_set_num_threads(Int32(configured)) }
            }
        }
        return body(threads)
    }
}
