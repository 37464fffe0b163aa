import CSkyBLAS

/// Which OpenBLAS kernel runs the matrix products.
///
/// OpenBLAS picks its kernel from the CPU when the library loads, unless the environment variable
/// `OPENBLAS_CORETYPE` names one. The CLIP towers are GEMM-bound, so the kernel decides their speed: on this
/// project's AVX-512 machines OpenBLAS's own choice (Cooperlake) encodes ViT-B/32 images about 1.5x faster than the
/// Haswell kernel those machines' environment pins.
public enum BLASKernel {
    /// The kernel OpenBLAS chose ("Haswell", "Cooperlake", "SkylakeX", "Zen", ...).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
