/*
 * Pillow's 8-bit convolution passes (see CSkyResample.h). All sums are uint32 so that wrapping is
 * defined; the int32 Pillow would hold is the same bits. The portable code is the reference the
 * AVX2 code is tested against (Tests/SkyImagingTests/PillowResampleTests).
 */
#include "CSkyResample.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define CSKY_HAVE_AVX2_KERNELS 1
#endif

/* Pillow: PRECISION_BITS = 32 - 8 - 2, and every sum starts at half of one. */
#define PRECISION_BITS 22
#define HALF ((uint32_t)1 << (PRECISION_BITS - 1))

/* Pillow's clip8 on the sum high * 2^15 + low + HALF (the int32 shifted right, clamped). */
static inline uint8_t clip_sum(uint32_t high, uint32_t low) {
    uint32_t total = (high << 15) + low + HALF;
    /* Arithmetic shift of the two's complement value, spelled without implementation-defined shifts. */
    int32_t value = (total & 0x80000000u) ? -(int32_t)((~total >> PRECISION_BITS) + 1)
                                          : (int32_t)(total >> PRECISION_BITS);
    return value < 0 ? 0 : (value > 255 ? 255 : (uint8_t)value);
}

/* Every output reads inside [0, size) and no more than `stride` weights. */
static int axis_fits(const csky_resample_axis *axis, size_t size) {
    if (axis == NULL || axis->firsts == NULL || axis->counts == NULL || axis->high == NULL || axis->low == NULL) {
        return 0;
    }
    for (size_t i = 0; i < axis->outputs; i++) {
        int32_t first = axis->firsts[i], count = axis->counts[i];
        if (first < 0 || count < 0 || (size_t)count > axis->stride || (size_t)first + (size_t)count > size) {
            return 0;
        }
    }
    return 1;
}

/* One output pixel from `count` contiguous bytes: the portable dot product. */
static inline void dot_portable(const uint8_t *pixels, const int16_t *high, const int16_t *low, int32_t count,
                                uint32_t *high_sum, uint32_t *low_sum) {
    uint32_t hs = 0, ls = 0;
    for (int32_t t = 0; t < count; t++) {
        hs += (uint32_t)pixels[t] * (uint32_t)(int32_t)high[t];
        ls += (uint32_t)pixels[t] * (uint32_t)low[t];
    }
    *high_sum += hs;
    *low_sum += ls;
}

static void horizontal_row_portable(const uint8_t *row, size_t in_width, uint8_t *out, const csky_resample_axis *axis) {
    (void)in_width;
    for (size_t x = 0; x < axis->outputs; x++) {
        uint32_t hs = 0, ls = 0;
        size_t at = x * axis->stride;
        dot_portable(row + axis->firsts[x], axis->high + at, axis->low + at, axis->counts[x], &hs, &ls);
        out[x] = clip_sum(hs, ls);
    }
}

/* Pillow's "L" conversion of one row of RGB or RGBA (alpha ignored): (19595 R + 38470 G + 7471 B + 2^15) >> 16.
 * Always inlined, so that each caller vectorises it for its own target (AVX2 or the baseline). */
static inline __attribute__((always_inline)) void luma_row_body(const uint8_t *src, uint8_t *dst, size_t width,
                                                               size_t channels) {
    if (channels == 3) {
        for (size_t i = 0; i < width; i++) {
            const uint8_t *p = src + 3 * i;
            dst[i] = (uint8_t)(((uint32_t)p[0] * 19595u + (uint32_t)p[1] * 38470u + (uint32_t)p[2] * 7471u + 0x8000u) >> 16);
        }
    } else {
        for (size_t i = 0; i < width; i++) {
            const uint8_t *p = src + 4 * i;
            dst[i] = (uint8_t)(((uint32_t)p[0] * 19595u + (uint32_t)p[1] * 38470u + (uint32_t)p[2] * 7471u + 0x8000u) >> 16);
        }
    }
}

static void luma_row_portable(const uint8_t *src, uint8_t *dst, size_t width, size_t channels) {
    luma_row_body(src, dst, width, channels);
}

/* One row of 2-, 3- or 4-channel pixels split into planes of `width` bytes each, one per channel, so the
 * one-channel row kernel can run on each. Constant strides per case let the compiler vectorise it. */
