/*
 * TIFF decoding over libtiff: the first directory of an in-memory file, 8-bit samples (and 16-bit
 * gray, RGB and RGBA: Pillow's "I;16" gray, clipped to 255 for "L" on request, else the high byte;
 * "RGB;16" and "RGBA;16" keep the high byte),
 * pixel for pixel what Pillow 13 decodes (Pillow reads uncompressed files itself and every
 * other file through libtiff's TIFFReadEncodedStrip/Tile, then unpacks with a "rawmode").
 *
 * Every libtiff error and warning goes through per-handle handlers (TIFFOpenOptions, libtiff
 * >= 4.5) into the caller's message buffer: nothing is printed, nothing exits.
 */
#include "CSkyCodecs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>

#include "tiff_memory.h"
#include "tiff_plan.h"

/* Where decoded rows go: `band` gives the memory for rows y .. y + rows - 1 (consecutive rows of width *
 * channels bytes; NULL when it cannot), `finished` (may be NULL) takes them once unpacked and returns CSKY_OK or
 * CSKY_ERROR with the message in `error`. The whole-image decode points the band into its output; the "L"
 * resize path (csky_tiff_luma_horizontal) reuses one band buffer and resamples each band at once. */
typedef struct tiff_rows tiff_rows;
struct tiff_rows {
    uint8_t *(*band)(tiff_rows *self, uint32_t y, uint32_t rows);
    int (*finished)(tiff_rows *self, uint32_t y, uint32_t rows, char *error);
};

static int decode_strips(TIFF *tif, const tiff_plan *plan, tiff_rows *sink, char *error) {
    size_t row_in = (size_t)plan->width * (size_t)plan->samples * (size_t)plan->sample_bytes;
    size_t row_out = (size_t)plan->width * (size_t)plan->channels;
    size_t strip_bytes = row_in * plan->rows_per_strip;
    if ((tmsize_t)strip_bytes < TIFFStripSize(tif)) strip_bytes = (size_t)TIFFStripSize(tif);
    if (strip_bytes > csky_tiff_buffer_limit(plan)) {
        csky_tiff_error(error, "a strip of %zu bytes is more than a %ux%u image needs", strip_bytes, plan->width,
                  plan->height);
        return CSKY_ERROR;
    }
    uint8_t *buffer = malloc(strip_bytes ? strip_bytes : 1);
    if (buffer == NULL) {
        csky_tiff_error(error, "out of memory for a %zu-byte strip", strip_bytes);
        return CSKY_ERROR;
    }
    int status = CSKY_OK;
    for (uint32_t y = 0; y < plan->height && status == CSKY_OK; y += plan->rows_per_strip) {
        uint32_t rows = plan->height - y < plan->rows_per_strip ? plan->height - y : plan->rows_per_strip;
        uint32_t strip = TIFFComputeStrip(tif, y, 0);
        tmsize_t got = TIFFReadEncodedStrip(tif, strip, buffer, (tmsize_t)(row_in * rows));
        if (got < (tmsize_t)(row_in * rows)) {
            if (error[0] == 0) csky_tiff_error(error, "strip %u is damaged or short", strip);
            status = CSKY_ERROR;
            break;
        }
        uint8_t *band = sink->band(sink, y, rows);
        if (band == NULL) {
            csky_tiff_error(error, "out of memory for a band of %u rows", rows);
            status = CSKY_ERROR;
            break;
        }
        for (uint32_t row = 0; row < rows; row++) {
            csky_tiff_unpack_row(plan, buffer + row * row_in, band + (size_t)row * row_out, plan->width);
        }
        if (sink->finished) status = sink->finished(sink, y, rows, error);
    }
    free(buffer);
    return status;
}

