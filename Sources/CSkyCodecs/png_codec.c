#include "CSkyCodecs.h"
#include "png_fast.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
} csky_png_source;

typedef struct {
    char *error;
} csky_png_context;

static void csky_png_error(png_structp png, png_const_charp message) {
    csky_png_context *context = (csky_png_context *)png_get_error_ptr(png);
    if (context && context->error) {
        snprintf(context->error, CSKY_ERROR_LEN, "%s", message);
    }
    png_longjmp(png, 1);
}

static void csky_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void csky_png_read(png_structp png, png_bytep out, png_size_t length) {
    csky_png_source *source = (csky_png_source *)png_get_io_ptr(png);
    if (source->size - source->offset < length) {
        png_error(png, "file is truncated");
    }
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

/* Sets up the transforms and fills `info` after png_read_update_info. */
static void csky_png_prepare(png_structp png, png_infop png_info, int keep_indices,
                             csky_image_info *info) {
    int clip16 = (keep_indices & CSKY_DECODE_GRAY16_CLIP) != 0;
    keep_indices &= 1;
    png_read_info(png, png_info);
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0;
    png_get_IHDR(png, png_info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);

    memset(info, 0, sizeof(*info));
    info->source_width = (int32_t)width;
    info->source_height = (int32_t)height;
    info->bit_depth = bit_depth;

    png_colorp palette = NULL;
    int palette_count = 0;
    if (color_type == PNG_COLOR_TYPE_PALETTE &&
        png_get_PLTE(png, png_info, &palette, &palette_count) & PNG_INFO_PLTE) {
        png_bytep trans = NULL;
        int trans_count = 0;
        if (png_get_valid(png, png_info, PNG_INFO_tRNS)) {
            png_get_tRNS(png, png_info, &trans, &trans_count, NULL);
        }
        info->palette_count = palette_count;
        for (int i = 0; i < palette_count && i < 256; i++) {
            info->palette[i * 4 + 0] = palette[i].red;
            info->palette[i * 4 + 1] = palette[i].green;
            info->palette[i * 4 + 2] = palette[i].blue;
            info->palette[i * 4 + 3] = (trans && i < trans_count) ? trans[i] : 255;
        }
        info->palette_has_alpha = trans_count > 0;
    }

    /* 16-bit gray on request stays 16-bit here and is clipped to 8 bits after reading (csky_png_run). */
    int keep16 = bit_depth == 16 && clip16 && color_type == PNG_COLOR_TYPE_GRAY;
    if (bit_depth == 16 && !keep16) {
        png_set_strip_16(png);
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        info->source_channels = 1;
        if (keep_indices) {
            png_set_packing(png);
        } else {
            png_set_palette_to_rgb(png);
            if (info->palette_has_alpha) {
                png_set_tRNS_to_alpha(png);
            }
        }
    } else if (color_type == PNG_COLOR_TYPE_GRAY) {
        info->source_channels = 1;
        if (bit_depth < 8) {
            png_set_expand_gray_1_2_4_to_8(png);
        }
    } else if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
        info->source_channels = 2;
    } else if (color_type == PNG_COLOR_TYPE_RGB) {
        info->source_channels = 3;
    } else {
        info->source_channels = 4;
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, png_info);

    int channels = png_get_channels(png, png_info);
    info->width = (int32_t)width;
    info->height = (int32_t)height;
    info->channels = channels;
    if (color_type == PNG_COLOR_TYPE_PALETTE && keep_indices) {
        info->layout = CSKY_LAYOUT_INDEXED;
    } else {
        switch (channels) {
        case 1: info->layout = CSKY_LAYOUT_GRAY; break;
        case 2: info->layout = CSKY_LAYOUT_GRAY_ALPHA; break;
        case 3: info->layout = CSKY_LAYOUT_RGB; break;
        default: info->layout = CSKY_LAYOUT_RGBA; break;
        }
    }
    if (png_get_rowbytes(png, png_info) != (size_t)width * (size_t)channels * (keep16 ? 2 : 1)) {
        png_error(png, "unexpected row size after transforms");
    }
}

/* Refuses a chunk whose length runs past the end of the file. libpng allocates a text or unknown chunk's
   whole claimed length before reading it, and Debian's libpng 1.6.39 does not cap that: a 5 KB file whose
   tEXt chunk claims 1.9 GB made it allocate 1.9 GB (found by the png fuzz target). The file is in memory,
   so one walk over the chunk headers bounds every chunk by the bytes actually there. For a header only
   (`to_first_idat`), the walk stops where libpng's png_read_info stops, so a file's first bytes still do. */
