/* Internal to CSkyCodecs: the libdeflate PNG path (png_fast.c) and row unfiltering. */
#ifndef CSKY_PNG_FAST_H
#define CSKY_PNG_FAST_H

#include "CSkyCodecs.h"

/* The header and palette of a plain 8-bit PNG (Adam7 interlaced or not), or CSKY_PNG_DECLINED. */
int csky_png_fast_info(const uint8_t *data, size_t size, int keep_indices, csky_image_info *info,
                       char *reason);
/* The pixels of a plain 8-bit PNG, or CSKY_PNG_DECLINED (with the reason) for
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

/* Paeth for one row (raw2 and row2 NULL) or two consecutive rows, pixels of 1-4 bytes, a row
 * above given; SSE2 builds only (png_paeth.c). */
void csky_paeth_rows(const uint8_t *raw1, const uint8_t *raw2, const uint8_t *prior, uint8_t *row1,
                     uint8_t *row2, size_t count, size_t bpp, int allow_sse41);

/* Adam7 (png_adam7.c): the bytes of image data an interlaced 8-bit image holds, and its
 * pixels unfiltered and put in place in `out` (width * height * bpp bytes). */
size_t csky_png_adam7_size(uint32_t width, uint32_t height, int bpp);
int csky_png_deinterlace(const uint8_t *filtered, uint32_t width, uint32_t height, int bpp,
                         uint8_t *out, char *reason);

/* One unfiltered row of 8-bit gray+alpha, RGB or RGBA pixels to Pillow's "L" (png_luma.c). */
void csky_png_luma_row(const uint8_t *row, uint8_t *out, size_t width, int channels);

#endif
