#if canImport(Glibc)
import Glibc
#endif

/// Monotonic wall-clock timing for the benchmarks.
enum BenchClock {
    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Runs `body` `repeats` times and returns each run's seconds.
    static func measure(repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = now()
            try body()
            times.append(now() - start)
        }
        return times
    }

    /// The median of some timings.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
