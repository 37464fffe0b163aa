/*
 * PNG row unfiltering (PNG specification, section 9: filter types 0-4) for 8-bit samples,
 * straight into the output rows.
 *
 * Two implementations: byte loops (the reference, for every pixel size 1-8) and, where the
 * compiler targets SSE2 (every x86-64), one-pixel-per-step versions of the filters that carry a
 * dependency from pixel to pixel (Sub, Average, Paeth) for 1- to 4-byte pixels. Both are
 * callable (csky_png_unfilter_row_using) so that tests can hold the SIMD paths to the byte loops.
 * The build targets plain x86-64 (SSE2); Paeth also has an SSE4.1 version chosen at run time.
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
 * SSE2 lanes and keep the pixel-to-pixel chain a few instructions long. The first pixel needs
 * no special case: with a = c = 0 each formula reduces to the specification's.
 *
 * A pixel's bytes sit in the low lanes. `wide` allows reading (and writing) 4 bytes for a
 * smaller pixel: true for every pixel but those in a row's last 3 bytes, where the extra bytes
 * belong to the next pixels (rewritten by the next steps when stored); the last pixels go byte
 * by byte so that nothing outside the row is touched. */
static inline __m128i load_pixel(const uint8_t *bytes, size_t bpp, int wide) {
    uint32_t value = 0;
    if (wide) {
        memcpy(&value, bytes, 4);
    } else {
        for (size_t i = 0; i < bpp; i++) value |= (uint32_t)bytes[i] << (8 * i);
    }
    return _mm_cvtsi32_si128((int)value);
}

static inline void store_pixel(uint8_t *bytes, __m128i pixel, size_t bpp, int wide) {
    uint32_t value = (uint32_t)_mm_cvtsi128_si32(pixel);
    if (wide) {
        memcpy(bytes, &value, 4);
    } else {
        for (size_t i = 0; i < bpp; i++) bytes[i] = (uint8_t)(value >> (8 * i));
    }
}

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

/* Paeth. With d = b - c, the predictor picks a unless lo < a < hi, where lo = min(b, c - 2d)
 * and hi = max(b, c - 2d) (only there is |a - c| or |a + b - 2c| below |b - c|); inside, it
 * picks c when a < c - floor(d / 2) (d >= 0) or a > c + floor(-d / 2) (d < 0), else b.
 * These bounds depend on the row above only, so a first pass computes them 16 bytes at a time
 * whatever the pixel size, and the pass along the pixels keeps three comparisons and two
 * selections on the chain from one pixel to the next. Checked against paeth() for all 2^24
 * (a, b, c) by the tests.
 *
 * All values are bytes with the top bit flipped (x ^ 0x80), so that signed byte comparisons
 * order them as unsigned; bounds beyond 0..255 saturate without changing any decision. */
#define PAETH_CHUNK 1536 /* bytes per pass: a multiple of 1, 2, 3 and 4 */

typedef struct {
    uint8_t at_least[PAETH_CHUNK + 16]; /* a >= lo + 1 ... */
    uint8_t at_most[PAETH_CHUNK + 16];  /* ... and a <= hi - 1: inside */
    uint8_t bound[PAETH_CHUNK + 16];    /* c when bound > a (both flipped when d < 0) */
    uint8_t flip[PAETH_CHUNK + 16];     /* 0xFF where d < 0 */
    uint8_t up[PAETH_CHUNK + 16];       /* b */
} paeth_bounds;

/* 16 bytes of `row` from `start` (may be negative or run past `count`: zeros there). */
static inline __m128i load_clipped(const uint8_t *row, ptrdiff_t start, size_t count) {
    if (start >= 0 && (size_t)start + 16 <= count) return _mm_loadu_si128((const __m128i *)(row + start));
    uint8_t bytes[16];
    for (ptrdiff_t i = 0; i < 16; i++) {
        ptrdiff_t at = start + i;
        bytes[i] = (at >= 0 && (size_t)at < count) ? row[at] : 0;
    }
    return _mm_loadu_si128((const __m128i *)bytes);
}

/* The bounds of 8 bytes in 16-bit lanes, flipped and saturated into bytes by the caller. */
static inline void paeth_bounds_16(__m128i b, __m128i c, __m128i *at_least, __m128i *at_most,
                                   __m128i *bound, __m128i *flip) {
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1);
    __m128i d = _mm_sub_epi16(b, c);
    __m128i negative = _mm_cmpgt_epi16(zero, d);
    __m128i half = _mm_srli_epi16(_mm_sub_epi16(_mm_xor_si128(d, negative), negative), 1);
    __m128i far = _mm_sub_epi16(c, _mm_add_epi16(d, d));
    *at_least = _mm_add_epi16(_mm_min_epi16(b, far), one);
    *at_most = _mm_sub_epi16(_mm_max_epi16(b, far), one);
    /* c - half when d >= 0, c + half when d < 0 */
    *bound = _mm_add_epi16(c, _mm_sub_epi16(_mm_xor_si128(half, _mm_cmpeq_epi16(negative, zero)),
                                            _mm_cmpeq_epi16(negative, zero)));
    *flip = negative;
}

