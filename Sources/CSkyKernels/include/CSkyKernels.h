#ifndef CSKYKERNELS_H
#define CSKYKERNELS_H
/// CSkyKernels: SkyCLIP's own float32 GEMM (AVX-512, AVX512-BF16 and AVX2+FMA register-blocked kernels over
/// packed panels, chosen at run time) and the machine-limit probes of `skybench limits` (FMA peak loops, stream copy/triad).
/// Thin C: the only memory kept between calls is each thread's scratch for packed panels (grown on demand);
/// Swift owns threading and every public API.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set features of the running CPU (cpuid via __builtin_cpu_supports).
typedef struct {
    int avx2_fma;     ///< AVX2 and FMA3
    int avx512f;      ///< AVX-512 Foundation
    int avx512_bf16;  ///< AVX512-BF16 (vdpbf16ps)
} sky_cpu_features;

sky_cpu_features sky_cpu_detect(void);

/// FMA peak probes: `iterations` rounds of 12 independent FMA chains (vfmadd231ps) on 128-, 256- or 512-bit
/// registers, written in inline assembly so no compiler can shorten them. Return the FLOPs executed
/// (2 per lane per FMA), or 0 when the CPU lacks the instructions.
double sky_fma_loop_128(int64_t iterations);
double sky_fma_loop_256(int64_t iterations);
double sky_fma_loop_512(int64_t iterations);
/// The bf16 dot-product peak: 12 independent chains of vdpbf16ps on zmm registers (64 FLOPs each: 16 lanes x
/// two multiply-adds); 0 without AVX512-BF16.
double sky_bf16_dot_loop_512(int64_t iterations);

/// STREAM-style kernels over `count` floats: copy `a[i] = b[i]`, triad `a[i] = b[i] + s * c[i]`.
void sky_stream_copy(float *a, const float *b, size_t count);
void sky_stream_triad(float *a, const float *b, const float *c, float s, size_t count);

/// GEMM kernels. `SKY_GEMM_AVX2` is the AVX2+FMA 6x16 kernel; `SKY_GEMM_AVX512` the AVX-512F 8x16 kernel (one
/// zmm accumulator per row, A broadcast from memory); `SKY_GEMM_AVX512_BF16` the same tile on AVX512-BF16
/// (`vdpbf16ps`): both operands rounded to bfloat16 (round to nearest even) while packed, products accumulated in
/// float32; `SKY_GEMM_SCALAR` the portable C loop nest; `SKY_GEMM_BROKEN_FOR_TESTS` is the AVX2 kernel with one
/// k step dropped, which the self-check must reject. Scalar, AVX2 and AVX-512 share one packed-B layout
/// (16-column panels of float32); the bf16 kernel packs pairs of bfloat16 along k into each 32-bit slot.
typedef enum {
    SKY_GEMM_SCALAR = 0,
    SKY_GEMM_AVX2 = 1,
    SKY_GEMM_BROKEN_FOR_TESTS = 2,
    SKY_GEMM_AVX512 = 3,
    SKY_GEMM_AVX512_BF16 = 4,
} sky_gemm_kernel;

/// Rows of the kernel's register tile (the row split of a product is best in multiples of it); every kernel's
/// tile is 16 columns wide.
int sky_gemm_kernel_rows(sky_gemm_kernel kernel);

/// `value` rounded to bfloat16 (nearest even; NaN stays NaN), as the bf16 kernel rounds its operands, widened back.
float sky_round_bf16(float value);

/// Whether `kernel` can run on this CPU.
int sky_gemm_kernel_available(sky_gemm_kernel kernel);

/// Bytes of scratch `sky_sgemm` needs for these sizes (packed A block and packed B panel).
size_t sky_sgemm_workspace_bytes(int m, int n, int k);

