// The GEMM self-check: fixed odd shapes against a float64 reference product.
#include "CSkyKernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int m, n, k, ta, tb; float alpha, beta; } shape;

// Edges of every blocking level (MR 6 and 8, NR 16, KC 256, MC 120, NC 2048), odd depths (bf16 pairs), all
// four transpose pairs, alpha/beta combinations and beta = 0 over a NaN-filled C.
static const shape shapes[] = {
    {1, 1, 1, 0, 0, 1, 0},     {7, 17, 5, 0, 1, 1, 0},      {13, 33, 300, 1, 0, 0.5f, 0.25f},
    {130, 50, 70, 1, 1, 1, 1}, {3, 2100, 9, 0, 1, 1, 0},    {50, 77, 513, 0, 1, -2, 0},
    {6, 16, 256, 0, 0, 1, 0},  {121, 31, 257, 1, 1, 1, 0.5f}, {12, 48, 3, 0, 1, 1, 0},
    {25, 40, 768, 0, 1, 1, 1},
};

static float next_value(uint64_t *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((double)(*state >> 40) / (double)(1ULL << 24) * 2.0 - 1.0);
}

/// Worst |C - reference| over the reference's RMS; padding columns (j >= n) must be untouched, bitwise.
static double compare(const shape *t, const float *c, const double *ref, int ldc, double norm) {
    double scale = sqrt(norm / ((double)t->m * t->n)) + 1e-30, error = 0;
    for (int i = 0; i < t->m; i++) {
        for (int j = 0; j < ldc; j++) {
            double actual = c[(size_t)i * ldc + j], expected = ref[(size_t)i * ldc + j];
            double e = j < t->n ? fabs(actual - expected) / scale
                                : (actual == expected || (isnan(actual) && isnan(expected)) ? 0 : INFINITY);
            if (!(e <= error)) error = e;  // keeps NaN
        }
    }
    return error;
}

double sky_gemm_self_check(sky_gemm_kernel kernel) {
    if (!sky_gemm_kernel_available(kernel)) return INFINITY;
    int bf16 = kernel == SKY_GEMM_AVX512_BF16;
    double worst = 0;
    uint64_t state = 12345;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        shape t = shapes[s];
        int lda = (t.ta ? t.m : t.k) + 3, ldb = (t.tb ? t.k : t.n) + 5, ldc = t.n + 2;
        size_t a_count = (size_t)(t.ta ? t.k : t.m) * lda, b_count = (size_t)(t.tb ? t.n : t.k) * ldb;
        size_t c_count = (size_t)t.m * ldc;
        float *a = malloc(a_count * sizeof(float)), *b = malloc(b_count * sizeof(float));
        float *c = malloc(c_count * sizeof(float));
        size_t ws_bytes = sky_sgemm_workspace_bytes(t.m, t.n, t.k);
        void *ws = malloc(ws_bytes);
        double *ref = malloc(c_count * sizeof(double));
        if (!a || !b || !c || !ws || !ref) {
            free(a); free(b); free(c); free(ws); free(ref);
            return INFINITY;
        }
        for (size_t i = 0; i < a_count; i++) a[i] = next_value(&state);
        for (size_t i = 0; i < b_count; i++) b[i] = next_value(&state);
        for (size_t i = 0; i < c_count; i++) c[i] = t.beta == 0 ? NAN : next_value(&state);
        double norm = 0;
        for (int i = 0; i < t.m; i++) {
            for (int j = 0; j < t.n; j++) {
                double sum = 0;
                for (int p = 0; p < t.k; p++) {
                    float x = t.ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
                    float y = t.tb ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
                    if (bf16) x = sky_round_bf16(x), y = sky_round_bf16(y);
                    sum += (double)x * y;
                }
                double prior = t.beta == 0 ? 0 : (double)t.beta * c[(size_t)i * ldc + j];
                ref[(size_t)i * ldc + j] = t.alpha * sum + prior;
                norm += ref[(size_t)i * ldc + j] * ref[(size_t)i * ldc + j];
            }
            for (int j = t.n; j < ldc; j++) ref[(size_t)i * ldc + j] = c[(size_t)i * ldc + j];
        }
        float *start = malloc(c_count * sizeof(float));
        void *packed = malloc(sky_packed_b_bytes(kernel, t.n, t.k));
        if (!start || !packed) {
            free(a); free(b); free(c); free(ws); free(ref); free(start); free(packed);
            return INFINITY;
        }
        memcpy(start, c, c_count * sizeof(float));
        sky_sgemm(kernel, t.ta, t.tb, t.m, t.n, t.k, t.alpha, a, lda, b, ldb, t.beta, c, ldc, ws);
        double error = compare(&t, c, ref, ldc, norm);
        // The same product from B packed once (the towers' weights), columns from 16 on when there are more.
        memcpy(c, start, c_count * sizeof(float));
        const float *panels = sky_pack_b(kernel, t.tb, t.n, t.k, b, ldb, packed);
        int j0 = t.n > 16 ? 16 : 0;
        int done = sky_sgemm_packed(kernel, t.ta, t.m, j0, t.k, t.alpha, a, lda, panels, t.n, 0, t.beta, c, ldc) &&
                   sky_sgemm_packed(kernel, t.ta, t.m, t.n - j0, t.k, t.alpha, a, lda, panels, t.n, j0, t.beta,
                                    c + j0, ldc);
        double packed_error = done ? compare(&t, c, ref, ldc, norm) : INFINITY;
        if (!(packed_error <= error)) error = packed_error;
        // The same product from A packed once (the convolutions' filters), rows from one tile on when there are more.
        free(packed);
        packed = malloc(sky_packed_a_bytes(kernel, t.m, t.k));
        if (packed) {
            memcpy(c, start, c_count * sizeof(float));
            const float *rows = sky_pack_a(kernel, t.ta, t.m, t.k, a, lda, packed);
            int tile = sky_gemm_kernel_rows(kernel), i0 = t.m > tile ? tile : 0;
            done = sky_sgemm_packed_a(kernel, i0, t.n, t.k, t.alpha, rows, t.m, 0, t.tb, b, ldb, t.beta, c, ldc) &&
                   sky_sgemm_packed_a(kernel, t.m - i0, t.n, t.k, t.alpha, rows, t.m, i0, t.tb, b, ldb, t.beta,
                                      c + (size_t)i0 * ldc, ldc);
        }
        packed_error = packed && done ? compare(&t, c, ref, ldc, norm) : INFINITY;
        if (!(packed_error <= error)) error = packed_error;
        free(start); free(packed);
        free(a); free(b); free(c); free(ws); free(ref);
        if (!(error <= worst)) worst = error;
        if (isnan(worst)) return worst;
    }
    return worst;
}
