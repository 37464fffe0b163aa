/*
 * CSkyCodecs: PNG and JPEG over libpng and libjpeg-turbo; plain 8-bit PNGs over libdeflate;
 * TIFF over libtiff (decoding only).
 *
 * Every setjmp/longjmp of the two libraries stays inside this target: each entry point
 * returns CSKY_OK or CSKY_ERROR and writes the codec's message into `error`, so that no
 * codec failure exits the process or unwinds through Swift frames.
 */
#ifndef CSKY_CODECS_H
#define CSKY_CODECS_H

#include <stddef.h>
#include <stdint.h>
#include "CSkyGzip.h" /* gzip inflation (SkyCLIP vocabulary); umbrella include so Swift sees it */
#include "CSkyResample.h" /* Pillow resampling kernels (SkyImaging); umbrella include as above */

#define CSKY_OK 0
#define CSKY_ERROR 1
#define CSKY_ERROR_LEN 256
/* Only from CSKY_PNG_PATH_FAST: the fast PNG path does not take this file (reason in `error`). */
#define CSKY_PNG_DECLINED 2
/* A flag or-ed into the keep_indices argument of the PNG and TIFF calls: 16-bit gray (Pillow's "I;16")
 * becomes Pillow's "L", each sample clipped to 255 (imagehash's convert("L")), instead of its high byte. */
#define CSKY_DECODE_GRAY16_CLIP 2

/* Which PNG decoder runs. AUTO: the libdeflate fast path for 8-bit PNGs (Adam7 too), libpng
 * for every other file and for every file the fast path declines (damaged ones included, so that
 * libpng's verdict and message stand). The other two exist so tests can compare the paths. */
typedef enum {
    CSKY_PNG_PATH_AUTO = 0,
    CSKY_PNG_PATH_LIBPNG = 1, /* libpng + zlib only */
    CSKY_PNG_PATH_FAST = 2    /* the fast path only: CSKY_PNG_DECLINED where it does not apply */
} csky_png_path;

/* The pixel layout that a decode produces. */
typedef enum {
    CSKY_LAYOUT_GRAY = 1,
    CSKY_LAYOUT_GRAY_ALPHA = 2,
    CSKY_LAYOUT_RGB = 3,
    CSKY_LAYOUT_RGBA = 4,
    CSKY_LAYOUT_INDEXED = 5 /* one palette index per pixel */
} csky_layout;

/* What a header read or a decode reports. */
typedef struct {
    int32_t width;           /* output width (after JPEG scaling) */
    int32_t height;          /* output height */
    int32_t source_width;    /* width stored in the file */
    int32_t source_height;   /* height stored in the file */
    int32_t channels;        /* bytes per output pixel */
    int32_t layout;          /* csky_layout of the output */
    int32_t bit_depth;       /* bits per sample in the file */
    int32_t source_channels; /* components in the file (JPEG: 1, 3 or 4) */
    int32_t palette_count;   /* PNG palette entries, 0 when none */
    int32_t palette_has_alpha;
    uint8_t palette[256 * 4]; /* RGBA entries */
} csky_image_info;

/* PNG: read the header (and palette) only. keep_indices: report palette PNGs as indices. */
int csky_png_info(const uint8_t *data, size_t size, int keep_indices,
                  csky_image_info *info, char *error);
/* PNG: decode into `out`, which must hold width * height * channels bytes as csky_png_info said. */
int csky_png_decode(const uint8_t *data, size_t size, int keep_indices,
                    uint8_t *out, size_t out_size, csky_image_info *info, char *error);

/* csky_png_info and csky_png_decode through a chosen csky_png_path. */
int csky_png_info_via(const uint8_t *data, size_t size, int keep_indices, int path,
                      csky_image_info *info, char *error);
int csky_png_decode_via(const uint8_t *data, size_t size, int keep_indices, int path,
                        uint8_t *out, size_t out_size, csky_image_info *info, char *error);

/* PNG straight to Pillow's "L" (one byte per pixel, PillowConvert.luminance's formula) for the
 * files the fast path takes (8-bit, Adam7 or not: gray, gray+alpha, RGB, RGBA, palette), without
 * the full-colour image: `out` holds width * height bytes. CSKY_PNG_DECLINED (reason in `error`)
 * for every other file, damaged ones included: the caller then decodes and converts. */
int csky_png_fast_decode_luma(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                              csky_image_info *info, char *error);

/* Pillow's horizontal resample pass (csky_resample_horizontal_gray with `axis`) over the "L" image of a
 * non-interlaced 8-bit PNG the fast path takes, in bounded memory: zlib inflates a band of rows at a time
 * and each row is unfiltered, converted and convolved at once, so the full image (colour or "L") is never
 * held. `out` receives height rows of axis->outputs bytes. CSKY_PNG_DECLINED (reason in `error`) for every
 * other file, damaged ones included: the caller then decodes the usual way. */
int csky_png_luma_horizontal(const uint8_t *data, size_t size, const csky_resample_axis *axis,
                             csky_resample_level level, uint8_t *out, size_t out_size,
                             csky_image_info *info, char *error);

/* Pillow's "L" of one RGB pixel: (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
uint8_t csky_luma(uint8_t red, uint8_t green, uint8_t blue);
/* One row of `width` 8-bit pixels of `channels` bytes (1-4) to "L" as csky_png_fast_decode_luma
 * does; simd 0 forces the byte loops (tests compare the two). */
