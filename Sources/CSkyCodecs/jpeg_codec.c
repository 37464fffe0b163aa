#include "CSkyCodecs.h"
#include "CSkyResample.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char *error;
    int truncated;
} csky_jpeg_errors;

static void csky_jpeg_error_exit(j_common_ptr cinfo) {
    csky_jpeg_errors *errors = (csky_jpeg_errors *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    snprintf(errors->error, CSKY_ERROR_LEN, "%s", message);
    longjmp(errors->jump, 1);
}

/* Warnings are silent, but a premature end of data is remembered: that image is truncated. */
static void csky_jpeg_emit_message(j_common_ptr cinfo, int level) {
    csky_jpeg_errors *errors = (csky_jpeg_errors *)cinfo->err;
    if (level < 0) {
        cinfo->err->num_warnings++;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
            errors->truncated = 1;
        }
    }
}

static int csky_jpeg_valid_scale(int scale_denom) {
    return scale_denom == 1 || scale_denom == 2 || scale_denom == 4 || scale_denom == 8;
}

/* gray_from_y: a YCbCr file is decoded to its Y plane alone (libjpeg then skips the colour components). */
static void csky_jpeg_configure(struct jpeg_decompress_struct *cinfo, int scale_denom, int gray_from_y,
                                csky_image_info *info) {
    jpeg_read_header(cinfo, TRUE);
    memset(info, 0, sizeof(*info));
    info->source_width = (int32_t)cinfo->image_width;
    info->source_height = (int32_t)cinfo->image_height;
    info->source_channels = cinfo->num_components;
    info->bit_depth = cinfo->data_precision;
    cinfo->scale_num = 1;
    cinfo->scale_denom = (unsigned int)scale_denom;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK;
        break;
    default:
        cinfo->out_color_space = gray_from_y && cinfo->jpeg_color_space == JCS_YCbCr ? JCS_GRAYSCALE : JCS_RGB;
        break;
    }
    jpeg_calc_output_dimensions(cinfo);
    info->width = (int32_t)cinfo->output_width;
    info->height = (int32_t)cinfo->output_height;
    info->channels = cinfo->out_color_space == JCS_GRAYSCALE ? 1 : 3;
    info->layout = info->channels == 1 ? CSKY_LAYOUT_GRAY : CSKY_LAYOUT_RGB;
}

/* Where decoded rows go when they are not written into one full-size image: each band of up to
 * JPEG_BAND_ROWS rows is passed through the horizontal resample pass into `out` (axis->outputs bytes a row). */
#define JPEG_BAND_ROWS 16
typedef struct {
    const csky_resample_axis *axis;
    csky_resample_level level;
} jpeg_band_sink;

/* One band of `rows` decoded rows (`channels` 1 or 3) through the horizontal pass, to "L" for RGB. */
static int jpeg_sink_band(const jpeg_band_sink *sink, const uint8_t *band, size_t width, int channels,
                          size_t rows, uint8_t *out, uint8_t *scratch) {
    return channels == 1 ? csky_resample_horizontal_gray(band, width, rows, out, sink->axis, sink->level)
                         : csky_resample_horizontal_luma(band, 3, width, rows, out, scratch, sink->axis, sink->level);
}

/* The band loop of csky_jpeg_luma_horizontal, after the header: decodes up to JPEG_BAND_ROWS rows at a time
 * into one reused buffer (kept in *band so that the caller's error path frees it) and resamples them at once. */
