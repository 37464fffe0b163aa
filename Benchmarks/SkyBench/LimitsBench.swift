import CSkyBLAS
import CSkyKernels
import Foundation
import SkyCLIP
import SkyImaging

/// `skybench limits [--threads N] [--repeats N] [--only fma|gemm|decode|memory] [IMAGE...]`: the machine's limits
/// that bound SkyCorpus's throughput, as one JSON object.
///
/// - **fma**: the FP32 FMA peak, from inline-assembly loops of 12 independent `vfmadd231ps` chains (enough to
///   hide the FMA latency on two pipes) on xmm, ymm and (where present) zmm registers, 1 and N threads; and the
///   bf16 dot-product peak (`vdpbf16ps` on zmm, where AVX512-BF16 is present), the ceiling of `--precision bf16`. Each
///   figure is given by wall time and by each thread's own CPU time (`CLOCK_THREAD_CPUTIME_ID`): on a shared
///   machine the CPU-time figure is what a core does while it runs the loop, the wall figure what this process got.
/// - **gemm**: sgemm GFLOP/s of the OpenBLAS the package links (with the core type it selected) and of
///   SkyCLIP's own kernel, on a square product and the ViT-B/32 tower's shapes at batch 1, 8 and 32.
/// - **decode**: PNG and JPEG decode-only throughput (file bytes read before timing), 1 and N threads.
/// - **memory**: STREAM-style copy and triad bandwidth over 64 MiB arrays, 1 and N threads.
enum LimitsBench {
    static func run(_ arguments: [String]) throws {
        var threads = ProcessInfo.processInfo.activeProcessorCount, repeats = 5
        var only: String?, files: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--threads": index += 1; threads = Int(arguments[index]) ?? threads
            case "--repeats": index += 1; repeats = Int(arguments[index]) ?? repeats
            case "--only": index += 1; only = arguments[index]
            default: files.append(arguments[index])
            }
            index += 1
        }
        let features = sky_cpu_detect()
        var result: [String: Any] = [
            "threads": threads, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "avx2_fma": features.avx2_fma != 0, "avx512f": features.avx512f != 0, "avx512_bf16": features.avx512_bf16 != 0,
            "openblas_core": BLASKernel.coreName, "gemm_backend": GEMMBackend.current.description,
            "load_average_start": loadAverage(),
        ]
        if only == nil || only == "fma" { result["fma"] = fma(threads: threads, repeats: repeats) }
        if only == nil || only == "gemm" { result["gemm"] = LimitsGEMM.run(threads: threads, repeats: repeats) }
        if only == nil || only == "memory" { result["memory"] = memory(threads: threads, repeats: repeats) }
        if (only == nil || only == "decode") && !files.isEmpty {
            result["decode"] = try decode(files, threads: threads, repeats: repeats)
        }
        result["load_average_end"] = loadAverage()
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The 1-minute load average.
    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : -1
    }

    /// CPU seconds of the calling thread.
    static func threadCPU() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// CPU seconds of the whole process (all threads, user + system).
    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Runs `body(worker)` on `workers` threads at once, returning wall seconds and each worker's CPU seconds.
    static func concurrently(_ workers: Int, _ body: @escaping @Sendable (Int) -> Void) -> (wall: Double, cpu: [Double]) {
        final class Times: @unchecked Sendable {
            var cpu: [Double]
            let lock = NSLock()
            init(_ count: Int) { cpu = Array(repeating: 0, count: count) }
        }
        let times = Times(workers)
        let start = BenchClock.now()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let cpuStart = threadCPU()
            body(worker)
            let spent = threadCPU() - cpuStart
            times.lock.withLock { times.cpu[worker] = spent }
        }
        return (BenchClock.now() - start, times.cpu)
    }

    static func fma(threads: Int, repeats: Int) -> [String: Any] {
        var out: [String: Any] = [:]
        let loops: [(String, @Sendable (Int64) -> Double, Bool)] = [
            ("xmm128", { sky_fma_loop_128($0) }, sky_cpu_detect().avx2_fma != 0),
            ("ymm256", { sky_fma_loop_256($0) }, sky_cpu_detect().avx2_fma != 0),
            ("zmm512", { sky_fma_loop_512($0) }, sky_cpu_detect().avx512f != 0),
            ("bf16dot512", { sky_bf16_dot_loop_512($0) }, sky_cpu_detect().avx512_bf16 != 0),
        ]
        for (name, loop, available) in loops {
            guard available else { out[name] = "not supported by this CPU"; continue }
            var entry: [String: Any] = [:]
            for workers in Set([1, threads]).sorted() {
                var wall: [Double] = [], perCore: [Double] = []
                for _ in 0..<repeats {
                    let flops = loop(20_000_000)  // ~0.2 s of one core at 2.5 GHz for 256-bit
                    let run = concurrently(workers) { _ in _ = loop(20_000_000) }
                    wall.append(flops * Double(workers) / run.wall / 1e9)
                    perCore.append(run.cpu.map { flops / $0 / 1e9 }.reduce(0, +) / Double(workers))
                }
                entry["threads_\(workers)"] = [
                    "wall_gflops_median": BenchClock.median(wall), "wall_gflops_best": wall.max() ?? 0,
                    "per_core_cpu_gflops_median": BenchClock.median(perCore),
                    "peak_gflops_from_cpu_time": BenchClock.median(perCore) * Double(workers),
                ]
            }
            out[name] = entry
        }
        return out
    }

    static func memory(threads: Int, repeats: Int) -> [String: Any] {
        let count = 16 << 20  // 64 MiB per array, far beyond the 8 MiB L3
        let a = UnsafeMutablePointer<Float>.allocate(capacity: count), b = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        a.initialize(repeating: 0, count: count); b.initialize(repeating: 1, count: count); c.initialize(repeating: 2, count: count)
        nonisolated(unsafe) let (pa, pb, pc) = (a, b, c)
        var out: [String: Any] = [:]
        for workers in Set([1, threads]).sorted() {
            var copy: [Double] = [], triad: [Double] = []
            for _ in 0..<repeats {
                let split = { @Sendable (worker: Int) -> (Int, Int) in (count * worker / workers, count * (worker + 1) / workers - count * worker / workers) }
                let copyRun = concurrently(workers) { w in let (s, n) = split(w); sky_stream_copy(pa + s, pb + s, n) }
                copy.append(Double(2 * count * 4) / copyRun.wall / 1e9)
                let triadRun = concurrently(workers) { w in let (s, n) = split(w); sky_stream_triad(pa + s, pb + s, pc + s, 3, n) }
                triad.append(Double(3 * count * 4) / triadRun.wall / 1e9)
            }
            out["threads_\(workers)"] = [
                "copy_gb_s_median": BenchClock.median(copy), "copy_gb_s_best": copy.max() ?? 0,
                "triad_gb_s_median": BenchClock.median(triad), "triad_gb_s_best": triad.max() ?? 0,
            ]
        }
        out["method"] = "STREAM counting: copy moves 8 bytes per float (read + write), triad 12; 64 MiB arrays; wall time"
        return out
    }

    static func decode(_ files: [String], threads: Int, repeats: Int) throws -> [String: Any] {
        let decoder = ImageDecoder()
        var out: [String: Any] = [:]
        for format in [ImageFormat.png, .jpeg] {
            let inputs = try files.map { ($0, try FileBytes.read($0)) }.filter { ImageFormat.sniff($0.1) == format }
            guard !inputs.isEmpty else { continue }
            let bytes = inputs.reduce(0) { $0 + $1.1.count }
            var pixels = 0
            for (name, data) in inputs { let image = try decoder.decode(data, name: name); pixels += image.width * image.height }
            var entry: [String: Any] = ["files": inputs.count, "megapixels": Double(pixels) / 1e6, "file_mib": Double(bytes) / 1048576]
            for workers in Set([1, threads]).sorted() {
                var wall: [Double] = [], cpu: [Double] = []
                for _ in 0..<repeats {
                    let cpuStart = processCPU()
                    let run = concurrently(workers) { worker in
                        for index in stride(from: worker, to: inputs.count, by: workers) {
                            _ = try? decoder.decode(inputs[index].1, name: inputs[index].0)
                        }
                    }
                    wall.append(run.wall)
                    cpu.append(processCPU() - cpuStart)
                }
                let seconds = BenchClock.median(wall)
                entry["threads_\(workers)"] = [
                    "median_s": seconds, "megapixels_per_s": Double(pixels) / 1e6 / seconds,
                    "files_per_s": Double(inputs.count) / seconds, "input_mib_per_s": Double(bytes) / 1048576 / seconds,
                    "megapixels_per_cpu_s": Double(pixels) / 1e6 / BenchClock.median(cpu),
                ]
            }
            out[format == .png ? "png" : "jpeg"] = entry
        }
        return out
    }
}
