/*
 * PNG straight to Pillow's "L" (csky_png_fast_decode_luma), row by row.
 *
 * One unfiltered PNG row (gray+alpha, RGB or RGBA, 8-bit) to Pillow's "L": the formula of
 * SkyImaging's PillowConvert.luminance (Pillow's L24, rounded), (19595 R + 38470 G + 7471 B
 * + 0x8000) >> 16, alpha ignored; gray+alpha keeps its gray byte.
 *
 * Byte loops for any CPU, and an SSSE3 version (chosen at run time; the build targets plain
 * x86-64) that gathers each pixel's R, G, G, B into 16-bit lanes with pshufb and sums them with
 * pmaddwd: 38470 = 2 x 19235 keeps every weight below 2^15, and every sum is exact in 32 bits.
 */
#include "png_fast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define LUMA_HAVE_SSSE3 1
#include <tmmintrin.h>
#endif

static inline uint8_t luma(uint32_t red, uint32_t green, uint32_t blue) {
    return (uint8_t)((red * 19595u + green * 38470u + blue * 7471u + 0x8000u) >> 16);
}

uint8_t csky_luma(uint8_t red, uint8_t green, uint8_t blue) { return luma(red, green, blue); }

/* The byte loops from pixel `from` on. */
static void luma_row_scalar(const uint8_t *row, uint8_t *out, size_t from, size_t width,
                            int channels) {
    size_t stride = (size_t)channels;
    for (size_t x = from; x < width; x++) {
        const uint8_t *pixel = row + x * stride;
        out[x] = channels == 2 ? pixel[0] : luma(pixel[0], pixel[1], pixel[2]);
    }
}

#if defined(LUMA_HAVE_SSSE3)
/* Four pixels' L from two vectors of [R, G, G, B] 16-bit lanes (two pixels each). */
__attribute__((target("ssse3"))) static inline __m128i luma4(__m128i first, __m128i second) {
    const __m128i weights = _mm_setr_epi16(19595, 19235, 19235, 7471, 19595, 19235, 19235, 7471);
    const __m128i half = _mm_set1_epi32(0x8000);
    __m128i sums = _mm_hadd_epi32(_mm_madd_epi16(first, weights), _mm_madd_epi16(second, weights));
    return _mm_srli_epi32(_mm_add_epi32(sums, half), 16);
}

/* Returns the first pixel left to the byte loops: every load stays inside the row. */
__attribute__((target("ssse3"))) static size_t luma_row_ssse3(const uint8_t *row, uint8_t *out,
                                                             size_t width, int channels) {
    const signed char z = -128; /* pshufb: a zero byte */
    size_t x = 0;
    if (channels == 2) {
        const __m128i gray = _mm_set1_epi16(0xFF);
        for (; x + 8 <= width; x += 8) {
            __m128i pixels = _mm_loadu_si128((const __m128i *)(row + x * 2));
            __m128i levels = _mm_and_si128(pixels, gray);
            _mm_storel_epi64((__m128i *)(out + x), _mm_packus_epi16(levels, levels));
        }
        return x;
    }
    /* Byte positions of pixels 0-1 and 2-3 within 16 loaded bytes, per stride. */
    const __m128i low = channels == 3
        ? _mm_setr_epi8(0, z, 1, z, 1, z, 2, z, 3, z, 4, z, 4, z, 5, z)
        : _mm_setr_epi8(0, z, 1, z, 1, z, 2, z, 4, z, 5, z, 5, z, 6, z);
    const __m128i high = channels == 3
        ? _mm_setr_epi8(6, z, 7, z, 7, z, 8, z, 9, z, 10, z, 10, z, 11, z)
        : _mm_setr_epi8(8, z, 9, z, 9, z, 10, z, 12, z, 13, z, 13, z, 14, z);
    size_t stride = (size_t)channels, row_bytes = width * stride;
    /* Eight pixels a step: two loads of four pixels, each reading 16 bytes. */
    for (; (x + 4) * stride + 16 <= row_bytes; x += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(row + x * stride));
        __m128i b = _mm_loadu_si128((const __m128i *)(row + (x + 4) * stride));
        __m128i first = luma4(_mm_shuffle_epi8(a, low), _mm_shuffle_epi8(a, high));
        __m128i second = luma4(_mm_shuffle_epi8(b, low), _mm_shuffle_epi8(b, high));
        __m128i words = _mm_packs_epi32(first, second);
        _mm_storel_epi64((__m128i *)(out + x), _mm_packus_epi16(words, words));
    }
    return x;
}
#endif

