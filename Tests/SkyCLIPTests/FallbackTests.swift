import CSkyKernels
import Testing
@testable import SkyCLIP

/// The fallbacks of issue #16's bad-input rule, run on a CPU that has every feature by masking features
/// (`CPUFeatures.hiding`) or breaking a kernel's self-check (`CPUFeatures.breaking`), as `SKYCLIP_CPU_MASK` does
/// for a whole process: the next path is chosen with one line that says why, its embeddings equal the AVX-512
/// path's within the parity tolerance, and bf16 is refused rather than run wrong.
@Suite struct FallbackTests {
    static let detected = CPUFeatures.detected

    /// The committed fixture's embeddings with float32 products on `kernel` (nil: OpenBLAS).
    static func embeddings(_ fixture: ModelFixture, kernel: sky_gemm_kernel?) throws -> [[Float]] {
        let out = try KernelParityTests.encode(fixture, engine: try GEMMEngine.make(.fp32, kernel: kernel))
        return out.images + out.texts
    }

    /// `selection`'s path gives the reference path's embeddings (relative 1e-5) and open_clip's (cosine 0.99999).
    static func expectSameEmbeddings(_ selection: GEMMBackend.Selection, as reference: sky_gemm_kernel?) throws {
        for name in ModelParityTests.names {
            let fixture = try ModelFixture(name)
            let fallback = try embeddings(fixture, kernel: selection.kernel)
            let best = try embeddings(fixture, kernel: reference)
            for (index, (actual, expected)) in zip(fallback, best).enumerated() {
                let result = compare(actual, expected)
                #expect(result.relative < 1e-5, "\(name) item \(index) on \(selection.backend): \(result)")
            }
            for (actual, expected) in zip(fallback, fixture.imageFeatures + fixture.textFeatures) {
                #expect(compare(actual, expected).cosine > 0.99999, "\(name) on \(selection.backend) vs open_clip")
            }
        }
    }

    @Test func theMaskIsParsedWithTheFeaturesBuiltOnAHiddenOne() {
        let all = CPUFeatures.detected
        let (masked, unknown) = all.masked(" AVX512 ,broken-avx2,bogus,broken-sse")
        #expect(unknown == ["bogus", "broken-sse"])
        #expect(!masked.present.contains(.avx512) && !masked.present.contains(.avx512bf16))
        #expect(masked.present.contains(.avx2) == all.present.contains(.avx2))
        #expect(masked.broken == [.avx2])
        #expect(masked.hidden == all.present.intersection([.avx512, .avx512bf16]))
        #expect(all.hiding(.avx2).present.isEmpty && all.masked("").features == all)
        #expect(!masked.runs(SKY_GEMM_AVX512) && !masked.runs(SKY_GEMM_AVX512_BF16) && masked.runs(SKY_GEMM_SCALAR))
    }

    @Test(.enabled(if: detected.present.isSuperset(of: [.avx2, .avx512]), "needs AVX2 and AVX-512 to mask"))
    func withoutAVX512TheAVX2KernelRunsWithOneLineAndTheSameEmbeddings() throws {
        let (selection, line) = GEMMBackend.select(features: Self.detected.hiding(.avx512))
        #expect(selection.kernel == SKY_GEMM_AVX2, "\(selection.backend)")
        #expect(line == "SkyCLIP: using own AVX2+FMA 6x16 GEMM (AVX-512F 8x16: AVX-512F hidden by SKYCLIP_CPU_MASK)")
        #expect(GEMMBackend.select(features: Self.detected).line == nil)
        try Self.expectSameEmbeddings(selection, as: SKY_GEMM_AVX512)
    }

    @Test(.enabled(if: detected.present.contains(.avx512), "needs AVX-512 to compare with"))
    func withoutAVX2OpenBLASRunsWithOneLineAndTheSameEmbeddings() throws {
        let (selection, line) = GEMMBackend.select(features: Self.detected.hiding(.avx2))
        #expect(selection.kernel == nil, "\(selection.backend)")
        let expected = "SkyCLIP: using OpenBLAS \(BLASKernel.coreName) (AVX-512F 8x16: AVX-512F hidden by SKYCLIP_CPU_MASK; "
            + "AVX2+FMA 6x16: AVX2+FMA hidden by SKYCLIP_CPU_MASK)"
        #expect(line == expected)
        try Self.expectSameEmbeddings(selection, as: SKY_GEMM_AVX512)
    }

    @Test(.enabled(if: detected.present.isSuperset(of: [.avx2, .avx512]), "needs AVX2 and AVX-512"))
    func aKernelThatFailsItsSelfCheckIsSkippedWithOneLine() throws {
        let (selection, line) = GEMMBackend.select(features: Self.detected.breaking(.avx512))
        #expect(selection.kernel == SKY_GEMM_AVX2, "\(selection.backend)")
        let text = try #require(line)
        #expect(text.hasPrefix("SkyCLIP: using own AVX2+FMA 6x16 GEMM (AVX-512F 8x16: failed its self-check (error "), "\(text)")
        try Self.expectSameEmbeddings(selection, as: SKY_GEMM_AVX512)
        // Both own kernels broken: OpenBLAS, each named with its failure; a forced broken kernel falls back too.
        let none = GEMMBackend.select(features: Self.detected.breaking(.avx512, .avx2), forced: "avx2")
        #expect(none.selection.kernel == nil)
        #expect(none.line?.components(separatedBy: "failed its self-check").count == 3, "\(none.line ?? "")")
        // The real kernels still pass: the failure came from the injected check, not from a cached result.
        #expect(GEMMBackend.usable(SKY_GEMM_AVX512).passed && GEMMBackend.usable(SKY_GEMM_AVX2).passed)
    }

    @Test(.enabled(if: detected.present.contains(.avx512bf16), "needs AVX512-BF16 to mask"))
    func bf16IsRefusedWithoutAVX512BF16OrWithABrokenKernelAndFp32StillRuns() throws {
        let kernel = GEMMBackend.selection.kernel
        for (features, reason) in [(Self.detected.hiding(.avx512bf16), "AVX512-BF16 is hidden by SKYCLIP_CPU_MASK"),
                                   (Self.detected.hiding(.avx512), "AVX512-BF16 is hidden by SKYCLIP_CPU_MASK")] {
            #expect(throws: CLIPError.unsupportedPrecision(.bf16, reason: reason)) {
                try GEMMEngine.make(.bf16, kernel: kernel, features: features)
            }
            #expect(try GEMMEngine.make(.fp32, kernel: kernel, features: features).weightKernel == kernel)
        }
        do {
            _ = try GEMMEngine.make(.bf16, kernel: kernel, features: Self.detected.breaking(.avx512bf16))
            Issue.record("a bf16 kernel that fails its self-check was used")
        } catch {
            #expect("\(error)".hasPrefix("precision bf16 is not available: the bf16 kernel failed its self-check (error "), "\(error)")
        }
        #expect(try GEMMEngine.make(.bf16, kernel: kernel, features: Self.detected).weightKernel == SKY_GEMM_AVX512_BF16)
    }
}
