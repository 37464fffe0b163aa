/*
 * PNG row unfiltering (PNG specification, section 9: filter types 0-4) for 8-bit samples,
 * straight into the output rows.
 *
 * Two implementations: byte loops (the reference, for every pixel size 1-8) and, where the
 * compiler targets SSE2 (every x86-64), one-pixel-per-step versions of the filters that carry a
 * dependency from pixel to pixel (Sub, Average, Paeth) for 1- to 4-byte pixels. Both are
 * callable (csky_png_unfilter_row_using) so that tests can hold the SIMD paths to the byte loops.
 * The build targets plain x86-64 (SSE2); Paeth also has an SSE4.1 version chosen at run time,
 * and two consecutive Paeth rows run together (csky_png_unfilter_pair_using).
 */
#include "png_fast.h"

#include <stdio.h>
#include <string.h>

#include "png_simd.h"

/* The Paeth predictor in the specification's order (a, then b, then c on ties), without the
 * three-way branch on signed distances: pa = |b - c|, pb = |a - c|, pc = |a + b - 2c|. */
static inline uint8_t paeth(int a, int b, int c) {
    int pa = b - c, pb = a - c;
    int pc = pa + pb;
    pa = pa < 0 ? -pa : pa;
    pb = pb < 0 ? -pb : pb;
    pc = pc < 0 ? -pc : pc;
    int best = (pb < pa) ? b : a;
    int best_distance = (pb < pa) ? pb : pa;
    return (uint8_t)((pc < best_distance) ? c : best);
}

/* One loop body per pixel size, so that the compiler keeps `bpp` a constant and unrolls; the
 * row above is never NULL here (csky_png_unfilter_row_using rewrites the first row's filter). */
#define UNFILTER_WITH_BPP(NAME, BPP)                                                            \
    static void NAME(int filter, const uint8_t *raw, const uint8_t *prior, uint8_t *row,       \
                     size_t count, size_t bpp) {                                               \
        size_t x;                                                                               \
        (void)bpp;                                                                              \
        switch (filter) {                                                                       \
        case 1:                                                                                 \
            memcpy(row, raw, BPP);                                                              \
            for (x = BPP; x < count; x++) row[x] = (uint8_t)(raw[x] + row[x - BPP]);           \
            break;                                                                              \
        case 2:                                                                                 \
            for (x = 0; x < count; x++) row[x] = (uint8_t)(raw[x] + prior[x]);                 \
            break;                                                                              \
        case 3:                                                                                 \
            for (x = 0; x < BPP; x++) row[x] = (uint8_t)(raw[x] + (prior[x] >> 1));            \
            for (; x < count; x++)                                                              \
                row[x] = (uint8_t)(raw[x] + ((row[x - BPP] + prior[x]) >> 1));                 \
            break;                                                                              \
        case 4:                                                                                 \
            for (x = 0; x < BPP; x++) row[x] = (uint8_t)(raw[x] + prior[x]);                   \
            for (; x < count; x++)                                                              \
                row[x] = (uint8_t)(raw[x] + paeth(row[x - BPP], prior[x], prior[x - BPP]));    \
            break;                                                                              \
        default:                                                                                \
            memcpy(row, raw, count);                                                            \
            break;                                                                              \
        }                                                                                       \
    }

UNFILTER_WITH_BPP(unfilter_1, 1)
UNFILTER_WITH_BPP(unfilter_2, 2)
UNFILTER_WITH_BPP(unfilter_3, 3)
UNFILTER_WITH_BPP(unfilter_4, 4)
UNFILTER_WITH_BPP(unfilter_any, bpp) /* 5-8 bytes: 16-bit samples, for completeness */

static void unfilter_scalar(int filter, const uint8_t *raw, const uint8_t *prior, uint8_t *row,
                            size_t count, size_t bpp) {
    switch (bpp) {
    case 1: unfilter_1(filter, raw, prior, row, count, bpp); break;
    case 2: unfilter_2(filter, raw, prior, row, count, bpp); break;
    case 3: unfilter_3(filter, raw, prior, row, count, bpp); break;
    case 4: unfilter_4(filter, raw, prior, row, count, bpp); break;
    default: unfilter_any(filter, raw, prior, row, count, bpp); break;
    }
}

#if defined(__SSE2__)
/* Sub, Average and Paeth carry a dependency from one pixel to the next: a byte loop walks one
 * byte (one chain per channel) at a time, while these versions take a whole pixel per step in
 * SSE2 lanes and keep the pixel-to-pixel chain a few instructions long (Paeth: png_paeth.c).
 * The first pixel needs no special case: with a = c = 0 each formula reduces to the
 * specification's. */
static inline void sub_simd(const uint8_t *raw, uint8_t *row, size_t count, size_t bpp) {
    __m128i a = _mm_setzero_si128();
    for (size_t x = 0; x < count; x += bpp) {
        int wide = x + 4 <= count;
        a = _mm_add_epi8(a, load_pixel(raw + x, bpp, wide));
        store_pixel(row + x, a, bpp, wide);
    }
}

/* Average: floor((a + b) / 2) = ~pavgb(~a, ~b), because pavgb rounds up. Carrying ~a instead
 * of a, the next ~a is pavgb(~a, ~b) - raw (as ~(m + r) = ~m - r), two instructions per pixel
 * on the chain. */
