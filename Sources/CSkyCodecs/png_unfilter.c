/*
 * PNG row unfiltering (PNG specification, section 9: filter types 0-4) for 8-bit samples,
 * straight into the output rows.
 */
#include "png_fast.h"

#include <stdio.h>
#include <string.h>

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