void csky_png_luma_row_using(const uint8_t *row, uint8_t *out, size_t width, int channels,
                             int simd) {
    size_t from = 0;
    if (channels < 2 || channels > 4) {
        if (channels == 1) memcpy(out, row, width);
        return;
    }
#if defined(LUMA_HAVE_SSSE3)
    if (simd && __builtin_cpu_supports("ssse3")) from = luma_row_ssse3(row, out, width, channels);
#else
    (void)simd;
#endif
    luma_row_scalar(row, out, from, width, channels);
}

void csky_png_luma_row(const uint8_t *row, uint8_t *out, size_t width, int channels) {
    csky_png_luma_row_using(row, out, width, channels, 1);
}

static int decline(char *reason, const char *message) {
    snprintf(reason, CSKY_ERROR_LEN, "%s", message);
    return CSKY_PNG_DECLINED;
}

/* One unfiltered row of the file's pixels to "L": palette indices through their levels. */
static void row_to_luma(const fast_png *png, const uint8_t *levels, const uint8_t *row, uint8_t *target) {
    if (png->color_type == COLOR_PALETTE) {
        for (uint32_t x = 0; x < png->width; x++) target[x] = levels[row[x]];
    } else {
        csky_png_luma_row(row, target, png->width, png->channels);
    }
}

/* Every row to "L". Interlaced: the whole image in place first. Else three unfiltered rows: two
 * at a time (two Paeth rows run together) and the one above them, each turned into "L" at once,
 * so that the full-colour image is never written. */
static int luma_rows(const fast_png *png, const uint8_t *filtered, const uint8_t *levels, uint8_t *out,
                     char *reason) {
    size_t row_bytes = (size_t)png->width * (size_t)png->channels;
    if (png->interlaced) {
        uint8_t *image = malloc(row_bytes * png->height);
        int status = image ? csky_png_deinterlace(filtered, png->width, png->height, png->channels, image,
                                                  reason)
                           : decline(reason, "out of memory for an interlaced image");
        for (uint32_t y = 0; y < png->height && status == CSKY_OK; y++) {
            row_to_luma(png, levels, image + (size_t)y * row_bytes, out + (size_t)y * png->width);
        }
        free(image);
        return status;
    }
    uint8_t *rows = malloc(row_bytes * 3);
    int status = rows ? CSKY_OK : decline(reason, "out of memory for rows");
    size_t above = 2; /* the slot of the row above the next pair */
    for (uint32_t y = 0; y < png->height && status == CSKY_OK; y += 2) {
        int pair = y + 1 < png->height;
        uint8_t *first = rows + ((above + 1) % 3) * row_bytes;
        uint8_t *second = pair ? rows + ((above + 2) % 3) * row_bytes : NULL;
        status = csky_png_unfilter_pair_using(filtered + (size_t)y * (row_bytes + 1),
                                              y ? rows + above * row_bytes : NULL, first, second,
                                              row_bytes, png->channels, 1, reason);
        for (int i = 0; i <= pair && status == CSKY_OK; i++) {
            row_to_luma(png, levels, i ? second : first, out + (size_t)(y + (uint32_t)i) * png->width);
        }
        above = (above + 2) % 3;
    }
    free(rows);
    return status;
}

int csky_png_fast_decode_luma(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                              csky_image_info *info, char *reason) {
    fast_png png;
    uint8_t *filtered = NULL;
    if (csky_png_fast_inflate(data, size, &png, &filtered, reason) != CSKY_OK) return CSKY_PNG_DECLINED;

    int status;
    if ((size_t)png.width * (size_t)png.height > out_size) {
        status = decline(reason, "output buffer too small");
    } else if (png.channels == 1 && png.color_type != COLOR_PALETTE) {
        /* Gray is already "L": unfilter straight into the output. */
        status = png.interlaced ? csky_png_deinterlace(filtered, png.width, png.height, 1, out, reason)
                                : csky_png_unfilter(filtered, out, png.width, png.height, 1, reason);
    } else {
        uint8_t levels[256] = {0};
        if (png.color_type == COLOR_PALETTE) {
            uint8_t table[256 * 4];
            csky_png_fast_palette(&png, table);
            for (int i = 0; i < 256; i++) {
                levels[i] = csky_luma(table[i * 4], table[i * 4 + 1], table[i * 4 + 2]);
            }
        }
        status = luma_rows(&png, filtered, levels, out, reason);
    }
    free(filtered);
    if (status == CSKY_OK) {
        csky_png_fast_fill_info(&png, 0, info);
        info->channels = 1;
        info->layout = CSKY_LAYOUT_GRAY;
    }
    return status;
}
