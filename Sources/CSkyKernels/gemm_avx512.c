// The AVX-512 micro-kernels and the bfloat16 packing.
//
// Both kernels hold an 8x16 tile in 8 zmm accumulators, one row each; per depth step they load one 16-column B
// vector and issue eight FMAs whose A operand is broadcast straight from the packed panel (`{1to16}`), so a
// step is 8 FMAs and 9 loads. On Zen 4, which runs a zmm FMA as two 256-bit halves (1 per cycle), eight chains
// cover the 4-cycle FMA and 6-cycle vdpbf16ps latencies. Eight rows measured best of 8, 12, 14 and 16 on the
// ViT-B/32 shapes (gemm_avx512 notes in Benchmarks/limits_results.md), and divide the 120-row block exactly.
//
// The bf16 kernel does the same with `vdpbf16ps`: each 32-bit slot holds two bfloat16 values consecutive in k,
// so one instruction does two multiply-adds per lane into float32 (twice the FP32 FMA rate); operands are
// rounded to nearest even when packed (an odd depth is padded with a zero).
#include "gemm_internal.h"
#include <immintrin.h>
#include <string.h>

#define TILE_STORE(ROWS_EXPR)                                                                        \
    do {                                                                                             \
        __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);                                \
        __mmask16 mask = cols >= NR ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);            \
        for (int i = 0; i < (ROWS_EXPR); i++) {                                                      \
            float *row = c + (size_t)i * ldc;                                                        \
            __m512 x = _mm512_mul_ps(acc[i], va);                                                    \
            if (beta != 0) x = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, row), vb, x);            \
            _mm512_mask_storeu_ps(row, mask, x);                                                     \
        }                                                                                            \
    } while (0)

__attribute__((target("avx512f"))) void sky_micro_avx512(int kd, const void *a_, const void *b_, float *c, int ldc,
                                                         int rows, int cols, float alpha, float beta) {
    const float *a = a_, *b = b_;
    __m512 acc[AVX512_MR];
    for (int i = 0; i < AVX512_MR; i++) acc[i] = _mm512_setzero_ps();
    for (int p = 0; p < kd; p++) {
        __m512 bv = _mm512_load_ps(b);
#pragma clang loop unroll(full)
        for (int i = 0; i < AVX512_MR; i++) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i]), bv, acc[i]);
        a += AVX512_MR;
        b += NR;
    }
    TILE_STORE(rows);
}

__attribute__((target("avx512f,avx512bf16"))) void sky_micro_avx512_bf16(int kd, const void *a_, const void *b_,
                                                                          float *c, int ldc, int rows, int cols,
                                                                          float alpha, float beta) {
    const int32_t *a = a_;
    const float *b = b_;
    __m512 acc[AVX512_MR];
    for (int i = 0; i < AVX512_MR; i++) acc[i] = _mm512_setzero_ps();
    for (int p = 0; p < kd; p++) {
        __m512bh bv = (__m512bh)_mm512_load_ps(b);
#pragma clang loop unroll(full)
        for (int i = 0; i < AVX512_MR; i++) {
            // Written out so the pair is broadcast inside the instruction (`{1to16}`), as the compiler does
            // for vfmadd231ps but not for vdpbf16ps: a separate broadcast costs an extra uop per product.
            __asm__("vdpbf16ps %1%{1to16%}, %2, %0" : "+v"(acc[i]) : "m"(a[i]), "v"(bv));
        }
        a += AVX512_MR;
        b += NR;
    }
    TILE_STORE(rows);
}

uint16_t sky_bf16_bits(float value) {
    uint32_t u;
    memcpy(&u, &value, sizeof u);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40);  // NaN stays a (quiet) NaN
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

float sky_round_bf16(float value) {
    uint32_t u = (uint32_t)sky_bf16_bits(value) << 16;
    float out;
    memcpy(&out, &u, sizeof out);
    return out;
}

