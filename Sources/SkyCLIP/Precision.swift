/// The arithmetic of a model's weight products (linear layers and convolutions).
///
/// `fp32` is float32 throughout (the parity tests hold it to cosine >= 0.99999 against open_clip). `bf16` is
/// opt-in: on a CPU with AVX512-BF16, each weight product rounds its two operands to bfloat16 (weights once, when
/// a layer is first used; activations per product) and accumulates in float32 with `vdpbf16ps`, twice the
/// float32 FMA rate; attention scores and their weighted sums, LayerNorm, activations and everything outside
/// the products stay float32. Without AVX512-BF16, asking for `bf16` is an error (`CLIPError.unsupportedPrecision`),
/// never a silent fp32 run (`SKYCLIP_CPU_MASK=avx512bf16` shows that refusal on any CPU; see `CPUFeatures`).
/// The raw value is the CLI spelling (`--precision`).
public enum Precision: String, Sendable, Codable, CaseIterable {
    case fp32
    case bf16

    /// The precision used when none is asked for.
    public static let defaultValue: Precision = .fp32
}

extension Precision {
    /// Checks that this CPU runs the precision, without loading a model: bf16 needs AVX512-BF16 and a passing
    /// self-check of the bf16 kernel. Throws the error loading a model at this precision would throw.
    public func checkAvailable() throws(CLIPError) {
        _ = try GEMMEngine.make(self)
    }
}
