// XXH64, written from the xxHash specification (Yann Collet, BSD-2): one-shot and streaming give the same value.
#include "CSkyIndex.h"
#include <string.h>

static const uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL, P3 = 0x165667B19E3779F9ULL,
                      P4 = 0x85EBCA77C2B2AE63ULL, P5 = 0x27D4EB2F165667C5ULL;

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t read64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }  // little-endian hosts
static inline uint32_t read32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t round64(uint64_t acc, uint64_t input) { return rotl(acc + input * P2, 31) * P1; }
static inline uint64_t merge64(uint64_t acc, uint64_t lane) { return (acc ^ round64(0, lane)) * P1 + P4; }

static uint64_t finish(uint64_t h, const uint8_t *p, size_t length) {
    while (length >= 8) { h = rotl(h ^ round64(0, read64(p)), 27) * P1 + P4; p += 8; length -= 8; }
    if (length >= 4) { h = rotl(h ^ ((uint64_t)read32(p) * P1), 23) * P2 + P3; p += 4; length -= 4; }
    while (length > 0) { h = rotl(h ^ ((uint64_t)(*p) * P5), 11) * P1; p++; length--; }
    h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
    return h;
}

static uint64_t converge(const uint64_t lanes[4]) {
    uint64_t h = rotl(lanes[0], 1) + rotl(lanes[1], 7) + rotl(lanes[2], 12) + rotl(lanes[3], 18);
    for (int i = 0; i < 4; i++) h = merge64(h, lanes[i]);
    return h;
}

static void stripes(uint64_t lanes[4], const uint8_t *p, size_t count) {
    uint64_t a = lanes[0], b = lanes[1], c = lanes[2], d = lanes[3];
    for (size_t i = 0; i < count; i++, p += 32) {
        a = round64(a, read64(p)); b = round64(b, read64(p + 8));
        c = round64(c, read64(p + 16)); d = round64(d, read64(p + 24));
    }
    lanes[0] = a; lanes[1] = b; lanes[2] = c; lanes[3] = d;
}

void skyidx_xxh64_reset(skyidx_xxh64_state *s, uint64_t seed) {
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->lanes[0] = seed + P1 + P2; s->lanes[1] = seed + P2; s->lanes[2] = seed; s->lanes[3] = seed - P1;
}

void skyidx_xxh64_update(skyidx_xxh64_state *s, const void *bytes, size_t length) {
    const uint8_t *p = (const uint8_t *)bytes;
    s->total_length += length;
    if (s->buffered + length < 32) {
        if (length) memcpy(s->buffer + s->buffered, p, length);
        s->buffered += (uint32_t)length;
        return;
    }
    if (s->buffered) {
        size_t fill = 32 - s->buffered;
        memcpy(s->buffer + s->buffered, p, fill);
        stripes(s->lanes, s->buffer, 1);
        p += fill; length -= fill; s->buffered = 0;
    }
    stripes(s->lanes, p, length / 32);
    p += length / 32 * 32; length %= 32;
    memcpy(s->buffer, p, length);
    s->buffered = (uint32_t)length;
}

uint64_t skyidx_xxh64_digest(const skyidx_xxh64_state *s) {
    uint64_t h = s->total_length >= 32 ? converge(s->lanes) : s->seed + P5;
    h += s->total_length;
    return finish(h, s->buffer, s->buffered);
}

uint64_t skyidx_xxh64(const void *bytes, size_t length, uint64_t seed) {
    skyidx_xxh64_state s;
    skyidx_xxh64_reset(&s, seed);
    skyidx_xxh64_update(&s, bytes, length);
    return skyidx_xxh64_digest(&s);
}
