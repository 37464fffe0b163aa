/*
 * PNG row unfiltering (PNG specification, section 9: filter types 0-4) for 8-bit samples,
 * straight into the output rows.
 */
#include "png_fast.h"

#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* One loop body per pixel size, so that the compiler keeps `bpp` a constant and unrolls. */
#define UNFILTER_WITH_BPP(BPP)                                                                  \
    static void unfilter_##BPP(int filter, const uint8_t *raw, const uint8_t *prior,            \
                               uint8_t *row, size_t count) {                                    \
        size_t x;                                                                               \
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

UNFILTER_WITH_BPP(1)
UNFILTER_WITH_BPP(2)
UNFILTER_WITH_BPP(3)
UNFILTER_WITH_BPP(4)

#if defined(__SSE2__)
/* Sub, Average and Paeth carry a dependency from one pixel to the next, so a byte loop runs one
 * byte at a time; for 3- and 4-byte pixels these versions handle a whole pixel per step in SSE2
 * lanes (bytes for Sub and Average, 16-bit lanes for Paeth's signed distances). The first pixel
 * needs no special case: with a = c = 0 each formula reduces to the specification's. */
/* A pixel's bytes in the low lanes. `wide` allows reading (and writing) 4 bytes for a 3-byte
 * pixel: true for every pixel but a row's last, where the fourth byte is the next pixel's first
 * (rewritten by the next step when stored). The last pixel of a 3-byte row goes byte by byte. */
static inline __m128i load_pixel(const uint8_t *bytes, size_t bpp, int wide) {
    uint32_t value;
    if (bpp == 4 || wide) {
        memcpy(&value, bytes, 4);
    } else {
        value = (uint32_t)bytes[0] | ((uint32_t)bytes[1] << 8) | ((uint32_t)bytes[2] << 16);
    }
    return _mm_cvtsi32_si128((int)value);
}

static inline void store_pixel(uint8_t *bytes, __m128i pixel, size_t bpp, int wide) {
    uint32_t value = (uint32_t)_mm_cvtsi128_si32(pixel);
    if (bpp == 4 || wide) {
        memcpy(bytes, &value, 4);
    } else {
        bytes[0] = (uint8_t)value;
        bytes[1] = (uint8_t)(value >> 8);
        bytes[2] = (uint8_t)(value >> 16);
    }
}

static inline __m128i select_lanes(__m128i mask, __m128i when_set, __m128i otherwise) {
    return _mm_or_si128(_mm_and_si128(mask, when_set), _mm_andnot_si128(mask, otherwise));
}

static inline __m128i abs_epi16(__m128i value) {
    return _mm_max_epi16(value, _mm_sub_epi16(_mm_setzero_si128(), value));
}

static inline void sub_simd(const uint8_t *raw, uint8_t *row, size_t count, size_t bpp) {
    __m128i a = _mm_setzero_si128();
    for (size_t x = 0; x < count; x += bpp) {
        int wide = x + 4 <= count;
        a = _mm_add_epi8(a, load_pixel(raw + x, bpp, wide));
        store_pixel(row + x, a, bpp, wide);
    }
}

static inline void average_simd(const uint8_t *raw, const uint8_t *prior, uint8_t *row,
                                size_t count, size_t bpp) {
    const __m128i ones = _mm_set1_epi8(1);
    __m128i a = _mm_setzero_si128();
    for (size_t x = 0; x < count; x += bpp) {
        int wide = x + 4 <= count;
        __m128i b = load_pixel(prior + x, bpp, wide);
        /* floor((a + b) / 2): pavgb rounds up, so take back the odd bit. */
        __m128i mean = _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), ones));
        a = _mm_add_epi8(mean, load_pixel(raw + x, bpp, wide));
        store_pixel(row + x, a, bpp, wide);
    }
}

static inline void paeth_simd(const uint8_t *raw, const uint8_t *prior, uint8_t *row,
                              size_t count, size_t bpp) {
    const __m128i zero = _mm_setzero_si128();
    __m128i a = zero, c = zero; /* 16-bit lanes */
    for (size_t x = 0; x < count; x += bpp) {
        int wide = x + 4 <= count;
        __m128i b = _mm_unpacklo_epi8(load_pixel(prior + x, bpp, wide), zero);
        __m128i pa = _mm_sub_epi16(b, c), pb = _mm_sub_epi16(a, c);
        __m128i pc = abs_epi16(_mm_add_epi16(pa, pb));
        pa = abs_epi16(pa);
        pb = abs_epi16(pb);
        __m128i smallest = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
        /* The specification's tie order: a, then b, then c. */
        __m128i nearest = select_lanes(_mm_cmpeq_epi16(pa, smallest), a,
                                       select_lanes(_mm_cmpeq_epi16(pb, smallest), b, c));
        __m128i pixel = _mm_add_epi8(load_pixel(raw + x, bpp, wide), _mm_packus_epi16(nearest, nearest));
        store_pixel(row + x, pixel, bpp, wide);
        a = _mm_unpacklo_epi8(pixel, zero);
        c = b;
    }
}

/* Returns 1 when a SIMD version took the row. Measured on 2048-pixel rows of random bytes: SIMD
 * wins for 4-byte pixels in all three filters and for Sub on 3-byte pixels, while the byte loops
 * stay faster for Average and Paeth on 3-byte pixels (three independent byte chains beat one
 * chain of 16-bit lane operations plus the partial-pixel loads). */
static int unfilter_simd(int filter, const uint8_t *raw, const uint8_t *prior, uint8_t *row,
                         size_t count, int bpp) {
    if (bpp == 4) {
        switch (filter) {
        case 1: sub_simd(raw, row, count, 4); return 1;
        case 3: average_simd(raw, prior, row, count, 4); return 1;
        case 4: paeth_simd(raw, prior, row, count, 4); return 1;
        default: return 0;
        }
    }
    if (bpp == 3 && filter == 1) {
        sub_simd(raw, row, count, 3);
        return 1;
    }
    return 0;
}
#endif

int csky_png_unfilter_row(const uint8_t *filtered, const uint8_t *prior, uint8_t *row,
                          size_t row_bytes, int bpp, char *reason) {
    int filter = filtered[0];
    const uint8_t *raw = filtered + 1;
    if (filter > 4) {
        snprintf(reason, CSKY_ERROR_LEN, "bad adaptive filter value %d", filter);
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
    if (prior && unfilter_simd(filter, raw, prior, row, row_bytes, bpp)) return CSKY_OK;
#endif
    switch (bpp) {
    case 1: unfilter_1(filter, raw, prior, row, row_bytes); break;
    case 2: unfilter_2(filter, raw, prior, row, row_bytes); break;
    case 3: unfilter_3(filter, raw, prior, row, row_bytes); break;
    default: unfilter_4(filter, raw, prior, row, row_bytes); break;
    }
    return CSKY_OK;
}

int csky_png_unfilter(const uint8_t *filtered, uint8_t *out, uint32_t width, uint32_t height,
                      int bpp, char *reason) {
    size_t row_bytes = (size_t)width * (size_t)bpp;
    for (uint32_t y = 0; y < height; y++) {
        uint8_t *row = out + (size_t)y * row_bytes;
        const uint8_t *prior = y ? row - row_bytes : NULL;
        if (csky_png_unfilter_row(filtered + (size_t)y * (row_bytes + 1), prior, row, row_bytes,
                                  bpp, reason) != CSKY_OK) {
            return CSKY_PNG_DECLINED;
        }
    }
    return CSKY_OK;
}
