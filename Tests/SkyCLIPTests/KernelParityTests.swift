import CSkyKernels
import Foundation
import Testing
@testable import SkyCLIP

/// The committed random open_clip models run on every GEMM path this CPU has (AVX-512, AVX2, the portable C
/// kernel, OpenBLAS) and at bf16 where AVX512-BF16 is present: each path matches open_clip, and the float32
/// paths match each other.
@Suite struct KernelParityTests {
    /// Every float32 path available here: the own kernels, then OpenBLAS (nil).
    static let paths: [sky_gemm_kernel?] =
        [SKY_GEMM_AVX512, SKY_GEMM_AVX2, SKY_GEMM_SCALAR].filter { sky_gemm_kernel_available($0) != 0 } + [nil]

    static func encode(_ fixture: ModelFixture, engine: GEMMEngine) throws -> (images: [[Float]], texts: [[Float]]) {
        let checkpoint = try Checkpoint(path: fixture.path("safetensors"))
        let model = try CLIPModel(checkpoint: checkpoint, override: fixture.override, engine: engine)
        return (try model.encodeImages(fixture.images, count: fixture.imageCount), try model.encodeTokens(fixture.tokens))
    }

    @Test(arguments: ModelParityTests.names)
    func everyFloat32PathMatchesOpenClipAndTheOthers(name: String) throws {
        let fixture = try ModelFixture(name)
        var first: (images: [[Float]], texts: [[Float]])?
        for kernel in Self.paths {
            let label = kernel.map { "kernel \($0.rawValue)" } ?? "OpenBLAS"
            let out = try Self.encode(fixture, engine: try GEMMEngine.make(.fp32, kernel: kernel))
            for (actual, expected) in zip(out.images + out.texts, fixture.imageFeatures + fixture.textFeatures) {
                let result = compare(actual, expected)
                #expect(result.relative < 1e-4 && result.cosine > 0.99999, "\(name) \(label): \(result)")
            }
            if let first {
                for (actual, expected) in zip(out.images + out.texts, first.images + first.texts) {
                    let result = compare(actual, expected)
                    #expect(result.relative < 1e-5, "\(name) \(label) vs \(Self.paths[0].map { "\($0.rawValue)" } ?? "OpenBLAS"): \(result)")
                }
            } else {
                first = out
            }
        }
    }

    /// bf16 weight products stay within cosine 0.999 of open_clip's float32 embeddings (and are not simply the
    /// float32 result); without AVX512-BF16 asking for bf16 is a clear error.
    @Test(arguments: ModelParityTests.names)
    func bf16IsCloseOrRefused(name: String) throws {
        let fixture = try ModelFixture(name)
        guard sky_gemm_kernel_available(SKY_GEMM_AVX512_BF16) != 0 else {
            #expect(throws: CLIPError.self) { try GEMMEngine.make(.bf16) }
            return
        }
        let engine = try GEMMEngine.make(.bf16)
        #expect(engine.weightKernel == SKY_GEMM_AVX512_BF16 && engine.precision == .bf16)
        let out = try Self.encode(fixture, engine: engine)
        var worst = 1.0, largest = 0.0
        for (actual, expected) in zip(out.images + out.texts, fixture.imageFeatures + fixture.textFeatures) {
            let result = compare(actual, expected)
            worst = min(worst, result.cosine)
            largest = max(largest, result.relative)
        }
        #expect(worst >= 0.999, "\(name) bf16: worst cosine \(worst)")
        #expect(largest > 1e-6, "\(name) bf16 equals float32 (relative \(largest)): the bf16 kernel did not run")
    }
}
