// The machine-limit probes: FMA peak loops in inline assembly and STREAM-style copy/triad.
#include "CSkyKernels.h"

sky_cpu_features sky_cpu_detect(void) {
    __builtin_cpu_init();
    sky_cpu_features f;
    f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
#if defined(__clang__) && __clang_major__ >= 16
    f.avx512_bf16 = __builtin_cpu_supports("avx512bf16");
#else
    f.avx512_bf16 = 0;
#endif
    return f;
}

// Twelve independent accumulators: at 4-5 cycles FMA latency and two FMA pipes, 8-10 chains hide the latency,
// twelve leave margin. Two registers hold the multiplier and addend; the chains converge (x*0.5+0.5 -> 1)
// so no denormal or overflow can slow them.
#define FMA12(R) \
    "vfmadd231ps %%" R "13, %%" R "12, %%" R "0\n\t" "vfmadd231ps %%" R "13, %%" R "12, %%" R "1\n\t" \
    "vfmadd231ps %%" R "13, %%" R "12, %%" R "2\n\t" "vfmadd231ps %%" R "13, %%" R "12, %%" R "3\n\t" \
    "vfmadd231ps %%" R "13, %%" R "12, %%" R "4\n\t" "vfmadd231ps %%" R "13, %%" R "12, %%" R "5\n\t" \
    "vfmadd231ps %%" R "13, %%" R "12, %%" R "6\n\t" "vfmadd231ps %%" R "13, %%" R "12, %%" R "7\n\t" \
    "vfmadd231ps %%" R "13, %%" R "12, %%" R "8\n\t" "vfmadd231ps %%" R "13, %%" R "12, %%" R "9\n\t" \
    "vfmadd231ps %%" R "13, %%" R "12, %%" R "10\n\t" "vfmadd231ps %%" R "13, %%" R "12, %%" R "11\n\t"

#define FMA_LOOP(NAME, R, LANES, BROADCAST, FEATURE)                                                      \
    double NAME(int64_t iterations) {                                                                     \
        if (!(FEATURE) || iterations <= 0) return 0;                                                      \
        static const float half = 0.5f;                                                                   \
        int64_t n = iterations;                                                                           \
        __asm__ volatile(                                                                                 \
            BROADCAST " %1, %%" R "12\n\t" BROADCAST " %1, %%" R "13\n\t"                               \
            "vmovaps %%" R "12, %%" R "0\n\t" "vmovaps %%" R "12, %%" R "1\n\t"                          \
            "vmovaps %%" R "12, %%" R "2\n\t" "vmovaps %%" R "12, %%" R "3\n\t"                          \
            "vmovaps %%" R "12, %%" R "4\n\t" "vmovaps %%" R "12, %%" R "5\n\t"                          \
            "vmovaps %%" R "12, %%" R "6\n\t" "vmovaps %%" R "12, %%" R "7\n\t"                          \
            "vmovaps %%" R "12, %%" R "8\n\t" "vmovaps %%" R "12, %%" R "9\n\t"                          \
            "vmovaps %%" R "12, %%" R "10\n\t" "vmovaps %%" R "12, %%" R "11\n\t"                        \
            "1:\n\t" FMA12(R) FMA12(R) "dec %0\n\t" "jnz 1b\n\t"                                          \
            "vzeroupper\n\t"                                                                              \
            : "+r"(n)                                                                                     \
            : "m"(half)                                                                                   \
            : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",   \
              "xmm11", "xmm12", "xmm13", "cc", "memory");                                                 \
        return (double)iterations * 24.0 * (LANES) * 2.0;                                                 \
    }

FMA_LOOP(sky_fma_loop_128, "xmm", 4, "vbroadcastss", sky_cpu_detect().avx2_fma)
FMA_LOOP(sky_fma_loop_256, "ymm", 8, "vbroadcastss", sky_cpu_detect().avx2_fma)
FMA_LOOP(sky_fma_loop_512, "zmm", 16, "vbroadcastss", sky_cpu_detect().avx512f)

// The bf16 dot-product peak: the same twelve independent chains of `vdpbf16ps` (16 lanes, each two bf16
// multiply-adds into float32: 64 FLOPs per instruction). Both sources hold the bf16 pair (0.5, 0.5), so each
// chain grows by 0.5 per step and stays far from overflow over any run length used here.
#define DP12 \
    "vdpbf16ps %%zmm13, %%zmm12, %%zmm0\n\t" "vdpbf16ps %%zmm13, %%zmm12, %%zmm1\n\t" \
    "vdpbf16ps %%zmm13, %%zmm12, %%zmm2\n\t" "vdpbf16ps %%zmm13, %%zmm12, %%zmm3\n\t" \
    "vdpbf16ps %%zmm13, %%zmm12, %%zmm4\n\t" "vdpbf16ps %%zmm13, %%zmm12, %%zmm5\n\t" \
    "vdpbf16ps %%zmm13, %%zmm12, %%zmm6\n\t" "vdpbf16ps %%zmm13, %%zmm12, %%zmm7\n\t" \
    "vdpbf16ps %%zmm13, %%zmm12, %%zmm8\n\t" "vdpbf16ps %%zmm13, %%zmm12, %%zmm9\n\t" \
    "vdpbf16ps %%zmm13, %%zmm12, %%zmm10\n\t" "vdpbf16ps %%zmm13, %%zmm12, %%zmm11\n\t"

__attribute__((target("avx512f,avx512bf16"))) double sky_bf16_dot_loop_512(int64_t iterations) {
    if (!sky_cpu_detect().avx512_bf16 || iterations <= 0) return 0;
    static const uint32_t halves = 0x3F003F00u;  // two bf16 0.5s
    int64_t n = iterations;
    __asm__ volatile(
        "vpbroadcastd %1, %%zmm12\n\t" "vmovdqa64 %%zmm12, %%zmm13\n\t"
        "vpxord %%zmm0, %%zmm0, %%zmm0\n\t" "vmovaps %%zmm0, %%zmm1\n\t" "vmovaps %%zmm0, %%zmm2\n\t"
        "vmovaps %%zmm0, %%zmm3\n\t" "vmovaps %%zmm0, %%zmm4\n\t" "vmovaps %%zmm0, %%zmm5\n\t"
        "vmovaps %%zmm0, %%zmm6\n\t" "vmovaps %%zmm0, %%zmm7\n\t" "vmovaps %%zmm0, %%zmm8\n\t"
        "vmovaps %%zmm0, %%zmm9\n\t" "vmovaps %%zmm0, %%zmm10\n\t" "vmovaps %%zmm0, %%zmm11\n\t"
        "1:\n\t" DP12 DP12 "dec %0\n\t" "jnz 1b\n\t"
        "vzeroupper\n\t"
        : "+r"(n)
        : "m"(halves)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "cc", "memory");
    return (double)iterations * 24.0 * 16 * 4.0;
}

void sky_stream_copy(float *restrict a, const float *restrict b, size_t count) {
    for (size_t i = 0; i < count; i++) a[i] = b[i];
}

void sky_stream_triad(float *restrict a, const float *restrict b, const float *restrict c, float s, size_t count) {
    for (size_t i = 0; i < count; i++) a[i] = b[i] + s * c[i];
}
