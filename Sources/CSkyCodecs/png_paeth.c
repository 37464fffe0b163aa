/*
 * The Paeth filter (PNG specification, section 9.4) for 1- to 4-byte pixels in SSE2 lanes, with
 * an SSE4.1 variant chosen at run time, for one row or for two consecutive Paeth rows at once.
 *
 * With d = b - c, the predictor picks a unless lo < a < hi, where lo = min(b, c - 2d) and
 * hi = max(b, c - 2d) (only there is |a - c| or |a + b - 2c| below |b - c|); inside, it picks c
 * when a < c - floor(d / 2) (d >= 0) or a > c + floor(-d / 2) (d < 0), else b. These bounds
 * depend on the row above only, so a first pass computes them 16 bytes at a time whatever the
 * pixel size, and the pass along the pixels keeps three comparisons and two selections on the
 * chain from one pixel to the next. The tests check every (a, b, c) against the byte loops.
 *
 * The chain is what bounds the speed, so two Paeth rows in a row run together: the second row's
 * pass trails the first by one chunk, and the two independent chains share the same steps.
 *
 * All values are bytes with the top bit flipped (x ^ 0x80), so that signed byte comparisons
 * order them as unsigned; bounds beyond 0..255 saturate without changing any decision.
 */
#include "png_fast.h"
#include "png_simd.h"

#if defined(__SSE2__)
#define CHUNK 384 /* bytes per pass: a multiple of 1, 2, 3 and 4 */

typedef struct {
    uint8_t at_least[CHUNK + 16]; /* a >= lo + 1 ... */
    uint8_t at_most[CHUNK + 16];  /* ... and a <= hi - 1: inside */
    uint8_t bound[CHUNK + 16];    /* c when bound > a (both flipped when d < 0) */
    uint8_t flip[CHUNK + 16];     /* 0xFF where d < 0 */
    uint8_t up[CHUNK + 16];       /* b */
} paeth_bounds;

/* 16 bytes of `row` from `start` (may be negative or reach `limit`: zeros there). */
static inline __m128i load_clipped(const uint8_t *row, ptrdiff_t start, size_t limit) {
    if (start >= 0 && (size_t)start + 16 <= limit) return _mm_loadu_si128((const __m128i *)(row + start));
    uint8_t bytes[16];
    for (ptrdiff_t i = 0; i < 16; i++) {
        ptrdiff_t at = start + i;
        bytes[i] = (at >= 0 && (size_t)at < limit) ? row[at] : 0;
    }
    return _mm_loadu_si128((const __m128i *)bytes);
}

/* The bounds of 8 bytes in 16-bit lanes, flipped and saturated into bytes by the caller. */
static inline void bounds_16(__m128i b, __m128i c, __m128i *at_least, __m128i *at_most,
                             __m128i *bound, __m128i *flip) {
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1);
    __m128i d = _mm_sub_epi16(b, c);
    __m128i negative = _mm_cmpgt_epi16(zero, d);
    __m128i half = _mm_srli_epi16(_mm_sub_epi16(_mm_xor_si128(d, negative), negative), 1);
    __m128i far = _mm_sub_epi16(c, _mm_add_epi16(d, d));
    *at_least = _mm_add_epi16(_mm_min_epi16(b, far), one);
    *at_most = _mm_sub_epi16(_mm_max_epi16(b, far), one);
    /* c - half when d >= 0, c + half when d < 0 */
    __m128i non_negative = _mm_cmpeq_epi16(negative, zero);
    *bound = _mm_add_epi16(c, _mm_sub_epi16(_mm_xor_si128(half, non_negative), non_negative));
    *flip = negative;
}

/* The bounds of bytes from..to (and the 3 after, which the 4-byte pixel loads read) of a row
 * whose row above is `prior`, readable below `limit` (zeros from there: those bytes only reach
 * lanes past a pixel's own). */