static int decode_tiles(TIFF *tif, const tiff_plan *plan, tiff_rows *sink, char *error) {
    size_t tile_row = (size_t)plan->tile_width * (size_t)plan->samples * (size_t)plan->sample_bytes;
    size_t tile_bytes = tile_row * plan->tile_height;
    if (plan->tile_width > (1u << 24) || plan->tile_height > (1u << 24) || tile_bytes > csky_tiff_buffer_limit(plan)) {
        csky_tiff_error(error, "%ux%u tiles are more than a %ux%u image needs", plan->tile_width, plan->tile_height,
                  plan->width, plan->height);
        return CSKY_ERROR;
    }
    if (TIFFTileSize(tif) <= 0 || (size_t)TIFFTileSize(tif) != tile_bytes) {
        csky_tiff_error(error, "the tile size %lld does not match %ux%u tiles", (long long)TIFFTileSize(tif),
                  plan->tile_width, plan->tile_height);
        return CSKY_ERROR;
    }
    uint8_t *buffer = malloc(tile_bytes);
    if (buffer == NULL) {
        csky_tiff_error(error, "out of memory for a %zu-byte tile", tile_bytes);
        return CSKY_ERROR;
    }
    size_t row_out = (size_t)plan->width * (size_t)plan->channels;
    int status = CSKY_OK;
    for (uint32_t y = 0; y < plan->height && status == CSKY_OK; y += plan->tile_height) {
        uint32_t band_rows = plan->height - y < plan->tile_height ? plan->height - y : plan->tile_height;
        uint8_t *band = sink->band(sink, y, band_rows);
        if (band == NULL) {
            csky_tiff_error(error, "out of memory for a band of %u rows", band_rows);
            status = CSKY_ERROR;
            break;
        }
        for (uint32_t x = 0; x < plan->width; x += plan->tile_width) {
            uint32_t tile = TIFFComputeTile(tif, x, y, 0, 0);
            if (TIFFReadEncodedTile(tif, tile, buffer, (tmsize_t)tile_bytes) < (tmsize_t)tile_bytes) {
                if (error[0] == 0) csky_tiff_error(error, "tile %u is damaged or short", tile);
                status = CSKY_ERROR;
                break;
            }
            uint32_t columns = plan->width - x < plan->tile_width ? plan->width - x : plan->tile_width;
            uint32_t rows = plan->height - y < plan->tile_height ? plan->height - y : plan->tile_height;
            for (uint32_t row = 0; row < rows; row++) {
                csky_tiff_unpack_row(plan, buffer + row * tile_row, band + (size_t)row * row_out + (size_t)x * plan->channels,
                           columns);
            }
            if (plan->tile_width > UINT32_MAX - x) break;
        }
        if (status == CSKY_OK && sink->finished) status = sink->finished(sink, y, band_rows, error);
        if (plan->tile_height > UINT32_MAX - y) break;
    }
    free(buffer);
    return status;
}

/* Points `source` at bytes in memory; CSKY_ERROR (with `error` set) when they cannot hold a TIFF header. */
static int memory_source(const uint8_t *data, size_t size, tiff_memory *source, char *error) {
    error[0] = 0;
    if (data == NULL || size < 8) {
        csky_tiff_error(error, "the file is too short for a TIFF header");
        return CSKY_ERROR;
    }
    *source = (tiff_memory){data, size, 0, -1};
    return CSKY_OK;
}

/* Points `source` at an open file, read as libtiff asks (the caller keeps `fd` open and closes it). */
static int file_source(int fd, tiff_memory *source, char *error) {
    error[0] = 0;
    struct stat status;
    if (fd < 0 || fstat(fd, &status) != 0) {
        csky_tiff_error(error, "cannot read the file: %s", strerror(errno));
        return CSKY_ERROR;
    }
    if (!S_ISREG(status.st_mode) || status.st_size < 8) {
        csky_tiff_error(error, S_ISREG(status.st_mode) ? "the file is too short for a TIFF header" : "not a regular file");
        return CSKY_ERROR;
    }
    *source = (tiff_memory){NULL, (size_t)status.st_size, 0, fd};
    return CSKY_OK;
}

/* Opens the TIFF `source` points at, its messages going to `error`; NULL (with `error` set) when it cannot. The
 * caller keeps `source` and `messages` alive until it closes the handle. */
static TIFF *open_tiff(tiff_memory *source, tiff_messages *messages, char *error) {
    *messages = (tiff_messages){error, 0};
    return csky_tiff_open_memory(source, messages);
}