/// Two bf16 values, `lo` first in k, in one 32-bit slot (little-endian: the low half is the even element).
static inline uint32_t pair(float lo, float hi) {
    return (uint32_t)sky_bf16_bits(lo) | ((uint32_t)sky_bf16_bits(hi) << 16);
}

/// 32 floats of a row from `in` rounded to bf16 (nearest even) as 16 pairs, stored at `out`, `out + stride`, ...
__attribute__((target("avx512f,avx512bf16"))) static inline void pairs_32(const float *in, uint32_t *out, int stride) {
    __m512 lo = _mm512_loadu_ps(in), hi = _mm512_loadu_ps(in + 16);
    __m512i packed = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);  // low half from lo: slot j = (in[2j], in[2j+1])
    __m512i offsets = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                         _mm512_set1_epi32(stride));
    _mm512_i32scatter_epi32(out, offsets, packed, 4);
}

void sky_pack_a_bf16(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, int mr, void *out_) {
    uint32_t *dst = out_;
    int kd = (kc + 1) / 2;
    for (int ir = 0; ir < mc; ir += mr) {
        int rows = min_int(mr, mc - ir);
        for (int i = 0; i < mr; i++) {
            uint32_t *out = dst + i;
            if (i >= rows) {
                for (int p = 0; p < kd; p++) out[p * mr] = 0;
                continue;
            }
            size_t row = (size_t)(i0 + ir + i);
            int p = 0;
            if (!trans) {
                // Rows of A are contiguous in k: 32 values at a time through the converting instruction (the
                // same rounding as `sky_bf16_bits` for every finite, normal value).
                for (; 2 * p + 32 <= kc; p += 16) pairs_32(a + row * lda + p0 + 2 * p, out + (size_t)p * mr, mr);
            }
            for (; p < kd; p++) {
                int k0 = p0 + 2 * p;
                int has_second = 2 * p + 1 < kc;
                float x0 = trans ? a[(size_t)k0 * lda + row] : a[row * lda + k0];
                float x1 = !has_second ? 0 : trans ? a[(size_t)(k0 + 1) * lda + row] : a[row * lda + k0 + 1];
                out[p * mr] = pair(x0, x1);
            }
        }
        dst += (size_t)mr * kd;
    }
}

/// Slot j of `out` = (row0[j], row1[j]) rounded to bf16, for j < 16.
__attribute__((target("avx512f,avx512bw,avx512bf16"))) static inline void interleave_16(const float *row0,
                                                                                      const float *row1,
                                                                                      uint32_t *out) {
    __m512i both = (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(row1), _mm512_loadu_ps(row0));  // row0 | row1
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    _mm512_storeu_si512(out, _mm512_permutexvar_epi16(order, both));
}

void sky_pack_b_bf16(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, void *out_) {
    uint32_t *dst = out_;
    int kd = (kc + 1) / 2;
    for (int jr = 0; jr < nc; jr += NR) {
        int cols = min_int(NR, nc - jr);
        for (int p = 0; p < kd; p++) {
            int k0 = p0 + 2 * p;
            int has_second = 2 * p + 1 < kc;
            uint32_t *out = dst + (size_t)p * NR;
            int j = 0;
            if (!trans && has_second && cols == NR) {
                // B stored k x n (the convolutions' activations): two rows of 16 columns, interleaved in one go.
                interleave_16(b + (size_t)k0 * ldb + j0 + jr, b + (size_t)(k0 + 1) * ldb + j0 + jr, out);
                continue;
            }
            for (; j < cols; j++) {
                size_t col = (size_t)(j0 + jr + j);
                float x0 = trans ? b[col * ldb + k0] : b[(size_t)k0 * ldb + col];
                float x1 = !has_second ? 0 : trans ? b[col * ldb + k0 + 1] : b[(size_t)(k0 + 1) * ldb + col];
                out[j] = pair(x0, x1);
            }
            for (; j < NR; j++) out[j] = 0;
        }
        dst += (size_t)NR * kd;
    }
}