static inline __attribute__((always_inline)) void split_row_body(const uint8_t *restrict src,
                                                                uint8_t *restrict planes, size_t width,
                                                                size_t channels) {
    uint8_t *restrict p0 = planes, *restrict p1 = planes + width, *restrict p2 = planes + 2 * width,
                      *restrict p3 = planes + 3 * width;
    if (channels == 2) {
        for (size_t i = 0; i < width; i++) { p0[i] = src[2 * i]; p1[i] = src[2 * i + 1]; }
    } else if (channels == 3) {
        for (size_t i = 0; i < width; i++) { p0[i] = src[3 * i]; p1[i] = src[3 * i + 1]; p2[i] = src[3 * i + 2]; }
    } else {
        for (size_t i = 0; i < width; i++) {
            p0[i] = src[4 * i]; p1[i] = src[4 * i + 1]; p2[i] = src[4 * i + 2]; p3[i] = src[4 * i + 3];
        }
    }
}

static void split_row_portable(const uint8_t *src, uint8_t *planes, size_t width, size_t channels) {
    split_row_body(src, planes, width, channels);
}

static void vertical_portable(const uint8_t *src, size_t row_bytes, uint8_t *dst, const csky_resample_axis *axis) {
    for (size_t y = 0; y < axis->outputs; y++) {
        const int32_t first = axis->firsts[y], count = axis->counts[y];
        const int16_t *high = axis->high + y * axis->stride, *low = axis->low + y * axis->stride;
        uint8_t *out = dst + y * row_bytes;
        for (size_t x = 0; x < row_bytes; x++) {
            uint32_t hs = 0, ls = 0;
            const uint8_t *column = src + (size_t)first * row_bytes + x;
            for (int32_t t = 0; t < count; t++) {
                uint32_t pixel = column[(size_t)t * row_bytes];
                hs += pixel * (uint32_t)(int32_t)high[t];
                ls += pixel * (uint32_t)low[t];
            }
            out[x] = clip_sum(hs, ls);
        }
    }
}

#ifdef CSKY_HAVE_AVX2_KERNELS

__attribute__((target("avx2"))) static inline uint32_t hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/* One output's dot product as eight int32 lanes of (high << 15) + low (mod 2^32, so their sum is Pillow's int32),
 * 16 taps per step: bytes widened to int16, two pmaddwd (high and low halves of the weights). The last partial
 * step runs masked (taps past `count` multiply zero) where its 16 pixels and weights lie inside the row and the
 * table; else those taps go to `*scalar`. */
__attribute__((target("avx2"))) static inline __m256i output_sums(const uint8_t *row, size_t in_width,
                                                                 const csky_resample_axis *axis, size_t x,
                                                                 uint32_t *scalar) {
    const __m256i iota = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const int32_t count = axis->counts[x];
    const uint8_t *pixels = row + axis->firsts[x];
    const int16_t *high = axis->high + x * axis->stride, *low = axis->low + x * axis->stride;
    __m256i high_acc = _mm256_setzero_si256(), low_acc = _mm256_setzero_si256();
    int32_t t = 0;
    for (; t + 16 <= count; t += 16) {
        __m256i p = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(pixels + t)));
        high_acc = _mm256_add_epi32(high_acc, _mm256_madd_epi16(p, _mm256_loadu_si256((const __m256i *)(high + t))));
        low_acc = _mm256_add_epi32(low_acc, _mm256_madd_epi16(p, _mm256_loadu_si256((const __m256i *)(low + t))));
    }
    if (t < count && (size_t)axis->firsts[x] + (size_t)t + 16 <= in_width &&
        x * axis->stride + (size_t)t + 16 <= axis->outputs * axis->stride) {
        __m256i keep = _mm256_cmpgt_epi16(_mm256_set1_epi16((int16_t)(count - t)), iota);
        __m256i p = _mm256_and_si256(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(pixels + t))), keep);
        high_acc = _mm256_add_epi32(high_acc, _mm256_madd_epi16(p, _mm256_loadu_si256((const __m256i *)(high + t))));
        low_acc = _mm256_add_epi32(low_acc, _mm256_madd_epi16(p, _mm256_loadu_si256((const __m256i *)(low + t))));
        t = count;
    }
    uint32_t hs = 0, ls = 0;
    dot_portable(pixels + t, high + t, low + t, count - t, &hs, &ls);
    *scalar = (hs << 15) + ls;
    return _mm256_add_epi32(_mm256_slli_epi32(high_acc, 15), low_acc);
}