/* Opens the TIFF and reads its decode plan; NULL with `error` set for a damaged file or a layout that is not decoded
 * (the caller then has nothing to close), else the open handle. */
static TIFF *open_decodable(tiff_memory *source, int keep_indices, tiff_messages *messages, tiff_plan *plan,
                            csky_image_info *info, char *error) {
    TIFF *tif = open_tiff(source, messages, error);
    if (tif == NULL) return NULL;
    char reason[CSKY_ERROR_LEN];
    int status = csky_tiff_read_plan(tif, keep_indices, plan, info, reason);
    if (status == CSKY_OK && plan->channels > 0) return tif;
    if (status == CSKY_OK) {
        snprintf(error, CSKY_ERROR_LEN, "%.200s; convert it to PNG", reason);
    } else if (!messages->has_error) {
        snprintf(error, CSKY_ERROR_LEN, "%s", reason);
    }
    TIFFClose(tif);
    return NULL;
}

/* The whole-image decode's sink: rows are unpacked straight into the output. */
typedef struct {
    tiff_rows rows;
    uint8_t *out;
    size_t row_bytes;
} whole_image;

static uint8_t *whole_image_band(tiff_rows *self, uint32_t y, uint32_t rows) {
    (void)rows;
    whole_image *sink = (whole_image *)self;
    return sink->out + (size_t)y * sink->row_bytes;
}

/* The header of the TIFF `source` points at (csky_tiff_info and csky_tiff_info_file). */
static int info_of(tiff_memory *source, int keep_indices, csky_image_info *info, char *error) {
    char reason[CSKY_ERROR_LEN];
    tiff_messages messages;
    TIFF *tif = open_tiff(source, &messages, error);
    if (tif == NULL) return CSKY_ERROR;
    tiff_plan plan;
    int status = csky_tiff_read_plan(tif, keep_indices, &plan, info, reason);
    if (status != CSKY_OK && !messages.has_error) snprintf(error, CSKY_ERROR_LEN, "%s", reason);
    TIFFClose(tif);
    return status;
}

int csky_tiff_info(const uint8_t *data, size_t size, int keep_indices, csky_image_info *info, char *error) {
    tiff_memory source;
    if (memory_source(data, size, &source, error) != CSKY_OK) return CSKY_ERROR;
    return info_of(&source, keep_indices, info, error);
}

int csky_tiff_info_file(int fd, int keep_indices, csky_image_info *info, char *error) {
    tiff_memory source;
    if (file_source(fd, &source, error) != CSKY_OK) return CSKY_ERROR;
    return info_of(&source, keep_indices, info, error);
}

int csky_tiff_decode(const uint8_t *data, size_t size, int keep_indices, uint8_t *out, size_t out_size,
                     csky_image_info *info, char *error) {
    tiff_memory source;
    if (memory_source(data, size, &source, error) != CSKY_OK) return CSKY_ERROR;
    tiff_messages messages;
    tiff_plan plan;
    TIFF *tif = open_decodable(&source, keep_indices, &messages, &plan, info, error);
    if (tif == NULL) return CSKY_ERROR;
    int status = CSKY_OK;
    if (out == NULL || out_size < (size_t)plan.width * plan.height * (size_t)plan.channels) {
        csky_tiff_error(error, "the output buffer is too small");
        status = CSKY_ERROR;
    } else {
        whole_image sink = {{whole_image_band, NULL}, out, (size_t)plan.width * (size_t)plan.channels};
        status = plan.tiled ? decode_tiles(tif, &plan, &sink.rows, error) : decode_strips(tif, &plan, &sink.rows, error);
    }
    TIFFClose(tif);
    return status;
}

/* The "L" resize path's sink: one reused band buffer, converted to "L" and resampled horizontally per band. */
typedef struct {
    tiff_rows rows;
    const tiff_plan *plan;
    const csky_resample_axis *axis;
    csky_resample_level level;
    uint8_t *band, *scratch, *out;
    size_t band_rows;
} luma_bands;

static uint8_t *luma_band(tiff_rows *self, uint32_t y, uint32_t rows) {
    (void)y;
    luma_bands *sink = (luma_bands *)self;
    return rows <= sink->band_rows ? sink->band : NULL;
}

