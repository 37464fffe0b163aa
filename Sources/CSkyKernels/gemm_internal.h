// Shared by the GEMM driver (gemm.c) and its AVX-512 kernels (gemm_avx512.c): blocking sizes, packing and
// micro-kernel signatures. Not part of the module's public header.
#ifndef CSKYKERNELS_GEMM_INTERNAL_H
#define CSKYKERNELS_GEMM_INTERNAL_H
#include "CSkyKernels.h"

// NR: tile columns of every kernel (one zmm, two ymm). KC: depth of a block in k (even, so bf16 pairs never
// straddle blocks). NC: columns of B packed at a time. MR_MAX / MC_MAX bound every kernel's rows and row block.
enum { NR = 16, KC = 256, NC = 2048, MR_MAX = 16, MC_MAX = 128, AVX512_MR = 8 };

static inline int round_up(int x, int to) { return (x + to - 1) / to * to; }
static inline int min_int(int a, int b) { return a < b ? a : b; }

/// Computes an MR x NR tile from packed panels `kd` 32-bit slots deep (floats, or bf16 pairs) and writes
/// C = alpha * tile + beta * C (C not read when beta == 0), only `rows` x `cols` of it.
typedef void (*sky_micro_kernel)(int kd, const void *a, const void *b, float *c, int ldc, int rows, int cols,
                                 float alpha, float beta);
/// Packs rows [i0, i0+mc) x depth [p0, p0+kc) of op(A) into `mr`-row panels, slot-major inside a panel.
typedef void (*sky_pack_a_fn)(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, int mr, void *dst);
/// Packs depth [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels, slot-major, zero-padded.
typedef void (*sky_pack_b_fn)(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, void *dst);

void sky_micro_avx512(int kd, const void *a, const void *b, float *c, int ldc, int rows, int cols, float alpha,
                      float beta);
void sky_micro_avx512_bf16(int kd, const void *a, const void *b, float *c, int ldc, int rows, int cols, float alpha,
                           float beta);
void sky_pack_a_bf16(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, int mr, void *dst);
void sky_pack_b_bf16(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, void *dst);
uint16_t sky_bf16_bits(float value);

#endif