static int csky_png_check_chunks(const uint8_t *data, size_t size, int to_first_idat, char *error) {
    size_t offset = 8;
    while (size - offset >= 8) {
        const uint8_t *at = data + offset;
        uint32_t length = (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | at[3];
        size_t left = size - offset - 8;
        if (to_first_idat && memcmp(at + 4, "IDAT", 4) == 0) break;
        if ((size_t)length > left || left - length < 4) {
            char type[5];
            for (int i = 0; i < 4; i++) type[i] = (at[4 + i] >= 32 && at[4 + i] < 127) ? (char)at[4 + i] : '?';
            type[4] = 0;
            snprintf(error, CSKY_ERROR_LEN,
                     "PNG chunk '%s' at byte %zu claims %u bytes but the file has %zu left (truncated or corrupt)",
                     type, offset, length, left);
            return CSKY_ERROR;
        }
        if (memcmp(at + 4, "IEND", 4) == 0) break;
        offset += 12 + (size_t)length;
    }
    return CSKY_OK;
}

static int csky_png_run(const uint8_t *data, size_t size, int keep_indices, uint8_t *out,
                        size_t out_size, csky_image_info *info, char *error) {
    error[0] = 0;
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        snprintf(error, CSKY_ERROR_LEN, "not a PNG file (bad signature)");
        return CSKY_ERROR;
    }
    if (csky_png_check_chunks(data, size, out == NULL, error) != CSKY_OK) return CSKY_ERROR;
    csky_png_context context = {error};
    csky_png_source source = {data, size, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, csky_png_error,
                                             csky_png_warning);
    if (!png) {
        snprintf(error, CSKY_ERROR_LEN, "libpng could not allocate its reader");
        return CSKY_ERROR;
    }
    png_infop png_info = png_create_info_struct(png);
    if (!png_info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(error, CSKY_ERROR_LEN, "libpng could not allocate its info");
        return CSKY_ERROR;
    }
    png_bytep *volatile rows = NULL;
    uint8_t *volatile wide = NULL; /* 16-bit gray samples before clipping */
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(wide);
        png_destroy_read_struct(&png, &png_info, NULL);
        if (!error[0]) snprintf(error, CSKY_ERROR_LEN, "libpng failed");
        return CSKY_ERROR;
    }
    png_set_read_fn(png, &source, csky_png_read);
    csky_png_prepare(png, png_info, keep_indices, info);
    if (out) {
        size_t row_bytes = (size_t)info->width * (size_t)info->channels;
        if (row_bytes * (size_t)info->height > out_size) {
            png_error(png, "output buffer too small");
        }
        int keep16 = png_get_bit_depth(png, png_info) == 16;
        size_t pixels = row_bytes * (size_t)info->height;
        if (keep16) {
            wide = malloc(pixels * 2 > 0 ? pixels * 2 : 1);
            if (!wide) png_error(png, "out of memory for 16-bit samples");
        }
        rows = malloc(sizeof(png_bytep) * (size_t)(info->height > 0 ? info->height : 1));
        if (!rows) png_error(png, "out of memory for row pointers");
        for (int32_t y = 0; y < info->height; y++) {
            rows[y] = keep16 ? wide + (size_t)y * row_bytes * 2 : out + (size_t)y * row_bytes;
        }
        png_read_image(png, rows);
        png_read_end(png, NULL);
        free(rows);
        rows = NULL;
        if (keep16) {
            /* Big-endian samples: Pillow's I;16 -> L gives 255 when the high byte is set, else the low byte. */
            for (size_t index = 0; index < pixels; index++) {
                out[index] = wide[index * 2] ? 255 : wide[index * 2 + 1];
            }
            free(wide);
            wide = NULL;
        }
    }
    png_destroy_read_struct(&png, &png_info, NULL);
    return CSKY_OK;
}

int csky_png_info_via(const uint8_t *data, size_t size, int keep_indices, int path,
                      csky_image_info *info, char *error) {
    if (path != CSKY_PNG_PATH_LIBPNG) {
        int status = csky_png_fast_info(data, size, keep_indices & 1, info, error);
        if (status == CSKY_OK) error[0] = 0;
        if (status == CSKY_OK || path == CSKY_PNG_PATH_FAST) return status;
    }
    return csky_png_run(data, size, keep_indices, NULL, 0, info, error);
}

int csky_png_decode_via(const uint8_t *data, size_t size, int keep_indices, int path,
                        uint8_t *out, size_t out_size, csky_image_info *info, char *error) {
    if (!out) {
        snprintf(error, CSKY_ERROR_LEN, "no output buffer");
        return CSKY_ERROR;
    }
    if (path != CSKY_PNG_PATH_LIBPNG) {
        /* The fast path reads 8-bit files only: the 16-bit flag does not concern it. */
        int status = csky_png_fast_decode(data, size, keep_indices & 1, out, out_size, info, error);
        if (status == CSKY_OK) error[0] = 0;
        if (status == CSKY_OK || path == CSKY_PNG_PATH_FAST) return status;
    }
    return csky_png_run(data, size, keep_indices, out, out_size, info, error);
}

