// SkyCLIP's GEMM driver: BLIS-style loops over packed panels (KC-deep blocks of B in 16-column panels, MC-row
// blocks of A in MR-row panels) around a register-blocked micro-kernel: the portable C tile and the AVX2+FMA
// 6x16 tile (12 ymm accumulators, two B loads and six broadcasts per k step) here, the AVX-512 and AVX512-BF16
// tiles in gemm_avx512.c. Every edge goes through the same kernel on zero-padded panels; the store step writes
// only the valid part of the tile.
#include "gemm_internal.h"
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MR 6  // rows of the scalar and AVX2 tiles

int sky_gemm_kernel_available(sky_gemm_kernel kernel) {
    sky_cpu_features f = sky_cpu_detect();
    switch (kernel) {
    case SKY_GEMM_SCALAR: return 1;
    case SKY_GEMM_AVX2:
    case SKY_GEMM_BROKEN_FOR_TESTS: return f.avx2_fma;
    case SKY_GEMM_AVX512: return f.avx512f;
    case SKY_GEMM_AVX512_BF16: return f.avx512f && f.avx512_bf16 && __builtin_cpu_supports("avx512bw");
    }
    return 0;
}

/// Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels, k-major inside a panel, zero-padded.
static void pack_a(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, int mr, void *out_) {
    float *dst = out_;
    for (int ir = 0; ir < mc; ir += mr) {
        int rows = min_int(mr, mc - ir);
        for (int i = 0; i < mr; i++) {
            float *out = dst + i;
            if (i >= rows) {
                for (int p = 0; p < kc; p++) out[p * mr] = 0;
            } else if (trans) {
                const float *in = a + (size_t)p0 * lda + (i0 + ir + i);
                for (int p = 0; p < kc; p++) out[p * mr] = in[(size_t)p * lda];
            } else {
                const float *in = a + (size_t)(i0 + ir + i) * lda + p0;
                for (int p = 0; p < kc; p++) out[p * mr] = in[p];
            }
        }
        dst += mr * kc;
    }
}