static void paeth_prepare(const uint8_t *prior, size_t from, size_t to, size_t count, size_t bpp,
                          paeth_bounds *out) {
    const __m128i zero = _mm_setzero_si128(), bias = _mm_set1_epi16(128);
    /* Three bytes past `to` as well: the pass along the pixels reads 4 bytes for every pixel. */
    for (size_t x = from; x < to + 3; x += 16) {
        __m128i b = load_clipped(prior, (ptrdiff_t)x, count);
        __m128i c = load_clipped(prior, (ptrdiff_t)x - (ptrdiff_t)bpp, count);
        __m128i low[4], high[4];
        paeth_bounds_16(_mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero), &low[0], &low[1],
                        &low[2], &low[3]);
        paeth_bounds_16(_mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero), &high[0], &high[1],
                        &high[2], &high[3]);
        /* Saturating to -128..127 after subtracting 128 clamps to 0..255 and flips the top bit. */
        __m128i flip = _mm_packs_epi16(low[3], high[3]);
        size_t at = x - from;
        _mm_storeu_si128((__m128i *)(out->at_least + at),
                         _mm_packs_epi16(_mm_sub_epi16(low[0], bias), _mm_sub_epi16(high[0], bias)));
        _mm_storeu_si128((__m128i *)(out->at_most + at),
                         _mm_packs_epi16(_mm_sub_epi16(low[1], bias), _mm_sub_epi16(high[1], bias)));
        _mm_storeu_si128((__m128i *)(out->bound + at),
                         _mm_xor_si128(_mm_packs_epi16(_mm_sub_epi16(low[2], bias),
                                                       _mm_sub_epi16(high[2], bias)), flip));
        _mm_storeu_si128((__m128i *)(out->flip + at), flip);
        _mm_storeu_si128((__m128i *)(out->up + at), _mm_xor_si128(b, _mm_set1_epi8(-128)));
    }
}

static inline __m128i load4(const uint8_t *bytes) {
    uint32_t value;
    memcpy(&value, bytes, 4);
    return _mm_cvtsi32_si128((int)value);
}

/* a where `outside`, else c where `pick_c`, else b. SSE2 has no byte blend: three masks keep
 * it to three levels on the chain instead of four for two nested selections. */
static inline __m128i paeth_pick_sse2(__m128i outside, __m128i pick_c, __m128i a, __m128i b,
                                      __m128i c) {
    __m128i from_a = _mm_and_si128(outside, a);
    __m128i from_c = _mm_and_si128(_mm_andnot_si128(outside, pick_c), c);
    __m128i from_b = _mm_andnot_si128(_mm_or_si128(outside, pick_c), b);
    return _mm_or_si128(_mm_or_si128(from_a, from_c), from_b);
}

#if defined(__x86_64__) || defined(__i386__)
#define PAETH_HAVE_SSE41 1
#include <smmintrin.h>
/* pblendvb: two levels for the same choice. */
__attribute__((target("sse4.1"))) static inline __m128i paeth_pick_sse41(
    __m128i outside, __m128i pick_c, __m128i a, __m128i b, __m128i c) {
    return _mm_blendv_epi8(_mm_blendv_epi8(b, c, pick_c), a, outside);
}
#endif

/* The pass along the pixels, for one pick function; `bpp` is a constant in each expansion. */
#define PAETH_PIXELS(PICK, BPP)                                                                 \
    do {                                                                                        \
        const __m128i top = _mm_set1_epi8(-128);                                                \
        paeth_bounds bounds;                                                                    \
        __m128i a = top, c = top; /* flipped zeros */                                           \
        for (size_t from = 0; from < count; from += PAETH_CHUNK) {                              \
            size_t to = from + PAETH_CHUNK < count ? from + PAETH_CHUNK : count;                \
            paeth_prepare(prior, from, to, count, BPP, &bounds);                                \
            for (size_t x = from; x < to; x += BPP) {                                           \
                size_t at = x - from;                                                           \
                int wide = x + 4 <= count;                                                      \
                __m128i b = load4(bounds.up + at);                                              \
                __m128i outside = _mm_or_si128(_mm_cmpgt_epi8(load4(bounds.at_least + at), a), \
                                               _mm_cmpgt_epi8(a, load4(bounds.at_most + at)));  \
                __m128i pick_c = _mm_cmpgt_epi8(load4(bounds.bound + at),                       \
                                                _mm_xor_si128(a, load4(bounds.flip + at)));     \
                a = _mm_add_epi8(PICK(outside, pick_c, a, b, c), load_pixel(raw + x, BPP, wide)); \
                store_pixel(row + x, _mm_xor_si128(a, top), BPP, wide);                         \
                c = b;                                                                          \
            }                                                                                   \
        }                                                                                       \
    } while (0)

#define PAETH_BY_BPP(PICK)                                                                      \
    switch (bpp) {                                                                              \
    case 1: PAETH_PIXELS(PICK, 1); break;                                                       \
    case 2: PAETH_PIXELS(PICK, 2); break;                                                       \
    case 3: PAETH_PIXELS(PICK, 3); break;                                                       \
    default: PAETH_PIXELS(PICK, 4); break;                                                      \
    }

static void paeth_sse2(const uint8_t *raw, const uint8_t *prior, uint8_t *row, size_t count,
                       size_t bpp) {
    PAETH_BY_BPP(paeth_pick_sse2)
}

#if defined(PAETH_HAVE_SSE41)
__attribute__((target("sse4.1"))) static void paeth_sse41(const uint8_t *raw, const uint8_t *prior,
                                                          uint8_t *row, size_t count, size_t bpp) {
    PAETH_BY_BPP(paeth_pick_sse41)
}
#endif

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
#if defined(PAETH_HAVE_SSE41)
        if (allow_sse41 && __builtin_cpu_supports("sse4.1")) {
            paeth_sse41(raw, prior, row, count, bpp);
            return 1;
        }
#else
        (void)allow_sse41;
#endif
        paeth_sse2(raw, prior, row, count, bpp);
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