/* Eight outputs at a time: their lane sums reduced together by an hadd tree, rounded, shifted and clipped as
 * vectors (clip_sum's arithmetic: after the shift every value lies in [-512, 511], so packs is exact). */
__attribute__((target("avx2"))) static void horizontal_row_avx2(const uint8_t *row, size_t in_width, uint8_t *out,
                                                                const csky_resample_axis *axis) {
    const __m256i half = _mm256_set1_epi32((int32_t)HALF);
    size_t x = 0;
    for (; x + 8 <= axis->outputs; x += 8) {
        uint32_t extra[8];
        __m256i s[8];
        for (int i = 0; i < 8; i++) s[i] = output_sums(row, in_width, axis, x + (size_t)i, &extra[i]);
        __m256i ab = _mm256_hadd_epi32(_mm256_hadd_epi32(s[0], s[1]), _mm256_hadd_epi32(s[2], s[3]));
        __m256i cd = _mm256_hadd_epi32(_mm256_hadd_epi32(s[4], s[5]), _mm256_hadd_epi32(s[6], s[7]));
        /* ab holds outputs 0-3 from the low 128 bits of each s in its low half, from the high bits in its high half. */
        __m256i sums = _mm256_add_epi32(_mm256_permute2x128_si256(ab, cd, 0x20), _mm256_permute2x128_si256(ab, cd, 0x31));
        sums = _mm256_add_epi32(sums, _mm256_loadu_si256((const __m256i *)extra));
        __m256i v = _mm256_srai_epi32(_mm256_add_epi32(sums, half), PRECISION_BITS);
        __m256i words = _mm256_packs_epi32(v, v);
        __m128i w = _mm_unpacklo_epi64(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
        _mm_storel_epi64((__m128i *)(out + x), _mm_packus_epi16(w, w));
    }
    for (; x < axis->outputs; x++) {
        uint32_t extra;
        __m256i s = output_sums(row, in_width, axis, x, &extra);
        out[x] = clip_sum(0, hsum_epi32(s) + extra);
    }
}

/* RGB to "L", 16 pixels a step: each 128-bit lane holds 4 pixels (12 of its 16 loaded bytes); pshufb forms (R, G)
 * and (G, B) int16 pairs, pmaddwd weighs them by (19595, 19235) and (19235, 7471) (38470 = 2 x 19235, every weight
 * under 2^15), and the two sums per pixel are exact in 32 bits. Returns the first pixel left to the byte loop. */
__attribute__((target("avx2"))) static size_t luma_rgb_avx2(const uint8_t *src, uint8_t *dst, size_t width) {
    const signed char z = -128; /* pshufb: a zero byte */
    const __m256i rg = _mm256_setr_epi8(0, z, 1, z, 3, z, 4, z, 6, z, 7, z, 9, z, 10, z,
                                        0, z, 1, z, 3, z, 4, z, 6, z, 7, z, 9, z, 10, z);
    const __m256i gb = _mm256_setr_epi8(1, z, 2, z, 4, z, 5, z, 7, z, 8, z, 10, z, 11, z,
                                        1, z, 2, z, 4, z, 5, z, 7, z, 8, z, 10, z, 11, z);
    const __m256i wrg = _mm256_set1_epi32(19595 | (19235 << 16)), wgb = _mm256_set1_epi32(19235 | (7471 << 16));
    const __m256i half = _mm256_set1_epi32(0x8000);
    size_t x = 0;
    /* The last load of a step reads 16 bytes from pixel x + 12: it must end inside the row. */
    for (; (x + 12) * 3 + 16 <= width * 3; x += 16) {
        const uint8_t *p = src + x * 3;
        __m256i a = _mm256_loadu2_m128i((const __m128i *)(p + 12), (const __m128i *)p);
        __m256i b = _mm256_loadu2_m128i((const __m128i *)(p + 36), (const __m128i *)(p + 24));
        __m256i la = _mm256_add_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(a, rg), wrg),
                                      _mm256_madd_epi16(_mm256_shuffle_epi8(a, gb), wgb));
        __m256i lb = _mm256_add_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(b, rg), wrg),
                                      _mm256_madd_epi16(_mm256_shuffle_epi8(b, gb), wgb));
        la = _mm256_srli_epi32(_mm256_add_epi32(la, half), 16);
        lb = _mm256_srli_epi32(_mm256_add_epi32(lb, half), 16);
        __m256i words = _mm256_packus_epi32(la, lb); /* pixels 0-3 8-11 | 4-7 12-15 */
        __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
        _mm_storeu_si128((__m128i *)(dst + x), _mm_shuffle_epi32(bytes, 0xD8));
    }
    return x;
}

