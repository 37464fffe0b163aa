// SkyCLIP's float32 GEMM: BLIS-style loops over packed panels with a 6x16 register-blocked AVX2+FMA
// micro-kernel (12 ymm accumulators, two B loads and six broadcasts per k step). Every edge goes through the
// same kernel on zero-padded panels; the store step writes only the valid part of the tile.
#include "CSkyKernels.h"
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MR = 6, NR = 16, KC = 256, MC = 120, NC = 2048 };

static inline int round_up(int x, int to) { return (x + to - 1) / to * to; }
static inline int min_int(int a, int b) { return a < b ? a : b; }

int sky_gemm_kernel_available(sky_gemm_kernel kernel) {
    switch (kernel) {
    case SKY_GEMM_SCALAR: return 1;
    case SKY_GEMM_AVX2:
    case SKY_GEMM_BROKEN_FOR_TESTS: return sky_cpu_detect().avx2_fma;
    }
    return 0;
}

size_t sky_sgemm_workspace_bytes(int m, int n, int k) {
    if (m <= 0 || n <= 0 || k <= 0) return 64;
    size_t kc = (size_t)min_int(k, KC);
    size_t a = (size_t)round_up(round_up(min_int(m, MC), MR) * (int)kc, 16);
    size_t b = (size_t)round_up(min_int(n, NC), NR) * kc;
    return (a + b) * sizeof(float) + 64;  // + 64: the caller's buffer is aligned up to 64 bytes
}

/// Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels, k-major inside a panel, zero-padded.
static void pack_a(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, float *dst) {
    for (int ir = 0; ir < mc; ir += MR) {
        int rows = min_int(MR, mc - ir);
        for (int i = 0; i < MR; i++) {
            float *out = dst + i;
            if (i >= rows) {
                for (int p = 0; p < kc; p++) out[p * MR] = 0;
            } else if (trans) {
                const float *in = a + (size_t)p0 * lda + (i0 + ir + i);
                for (int p = 0; p < kc; p++) out[p * MR] = in[(size_t)p * lda];
            } else {
                const float *in = a + (size_t)(i0 + ir + i) * lda + p0;
                for (int p = 0; p < kc; p++) out[p * MR] = in[p];
            }
        }
        dst += MR * kc;
    }
}

/// Packs rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels, k-major, zero-padded.
static void pack_b(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, float *dst) {
    for (int jr = 0; jr < nc; jr += NR) {
        int cols = min_int(NR, nc - jr);
        if (trans) {
            for (int j = 0; j < NR; j++) {
                float *out = dst + j;
                if (j >= cols) {
                    for (int p = 0; p < kc; p++) out[p * NR] = 0;
                } else {
                    const float *in = b + (size_t)(j0 + jr + j) * ldb + p0;
                    for (int p = 0; p < kc; p++) out[p * NR] = in[p];
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                const float *in = b + (size_t)(p0 + p) * ldb + j0 + jr;
                float *out = dst + p * NR;
                int j = 0;
                for (; j < cols; j++) out[j] = in[j];
                for (; j < NR; j++) out[j] = 0;
            }
        }
        dst += NR * kc;
    }
}

/// Writes a finished MR x NR tile: C = alpha * tile + beta * C (C not read when beta == 0), valid part only.
static void store_tile(const float *tile, float *c, int ldc, int rows, int cols, float alpha, float beta) {
    for (int i = 0; i < rows; i++) {
        float *out = c + (size_t)i * ldc;
        const float *in = tile + i * NR;
        if (beta == 0) {
            for (int j = 0; j < cols; j++) out[j] = alpha * in[j];
        } else if (beta == 1) {
            for (int j = 0; j < cols; j++) out[j] += alpha * in[j];
        } else {
            for (int j = 0; j < cols; j++) out[j] = alpha * in[j] + beta * out[j];
        }
    }
}

/// Portable micro-kernel: the same tile arithmetic in plain C (float accumulation, k ascending).
static void kernel_scalar(int k, const float *a, const float *b, float *c, int ldc, int rows, int cols,
                          float alpha, float beta) {
    float tile[MR * NR];
    memset(tile, 0, sizeof tile);
    for (int p = 0; p < k; p++) {
        for (int i = 0; i < MR; i++) {
            float ai = a[p * MR + i];
            for (int j = 0; j < NR; j++) tile[i * NR + j] += ai * b[p * NR + j];
        }
    }
    store_tile(tile, c, ldc, rows, cols, alpha, beta);
}

#define ROW_FMA(i)                                                                                   \
    do {                                                                                             \
        __m256 ai = _mm256_broadcast_ss(a + i);                                                      \
        c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);                                                  \
        c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);                                                  \
    } while (0)