static int luma_finished(tiff_rows *self, uint32_t y, uint32_t rows, char *error) {
    luma_bands *sink = (luma_bands *)self;
    size_t width = sink->plan->width, channels = (size_t)sink->plan->channels, outputs = sink->axis->outputs;
    uint8_t *out = sink->out + (size_t)y * outputs;
    int failed = 0;
    if (channels == 1) {
        failed = csky_resample_horizontal_gray(sink->band, width, rows, out, sink->axis, sink->level);
    } else if (channels == 2) { /* "LA" to "L": the gray sample */
        for (uint32_t row = 0; row < rows && !failed; row++) {
            const uint8_t *pixels = sink->band + (size_t)row * width * 2;
            for (size_t x = 0; x < width; x++) sink->scratch[x] = pixels[2 * x];
            failed = csky_resample_horizontal_gray(sink->scratch, width, 1, out + (size_t)row * outputs, sink->axis,
                                                   sink->level);
        }
    } else {
        failed = csky_resample_horizontal_luma(sink->band, channels, width, rows, out, sink->scratch, sink->axis,
                                               sink->level);
    }
    if (failed) {
        csky_tiff_error(error, "resample kernel table does not fit a %zu-pixel row", width);
        return CSKY_ERROR;
    }
    return CSKY_OK;
}

/* csky_tiff_luma_horizontal over the TIFF `source` points at (bytes or a file). */
static int luma_horizontal(tiff_memory *source, const csky_resample_axis *axis, csky_resample_level level,
                           uint8_t *out, size_t out_size, csky_image_info *info, char *error) {
    if (!out || !axis || axis->outputs == 0) {
        snprintf(error, CSKY_ERROR_LEN, "no output buffer");
        return CSKY_ERROR;
    }
    tiff_messages messages;
    tiff_plan plan;
    TIFF *tif = open_decodable(source, CSKY_DECODE_GRAY16_CLIP, &messages, &plan, info, error);
    if (tif == NULL) return CSKY_ERROR;
    int status = CSKY_OK;
    if ((size_t)plan.height > out_size / axis->outputs) {
        csky_tiff_error(error, "the output buffer is too small");
        status = CSKY_ERROR;
    } else {
        size_t band_rows = plan.tiled ? plan.tile_height : plan.rows_per_strip;
        size_t band_bytes = band_rows * plan.width * (size_t)plan.channels;
        if (band_bytes > csky_tiff_buffer_limit(&plan)) {
            csky_tiff_error(error, "a band of %zu rows is more than a %ux%u image needs", band_rows, plan.width, plan.height);
            status = CSKY_ERROR;
        } else {
            luma_bands sink = {{luma_band, luma_finished}, &plan, axis, level, malloc(band_bytes ? band_bytes : 1),
                               malloc(plan.width ? plan.width : 1), out, band_rows};
            if (sink.band == NULL || sink.scratch == NULL) {
                csky_tiff_error(error, "out of memory for a band of %zu rows", band_rows);
                status = CSKY_ERROR;
            } else {
                status = plan.tiled ? decode_tiles(tif, &plan, &sink.rows, error)
                                    : decode_strips(tif, &plan, &sink.rows, error);
            }
            free(sink.band);
            free(sink.scratch);
        }
    }
    TIFFClose(tif);
    return status;
}

int csky_tiff_luma_horizontal(const uint8_t *data, size_t size, const csky_resample_axis *axis,
                              csky_resample_level level, uint8_t *out, size_t out_size, csky_image_info *info,
                              char *error) {
    tiff_memory source;
    if (memory_source(data, size, &source, error) != CSKY_OK) return CSKY_ERROR;
    return luma_horizontal(&source, axis, level, out, out_size, info, error);
}

int csky_tiff_luma_horizontal_file(int fd, const csky_resample_axis *axis, csky_resample_level level, uint8_t *out,
                                   size_t out_size, csky_image_info *info, char *error) {
    tiff_memory source;
    if (file_source(fd, &source, error) != CSKY_OK) return CSKY_ERROR;
    return luma_horizontal(&source, axis, level, out, out_size, info, error);
}