__attribute__((target("avx2"))) static void luma_row_avx2(const uint8_t *src, uint8_t *dst, size_t width,
                                                          size_t channels) {
    if (channels == 3) {
        size_t from = luma_rgb_avx2(src, dst, width);
        luma_row_body(src + from * 3, dst + from, width - from, 3);
        return;
    }
    luma_row_body(src, dst, width, channels);
}

__attribute__((target("avx2"))) static void split_row_avx2(const uint8_t *src, uint8_t *planes, size_t width,
                                                           size_t channels) {
    split_row_body(src, planes, width, channels);
}

/* 16 columns per step, two input rows per step: their bytes interleaved and widened to int16 pairs,
 * each pair multiplied by its two weights in one pmaddwd. */
__attribute__((target("avx2"))) static void vertical_avx2(const uint8_t *src, size_t row_bytes, uint8_t *dst,
                                                          const csky_resample_axis *axis) {
    const __m256i half = _mm256_set1_epi32((int32_t)HALF);
    for (size_t y = 0; y < axis->outputs; y++) {
        const int32_t first = axis->firsts[y], count = axis->counts[y];
        const int16_t *high = axis->high + y * axis->stride, *low = axis->low + y * axis->stride;
        const uint8_t *top = src + (size_t)first * row_bytes;
        uint8_t *out = dst + y * row_bytes;
        size_t x = 0;
        for (; x + 16 <= row_bytes; x += 16) {
            __m256i high0 = _mm256_setzero_si256(), high1 = _mm256_setzero_si256();
            __m256i low0 = _mm256_setzero_si256(), low1 = _mm256_setzero_si256();
            for (int32_t t = 0; t < count; t += 2) {
                const int last = t + 1 == count; /* an odd tap pairs with itself at weight zero */
                __m128i a = _mm_loadu_si128((const __m128i *)(top + (size_t)t * row_bytes + x));
                __m128i b = last ? a : _mm_loadu_si128((const __m128i *)(top + (size_t)(t + 1) * row_bytes + x));
                uint16_t high_b = last ? 0 : (uint16_t)high[t + 1], low_b = last ? 0 : (uint16_t)low[t + 1];
                __m256i wh = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)high[t] | ((uint32_t)high_b << 16)));
                __m256i wl = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)low[t] | ((uint32_t)low_b << 16)));
                __m256i e0 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b));
                __m256i e1 = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a, b));
                high0 = _mm256_add_epi32(high0, _mm256_madd_epi16(e0, wh));
                high1 = _mm256_add_epi32(high1, _mm256_madd_epi16(e1, wh));
                low0 = _mm256_add_epi32(low0, _mm256_madd_epi16(e0, wl));
                low1 = _mm256_add_epi32(low1, _mm256_madd_epi16(e1, wl));
            }
            __m256i v0 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_add_epi32(_mm256_slli_epi32(high0, 15), low0), half),
                                           PRECISION_BITS);
            __m256i v1 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_add_epi32(_mm256_slli_epi32(high1, 15), low1), half),
                                           PRECISION_BITS);
            /* After the shift every value lies in [-512, 511]: packs is exact, packus is clip8. */
            __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(v0, v1), 0xD8);
            __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
            _mm_storeu_si128((__m128i *)(out + x), bytes);
        }
        for (; x < row_bytes; x++) {
            uint32_t hs = 0, ls = 0;
            for (int32_t t = 0; t < count; t++) {
                uint32_t pixel = top[(size_t)t * row_bytes + x];
                hs += pixel * (uint32_t)(int32_t)high[t];
                ls += pixel * (uint32_t)low[t];
            }
            out[x] = clip_sum(hs, ls);
        }
    }
}