static int csky_jpeg_bands(struct jpeg_decompress_struct *cinfo, csky_jpeg_errors *errors,
                           const jpeg_band_sink *sink, uint8_t *out, size_t out_size, csky_image_info *info,
                           char *error, uint8_t **band) {
    size_t outputs = sink->axis->outputs, width = (size_t)info->width;
    int channels = info->channels;
    if (cinfo->out_color_space == JCS_CMYK || outputs == 0 || (size_t)info->height > out_size / outputs) {
        snprintf(error, CSKY_ERROR_LEN, "%s", cinfo->out_color_space == JCS_CMYK ? "CMYK is not streamed"
                                                                                 : "output buffer too small");
        jpeg_destroy_decompress(cinfo);
        return CSKY_ERROR;
    }
    size_t row_bytes = width * (size_t)channels;
    *band = malloc(row_bytes * JPEG_BAND_ROWS + width);
    if (!*band) {
        snprintf(error, CSKY_ERROR_LEN, "out of memory for a band of rows");
        jpeg_destroy_decompress(cinfo);
        return CSKY_ERROR;
    }
    uint8_t *scratch = *band + row_bytes * JPEG_BAND_ROWS;
    JSAMPROW pointers[JPEG_BAND_ROWS];
    for (int i = 0; i < JPEG_BAND_ROWS; i++) pointers[i] = (JSAMPROW)(*band + (size_t)i * row_bytes);
    jpeg_start_decompress(cinfo);
    int status = CSKY_OK;
    while (cinfo->output_scanline < cinfo->output_height && !errors->truncated && status == CSKY_OK) {
        JDIMENSION first = cinfo->output_scanline, filled = 0;
        JDIMENSION wanted = cinfo->output_height - first < JPEG_BAND_ROWS ? cinfo->output_height - first
                                                                            : JPEG_BAND_ROWS;
        while (filled < wanted && !errors->truncated) {
            JDIMENSION got = jpeg_read_scanlines(cinfo, pointers + filled, wanted - filled);
            if (got == 0) break;
            filled += got;
        }
        if (jpeg_sink_band(sink, *band, width, channels, filled, out + (size_t)first * outputs, scratch) != 0) {
            snprintf(error, CSKY_ERROR_LEN, "resample kernel table does not fit a %zu-pixel row", width);
            status = CSKY_ERROR;
        }
    }
    free(*band);
    *band = NULL;
    if (status == CSKY_OK && errors->truncated) {
        snprintf(error, CSKY_ERROR_LEN, "file is truncated (premature end of JPEG data)");
        status = CSKY_ERROR;
    }
    if (status == CSKY_OK) jpeg_finish_decompress(cinfo);
    jpeg_destroy_decompress(cinfo);
    if (status == CSKY_OK && errors->truncated) {
        snprintf(error, CSKY_ERROR_LEN, "file is truncated (premature end of JPEG data)");
        status = CSKY_ERROR;
    }
    return status;
}

static int csky_jpeg_run(const uint8_t *data, size_t size, int scale_denom, int gray_from_y,
                         const jpeg_band_sink *sink, uint8_t *out, size_t out_size, csky_image_info *info,
                         char *error) {
    error[0] = 0;
    if (!csky_jpeg_valid_scale(scale_denom)) {
        snprintf(error, CSKY_ERROR_LEN, "JPEG scale must be 1/1, 1/2, 1/4 or 1/8, not 1/%d",
                 scale_denom);
        return CSKY_ERROR;
    }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        snprintf(error, CSKY_ERROR_LEN, "not a JPEG file (no start-of-image marker)");
        return CSKY_ERROR;
    }
    struct jpeg_decompress_struct cinfo;
    csky_jpeg_errors errors;
    memset(&errors, 0, sizeof(errors));
    errors.error = error;
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = csky_jpeg_error_exit;
    errors.manager.emit_message = csky_jpeg_emit_message;
    uint8_t *volatile cmyk_row = NULL;
    uint8_t *volatile band = NULL;
    if (setjmp(errors.jump)) {
        free(cmyk_row);
        free(band);
        jpeg_destroy_decompress(&cinfo);
        if (!error[0]) snprintf(error, CSKY_ERROR_LEN, "libjpeg failed");
        return CSKY_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)size);
    csky_jpeg_configure(&cinfo, scale_denom, gray_from_y, info);
    if (errors.truncated) {
        snprintf(error, CSKY_ERROR_LEN, "file is truncated (premature end of JPEG data)");
        jpeg_destroy_decompress(&cinfo);
        return CSKY_ERROR;
    }
    if (!out) {
        jpeg_destroy_decompress(&cinfo);
        return CSKY_OK;
    }
    size_t row_bytes = (size_t)info->width * (size_t)info->channels;
    if (sink) return csky_jpeg_bands(&cinfo, &errors, sink, out, out_size, info, error, (uint8_t **)&band);
    if (row_bytes * (size_t)info->height > out_size) {
        snprintf(error, CSKY_ERROR_LEN, "output buffer too small");
        jpeg_destroy_decompress(&cinfo);
        return CSKY_ERROR;
    }
    jpeg_start_decompress(&cinfo);
    int is_cmyk = cinfo.out_color_space == JCS_CMYK;
    if (is_cmyk) {
        cmyk_row = malloc((size_t)cinfo.output_width * 4);
        if (!cmyk_row) {
            snprintf(error, CSKY_ERROR_LEN, "out of memory for a CMYK row");
            jpeg_destroy_decompress(&cinfo);
            return CSKY_ERROR;
        }
    }
    /* Adobe writes CMYK inverted; convert to RGB as r = c * k / 255 on the stored values. */
    int inverted = cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *row = out + (size_t)cinfo.output_scanline * row_bytes;
        if (is_cmyk) {
            JSAMPROW source = (JSAMPROW)cmyk_row;
            jpeg_read_scanlines(&cinfo, &source, 1);
            for (JDIMENSION x = 0; x < cinfo.output_width; x++) {
                unsigned c = cmyk_row[x * 4], m = cmyk_row[x * 4 + 1];
                unsigned y = cmyk_row[x * 4 + 2], k = cmyk_row[x * 4 + 3];
                if (!inverted) {
                    c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
                }
                row[x * 3] = (uint8_t)((c * k + 127) / 255);
                row[x * 3 + 1] = (uint8_t)((m * k + 127) / 255);
                row[x * 3 + 2] = (uint8_t)((y * k + 127) / 255);
            }
        } else {
            JSAMPROW target = (JSAMPROW)row;
            jpeg_read_scanlines(&cinfo, &target, 1);
        }
        if (errors.truncated) break;
    }
    free(cmyk_row);
    cmyk_row = NULL;
    if (errors.truncated) {
        snprintf(error, CSKY_ERROR_LEN, "file is truncated (premature end of JPEG data)");
        jpeg_destroy_decompress(&cinfo);
        return CSKY_ERROR;
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (errors.truncated) {
        snprintf(error, CSKY_ERROR_LEN, "file is truncated (premature end of JPEG data)");
        return CSKY_ERROR;
    }
    return CSKY_OK;
}