void csky_png_luma_row_using(const uint8_t *row, uint8_t *out, size_t width, int channels, int simd);

/* Unfilters one PNG row of `row_bytes` bytes (`filtered` starts with the filter type byte) given
 * the unfiltered row above (NULL for the first row), for pixels of `bpp` bytes (1-8). simd: 0 the
 * byte loops, 1 the fastest SIMD code the CPU runs, 2 SSE2 only; tests compare them. CSKY_OK, or
 * CSKY_PNG_DECLINED with a reason. */
int csky_png_unfilter_row_using(const uint8_t *filtered, const uint8_t *prior, uint8_t *row,
                                size_t row_bytes, int bpp, int simd, char *reason);

/* Unfilters the row at `filtered` into row1 and, when row2 is not NULL, the row after it
 * (`filtered` + row_bytes + 1) into row2; the same simd modes. Two Paeth rows run together. */
int csky_png_unfilter_pair_using(const uint8_t *filtered, const uint8_t *prior, uint8_t *row1,
                                 uint8_t *row2, size_t row_bytes, int bpp, int simd, char *reason);

/* JPEG: read the header; scale_denom is 1, 2, 4 or 8 (libjpeg DCT scaling). */
int csky_jpeg_info(const uint8_t *data, size_t size, int scale_denom,
                   csky_image_info *info, char *error);
/* JPEG: decode into `out` (width * height * channels bytes as csky_jpeg_info said). */
int csky_jpeg_decode(const uint8_t *data, size_t size, int scale_denom,
                     uint8_t *out, size_t out_size, csky_image_info *info, char *error);
/* JPEG straight to the horizontal pass of a resize of its "L" image, a band of rows at a time, so the
 * full-size image is never held: `out` receives height rows of axis->outputs bytes, the same bytes as
 * csky_jpeg_decode, Pillow's "L" conversion (RGB) and csky_resample_horizontal_gray. gray_from_y: a YCbCr
 * file is decoded to its Y plane (libjpeg skips the colour components; close to, not equal to, Pillow's
 * "L"). CSKY_ERROR for CMYK files (not streamed) and every error csky_jpeg_decode gives. */
int csky_jpeg_luma_horizontal(const uint8_t *data, size_t size, int scale_denom, int gray_from_y,
                              const csky_resample_axis *axis, csky_resample_level level, uint8_t *out,
                              size_t out_size, csky_image_info *info, char *error);

/* TIFF (first directory, through libtiff): read the header (and palette) only. A valid TIFF whose
 * layout is not decoded (not 8-bit, planar, CMYK, ...) still gives its size, with channels 0.
 * keep_indices: report palette TIFFs as indices, as for PNG. */
int csky_tiff_info(const uint8_t *data, size_t size, int keep_indices, csky_image_info *info, char *error);
/* csky_tiff_info of an open file, read as libtiff asks (the caller owns `fd`). */
int csky_tiff_info_file(int fd, int keep_indices, csky_image_info *info, char *error);
/* TIFF: decode 8-bit contiguous gray, gray+alpha, RGB, RGBA or palette (to RGB, or indices with
 * keep_indices) in any compression libtiff reads, strips or tiles, JPEG-in-TIFF YCbCr as RGB, into
 * `out` (width * height * channels bytes as csky_tiff_info said), pixel for pixel as Pillow 13
 * decodes it. Other layouts: CSKY_ERROR whose message ends "convert it to PNG". libtiff's messages
 * go to `error`, never to stderr. */
int csky_tiff_decode(const uint8_t *data, size_t size, int keep_indices, uint8_t *out, size_t out_size,
                     csky_image_info *info, char *error);
/* TIFF straight to the horizontal pass of a resize of its "L" image (Pillow's "L" of what csky_tiff_decode gives
 * with CSKY_DECODE_GRAY16_CLIP), a strip or a row of tiles at a time, so the full image is never held: `out`
 * receives height rows of axis->outputs bytes, the same bytes as decoding whole, converting and
 * csky_resample_horizontal_gray. CSKY_ERROR for every layout and error csky_tiff_decode refuses. */
int csky_tiff_luma_horizontal(const uint8_t *data, size_t size, const csky_resample_axis *axis,
                              csky_resample_level level, uint8_t *out, size_t out_size, csky_image_info *info,
                              char *error);
/* csky_tiff_luma_horizontal of an open file, read a strip or tile at a time as libtiff asks, so neither the pixels
 * nor the file's bytes are ever held whole (the caller owns `fd`). */
int csky_tiff_luma_horizontal_file(int fd, const csky_resample_axis *axis, csky_resample_level level, uint8_t *out,
                                   size_t out_size, csky_image_info *info, char *error);

/* PNG encode of 8-bit pixels (channels 1-4); *out is malloc'd: release it with csky_free. */
int csky_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                    int32_t compression_level, uint8_t **out, size_t *out_size, char *error);
/* PNG encode of a palette image: one index per pixel and `palette_count` RGB entries. */
int csky_png_encode_indexed(const uint8_t *indices, int32_t width, int32_t height,
                            const uint8_t *palette_rgb, int32_t palette_count,
                            uint8_t **out, size_t *out_size, char *error);
/* JPEG encode of gray (1) or RGB (3) pixels at quality 1-100; *out is malloc'd. */
int csky_jpeg_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                     int32_t quality, uint8_t **out, size_t *out_size, char *error);

void csky_free(void *pointer);

#endif