/* Asked on every pass (two per resize): cheap, and no shared state between threads. */
static int has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

typedef void (*row_kernel)(const uint8_t *row, size_t in_width, uint8_t *out, const csky_resample_axis *axis);
typedef void (*luma_kernel)(const uint8_t *src, uint8_t *dst, size_t width, size_t channels);
typedef void (*split_kernel)(const uint8_t *src, uint8_t *planes, size_t width, size_t channels);

typedef struct {
    row_kernel row;
    luma_kernel luma;
    split_kernel split;
} kernels;

static kernels pick_kernels(csky_resample_level level) {
    kernels chosen = {horizontal_row_portable, luma_row_portable, split_row_portable};
#ifdef CSKY_HAVE_AVX2_KERNELS
    if (level == CSKY_RESAMPLE_BEST && has_avx2()) {
        chosen = (kernels){horizontal_row_avx2, luma_row_avx2, split_row_avx2};
    }
#endif
    (void)level;
    return chosen;
}

int csky_resample_horizontal_gray(const uint8_t *src, size_t in_width, size_t rows, uint8_t *dst,
                                  const csky_resample_axis *axis, csky_resample_level level) {
    if ((rows > 0 && (src == NULL || dst == NULL)) || !axis_fits(axis, in_width)) return -1;
    const row_kernel row = pick_kernels(level).row;
    for (size_t y = 0; y < rows; y++) row(src + y * in_width, in_width, dst + y * axis->outputs, axis);
    return 0;
}

int csky_resample_horizontal(const uint8_t *src, size_t channels, size_t in_width, size_t rows, uint8_t *dst,
                             uint8_t *scratch, const csky_resample_axis *axis, csky_resample_level level) {
    if (channels < 1 || channels > 4) return -1;
    if (channels == 1) return csky_resample_horizontal_gray(src, in_width, rows, dst, axis, level);
    if ((rows > 0 && (src == NULL || dst == NULL || scratch == NULL)) || !axis_fits(axis, in_width)) return -1;
    const kernels chosen = pick_kernels(level);
    const size_t outputs = axis->outputs;
    uint8_t *planes = scratch, *results = scratch + channels * in_width;
    for (size_t y = 0; y < rows; y++) {
        chosen.split(src + y * in_width * channels, planes, in_width, channels);
        for (size_t c = 0; c < channels; c++) chosen.row(planes + c * in_width, in_width, results + c * outputs, axis);
        uint8_t *out = dst + y * outputs * channels;
        for (size_t x = 0; x < outputs; x++) {
            for (size_t c = 0; c < channels; c++) out[x * channels + c] = results[c * outputs + x];
        }
    }
    return 0;
}

int csky_resample_horizontal_luma(const uint8_t *src, size_t channels, size_t in_width, size_t rows, uint8_t *dst,
                                  uint8_t *scratch, const csky_resample_axis *axis, csky_resample_level level) {
    if (channels != 3 && channels != 4) return -1;
    if ((rows > 0 && (src == NULL || dst == NULL || scratch == NULL)) || !axis_fits(axis, in_width)) return -1;
    const kernels chosen = pick_kernels(level);
    for (size_t y = 0; y < rows; y++) {
        /* One row of "L" at a time: it stays in L1 between the conversion and the convolution. */
        chosen.luma(src + y * in_width * channels, scratch, in_width, channels);
        chosen.row(scratch, in_width, dst + y * axis->outputs, axis);
    }
    return 0;
}

int csky_resample_vertical(const uint8_t *src, size_t row_bytes, size_t in_rows, uint8_t *dst,
                           const csky_resample_axis *axis, csky_resample_level level) {
    if ((row_bytes > 0 && (src == NULL || dst == NULL)) || !axis_fits(axis, in_rows)) return -1;
#ifdef CSKY_HAVE_AVX2_KERNELS
    if (level == CSKY_RESAMPLE_BEST && has_avx2()) {
        vertical_avx2(src, row_bytes, dst, axis);
        return 0;
    }
#endif
    (void)level;
    vertical_portable(src, row_bytes, dst, axis);
    return 0;
}
