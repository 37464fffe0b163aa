/* Internal to CSkyCodecs: the libdeflate PNG path (png_fast.c) and row unfiltering. */
#ifndef CSKY_PNG_FAST_H
#define CSKY_PNG_FAST_H

#include "CSkyCodecs.h"

/* The header and palette of a plain 8-bit non-interlaced PNG, or CSKY_PNG_DECLINED. */
int csky_png_fast_info(const uint8_t *data, size_t size, int keep_indices, csky_image_info *info,
                       char *reason);
/* The pixels of a plain 8-bit non-interlaced PNG, or CSKY_PNG_DECLINED (with the reason) for
 * anything else, including every damaged file: the caller then asks libpng. */
int csky_png_fast_decode(const uint8_t *data, size_t size, int keep_indices, uint8_t *out,
                         size_t out_size, csky_image_info *info, char *reason);

/* Unfilters one row (filter type byte first) given the row above (NULL for the first row). */
int csky_png_unfilter_row(const uint8_t *filtered, const uint8_t *prior, uint8_t *row,
                          size_t row_bytes, int bpp, char *reason);
/* Unfilters `height` rows of `width` pixels of `bpp` bytes into `out`, each row's prior being
 * the output row above it. */
int csky_png_unfilter(const uint8_t *filtered, uint8_t *out, uint32_t width, uint32_t height,
                      int bpp, char *reason);

/* One unfiltered row of 8-bit gray+alpha, RGB or RGBA pixels to Pillow's "L" (png_luma.c). */
void csky_png_luma_row(const uint8_t *row, uint8_t *out, size_t width, int channels);

#endif