static inline void average_simd(const uint8_t *raw, const uint8_t *prior, uint8_t *row,
                                size_t count, size_t bpp) {
    const __m128i ones = _mm_set1_epi8(-1);
    __m128i not_a = ones;
    for (size_t x = 0; x < count; x += bpp) {
        int wide = x + 4 <= count;
        __m128i not_b = _mm_xor_si128(load_pixel(prior + x, bpp, wide), ones);
        not_a = _mm_sub_epi8(_mm_avg_epu8(not_a, not_b), load_pixel(raw + x, bpp, wide));
        store_pixel(row + x, _mm_xor_si128(not_a, ones), bpp, wide);
    }
}

/* Returns 1 when a SIMD version took the row (pixels of 1-4 bytes). Up and None are plain byte
 * loops that the compiler vectorises; Sub on 1- and 2-byte pixels is a one-add chain per byte
 * already. The constant pixel sizes let the compiler specialise each loop. */
static int unfilter_simd(int filter, const uint8_t *raw, const uint8_t *prior, uint8_t *row,
                         size_t count, size_t bpp, int allow_sse41) {
    switch (filter) {
    case 1:
        if (bpp == 3) sub_simd(raw, row, count, 3);
        else if (bpp == 4) sub_simd(raw, row, count, 4);
        else return 0;
        return 1;
    case 3:
        switch (bpp) {
        case 1: average_simd(raw, prior, row, count, 1); break;
        case 2: average_simd(raw, prior, row, count, 2); break;
        case 3: average_simd(raw, prior, row, count, 3); break;
        default: average_simd(raw, prior, row, count, 4); break;
        }
        return 1;
    case 4:
        csky_paeth_rows(raw, NULL, prior, row, NULL, count, bpp, allow_sse41);
        return 1;
    default:
        return 0;
    }
}
#endif

int csky_png_unfilter_row_using(const uint8_t *filtered, const uint8_t *prior, uint8_t *row,
                                size_t row_bytes, int bpp, int allow_simd, char *reason) {
    int filter = filtered[0];
    const uint8_t *raw = filtered + 1;
    if (filter > 4) {
        snprintf(reason, CSKY_ERROR_LEN, "bad adaptive filter value %d", filter);
        return CSKY_PNG_DECLINED;
    }
    if (bpp < 1 || bpp > 8) {
        snprintf(reason, CSKY_ERROR_LEN, "unsupported pixel size %d", bpp);
        return CSKY_PNG_DECLINED;
    }
    if (!prior) {
        /* The row above the first is all zeros: Up is None, Paeth is Sub, Average halves `a`. */
        if (filter == 2) filter = 0;
        if (filter == 4) filter = 1;
        if (filter == 3) {
            size_t x;
            for (x = 0; x < (size_t)bpp && x < row_bytes; x++) row[x] = raw[x];
            for (; x < row_bytes; x++) row[x] = (uint8_t)(raw[x] + (row[x - (size_t)bpp] >> 1));
            return CSKY_OK;
        }
    }
    if (row_bytes < (size_t)bpp) {
        memcpy(row, raw, row_bytes); /* unreachable for 8-bit rows (a row holds a whole pixel) */
        return CSKY_OK;
    }
#if defined(__SSE2__)
    if (allow_simd && prior && bpp <= 4 &&
        unfilter_simd(filter, raw, prior, row, row_bytes, (size_t)bpp, allow_simd != 2)) {
        return CSKY_OK;
    }
#else
    (void)allow_simd;
#endif
    unfilter_scalar(filter, raw, prior, row, row_bytes, (size_t)bpp);
    return CSKY_OK;
}

int csky_png_unfilter_row(const uint8_t *filtered, const uint8_t *prior, uint8_t *row,
                          size_t row_bytes, int bpp, char *reason) {
    return csky_png_unfilter_row_using(filtered, prior, row, row_bytes, bpp, 1, reason);
}

int csky_png_unfilter_pair_using(const uint8_t *filtered, const uint8_t *prior, uint8_t *row1,
                                 uint8_t *row2, size_t row_bytes, int bpp, int simd, char *reason) {
    const uint8_t *second = filtered + row_bytes + 1;
#if defined(__SSE2__)
    /* Both Paeth with a row above: the two chains interleave (png_paeth.c). */
    if (simd && row2 && prior && filtered[0] == 4 && second[0] == 4 && bpp >= 1 && bpp <= 4 &&
        row_bytes >= (size_t)bpp) {
        csky_paeth_rows(filtered + 1, second + 1, prior, row1, row2, row_bytes, (size_t)bpp, simd != 2);
        return CSKY_OK;
    }
#endif
    if (csky_png_unfilter_row_using(filtered, prior, row1, row_bytes, bpp, simd, reason) != CSKY_OK) {
        return CSKY_PNG_DECLINED;
    }
    if (!row2) return CSKY_OK;
    return csky_png_unfilter_row_using(second, row1, row2, row_bytes, bpp, simd, reason);
}

int csky_png_unfilter(const uint8_t *filtered, uint8_t *out, uint32_t width, uint32_t height,
                      int bpp, char *reason) {
    size_t row_bytes = (size_t)width * (size_t)bpp;
    for (uint32_t y = 0; y < height; y += 2) {
        uint8_t *row = out + (size_t)y * row_bytes;
        uint8_t *next = y + 1 < height ? row + row_bytes : NULL;
        const uint8_t *prior = y ? row - row_bytes : NULL;
        if (csky_png_unfilter_pair_using(filtered + (size_t)y * (row_bytes + 1), prior, row, next,
                                         row_bytes, bpp, 1, reason) != CSKY_OK) {
            return CSKY_PNG_DECLINED;
        }
    }
    return CSKY_OK;
}
