/* Internal to CSkyCodecs: the libdeflate PNG path (png_fast.c, png_luma.c, png_adam7.c) and row
 * unfiltering (png_unfilter.c, png_paeth.c). */
#ifndef CSKY_PNG_FAST_H
#define CSKY_PNG_FAST_H

#include "CSkyCodecs.h"

enum { COLOR_GRAY = 0, COLOR_RGB = 2, COLOR_PALETTE = 3, COLOR_GRAY_ALPHA = 4, COLOR_RGBA = 6 };

/* One walk over the chunks: what the header says and where the image data lies. */
typedef struct {
    uint32_t width, height;
    int color_type;
    int channels;          /* samples per pixel in the file */
    int interlaced;        /* Adam7 */
    int palette_count;
    int trans_count;       /* palette tRNS entries, 0 when none */
    uint8_t palette[256 * 4];
    const uint8_t *idat;   /* the first IDAT chunk's data */
    size_t idat_size;      /* the sum of every IDAT chunk's length */
    int idat_chunks;
} fast_png;

/* Walks the chunks and inflates the image data into `*filtered` (malloc'd, the caller frees it):
 * each row (each pass's rows, Adam7) a filter type byte and the row's bytes. */
int csky_png_fast_inflate(const uint8_t *data, size_t size, fast_png *png, uint8_t **filtered,
                          char *reason);
/* Walks the chunks only (no inflating): the header, palette and where the IDAT data lies. */
int csky_png_fast_walk(const uint8_t *data, size_t size, fast_png *png, char *reason);
/* Fills `info` as csky_png_prepare does for the same file. */
void csky_png_fast_fill_info(const fast_png *png, int keep_indices, csky_image_info *info);
/* The 256-entry RGBA table png_do_expand_palette uses: zeros past PLTE, alpha 255 past tRNS. */
void csky_png_fast_palette(const fast_png *png, uint8_t *table);

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
