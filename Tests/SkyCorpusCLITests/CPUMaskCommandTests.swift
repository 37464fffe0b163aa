import Foundation
import SkyCLIP
import SkyTestSupport
import Testing

/// The fallbacks as a user meets them, on the `skycorpus` binary run with `SKYCLIP_CPU_MASK` (the process-wide
/// GEMM selection is made once per process): without AVX-512 or with a kernel that fails its self-check the next
/// path runs, says why in exactly one stderr line and prints the same embeddings; without AVX512-BF16,
/// `--precision bf16` is refused with the flag to change and writes nothing to a corpus, while fp32 still works.
@Suite(.enabled(if: CommandRunner.available, "the skycorpus binary is not built"))
struct CPUMaskCommandTests {
    static let model = TestPaths.tinyCheckpoint
    static let images = (0..<2).map { TestPaths.package("Examples/dota/images/P900\($0).png").path }
    static let features = CPUFeatures.detected

    /// `encode --json --raw` of the two example images (and one text) with `mask`: the vectors and the
    /// `SkyCLIP:` lines of stderr.
    static func encode(mask: String?, precision: String = "fp32") throws -> (vectors: [[Float]], lines: [String], result: CommandRunner.Result) {
        var vectors: [[Float]] = []
        var lines: [String] = []
        var last: CommandRunner.Result?
        for inputs in [images.flatMap { ["--image", $0] }, ["--text", "a harbour with boats"]] {
            let result = try CommandRunner.run(["encode", "--model", model, "--json", "--raw", "--precision", precision] + inputs,
                                               environment: mask.map { [CPUFeatures.maskVariable: $0] } ?? [:])
            last = result
            lines += result.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("SkyCLIP:") }
            guard result.status == 0 else { return ([], lines, result) }
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let items = try #require(object?["items"] as? [[String: Any]])
            vectors += items.map { ($0["embedding"] as? [NSNumber] ?? []).map(\.floatValue) }
        }
        return (vectors, lines, last!)
    }

    /// Largest difference between matching vectors relative to the reference vector's largest magnitude.
    static func relativeDifference(_ a: [[Float]], _ b: [[Float]]) -> Double {
        zip(a, b).map { x, y in
            let scale = Double(y.map { abs($0) }.max() ?? 0) + 1e-30
            return zip(x, y).map { Double(abs($0 - $1)) / scale }.max() ?? 0
        }.max() ?? .infinity
    }

    @Test(.enabled(if: features.present.isSuperset(of: [.avx2, .avx512]), "needs AVX2 and AVX-512 to mask"))
    func withoutAVX512OrWithABrokenKernelTheNextPathRunsWithOneLine() throws {
        let best = try Self.encode(mask: nil)
        #expect(best.result.status == 0 && best.lines.isEmpty, "\(best.result.stderr)")
        #expect(best.vectors.count == 3 && best.vectors.allSatisfy { $0.count == 16 })
        let cases = [
            ("avx512", "SkyCLIP: using own AVX2+FMA 6x16 GEMM (AVX-512F 8x16: AVX-512F hidden by SKYCLIP_CPU_MASK)"),
            ("avx2", "SkyCLIP: using OpenBLAS "),
            ("broken-avx512", "SkyCLIP: using own AVX2+FMA 6x16 GEMM (AVX-512F 8x16: failed its self-check (error "),
        ]
        for (mask, start) in cases {
            let run = try Self.encode(mask: mask)
            #expect(run.result.status == 0, "\(mask): \(run.result.stderr)")
            // Once per process: one line for the image run and one for the text run.
            #expect(run.lines.count == 2 && run.lines.allSatisfy { $0.hasPrefix(start) }, "\(mask): \(run.lines)")
            #expect(run.vectors.count == best.vectors.count)
            let difference = Self.relativeDifference(run.vectors, best.vectors)
            #expect(difference < 1e-5, "\(mask): relative difference \(difference) from the AVX-512 path")
        }
    }

    @Test(.enabled(if: features.present.contains(.avx512bf16), "needs AVX512-BF16 to mask"))
    func bf16WithoutAVX512BF16IsRefusedWithTheFlagAndWritesNothing() throws {
        let refused = try Self.encode(mask: "avx512bf16", precision: "bf16")
        #expect(refused.result.status == 1 && refused.vectors.isEmpty)
        #expect(refused.result.stderr.contains("skycorpus: error: precision bf16 is not available: AVX512-BF16 is hidden by "
                                               + "SKYCLIP_CPU_MASK (pass --precision fp32"), "\(refused.result.stderr)")
        let broken = try Self.encode(mask: "broken-avx512bf16", precision: "bf16")
        #expect(broken.result.status == 1 && broken.result.stderr.contains("the bf16 kernel failed its self-check")
                && broken.result.stderr.contains("--precision fp32"), "\(broken.result.stderr)")

        // embed: refused before anything is written; fp32 under the same mask embeds as usual.
        let folder = try TemporaryFolder("cpu-mask-embed")
        let corpus = try StoredPrecisionCommandTests.corpus(folder)
        let masked = [CPUFeatures.maskVariable: "avx512bf16"]
        let embed = ["embed", "--model", Self.model, "--corpus", corpus, "--what", "images", "--quiet"]
        let before = try CommandRunner.run(["stats", "--corpus", corpus, "--json"]).stdout
        let bf16 = try CommandRunner.run(embed + ["--precision", "bf16"], environment: masked)
        #expect(bf16.status == 1 && bf16.stderr.contains("AVX512-BF16 is hidden") && bf16.stderr.contains("--precision fp32"),
                "\(bf16.stderr)")
        #expect(try CommandRunner.run(["stats", "--corpus", corpus, "--json"]).stdout == before)
        let fp32 = try CommandRunner.run(embed, environment: masked)
        #expect(fp32.status == 0 && fp32.stdout.contains(", fp32]: 2 new images"), "\(fp32.stdout) \(fp32.stderr)")
    }
}