/// Packs rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels, k-major, zero-padded.
static void pack_b(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, void *out_) {
    float *dst = out_;
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
static void kernel_scalar(int k, const void *a_, const void *b_, float *c, int ldc, int rows, int cols,
                          float alpha, float beta) {
    const float *a = a_, *b = b_;
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
__attribute__((target("avx2,fma"))) static void kernel_avx2_skipping(int k, const float *a, const float *b, float *c,
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

static void kernel_avx2(int k, const void *a, const void *b, float *c, int ldc, int rows, int cols, float alpha,
                        float beta) {
    kernel_avx2_skipping(k, a, b, c, ldc, rows, cols, alpha, beta, 0);
}

static void kernel_broken(int k, const void *a, const void *b, float *c, int ldc, int rows, int cols, float alpha,
                          float beta) {
    kernel_avx2_skipping(k, a, b, c, ldc, rows, cols, alpha, beta, 1);
}

/// How one kernel runs: its tile rows and row block, whether it packs bf16 pairs, its packers and micro-kernel.
typedef struct {
    int mr, mc, pairs, kc;
    sky_micro_kernel micro;
    sky_pack_a_fn pack_a;
    sky_pack_b_fn pack_b;
} plan;

static plan plan_for(sky_gemm_kernel kernel) {
    switch (kernel) {
    // The bf16 kernel's blocks are twice as deep in k, so its panels hold as many 32-bit slots as the others'.
    case SKY_GEMM_AVX2: return (plan){MR, 120, 0, KC, kernel_avx2, pack_a, pack_b};
    case SKY_GEMM_BROKEN_FOR_TESTS: return (plan){MR, 120, 0, KC, kernel_broken, pack_a, pack_b};
    case SKY_GEMM_AVX512: return (plan){AVX512_MR, 120 / AVX512_MR * AVX512_MR, 0, KC, sky_micro_avx512, pack_a, pack_b};
    case SKY_GEMM_AVX512_BF16:
        return (plan){AVX512_MR, 120 / AVX512_MR * AVX512_MR, 1, 2 * KC, sky_micro_avx512_bf16, sky_pack_a_bf16, sky_pack_b_bf16};
    default: return (plan){MR, 120, 0, KC, kernel_scalar, pack_a, pack_b};
    }
}

int sky_gemm_kernel_rows(sky_gemm_kernel kernel) { return plan_for(kernel).mr; }

/// 32-bit slots that `k` values of depth occupy in a packed panel.
static inline int slots(const plan *p, int k) { return p->pairs ? (k + 1) / 2 : k; }

/// A operand packed once (`sky_pack_a`): the K blocks of the whole packed matrix, `stride` rows each (a multiple
/// of the tile rows), used from row `i0` (a multiple of the tile rows).
typedef struct {
    const uint32_t *panels;
    size_t stride;
    int i0;
} prepacked_a;

/// The block loops over packed A (packed here, or `pre_a` already packed when its panels are not NULL) and B
/// (packed here, or `prepacked` already packed when not NULL: the K blocks of the whole packed matrix, `stride`
/// columns each, starting at column `j0`).
static void run_blocks(const plan *p, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                       int lda, const float *b, int ldb, float beta, float *c, int ldc, uint32_t *packed_a,
                       uint32_t *packed_b, const uint32_t *prepacked, size_t stride, int j0, prepacked_a pre_a) {
    for (int jc = 0; jc < n; jc += NC) {
        int nc = min_int(NC, n - jc);
        for (int pc = 0; pc < k; pc += p->kc) {
            int kc = min_int(p->kc, k - pc), kd = slots(p, kc);
            float block_beta = pc == 0 ? beta : 1;
            const uint32_t *panels;
            if (prepacked) {
                panels = prepacked + (size_t)slots(p, pc) * stride + (size_t)(j0 + jc) * kd;
            } else {
                p->pack_b(trans_b, b, ldb, pc, kc, jc, nc, packed_b);
                panels = packed_b;
            }
            for (int ic = 0; ic < m; ic += p->mc) {
                int mc = min_int(p->mc, m - ic);
                const uint32_t *ap = packed_a;
                if (pre_a.panels) {
                    ap = pre_a.panels + (size_t)slots(p, pc) * pre_a.stride + (size_t)(pre_a.i0 + ic) * kd;
                } else {
                    p->pack_a(trans_a, a, lda, ic, mc, pc, kc, p->mr, packed_a);
                }
                for (int jr = 0; jr < nc; jr += NR) {
                    const uint32_t *bp = panels + (size_t)jr * kd;
                    int cols = min_int(NR, nc - jr);
                    for (int ir = 0; ir < mc; ir += p->mr) {
                        p->micro(kd, ap + (size_t)ir * kd, bp, c + (size_t)(ic + ir) * ldc + jc + jr, ldc,
                                 min_int(p->mr, mc - ir), cols, alpha, block_beta);
                    }
                }
            }
        }
    }
}

/// Slots of the packed-A scratch for these sizes (any kernel: a row block padded to its tile rows), rounded
/// to 64 bytes.
static size_t packed_a_slots(int m, int k) {
    return (size_t)round_up((min_int(m, MC_MAX) + MR_MAX) * min_int(k, KC), 16);  // KC slots: any kernel's block
}

size_t sky_sgemm_workspace_bytes(int m, int n, int k) {
    if (m <= 0 || n <= 0 || k <= 0) return 64;
    size_t b = (size_t)round_up(min_int(n, NC), NR) * min_int(k, KC);
    return (packed_a_slots(m, k) + b) * sizeof(float) + 64;  // + 64: the caller's buffer is aligned up to 64 bytes
}

/// C = beta * C for the degenerate products (k == 0 or alpha == 0); C not read when beta == 0.
static void scale_c(int m, int n, float beta, float *c, int ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] = beta == 0 ? 0 : beta * c[(size_t)i * ldc + j];
}

void sky_sgemm(sky_gemm_kernel kernel, int trans_a, int trans_b, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, void *workspace) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) return scale_c(m, n, beta, c, ldc);
    plan p = plan_for(kernel);
    uint32_t *base = (uint32_t *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    run_blocks(&p, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, base, base + packed_a_slots(m, k),
               NULL, 0, 0, (prepacked_a){0});
}

/// This thread's scratch of at least `needed` bytes (grown on demand, kept), or NULL when it cannot grow.
static void *thread_scratch(size_t needed) {
    static _Thread_local void *buffer = NULL;
    static _Thread_local size_t capacity = 0;
    if (needed > capacity) {
        void *grown = realloc(buffer, needed);
        if (!grown) return NULL;
        buffer = grown;
        capacity = needed;
    }
    return buffer;
}

int sky_sgemm_thread_workspace(sky_gemm_kernel kernel, int trans_a, int trans_b, int m, int n, int k, float alpha,
                               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    void *buffer = thread_scratch(sky_sgemm_workspace_bytes(m, n, k));
    if (!buffer) return 0;
    sky_sgemm(kernel, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buffer);
    return 1;
}

size_t sky_packed_b_bytes(sky_gemm_kernel kernel, int n, int k) {
    if (n <= 0 || k <= 0) return 64;
    plan p = plan_for(kernel);
    return (size_t)round_up(n, NR) * (size_t)slots(&p, k) * sizeof(float) + 64;
}

// Layout: K block after K block (the plan's kc deep, the last shorter); inside a block, NR-column panels slot-major, so
// block pc starts at slots(pc) * round_up(n, NR) slots and column j0 of it at j0 * slots(kc) further.
float *sky_pack_b(sky_gemm_kernel kernel, int trans_b, int n, int k, const float *b, int ldb, void *packed) {
    float *base = (float *)(((uintptr_t)packed + 63) & ~(uintptr_t)63);
    if (n <= 0 || k <= 0) return base;
    plan p = plan_for(kernel);
    size_t stride = (size_t)round_up(n, NR);
    for (int pc = 0; pc < k; pc += p.kc) {
        p.pack_b(trans_b, b, ldb, pc, min_int(p.kc, k - pc), 0, n, base + (size_t)slots(&p, pc) * stride);
    }
    return base;
}

int sky_sgemm_packed(sky_gemm_kernel kernel, int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                     const float *packed, int n_total, int j0, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return 1;
    if ((j0 % NR) != 0 || j0 < 0 || j0 + n > n_total) return 0;
    if (k <= 0 || alpha == 0) {
        scale_c(m, n, beta, c, ldc);
        return 1;
    }
    void *buffer = thread_scratch(packed_a_slots(m, k) * sizeof(float) + 64);
    if (!buffer) return 0;
    uint32_t *packed_a = (uint32_t *)(((uintptr_t)buffer + 63) & ~(uintptr_t)63);
    plan p = plan_for(kernel);
    run_blocks(&p, trans_a, 0, m, n, k, alpha, a, lda, NULL, 0, beta, c, ldc, packed_a, NULL,
               (const uint32_t *)packed, (size_t)round_up(n_total, NR), j0, (prepacked_a){0});
    return 1;
}

size_t sky_packed_a_bytes(sky_gemm_kernel kernel, int m, int k) {
    if (m <= 0 || k <= 0) return 64;
    plan p = plan_for(kernel);
    return (size_t)round_up(m, p.mr) * (size_t)slots(&p, k) * sizeof(float) + 64;
}

// Layout: K block after K block (the plan's kc deep, the last shorter); inside a block, mr-row panels slot-major
// (as the driver packs a row block), so block pc starts at slots(pc) * round_up(m, mr) slots and row i0 of it
// (a multiple of mr) at i0 * slots(kc) further.
float *sky_pack_a(sky_gemm_kernel kernel, int trans_a, int m, int k, const float *a, int lda, void *packed) {
    float *base = (float *)(((uintptr_t)packed + 63) & ~(uintptr_t)63);
    if (m <= 0 || k <= 0) return base;
    plan p = plan_for(kernel);
    size_t stride = (size_t)round_up(m, p.mr);
    for (int pc = 0; pc < k; pc += p.kc) {
        p.pack_a(trans_a, a, lda, 0, m, pc, min_int(p.kc, k - pc), p.mr, base + (size_t)slots(&p, pc) * stride);
    }
    return base;
}

int sky_sgemm_packed_a(sky_gemm_kernel kernel, int m, int n, int k, float alpha, const float *packed, int m_total,
                       int i0, int trans_b, const float *b, int ldb, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return 1;
    plan p = plan_for(kernel);
    if ((i0 % p.mr) != 0 || i0 < 0 || i0 + m > m_total) return 0;
    if (k <= 0 || alpha == 0) {
        scale_c(m, n, beta, c, ldc);
        return 1;
    }
    size_t b_slots = (size_t)round_up(min_int(n, NC), NR) * min_int(k, KC);
    void *buffer = thread_scratch(b_slots * sizeof(float) + 64);
    if (!buffer) return 0;
    uint32_t *packed_b = (uint32_t *)(((uintptr_t)buffer + 63) & ~(uintptr_t)63);
    prepacked_a pre = {(const uint32_t *)packed, (size_t)round_up(m_total, p.mr), i0};
    run_blocks(&p, 0, trans_b, m, n, k, alpha, NULL, 0, b, ldb, beta, c, ldc, NULL, packed_b, NULL, 0, 0, pre);
    return 1;
}
