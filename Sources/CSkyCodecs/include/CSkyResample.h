/*
 * CSkyResample: the two fixed-point convolution passes of Pillow's 8-bit resize (Resample.c),
 * vectorised. SkyImaging's PillowResample builds the kernel tables; these kernels only run them.
 *
 * Each weight w (Pillow's 22-bit fixed point, an int32) arrives split as w = high * 2^15 + low with
 * 0 <= low < 2^15, both int16, so that 16-bit multiply-adds (pmaddwd) can form the products. Every
 * sum is taken modulo 2^32, so the result is the same int32 as Pillow's sum in any order.
 */
#ifndef CSKY_RESAMPLE_H
#define CSKY_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* Which code runs: the best the CPU offers (AVX2 on x86-64 when present), or portable C (for tests). */
typedef enum {
    CSKY_RESAMPLE_BEST = 0,
    CSKY_RESAMPLE_PORTABLE = 1
} csky_resample_level;

/* One axis of a kernel table: output i reads `counts[i]` inputs from `firsts[i]` with the weights
 * `high[i * stride ...]`, `low[i * stride ...]`. */
typedef struct {
    const int32_t *firsts;
    const int32_t *counts;
    const int16_t *high;
    const int16_t *low;
    size_t stride;
    size_t outputs;
} csky_resample_axis;

/* Horizontal pass over a 1-channel image of `rows` rows of `in_width` bytes into rows of
 * `axis->outputs` bytes. Returns 0, or -1 (nothing written) when the table reads outside a row. */
int csky_resample_horizontal_gray(const uint8_t *src, size_t in_width, size_t rows, uint8_t *dst,
                                  const csky_resample_axis *axis, csky_resample_level level);

/* Horizontal pass over any layout of 1 to 4 interleaved channels (each channel convolved on its own, as
 * Pillow does): each row is split into one plane per channel in `scratch` (channels * (in_width +
 * axis->outputs) bytes), convolved, and interleaved back. Returns 0, or -1 (nothing written) for another
 * channel count or a table that reads outside a row. */
int csky_resample_horizontal(const uint8_t *src, size_t channels, size_t in_width, size_t rows, uint8_t *dst,
                             uint8_t *scratch, const csky_resample_axis *axis, csky_resample_level level);

/* The horizontal pass over Pillow's "L" conversion of an RGB (channels 3) or RGBA (channels 4, alpha
 * ignored) image: the same bytes as converting the whole image, then csky_resample_horizontal_gray, with one
 * converted row at a time in `scratch` (`in_width` bytes). Returns 0, or -1 (nothing written) for another
 * channel count or a table that reads outside a row. */
int csky_resample_horizontal_luma(const uint8_t *src, size_t channels, size_t in_width, size_t rows, uint8_t *dst,
                                  uint8_t *scratch, const csky_resample_axis *axis, csky_resample_level level);

/* Vertical pass: `in_rows` rows of `row_bytes` bytes (any channel count) into `axis->outputs` rows.
 * Returns 0, or -1 (nothing written) when the table reads outside the image. */
int csky_resample_vertical(const uint8_t *src, size_t row_bytes, size_t in_rows, uint8_t *dst,
                           const csky_resample_axis *axis, csky_resample_level level);

#endif
