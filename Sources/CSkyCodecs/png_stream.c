/*
 * A PNG's "L" image resampled horizontally in bounded memory (csky_png_luma_horizontal).
 *
 * The whole-image path (png_fast.c) inflates every row at once with libdeflate: (width * channels + 1)
 * * height bytes, 1.6 GB for a 20000 x 20000 RGBA file. Here zlib inflates the IDAT stream a band of
 * rows at a time; each row is unfiltered against the row above, converted to Pillow's "L" and convolved
 * at once by the horizontal kernel, so memory is a few rows plus the narrow output whatever the size.
 * The bytes equal converting the whole image and running csky_resample_horizontal_gray over it: each
 * output row depends on its own input row only.
 */
#include "png_fast.h"
#include "CSkyResample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int decline(char *reason, const char *message) {
    snprintf(reason, CSKY_ERROR_LEN, "%s", message);
    return CSKY_PNG_DECLINED;
}

static uint32_t be32(const uint8_t *bytes) {
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

/* The IDAT chunks, fed to zlib one after the other. */
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;      /* the next IDAT chunk's length field */
    size_t remaining;   /* IDAT bytes not yet fed */
} idat_reader;

/* Points `stream` at the next IDAT chunk's data; 0 when there is none. */
static int next_chunk(idat_reader *reader, z_stream *stream) {
    if (reader->remaining == 0 || reader->offset + 8 > reader->size) return 0;
    uint32_t length = be32(reader->data + reader->offset);
    if (reader->offset + 12 + (size_t)length > reader->size || length > reader->remaining) return 0;
    stream->next_in = (Bytef *)(reader->data + reader->offset + 8);
    stream->avail_in = length;
    reader->offset += (size_t)length + 12;
    reader->remaining -= length;
    return 1;
}

/* Fills `band` with exactly `count` bytes of the inflated stream; CSKY_OK or a decline. `*ended` is set
 * when zlib reached the end of its stream (its checksum verified). */
static int inflate_exactly(z_stream *stream, idat_reader *reader, uint8_t *band, size_t count, int *ended,
                           char *reason) {
    stream->next_out = band;
    while (count > 0) {
        size_t step = count > (1u << 30) ? (1u << 30) : count;
        stream->avail_out = (uInt)step;
        while (stream->avail_out > 0) {
            if (stream->avail_in == 0 && !next_chunk(reader, stream)) {
                return decline(reason, "zlib stream ends before the image data");
            }
            int result = inflate(stream, Z_NO_FLUSH);
            if (result == Z_STREAM_END) {
                *ended = 1;
                if (stream->avail_out > 0) return decline(reason, "zlib stream ends before the image data");
            }
            if (result != Z_OK && result != Z_STREAM_END) return decline(reason, "zlib stream is damaged");
        }
        count -= step;
    }
    return CSKY_OK;
}

int csky_png_luma_horizontal(const uint8_t *data, size_t size, const csky_resample_axis *axis,
                             csky_resample_level level, uint8_t *out, size_t out_size,
                             csky_image_info *info, char *reason) {
    fast_png png;
    if (csky_png_fast_walk(data, size, &png, reason) != CSKY_OK) return CSKY_PNG_DECLINED;
    if (png.interlaced) return decline(reason, "interlaced");
    if (axis->outputs == 0 || (size_t)png.height > out_size / axis->outputs) {
        return decline(reason, "output buffer too small");
    }
    size_t row_bytes = (size_t)png.width * (size_t)png.channels;
    size_t band_rows = (size_t)(1u << 20) / (row_bytes + 1) + 1;
    if (band_rows > png.height) band_rows = png.height;
    uint8_t *band = malloc(band_rows * (row_bytes + 1));
    uint8_t *rows = malloc(row_bytes * 2);
    uint8_t *gray = malloc(png.width);
    uint8_t levels[256] = {0};
    if (png.color_type == COLOR_PALETTE) {
        uint8_t table[256 * 4];
        csky_png_fast_palette(&png, table);
        for (int i = 0; i < 256; i++) levels[i] = csky_luma(table[i * 4], table[i * 4 + 1], table[i * 4 + 2]);
    }
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    int status = band && rows && gray ? CSKY_OK : decline(reason, "out of memory for rows");
    if (status == CSKY_OK && inflateInit(&stream) != Z_OK) status = decline(reason, "zlib cannot start");
    idat_reader reader = {data, size, (size_t)(png.idat - data) - 8, png.idat_size};
    int ended = 0;
    for (uint32_t y = 0; y < png.height && status == CSKY_OK;) {
        size_t count = png.height - y < band_rows ? png.height - y : band_rows;
        status = inflate_exactly(&stream, &reader, band, count * (row_bytes + 1), &ended, reason);
        for (size_t i = 0; i < count && status == CSKY_OK; i++, y++) {
            uint8_t *row = rows + (y & 1) * row_bytes;
            const uint8_t *prior = y ? rows + ((y - 1) & 1) * row_bytes : NULL;
            status = csky_png_unfilter_row(band + i * (row_bytes + 1), prior, row, row_bytes, png.channels,
                                           reason);
            if (status != CSKY_OK) break;
            const uint8_t *luma = row;
            if (png.color_type == COLOR_PALETTE) {
                for (uint32_t x = 0; x < png.width; x++) gray[x] = levels[row[x]];
                luma = gray;
            } else if (png.channels > 1) {
                csky_png_luma_row(row, gray, png.width, png.channels);
                luma = gray;
            }
            if (csky_resample_horizontal_gray(luma, png.width, 1, out + (size_t)y * axis->outputs, axis, level)
                != 0) {
                status = decline(reason, "resample table does not fit the row");
            }
        }
    }
    if (status == CSKY_OK && !ended) {
        /* The stream must end right after the image data (checksum included), as the whole-image path's
         * exact-size inflate requires; anything else declines and the caller decodes the usual way. */
        uint8_t extra;
        int result = Z_OK;
        for (;;) {
            stream.next_out = &extra;
            stream.avail_out = 1;
            if (stream.avail_in == 0 && !next_chunk(&reader, &stream)) break;
            result = inflate(&stream, Z_NO_FLUSH);
            if (result != Z_OK || stream.avail_out == 0) break;
        }
        if (result != Z_STREAM_END || stream.avail_out == 0) {
            status = decline(reason, "zlib stream is not exactly the image data");
        }
    }
    inflateEnd(&stream);
    free(band);
    free(rows);
    free(gray);
    if (status == CSKY_OK) {
        csky_png_fast_fill_info(&png, 0, info);
        info->channels = 1;
        info->layout = CSKY_LAYOUT_GRAY;
    }
    return status;
}
