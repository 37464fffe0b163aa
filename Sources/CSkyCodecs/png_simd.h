/* Internal to CSkyCodecs: one pixel (1-4 bytes) in and out of the low lanes of an SSE2 register,
 * for the unfiltering passes that step a pixel at a time (png_unfilter.c, png_paeth.c). */
#ifndef CSKY_PNG_SIMD_H
#define CSKY_PNG_SIMD_H

#if defined(__SSE2__)
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

/* `wide` allows reading (and writing) 4 bytes for a smaller pixel: true for every pixel but
 * those in a row's last 3 bytes, where the extra bytes belong to the next pixels (rewritten by
 * the next steps when stored); the last pixels go byte by byte so that nothing outside the row
 * is touched. */
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

/* Four bytes that are always there to read. */
static inline __m128i load4(const uint8_t *bytes) {
    uint32_t value;
    memcpy(&value, bytes, 4);
    return _mm_cvtsi32_si128((int)value);
}
#endif

#endif