#define ROW_STORE(i)                                                                                 \
    do {                                                                                             \
        float *row = c + (size_t)i * ldc;                                                            \
        __m256 x0 = _mm256_mul_ps(c##i##0, va), x1 = _mm256_mul_ps(c##i##1, va);                     \
        if (beta != 0) {                                                                             \
            x0 = _mm256_fmadd_ps(_mm256_loadu_ps(row), vb, x0);                                      \
            x1 = _mm256_fmadd_ps(_mm256_loadu_ps(row + 8), vb, x1);                                  \
        }                                                                                            \
        _mm256_storeu_ps(row, x0);                                                                   \
        _mm256_storeu_ps(row + 8, x1);                                                               \
    } while (0)

/// AVX2+FMA micro-kernel: a 6x16 tile in 12 ymm registers. `skip` > 0 drops that many k steps (the
/// deliberately wrong kernel the self-check test must catch).
__attribute__((target("avx2,fma"))) static void kernel_avx2(int k, const float *a, const float *b, float *c,
                                                            int ldc, int rows, int cols, float alpha,
                                                            float beta, int skip) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int p = skip; p < k; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        ROW_FMA(0); ROW_FMA(1); ROW_FMA(2); ROW_FMA(3); ROW_FMA(4); ROW_FMA(5);
        a += MR;
        b += NR;
    }
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (rows == MR && cols == NR) {
        ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3); ROW_STORE(4); ROW_STORE(5);
        return;
    }
    float tile[MR * NR] __attribute__((aligned(32)));
    _mm256_store_ps(tile + 0, c00); _mm256_store_ps(tile + 8, c01);
    _mm256_store_ps(tile + 16, c10); _mm256_store_ps(tile + 24, c11);
    _mm256_store_ps(tile + 32, c20); _mm256_store_ps(tile + 40, c21);
    _mm256_store_ps(tile + 48, c30); _mm256_store_ps(tile + 56, c31);
    _mm256_store_ps(tile + 64, c40); _mm256_store_ps(tile + 72, c41);
    _mm256_store_ps(tile + 80, c50); _mm256_store_ps(tile + 88, c51);
    store_tile(tile, c, ldc, rows, cols, alpha, beta);
}

void sky_sgemm(sky_gemm_kernel kernel, int trans_a, int trans_b, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, void *workspace) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] = beta == 0 ? 0 : beta * c[(size_t)i * ldc + j];
        return;
    }
    float *base = (float *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    float *packed_a = base;
    float *packed_b = base + round_up(round_up(min_int(m, MC), MR) * min_int(k, KC), 16);  // 64-byte aligned
    for (int jc = 0; jc < n; jc += NC) {
        int nc = min_int(NC, n - jc);
        for (int pc = 0; pc < k; pc += KC) {
            int kc = min_int(KC, k - pc);
            float block_beta = pc == 0 ? beta : 1;
            pack_b(trans_b, b, ldb, pc, kc, jc, nc, packed_b);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = min_int(MC, m - ic);
                pack_a(trans_a, a, lda, ic, mc, pc, kc, packed_a);
                for (int jr = 0; jr < nc; jr += NR) {
                    const float *bp = packed_b + (size_t)jr * kc;
                    int cols = min_int(NR, nc - jr);
                    for (int ir = 0; ir < mc; ir += MR) {
                        const float *ap = packed_a + (size_t)ir * kc;
                        float *cp = c + (size_t)(ic + ir) * ldc + jc + jr;
                        int rows = min_int(MR, mc - ir);
                        switch (kernel) {
                        case SKY_GEMM_AVX2: kernel_avx2(kc, ap, bp, cp, ldc, rows, cols, alpha, block_beta, 0); break;
                        case SKY_GEMM_BROKEN_FOR_TESTS:
                            kernel_avx2(kc, ap, bp, cp, ldc, rows, cols, alpha, block_beta, pc == 0 ? 1 : 0);
                            break;
                        default: kernel_scalar(kc, ap, bp, cp, ldc, rows, cols, alpha, block_beta); break;
                        }
                    }
                }
            }
        }
    }
}