/// Row-major C[m x n] = alpha * op(A) * op(B) + beta * C, as cblas_sgemm(CblasRowMajor, ...): op(A) is m x k
/// (A stored k x m when trans_a), op(B) is k x n (B stored n x k when trans_b). With beta == 0, C is not read.
/// `workspace` holds at least sky_sgemm_workspace_bytes(m, n, k) bytes, 64-byte aligned.
void sky_sgemm(sky_gemm_kernel kernel, int trans_a, int trans_b, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, void *workspace);

/// sky_sgemm with a scratch buffer owned by the calling thread (grown on demand, kept for the thread's next
/// call, so the hot path never allocates or faults in fresh pages). Returns 0 when it could not allocate.
int sky_sgemm_thread_workspace(sky_gemm_kernel kernel, int trans_a, int trans_b, int m, int n, int k, float alpha,
                               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// Bytes of op(B) (k x n) packed once into `kernel`'s panel order (float32, or bfloat16 pairs for the bf16
/// kernel, plus 64 for alignment).
size_t sky_packed_b_bytes(sky_gemm_kernel kernel, int n, int k);

/// Packs op(B) (k x n; B stored n x k when trans_b) into `packed`, which holds sky_packed_b_bytes(kernel, n, k)
/// bytes; returns the 64-byte aligned start to pass to sky_sgemm_packed with a kernel of the same layout
/// (any float32 kernel for a float32 packing, the bf16 kernel for its own). For weights that many products reuse.
float *sky_pack_b(sky_gemm_kernel kernel, int trans_b, int n, int k, const float *b, int ldb, void *packed);

/// C[m x n] = alpha * op(A) * P[:, j0 ..< j0 + n] + beta * C, where P is the k x n_total matrix packed by
/// sky_pack_b and j0 is a multiple of 16. No B packing at call time; A is packed into the calling thread's
/// scratch buffer. Returns 0 when that buffer could not be allocated (nothing written).
int sky_sgemm_packed(sky_gemm_kernel kernel, int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                     const float *packed, int n_total, int j0, float beta, float *c, int ldc);

/// Bytes of op(A) (m x k) packed once into `kernel`'s row panels (float32, or bfloat16 pairs for the bf16 kernel,
/// plus 64 for alignment).
size_t sky_packed_a_bytes(sky_gemm_kernel kernel, int m, int k);

/// Packs op(A) (m x k; A stored k x m when trans_a) into `packed`, which holds sky_packed_a_bytes(kernel, m, k)
/// bytes; returns the 64-byte aligned start to pass to sky_sgemm_packed_a with the same kernel. For weights that
/// are a product's left operand (the convolutions' filters), so no call repacks or re-rounds them.
float *sky_pack_a(sky_gemm_kernel kernel, int trans_a, int m, int k, const float *a, int lda, void *packed);

/// C[m x n] = alpha * P[i0 ..< i0 + m, :] * op(B) + beta * C, where P is the m_total x k matrix packed by
/// sky_pack_a and i0 is a multiple of sky_gemm_kernel_rows(kernel). B is packed into the calling thread's
/// scratch buffer. Returns 0 when that buffer could not be allocated or i0 is not a tile edge (nothing written).
int sky_sgemm_packed_a(sky_gemm_kernel kernel, int m, int n, int k, float alpha, const float *packed, int m_total,
                       int i0, int trans_b, const float *b, int ldb, float beta, float *c, int ldc);

/// Runs `kernel` on fixed odd shapes (edges, both transposes, alpha/beta, beta = 0 over NaN) against a
/// float64 reference (for the bf16 kernel: the float64 product of the bf16-rounded operands), once through
/// sky_sgemm, once through sky_pack_b + sky_sgemm_packed and once through sky_pack_a + sky_sgemm_packed_a. Returns the worst error relative to the reference's
/// norm (a NaN or infinity for a kernel that produced one); a correct kernel stays below 1e-5.
double sky_gemm_self_check(sky_gemm_kernel kernel);

#ifdef __cplusplus
}
#endif
#endif