static void prepare(const uint8_t *prior, size_t from, size_t to, size_t limit, size_t bpp,
                    paeth_bounds *out) {
    const __m128i zero = _mm_setzero_si128(), bias = _mm_set1_epi16(128);
    for (size_t x = from; x < to + 3; x += 16) {
        __m128i b = load_clipped(prior, (ptrdiff_t)x, limit);
        __m128i c = load_clipped(prior, (ptrdiff_t)x - (ptrdiff_t)bpp, limit);
        __m128i low[4], high[4];
        bounds_16(_mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero), &low[0], &low[1], &low[2],
                  &low[3]);
        bounds_16(_mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero), &high[0], &high[1],
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

/* a where `outside`, else c where `pick_c`, else b. SSE2 has no byte blend: three masks keep
 * it to three levels on the chain instead of four for two nested selections. */
static inline __m128i pick_sse2(__m128i outside, __m128i pick_c, __m128i a, __m128i b, __m128i c) {
    __m128i from_a = _mm_and_si128(outside, a);
    __m128i from_c = _mm_and_si128(_mm_andnot_si128(outside, pick_c), c);
    __m128i from_b = _mm_andnot_si128(_mm_or_si128(outside, pick_c), b);
    return _mm_or_si128(_mm_or_si128(from_a, from_c), from_b);
}

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_SSE41 1
#include <smmintrin.h>
/* pblendvb: two levels for the same choice. */
__attribute__((target("sse4.1"))) static inline __m128i pick_sse41(__m128i outside, __m128i pick_c,
                                                                   __m128i a, __m128i b, __m128i c) {
    return _mm_blendv_epi8(_mm_blendv_epi8(b, c, pick_c), a, outside);
}
#endif

/* One pixel of one row: `a` and `c` (flipped) carry over to the next pixel. */
#define STEP(PICK, BPP, BOUNDS, AT, RAW, ROW, X, A, C)                                          \
    do {                                                                                        \
        int wide_ = (X) + 4 <= count;                                                           \
        __m128i b_ = load4((BOUNDS).up + (AT));                                                 \
        __m128i outside_ = _mm_or_si128(_mm_cmpgt_epi8(load4((BOUNDS).at_least + (AT)), A),    \
                                        _mm_cmpgt_epi8(A, load4((BOUNDS).at_most + (AT))));     \
        __m128i pick_c_ = _mm_cmpgt_epi8(load4((BOUNDS).bound + (AT)),                         \
                                         _mm_xor_si128(A, load4((BOUNDS).flip + (AT))));        \
        A = _mm_add_epi8(PICK(outside_, pick_c_, A, b_, C), load_pixel((RAW) + (X), BPP, wide_)); \
        store_pixel((ROW) + (X), _mm_xor_si128(A, top), BPP, wide_);                            \
        C = b_;                                                                                 \
    } while (0)

/* Row 1 (above it `prior`) and, when raw2 is not NULL, row 2 (above it row 1): at step k the
 * first row's chunk k and the second row's chunk k - 1, whose bounds row 1 now holds. */
#define ROWS(PICK, BPP)                                                                         \
    do {                                                                                        \
        const __m128i top = _mm_set1_epi8(-128);                                                \
        paeth_bounds first, second;                                                             \
        __m128i a1 = top, c1 = top, a2 = top, c2 = top; /* flipped zeros */                     \
        size_t chunks = (count + CHUNK - 1) / CHUNK;                                            \
        for (size_t k = 0; k <= chunks; k++) {                                                  \
            size_t from1 = k * CHUNK, to1 = from1, from2 = k ? from1 - CHUNK : 0, to2 = from2;  \
            if (k < chunks) {                                                                   \
                to1 = from1 + CHUNK < count ? from1 + CHUNK : count;                            \
                prepare(prior, from1, to1, count, BPP, &first);                                 \
            }                                                                                   \
            if (k > 0 && raw2) {                                                                \
                to2 = from1 < count ? from1 : count;                                            \
                prepare(row1, from2, to2, to2, BPP, &second);                                   \
            }                                                                                   \
            size_t x1 = from1, x2 = from2;                                                      \
            for (; x1 < to1 && x2 < to2; x1 += BPP, x2 += BPP) {                                \
                STEP(PICK, BPP, first, x1 - from1, raw1, row1, x1, a1, c1);                     \
                STEP(PICK, BPP, second, x2 - from2, raw2, row2, x2, a2, c2);                    \
            }                                                                                   \
            for (; x1 < to1; x1 += BPP) STEP(PICK, BPP, first, x1 - from1, raw1, row1, x1, a1, c1); \
            for (; x2 < to2; x2 += BPP) STEP(PICK, BPP, second, x2 - from2, raw2, row2, x2, a2, c2); \
        }                                                                                       \
    } while (0)

#define BY_BPP(PICK)                                                                            \
    switch (bpp) {                                                                              \
    case 1: ROWS(PICK, 1); break;                                                               \
    case 2: ROWS(PICK, 2); break;                                                               \
    case 3: ROWS(PICK, 3); break;                                                               \
    default: ROWS(PICK, 4); break;                                                              \
    }

static void rows_sse2(const uint8_t *raw1, const uint8_t *raw2, const uint8_t *prior, uint8_t *row1,
                      uint8_t *row2, size_t count, size_t bpp) {
    BY_BPP(pick_sse2)
}

#if defined(HAVE_SSE41)
__attribute__((target("sse4.1"))) static void rows_sse41(const uint8_t *raw1, const uint8_t *raw2,
                                                         const uint8_t *prior, uint8_t *row1,
                                                         uint8_t *row2, size_t count, size_t bpp) {
    BY_BPP(pick_sse41)
}
#endif

void csky_paeth_rows(const uint8_t *raw1, const uint8_t *raw2, const uint8_t *prior, uint8_t *row1,
                     uint8_t *row2, size_t count, size_t bpp, int allow_sse41) {
#if defined(HAVE_SSE41)
    if (allow_sse41 && __builtin_cpu_supports("sse4.1")) {
        rows_sse41(raw1, raw2, prior, row1, row2, count, bpp);
        return;
    }
#else
    (void)allow_sse41;
#endif
    rows_sse2(raw1, raw2, prior, row1, row2, count, bpp);
}
#endif