int sky_sgemm_thread_workspace(sky_gemm_kernel kernel, int trans_a, int trans_b, int m, int n, int k, float alpha,
                               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    static _Thread_local void *buffer = NULL;
    static _Thread_local size_t capacity = 0;
    size_t needed = sky_sgemm_workspace_bytes(m, n, k);
    if (needed > capacity) {
        void *grown = realloc(buffer, needed);
        if (!grown) return 0;
        buffer = grown;
        capacity = needed;
    }
    sky_sgemm(kernel, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buffer);
    return 1;
}

size_t sky_packed_b_bytes(int n, int k) {
    if (n <= 0 || k <= 0) return 64;
    return (size_t)round_up(n, NR) * (size_t)k * sizeof(float) + 64;
}

// Layout: K block after K block (KC deep, the last shorter); inside a block, NR-column panels k-major, so
// block pc starts at pc * round_up(n, NR) floats and column j0 of it at j0 * kc further.
float *sky_pack_b(int trans_b, int n, int k, const float *b, int ldb, void *packed) {
    float *base = (float *)(((uintptr_t)packed + 63) & ~(uintptr_t)63);
    if (n <= 0 || k <= 0) return base;
    size_t stride = (size_t)round_up(n, NR);
    for (int pc = 0; pc < k; pc += KC) pack_b(trans_b, b, ldb, pc, min_int(KC, k - pc), 0, n, base + (size_t)pc * stride);
    return base;
}

int sky_sgemm_packed(sky_gemm_kernel kernel, int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                     const float *packed, int n_total, int j0, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return 1;
    if ((j0 % NR) != 0 || j0 < 0 || j0 + n > n_total) return 0;
    if (k <= 0 || alpha == 0) {
        return sky_sgemm_thread_workspace(kernel, trans_a, 0, m, n, 0, alpha, a, lda, packed, n, beta, c, ldc);
    }
    static _Thread_local void *buffer = NULL;
    static _Thread_local size_t capacity = 0;
    size_t needed = (size_t)round_up(min_int(m, MC), MR) * min_int(k, KC) * sizeof(float) + 64;
    if (needed > capacity) {
        void *grown = realloc(buffer, needed);
        if (!grown) return 0;
        buffer = grown;
        capacity = needed;
    }
    float *packed_a = (float *)(((uintptr_t)buffer + 63) & ~(uintptr_t)63);
    size_t stride = (size_t)round_up(n_total, NR);
    for (int jc = 0; jc < n; jc += NC) {
        int nc = min_int(NC, n - jc);
        for (int pc = 0; pc < k; pc += KC) {
            int kc = min_int(KC, k - pc);
            float block_beta = pc == 0 ? beta : 1;
            const float *packed_b = packed + (size_t)pc * stride + (size_t)(j0 + jc) * kc;
            for (int ic = 0; ic < m; ic += MC) {
                int mc = min_int(MC, m - ic);
                pack_a(trans_a, a, lda, ic, mc, pc, kc, packed_a);
                for (int jr = 0; jr < nc; jr += NR) {
                    const float *bp = packed_b + (size_t)jr * kc;
                    int cols = min_int(NR, nc - jr);
                    for (int ir = 0; ir < mc; ir += MR) {
                        const float *ap = packed_a + (size_t)ir * kc;
                        float *cp = c + (size_t)(ic + ir) * ldc + jc + jr;
                        int rows = min_int(MR, mc - ir);
                        if (kernel == SKY_GEMM_SCALAR) kernel_scalar(kc, ap, bp, cp, ldc, rows, cols, alpha, block_beta);
                        else kernel_avx2(kc, ap, bp, cp, ldc, rows, cols, alpha, block_beta, kernel == SKY_GEMM_BROKEN_FOR_TESTS && pc == 0);
                    }
                }
            }
        }
    }
    return 1;
}
