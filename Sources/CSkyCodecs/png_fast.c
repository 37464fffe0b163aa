/*
 * The fast PNG path: 8-bit PNGs (gray, gray+alpha, RGB, RGBA, palette; Adam7 interlaced or not)
 * decoded over libdeflate instead of libpng + zlib.
 *
 * The fast path only ever succeeds where libpng would succeed with the same pixels. Whenever a
 * file is anything but plain (a bad CRC, truncation, a chunk out of place, an unknown critical
 * chunk, a zlib stream libdeflate rejects or whose size is not exactly height * (1 + rowbytes))
 * it declines, and png_codec.c hands the file to libpng, which then decides exactly as before:
 * every error message and every tolerated oddity stays libpng's own.
 */
#include "png_fast.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpng's limits (PNG_USER_WIDTH_MAX, PNG_USER_HEIGHT_MAX, PNG_USER_CHUNK_MALLOC_MAX in the
 * Debian build): beyond them libpng refuses the file, so the fast path leaves it to libpng. */
#define FAST_MAX_DIMENSION 1000000u
#define FAST_MAX_CHUNK 8000000u

static uint32_t read_be32(const uint8_t *bytes) {
    return ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) |
           (uint32_t)bytes[3];
}

static int chunk_is(const uint8_t *type, const char *name) { return memcmp(type, name, 4) == 0; }

