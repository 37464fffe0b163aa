import CSkyKernels
import Foundation

/// The instruction-set features SkyCLIP's kernels use on this CPU, less any hidden for testing, and the kernels
/// made to fail their self-check for testing.
///
/// `SKYCLIP_CPU_MASK`, read once per process (`current`), exercises the fallback paths on a CPU that has every
/// feature: a comma-separated list of `avx2`, `avx512`, `avx512bf16` hides those features (a hidden feature also
/// hides the ones built on it: `avx2` hides AVX-512 and `avx512` hides AVX512-BF16, as no real CPU has one
/// without the other), and `broken-avx2`, `broken-avx512`, `broken-avx512bf16` make the kernel on that feature
/// fail its start-up self-check (its check runs the deliberately wrong kernel, so the failure is a real one).
/// Example: `SKYCLIP_CPU_MASK=avx512 skycorpus encode ...` runs the AVX2 path and says so in one stderr line.
/// Unknown items are ignored with one stderr line. Tests that need another mask in-process pass a
/// `CPUFeatures` value to `GEMMBackend.select` and `GEMMEngine.make` instead.
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
    /// A feature a SkyCLIP kernel needs; the raw value is the `SKYCLIP_CPU_MASK` spelling.
    public enum Feature: String, Sendable, CaseIterable, Comparable {
        case avx2
        case avx512
        case avx512bf16

        /// The name in messages.
        var name: String {
            switch self {
            case .avx2: "AVX2+FMA"
            case .avx512: "AVX-512F"
            case .avx512bf16: "AVX512-BF16"
            }
        }

        public static func < (lhs: Feature, rhs: Feature) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The environment variable of the mask.
    public static let maskVariable = "SKYCLIP_CPU_MASK"

    /// Features the CPU has and the mask does not hide.
    public private(set) var present: Set<Feature>
    /// Features the CPU has that the mask hides.
    public private(set) var hidden: Set<Feature> = []
    /// Features whose kernel is made to fail its self-check.
    public private(set) var broken: Set<Feature> = []

    /// What the CPU reports (cpuid), nothing hidden.
    public static let detected: CPUFeatures = {
        let cpu = sky_cpu_detect()
        var present: Set<Feature> = []
        if cpu.avx2_fma != 0 { present.insert(.avx2) }
        if cpu.avx512f != 0 { present.insert(.avx512) }
        if sky_gemm_kernel_available(SKY_GEMM_AVX512_BF16) != 0 { present.insert(.avx512bf16) }
        return CPUFeatures(present: present)
    }()

    /// The features this process uses: `detected` with `SKYCLIP_CPU_MASK` applied (an unknown item: one stderr line).
    public static let current: CPUFeatures = {
        guard let mask = ProcessInfo.processInfo.environment[maskVariable], !mask.isEmpty else { return detected }
        let (features, unknown) = detected.masked(mask)
        if !unknown.isEmpty {
            let known = (Feature.allCases.map(\.rawValue) + Feature.allCases.map { "broken-\($0.rawValue)" }).joined(separator: ", ")
            FileHandle.standardError.write(Data(
                "SkyCLIP: \(maskVariable): ignored \(unknown.map { "'\($0)'" }.joined(separator: ", ")) (items: \(known))\n".utf8))
        }
        return features
    }()

    /// These features with `hiding` hidden (and the features built on them).
    public func hiding(_ features: Feature...) -> CPUFeatures {
        var result = self
        for feature in features {
            for above in Feature.allCases where above >= feature && result.present.contains(above) {
                result.present.remove(above)
                result.hidden.insert(above)
            }
        }
        return result
    }

    /// These features with the kernels on `features` made to fail their self-check.
    public func breaking(_ features: Feature...) -> CPUFeatures {
        var result = self
        result.broken.formUnion(features)
        return result
    }

    /// These features with a `SKYCLIP_CPU_MASK` value applied, and the items it did not recognise.
    public func masked(_ mask: String) -> (features: CPUFeatures, unknown: [String]) {
        var result = self, unknown: [String] = []
        for item in mask.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !item.isEmpty {
            if let feature = Feature(rawValue: item) {
                result = result.hiding(feature)
            } else if item.hasPrefix("broken-"), let feature = Feature(rawValue: String(item.dropFirst(7))) {
                result = result.breaking(feature)
            } else {
                unknown.append(item)
            }
        }
        return (result, unknown)
    }

    /// The feature `kernel` needs (nil: the portable kernel, which needs none).
    static func feature(of kernel: sky_gemm_kernel) -> Feature? {
        switch kernel {
        case SKY_GEMM_AVX2, SKY_GEMM_BROKEN_FOR_TESTS: .avx2
        case SKY_GEMM_AVX512: .avx512
        case SKY_GEMM_AVX512_BF16: .avx512bf16
        default: nil
        }
    }

    /// Whether `kernel` may run: the CPU has what it needs and the mask does not hide it.
    func runs(_ kernel: sky_gemm_kernel) -> Bool {
        guard sky_gemm_kernel_available(kernel) != 0 else { return false }
        return Self.feature(of: kernel).map(present.contains) ?? true
    }

    /// Whether `kernel`'s self-check is made to fail.
    func breaks(_ kernel: sky_gemm_kernel) -> Bool {
        Self.feature(of: kernel).map(broken.contains) ?? false
    }

    /// Why `kernel` may not run: hidden by the mask, or missing from the CPU.
    func whyNot(_ kernel: sky_gemm_kernel) -> String {
        if let feature = Self.feature(of: kernel), hidden.contains(feature) {
            return "\(feature.name) hidden by \(Self.maskVariable)"
        }
        return "not supported by this CPU"
    }

    public var description: String {
        var parts = present.sorted().map(\.rawValue)
        if !hidden.isEmpty { parts.append("hidden: " + hidden.sorted().map(\.rawValue).joined(separator: ",")) }
        if !broken.isEmpty { parts.append("broken: " + broken.sorted().map(\.rawValue).joined(separator: ",")) }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}