int csky_png_info(const uint8_t *data, size_t size, int keep_indices, csky_image_info *info,
                  char *error) {
    return csky_png_info_via(data, size, keep_indices, CSKY_PNG_PATH_AUTO, info, error);
}

int csky_png_decode(const uint8_t *data, size_t size, int keep_indices, uint8_t *out,
                    size_t out_size, csky_image_info *info, char *error) {
    return csky_png_decode_via(data, size, keep_indices, CSKY_PNG_PATH_AUTO, out, out_size, info,
                               error);
}

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed;
} csky_png_sink;

static void csky_png_write(png_structp png, png_bytep bytes, png_size_t length) {
    csky_png_sink *sink = (csky_png_sink *)png_get_io_ptr(png);
    if (sink->size + length > sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity : 65536;
        while (capacity < sink->size + length) capacity *= 2;
        uint8_t *grown = realloc(sink->data, capacity);
        if (!grown) {
            sink->failed = 1;
            png_error(png, "out of memory while encoding PNG");
        }
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
}

static void csky_png_flush(png_structp png) { (void)png; }

static int csky_png_encode_any(const uint8_t *pixels, int32_t width, int32_t height,
                               int32_t channels, int color_type, const uint8_t *palette_rgb,
                               int32_t palette_count, int32_t level, uint8_t **out,
                               size_t *out_size, char *error) {
    error[0] = 0;
    *out = NULL;
    *out_size = 0;
    if (width <= 0 || height <= 0) {
        snprintf(error, CSKY_ERROR_LEN, "cannot encode an empty image (%dx%d)", width, height);
        return CSKY_ERROR;
    }
    csky_png_context context = {error};
    csky_png_sink sink = {NULL, 0, 0, 0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, csky_png_error,
                                              csky_png_warning);
    if (!png) {
        snprintf(error, CSKY_ERROR_LEN, "libpng could not allocate its writer");
        return CSKY_ERROR;
    }
    png_infop png_info = png_create_info_struct(png);
    if (!png_info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(error, CSKY_ERROR_LEN, "libpng could not allocate its info");
        return CSKY_ERROR;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &png_info);
        free(sink.data);
        if (!error[0]) snprintf(error, CSKY_ERROR_LEN, "libpng failed to encode");
        return CSKY_ERROR;
    }
    png_set_write_fn(png, &sink, csky_png_write, csky_png_flush);
    png_set_compression_level(png, level);
    png_set_IHDR(png, png_info, (png_uint_32)width, (png_uint_32)height, 8, color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color entries[256];
        int count = palette_count > 256 ? 256 : palette_count;
        for (int i = 0; i < count; i++) {
            entries[i].red = palette_rgb[i * 3];
            entries[i].green = palette_rgb[i * 3 + 1];
            entries[i].blue = palette_rgb[i * 3 + 2];
        }
        png_set_PLTE(png, png_info, entries, count);
    }
    png_write_info(png, png_info);
    size_t row_bytes = (size_t)width * (size_t)channels;
    for (int32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    }
    png_write_end(png, png_info);
    png_destroy_write_struct(&png, &png_info);
    *out = sink.data;
    *out_size = sink.size;
    return CSKY_OK;
}

int csky_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                    int32_t compression_level, uint8_t **out, size_t *out_size, char *error) {
    int color_type;
    switch (channels) {
    case 1: color_type = PNG_COLOR_TYPE_GRAY; break;
    case 2: color_type = PNG_COLOR_TYPE_GRAY_ALPHA; break;
    case 3: color_type = PNG_COLOR_TYPE_RGB; break;
    case 4: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
    default:
        snprintf(error, CSKY_ERROR_LEN, "PNG cannot hold %d channels", channels);
        return CSKY_ERROR;
    }
    return csky_png_encode_any(pixels, width, height, channels, color_type, NULL, 0,
                               compression_level, out, out_size, error);
}

int csky_png_encode_indexed(const uint8_t *indices, int32_t width, int32_t height,
                            const uint8_t *palette_rgb, int32_t palette_count, uint8_t **out,
                            size_t *out_size, char *error) {
    if (palette_count < 1 || palette_count > 256) {
        snprintf(error, CSKY_ERROR_LEN, "a PNG palette holds 1 to 256 colours, not %d",
                 palette_count);
        return CSKY_ERROR;
    }
    return csky_png_encode_any(indices, width, height, 1, PNG_COLOR_TYPE_PALETTE, palette_rgb,
                               palette_count, 6, out, out_size, error);
}

void csky_free(void *pointer) { free(pointer); }
