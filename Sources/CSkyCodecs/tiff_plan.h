/*
 * The decode plan of a TIFF's first directory, shared by tiff_plan.c (reading the directory, unpacking rows into
 * Pillow's pixels) and tiff_codec.c (decoding strips and tiles into a whole image or into "L" bands).
 */
#ifndef CSKY_TIFF_PLAN_H
#define CSKY_TIFF_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <tiffio.h>

#include "CSkyCodecs.h"

/* How the decoded samples of one pixel turn into the output pixel (Pillow's rawmodes). */
typedef enum {
    UNPACK_COPY = 0,     /* L, LA, RGB, RGBA: the first `channels` samples as they are */
    UNPACK_INVERT = 1,   /* "L;I" (MinIsWhite): 255 - sample */
    UNPACK_RGBA_PREMULTIPLIED = 2, /* "RGBa": associated alpha, un-premultiplied */
    UNPACK_PALETTE = 3,  /* "P" converted to RGB: the colour map's entries // 256 */
    UNPACK_HIGH16 = 4,   /* 16-bit samples (host order after libtiff): the high byte of each */
    UNPACK_CLIP16 = 5    /* 16-bit gray to Pillow's "L" from "I;16": 255 above 255, else the value */
} unpack_kind;

/* The decode plan for one directory. */
typedef struct {
    uint32_t width, height;
    int samples;   /* samples per pixel in the decoded strip/tile (after JPEG colour conversion) */
    int sample_bytes; /* 1, or 2 for 16-bit samples */
    int channels;  /* output bytes per pixel */
    int layout;
    unpack_kind unpack;
    int tiled;
    uint32_t tile_width, tile_height, rows_per_strip;
    uint8_t palette[256 * 3]; /* UNPACK_PALETTE: 8-bit RGB entries */
} tiff_plan;

/* vsnprintf into a CSKY_ERROR_LEN message buffer. */
void csky_tiff_error(char *error, const char *format, ...);

/* Fills `info` from the first directory; returns CSKY_OK with plan->channels 0 (reason in
 * `reason`) for a valid TIFF whose layout is not decoded, CSKY_ERROR for a damaged one. */
int csky_tiff_read_plan(TIFF *tif, int keep_indices, tiff_plan *plan, csky_image_info *info, char *reason);

/* One row of `count` pixels of plan->samples bytes into output pixels. */
void csky_tiff_unpack_row(const tiff_plan *plan, const uint8_t *in, uint8_t *out, size_t count);

/* The largest strip or tile buffer a decode allocates: twice the decoded image, at least 64 MiB (a
 * 256x256 RGBA tile of a 10x10 image is legal). A damaged directory claiming more is an error, not
 * an allocation of many gigabytes. */
size_t csky_tiff_buffer_limit(const tiff_plan *plan);

#endif