int csky_jpeg_info(const uint8_t *data, size_t size, int scale_denom, csky_image_info *info,
                   char *error) {
    return csky_jpeg_run(data, size, scale_denom, 0, NULL, NULL, 0, info, error);
}

int csky_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t *out,
                     size_t out_size, csky_image_info *info, char *error) {
    if (!out) {
        snprintf(error, CSKY_ERROR_LEN, "no output buffer");
        return CSKY_ERROR;
    }
    return csky_jpeg_run(data, size, scale_denom, 0, NULL, out, out_size, info, error);
}

int csky_jpeg_luma_horizontal(const uint8_t *data, size_t size, int scale_denom, int gray_from_y,
                              const csky_resample_axis *axis, csky_resample_level level, uint8_t *out,
                              size_t out_size, csky_image_info *info, char *error) {
    if (!out || !axis) {
        snprintf(error, CSKY_ERROR_LEN, "no output buffer");
        return CSKY_ERROR;
    }
    jpeg_band_sink sink = {axis, level};
    return csky_jpeg_run(data, size, scale_denom, gray_from_y, &sink, out, out_size, info, error);
}

int csky_jpeg_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                     int32_t quality, uint8_t **out, size_t *out_size, char *error) {
    error[0] = 0;
    *out = NULL;
    *out_size = 0;
    if (channels != 1 && channels != 3) {
        snprintf(error, CSKY_ERROR_LEN, "JPEG encodes gray or RGB, not %d channels", channels);
        return CSKY_ERROR;
    }
    if (width <= 0 || height <= 0 || width > 65500 || height > 65500) {
        snprintf(error, CSKY_ERROR_LEN, "JPEG cannot hold a %dx%d image", width, height);
        return CSKY_ERROR;
    }
    struct jpeg_compress_struct cinfo;
    csky_jpeg_errors errors;
    memset(&errors, 0, sizeof(errors));
    errors.error = error;
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = csky_jpeg_error_exit;
    errors.manager.emit_message = csky_jpeg_emit_message;
    unsigned char *volatile buffer = NULL;
    unsigned long buffer_size = 0;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        if (!error[0]) snprintf(error, CSKY_ERROR_LEN, "libjpeg failed to encode");
        return CSKY_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row_bytes = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_bytes);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = buffer_size;
    return CSKY_OK;
}