/* libpng's png_check_chunk_name: four ASCII letters. */
static int chunk_name_valid(const uint8_t *type) {
    for (int i = 0; i < 4; i++) {
        uint8_t c = type[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return 0;
    }
    return 1;
}

static int decline(char *reason, const char *message) {
    snprintf(reason, CSKY_ERROR_LEN, "%s", message);
    return CSKY_PNG_DECLINED;
}

static int channels_of(int color_type) {
    switch (color_type) {
    case COLOR_GRAY: return 1;
    case COLOR_GRAY_ALPHA: return 2;
    case COLOR_RGB: return 3;
    case COLOR_RGBA: return 4;
    case COLOR_PALETTE: return 1;
    default: return 0;
    }
}

static int parse_ihdr(const uint8_t *data, uint32_t length, fast_png *png, char *reason) {
    if (length != 13) return decline(reason, "IHDR is not 13 bytes");
    png->width = read_be32(data);
    png->height = read_be32(data + 4);
    int bit_depth = data[8];
    png->color_type = data[9];
    if (png->width == 0 || png->height == 0 || png->width > FAST_MAX_DIMENSION ||
        png->height > FAST_MAX_DIMENSION) {
        return decline(reason, "dimensions outside libpng's limits");
    }
    png->channels = channels_of(png->color_type);
    if (png->channels == 0) return decline(reason, "invalid colour type");
    if (bit_depth != 8) return decline(reason, "bit depth is not 8");
    if (data[10] != 0 || data[11] != 0) return decline(reason, "unknown compression or filter method");
    if (data[12] > 1) return decline(reason, "unknown interlace method");
    png->interlaced = data[12];
    return CSKY_OK;
}

/* PLTE and tRNS of a palette image, read before the first IDAT as libpng's png_read_info does. */
static int parse_palette(const uint8_t *data, uint32_t length, fast_png *png, char *reason) {
    if (png->palette_count) return decline(reason, "duplicate PLTE");
    if (length == 0 || length % 3 != 0 || length > 768) return decline(reason, "invalid PLTE");
    png->palette_count = (int)(length / 3);
    for (int i = 0; i < png->palette_count; i++) {
        png->palette[i * 4 + 0] = data[i * 3 + 0];
        png->palette[i * 4 + 1] = data[i * 3 + 1];
        png->palette[i * 4 + 2] = data[i * 3 + 2];
    }
    return CSKY_OK;
}

static int parse_trns(const uint8_t *data, uint32_t length, fast_png *png, char *reason) {
    if (png->trans_count) return decline(reason, "duplicate tRNS");
    if (png->palette_count == 0) return decline(reason, "tRNS before PLTE");
    if (length == 0 || length > (uint32_t)png->palette_count) return decline(reason, "invalid tRNS");
    png->trans_count = (int)length;
    for (uint32_t i = 0; i < length; i++) png->palette[i * 4 + 3] = data[i];
    return CSKY_OK;
}

/* Walks the chunks up to the first IDAT (header_only) or to IEND, checking every CRC that libpng
 * treats as fatal. Ancillary chunks are skipped; a bad CRC there is ignored, as libpng does. */
static int walk_chunks(const uint8_t *data, size_t size, int header_only, fast_png *png,
                       char *reason) {
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    memset(png, 0, sizeof(*png));
    if (size < 8 || memcmp(data, signature, 8) != 0) return decline(reason, "bad signature");
    size_t offset = 8;
    int have_ihdr = 0, in_idat = 0, idat_done = 0;
    for (;;) {
        if (size - offset < 12) return decline(reason, "truncated chunk header");
        uint32_t length = read_be32(data + offset);
        const uint8_t *type = data + offset + 4;
        if (length > FAST_MAX_CHUNK) return decline(reason, "chunk longer than libpng's limit");
        if (size - offset - 12 < length) return decline(reason, "truncated chunk");
        if (!chunk_name_valid(type)) return decline(reason, "invalid chunk name");
        const uint8_t *body = type + 4;
        uint32_t stored_crc = read_be32(body + length);
        int critical = (type[0] & 0x20) == 0;
        int crc_ok = libdeflate_crc32(0, type, (size_t)length + 4) == stored_crc;
        offset += (size_t)length + 12;

        if (!have_ihdr) {
            if (!chunk_is(type, "IHDR") || !crc_ok) return decline(reason, "IHDR missing or damaged");
            if (parse_ihdr(body, length, png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
            have_ihdr = 1;
            continue;
        }
        if (critical && !crc_ok) return decline(reason, "CRC error in a critical chunk");
        if (chunk_is(type, "IDAT")) {
            if (idat_done) return decline(reason, "IDAT chunks are not consecutive");
            if (png->color_type == COLOR_PALETTE && png->palette_count == 0) {
                return decline(reason, "palette image without PLTE");
            }
            if (header_only) return CSKY_OK;
            if (!in_idat) png->idat = body;
            in_idat = 1;
            png->idat_size += length;
            png->idat_chunks++;
            continue;
        }
        if (in_idat) {
            in_idat = 0;
            idat_done = 1;
        }
        if (chunk_is(type, "IEND")) {
            if (length != 0 || !idat_done) return decline(reason, "IEND out of place");
            return CSKY_OK;
        }
        if (critical) {
            if (!chunk_is(type, "PLTE") || idat_done) return decline(reason, "critical chunk out of place");
            /* A suggested palette in a truecolour image changes no pixel, but libpng has its own
             * rules for it (duplicates, empty ones, CRC policy): rare enough to leave to libpng. */
            if (png->color_type != COLOR_PALETTE) return decline(reason, "PLTE in a non-palette image");
            if (png->trans_count) return decline(reason, "PLTE after tRNS");
            if (parse_palette(body, length, png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
            continue;
        }
        if (chunk_is(type, "tRNS") && !idat_done && png->color_type == COLOR_PALETTE) {
            if (!crc_ok) return decline(reason, "damaged tRNS");
            if (parse_trns(body, length, png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
        }
        /* Every other ancillary chunk (and tRNS of a gray or RGB image, which the libpng path
         * leaves unapplied) does not change the pixels. */
    }
}

int csky_png_fast_walk(const uint8_t *data, size_t size, fast_png *png, char *reason) {
    if (walk_chunks(data, size, 0, png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
    if (png->idat_size < 2 || png->idat[0] != 0x78) return decline(reason, "zlib header is not 0x78");
    return CSKY_OK;
}

void csky_png_fast_fill_info(const fast_png *png, int keep_indices, csky_image_info *info) {
    memset(info, 0, sizeof(*info));
    info->width = info->source_width = (int32_t)png->width;
    info->height = info->source_height = (int32_t)png->height;
    info->bit_depth = 8;
    info->source_channels = png->channels;
    if (png->color_type == COLOR_PALETTE) {
        info->palette_count = png->palette_count;
        for (int i = 0; i < png->palette_count; i++) {
            memcpy(info->palette + i * 4, png->palette + i * 4, 3);
            info->palette[i * 4 + 3] = i < png->trans_count ? png->palette[i * 4 + 3] : 255;
        }
        info->palette_has_alpha = png->trans_count > 0;
        if (keep_indices) {
            info->channels = 1;
            info->layout = CSKY_LAYOUT_INDEXED;
        } else {
            info->channels = png->trans_count > 0 ? 4 : 3;
            info->layout = png->trans_count > 0 ? CSKY_LAYOUT_RGBA : CSKY_LAYOUT_RGB;
        }
        return;
    }
    info->channels = png->channels;
    switch (png->channels) {
    case 1: info->layout = CSKY_LAYOUT_GRAY; break;
    case 2: info->layout = CSKY_LAYOUT_GRAY_ALPHA; break;
    case 3: info->layout = CSKY_LAYOUT_RGB; break;
    default: info->layout = CSKY_LAYOUT_RGBA; break;
    }
}

int csky_png_fast_info(const uint8_t *data, size_t size, int keep_indices, csky_image_info *info,
                       char *reason) {
    fast_png png;
    if (walk_chunks(data, size, 1, &png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
    csky_png_fast_fill_info(&png, keep_indices, info);
    return CSKY_OK;
}

/* Expands one row of palette indices as png_do_expand_palette does: libpng keeps a 256-entry
 * palette zeroed past PLTE, and alpha is 255 past the tRNS entries. */
static void expand_palette_row(const uint8_t *indices, uint8_t *out, uint32_t width,
                               const uint8_t *table, int with_alpha) {
    if (with_alpha) {
        for (uint32_t x = 0; x < width; x++) memcpy(out + (size_t)x * 4, table + indices[x] * 4, 4);
    } else {
        for (uint32_t x = 0; x < width; x++) {
            const uint8_t *entry = table + indices[x] * 4;
            out[x * 3 + 0] = entry[0];
            out[x * 3 + 1] = entry[1];
            out[x * 3 + 2] = entry[2];
        }
    }
}

int csky_png_fast_inflate(const uint8_t *data, size_t size, fast_png *png, uint8_t **filtered,
                          char *reason) {
    *filtered = NULL;
    if (walk_chunks(data, size, 0, png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
    /* libdeflate reads the window size from nowhere; zlib (under libpng) honours it, so only
     * the universal 32 KiB window header is taken here. */
    if (png->idat_size < 2 || png->idat[0] != 0x78) return decline(reason, "zlib header is not 0x78");

    /* The IDAT data as one stream: in place when there is one chunk, else gathered. */
    uint8_t *gathered = NULL;
    const uint8_t *stream = png->idat;
    if (png->idat_chunks > 1) {
        gathered = malloc(png->idat_size);
        if (!gathered) return decline(reason, "out of memory for IDAT");
        size_t offset = (size_t)(png->idat - data) - 8, filled = 0;
        while (filled < png->idat_size) {
            uint32_t length = read_be32(data + offset);
            memcpy(gathered + filled, data + offset + 8, length);
            filled += length;
            offset += (size_t)length + 12;
        }
        stream = gathered;
    }

    size_t row_bytes = (size_t)png->width * (size_t)png->channels;
    size_t filtered_size = png->interlaced
        ? csky_png_adam7_size(png->width, png->height, png->channels)
        : (row_bytes + 1) * (size_t)png->height;
    uint8_t *inflated = malloc(filtered_size);
    struct libdeflate_decompressor *inflater = libdeflate_alloc_decompressor();
    int status = CSKY_PNG_DECLINED;
    if (!inflated || !inflater) {
        decline(reason, "out of memory for image data");
    } else if (libdeflate_zlib_decompress(inflater, stream, png->idat_size, inflated, filtered_size,
                                          NULL) != LIBDEFLATE_SUCCESS) {
        decline(reason, "zlib stream is not exactly the image data");
    } else {
        status = CSKY_OK;
    }
    if (inflater) libdeflate_free_decompressor(inflater);
    free(gathered);
    if (status == CSKY_OK) {
        *filtered = inflated;
    } else {
        free(inflated);
    }
    return status;
}

void csky_png_fast_palette(const fast_png *png, uint8_t *table) {
    memset(table, 0, 256 * 4);
    for (int i = 0; i < 256; i++) {
        if (i < png->palette_count) memcpy(table + i * 4, png->palette + i * 4, 3);
        table[i * 4 + 3] = i < png->trans_count ? png->palette[i * 4 + 3] : 255;
    }
}

int csky_png_fast_decode(const uint8_t *data, size_t size, int keep_indices, uint8_t *out,
                         size_t out_size, csky_image_info *info, char *reason) {
    fast_png png;
    uint8_t *filtered = NULL;
    if (csky_png_fast_inflate(data, size, &png, &filtered, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
    csky_image_info decoded;
    csky_png_fast_fill_info(&png, keep_indices, &decoded);
    size_t row_bytes = (size_t)png.width * (size_t)png.channels; /* filtered bytes per row */
    size_t out_row = (size_t)png.width * (size_t)decoded.channels;

    int status = CSKY_PNG_DECLINED;
    if (out_row * (size_t)png.height > out_size) {
        decline(reason, "output buffer too small");
    } else if (png.color_type != COLOR_PALETTE || keep_indices) {
        status = png.interlaced
            ? csky_png_deinterlace(filtered, png.width, png.height, png.channels, out, reason)
            : csky_png_unfilter(filtered, out, png.width, png.height, png.channels, reason);
    } else if (png.interlaced) {
        /* All the indices in place first, then expanded row by row. */
        uint8_t *indices = malloc((size_t)png.width * png.height);
        status = indices ? csky_png_deinterlace(filtered, png.width, png.height, 1, indices, reason)
                         : decline(reason, "out of memory for indices");
        if (status == CSKY_OK) {
            uint8_t table[256 * 4];
            csky_png_fast_palette(&png, table);
            for (uint32_t y = 0; y < png.height; y++) {
                expand_palette_row(indices + (size_t)y * png.width, out + y * out_row, png.width, table,
                                   png.trans_count > 0);
            }
        }
        free(indices);
    } else {
        /* Unfilter a row of indices at a time, then expand it into the output. */
        uint8_t *rows = malloc(row_bytes * 2);
        if (!rows) {
            decline(reason, "out of memory for rows");
        } else {
            uint8_t table[256 * 4];
            csky_png_fast_palette(&png, table);
            status = CSKY_OK;
            for (uint32_t y = 0; y < png.height && status == CSKY_OK; y++) {
                uint8_t *row = rows + (y & 1) * row_bytes;
                const uint8_t *prior = y ? rows + ((y - 1) & 1) * row_bytes : NULL;
                status = csky_png_unfilter_row(filtered + y * (row_bytes + 1), prior, row, row_bytes,
                                               1, reason);
                if (status == CSKY_OK) {
                    expand_palette_row(row, out + y * out_row, png.width, table, png.trans_count > 0);
                }
            }
            free(rows);
        }
    }
    free(filtered);
    if (status == CSKY_OK) *info = decoded;
    return status;
}
