/*
 * Adam7 interlaced PNGs (PNG specification, section 8.2) for the fast path: the image data is
 * seven reduced images one after the other, each filtered on its own (its first row has no row
 * above), and empty passes (a narrow or short image) have no bytes at all. Each pass is
 * unfiltered whole, then its pixels are put in place, as libpng's png_read_image does with
 * png_set_interlace_handling.
 */
#include "png_fast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t pass_x0[7] = {0, 4, 0, 2, 0, 1, 0}, pass_y0[7] = {0, 0, 4, 0, 2, 0, 1};
static const uint32_t pass_dx[7] = {8, 8, 4, 4, 2, 2, 1}, pass_dy[7] = {8, 8, 8, 4, 4, 2, 2};

/* The width and height of pass `pass`, 0 when the image has no pixel in it. */
static void pass_size(uint32_t width, uint32_t height, int pass, size_t *columns, size_t *rows) {
    *columns = width > pass_x0[pass] ? (width - pass_x0[pass] + pass_dx[pass] - 1) / pass_dx[pass] : 0;
    *rows = height > pass_y0[pass] ? (height - pass_y0[pass] + pass_dy[pass] - 1) / pass_dy[pass] : 0;
    if (*columns == 0 || *rows == 0) *columns = *rows = 0;
}

size_t csky_png_adam7_size(uint32_t width, uint32_t height, int bpp) {
    size_t total = 0;
    for (int pass = 0; pass < 7; pass++) {
        size_t columns, rows;
        pass_size(width, height, pass, &columns, &rows);
        if (rows) total += rows * (1 + columns * (size_t)bpp);
    }
    return total;
}

/* One pass row's pixels to every `step` bytes of an image row; constant sizes, so that each copy
 * is a move rather than a call. */
#define SCATTER(BPP)                                                                            \
    for (size_t x = 0; x < columns; x++) memcpy(to + x * step, from + x * (BPP), BPP)

static void scatter(const uint8_t *from, uint8_t *to, size_t columns, size_t step, int bpp) {
    switch (bpp) {
    case 1: SCATTER(1); break;
    case 2: SCATTER(2); break;
    case 3: SCATTER(3); break;
    case 4: SCATTER(4); break;
    default: SCATTER((size_t)bpp); break;
    }
}

int csky_png_deinterlace(const uint8_t *filtered, uint32_t width, uint32_t height, int bpp,
                         uint8_t *out, char *reason) {
    size_t largest = 0;
    for (int pass = 0; pass < 7; pass++) {
        size_t columns, rows;
        pass_size(width, height, pass, &columns, &rows);
        if (columns * rows > largest) largest = columns * rows;
    }
    uint8_t *reduced = malloc(largest * (size_t)bpp);
    if (!reduced) {
        snprintf(reason, CSKY_ERROR_LEN, "out of memory for an interlaced pass");
        return CSKY_PNG_DECLINED;
    }
    int status = CSKY_OK;
    size_t stride = (size_t)width * (size_t)bpp;
    for (int pass = 0; pass < 7 && status == CSKY_OK; pass++) {
        size_t columns, rows;
        pass_size(width, height, pass, &columns, &rows);
        if (!rows) continue;
        status = csky_png_unfilter(filtered, reduced, (uint32_t)columns, (uint32_t)rows, bpp, reason);
        filtered += rows * (1 + columns * (size_t)bpp);
        for (size_t y = 0; y < rows && status == CSKY_OK; y++) {
            const uint8_t *from = reduced + y * columns * (size_t)bpp;
            uint8_t *to = out + (pass_y0[pass] + y * pass_dy[pass]) * stride + pass_x0[pass] * (size_t)bpp;
            scatter(from, to, columns, pass_dx[pass] * (size_t)bpp, bpp);
        }
    }
    free(reduced);
    return status;
}
