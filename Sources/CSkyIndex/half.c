// float16 <-> float32 for SkyIndex's half-precision storage: F16C 8 at a time when the CPU has AVX2 (every AVX2 CPU
// has F16C), bit manipulation otherwise; both round to nearest even and keep infinities, NaNs and subnormals.
#include "CSkyIndex.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF, bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000 | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {  // subnormal: normalise
        int shift = 0;
        while ((mantissa & 0x400) == 0) { mantissa <<= 1; shift++; }
        bits = sign | ((uint32_t)(113 - shift) << 23) | ((mantissa & 0x3FF) << 13);
    }
    float f; memcpy(&f, &bits, 4); return f;
}

static uint16_t float_to_half(float f) {
    uint32_t x; memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t abs = x & 0x7FFFFFFF;
    if (abs >= 0x7F800000) return sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 | ((abs >> 13) & 0x3FF) : 0);
    if (abs >= 0x477FF000) return sign | 0x7C00;  // rounds to infinity
    if (abs < 0x38800000) {  // subnormal or zero in half
        if (abs < 0x33000000) return sign;  // below half the smallest subnormal
        uint32_t mantissa = (abs & 0x7FFFFF) | 0x800000;
        int shift = 126 - (int)(abs >> 23);  // 14..24
        uint32_t value = mantissa >> shift, rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (value & 1))) value++;
        return sign | (uint16_t)value;
    }
    uint32_t value = ((abs >> 13) - (112 << 10)), rest = abs & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (value & 1))) value++;
    return sign | (uint16_t)value;
}

#if defined(__x86_64__)
__attribute__((target("avx2,f16c"))) static void f16_to_f32_f16c(const uint16_t *s, float *d, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + i))));
    for (; i < n; i++) d[i] = half_to_float(s[i]);
}
__attribute__((target("avx2,f16c"))) static void f32_to_f16_f16c(const float *s, uint16_t *d, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(d + i), _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) d[i] = float_to_half(s[i]);
}
static int has_f16c(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    return cached;
}
#endif

void skyidx_f16_to_f32(const uint16_t *source, float *destination, size_t count) {
#if defined(__x86_64__)
    if (has_f16c()) { f16_to_f32_f16c(source, destination, count); return; }
#endif
    for (size_t i = 0; i < count; i++) destination[i] = half_to_float(source[i]);
}

void skyidx_f32_to_f16(const float *source, uint16_t *destination, size_t count) {
#if defined(__x86_64__)
    if (has_f16c()) { f32_to_f16_f16c(source, destination, count); return; }
#endif
    for (size_t i = 0; i < count; i++) destination[i] = float_to_half(source[i]);
}
