/*
 * A TIFF's first directory read into a decode plan, and rows unpacked by it into Pillow's pixels (see
 * tiff_codec.c for what is decoded and how it matches Pillow 13).
 */
#include "tiff_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csky_tiff_error(char *error, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(error, CSKY_ERROR_LEN, format, args);
    va_end(args);
}

/* Fills `info` from the first directory; returns CSKY_OK with plan->channels 0 (reason in
 * `reason`) for a valid TIFF whose layout is not decoded, CSKY_ERROR for a damaged one. */
int csky_tiff_read_plan(TIFF *tif, int keep_indices, tiff_plan *plan, csky_image_info *info, char *reason) {
    int clip16 = (keep_indices & CSKY_DECODE_GRAY16_CLIP) != 0;
    keep_indices &= 1;
    memset(plan, 0, sizeof *plan);
    memset(info, 0, sizeof *info);
    reason[0] = 0;
    uint32_t width = 0, height = 0;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height)) {
        csky_tiff_error(reason, "the first directory has no ImageWidth/ImageLength");
        return CSKY_ERROR;
    }
    if (width > INT32_MAX || height > INT32_MAX) {
        csky_tiff_error(reason, "the size %ux%u is out of range", width, height);
        return CSKY_ERROR;
    }
    uint16_t bits = 1, samples = 1, photometric = 0, planar = PLANARCONFIG_CONTIG, format = SAMPLEFORMAT_UINT;
    uint16_t compression = COMPRESSION_NONE, fill = FILLORDER_MSB2LSB, orientation = ORIENTATION_TOPLEFT;
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
    TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &fill);
    int has_photometric = TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    int has_orientation = TIFFGetField(tif, TIFFTAG_ORIENTATION, &orientation);
    uint16_t extra_count = 0;
    uint16_t *extra = NULL;
    TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);

    plan->width = width;
    plan->height = height;
    info->width = info->source_width = (int32_t)width;
    info->height = info->source_height = (int32_t)height;
    info->bit_depth = bits;
    info->source_channels = samples;

    if (bits != 8 && bits != 16) {
        csky_tiff_error(reason, "%u-bit samples are not supported (8-bit, or 16-bit gray/RGB/RGBA)", bits);
        return CSKY_OK;
    }
    plan->sample_bytes = bits / 8;
    if (format != SAMPLEFORMAT_UINT) {
        csky_tiff_error(reason, "sample format %u is not supported (unsigned integers only)", format);
        return CSKY_OK;
    }
    if (planar != PLANARCONFIG_CONTIG) {
        csky_tiff_error(reason, "separate colour planes (PlanarConfiguration 2) are not supported");
        return CSKY_OK;
    }
    if (fill != FILLORDER_MSB2LSB) {
        csky_tiff_error(reason, "FillOrder %u is not supported", fill);
        return CSKY_OK;
    }
    if (compression == COMPRESSION_OJPEG) {
        /* Pillow forces YCbCr for old-style JPEG whatever the tags say: not worth matching. */
        csky_tiff_error(reason, "old-style JPEG compression (6) is not supported");
        return CSKY_OK;
    }
    if (has_orientation && orientation != ORIENTATION_TOPLEFT) {
        csky_tiff_error(reason, "Orientation %u (a rotated or flipped image) is not supported", orientation);
        return CSKY_OK;
    }
    if (!has_photometric) {
        csky_tiff_error(reason, "the PhotometricInterpretation tag is missing");
        return CSKY_OK;
    }
    if (samples < 1 || extra_count >= samples || (extra_count > 0 && extra == NULL)) {
        csky_tiff_error(reason, "%u samples with %u extra samples is not a pixel layout", samples, extra_count);
        return CSKY_OK;
    }
    int colour = samples - extra_count; /* colour samples */
    /* Pillow ignores trailing "unspecified" extra samples after the first one only. */
    for (int index = 1; index < extra_count; index++) {
        if (extra[index] != EXTRASAMPLE_UNSPECIFIED) {
            csky_tiff_error(reason, "more than one alpha channel is not supported");
            return CSKY_OK;
        }
    }
    int first_extra = extra_count > 0 ? extra[0] : -1; /* -1: no ExtraSamples tag */
    plan->samples = samples;
    plan->unpack = UNPACK_COPY;
    if (bits == 16) {
        /* Pillow's 16-bit modes: "I;16"/"I;16B" gray (converted to "L" by clipping), "RGB;16L/B" and
         * "RGBA;16L/B" (the high byte); other 16-bit layouts are refused. */
        int gray = photometric == PHOTOMETRIC_MINISBLACK && samples == 1;
        int rgb = photometric == PHOTOMETRIC_RGB && (samples == 3 || (samples == 4 && first_extra == EXTRASAMPLE_UNASSALPHA));
        if (!gray && !rgb) {
            csky_tiff_error(reason, "16-bit samples are supported for MinIsBlack gray, RGB and RGBA only "
                      "(PhotometricInterpretation %u, %u samples)", photometric, samples);
            return CSKY_OK;
        }
        if (compression == COMPRESSION_JPEG) {
            csky_tiff_error(reason, "16-bit JPEG-in-TIFF is not supported");
            return CSKY_OK;
        }
        plan->channels = samples;
        plan->layout = gray ? CSKY_LAYOUT_GRAY : samples == 3 ? CSKY_LAYOUT_RGB : CSKY_LAYOUT_RGBA;
        plan->unpack = gray && clip16 ? UNPACK_CLIP16 : UNPACK_HIGH16;
        goto layout_chosen;
    }

    if ((photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE) && colour == 1) {
        int inverted = photometric == PHOTOMETRIC_MINISWHITE;
        if (samples == 1) {
            plan->channels = 1;
            plan->layout = CSKY_LAYOUT_GRAY;
            plan->unpack = inverted ? UNPACK_INVERT : UNPACK_COPY;
        } else if (!inverted && first_extra == EXTRASAMPLE_UNASSALPHA) {
            plan->channels = 2;
            plan->layout = CSKY_LAYOUT_GRAY_ALPHA;
        } else if (!inverted && first_extra == EXTRASAMPLE_UNSPECIFIED) {
            plan->channels = 1; /* "LX": the extra sample is dropped */
            plan->layout = CSKY_LAYOUT_GRAY;
        } else {
            csky_tiff_error(reason, "%s gray with extra sample type %d is not supported",
                      inverted ? "MinIsWhite" : "MinIsBlack", first_extra);
            return CSKY_OK;
        }
    } else if ((photometric == PHOTOMETRIC_RGB && colour == 3) ||
               (photometric == PHOTOMETRIC_YCBCR && colour == 3 && samples == 3 &&
                compression == COMPRESSION_JPEG)) {
        if (photometric == PHOTOMETRIC_YCBCR) {
            /* As Pillow does: libjpeg converts YCbCr to RGB while libtiff decodes the strips. */
            if (!TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB)) {
                csky_tiff_error(reason, "cannot convert this JPEG-in-TIFF's YCbCr to RGB");
                return CSKY_ERROR;
            }
        }
        if (samples == 3) {
            plan->channels = 3;
            plan->layout = CSKY_LAYOUT_RGB;
        } else if (first_extra == EXTRASAMPLE_UNSPECIFIED) {
            plan->channels = 3; /* "RGBX" */
            plan->layout = CSKY_LAYOUT_RGB;
        } else if (first_extra == EXTRASAMPLE_ASSOCALPHA) {
            plan->channels = 4; /* "RGBa" */
            plan->layout = CSKY_LAYOUT_RGBA;
            plan->unpack = UNPACK_RGBA_PREMULTIPLIED;
        } else {
            plan->channels = 4; /* unassociated alpha (2), or 999 from Corel Draw: "RGBA" */
            plan->layout = CSKY_LAYOUT_RGBA;
        }
    } else if (photometric == PHOTOMETRIC_PALETTE && colour == 1 &&
               (samples == 1 || first_extra == EXTRASAMPLE_UNSPECIFIED)) { /* "P", "PX" */
        uint16_t *red = NULL, *green = NULL, *blue = NULL;
        if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &red, &green, &blue) || !red || !green || !blue) {
            csky_tiff_error(reason, "a palette image without its ColorMap");
            return CSKY_ERROR;
        }
        /* Pillow keeps the high byte of each 16-bit entry (b // 256); 8-bit samples: 256 entries. */
        for (int entry = 0; entry < 256; entry++) {
            plan->palette[entry * 3] = (uint8_t)(red[entry] >> 8);
            plan->palette[entry * 3 + 1] = (uint8_t)(green[entry] >> 8);
            plan->palette[entry * 3 + 2] = (uint8_t)(blue[entry] >> 8);
            info->palette[entry * 4] = plan->palette[entry * 3];
            info->palette[entry * 4 + 1] = plan->palette[entry * 3 + 1];
            info->palette[entry * 4 + 2] = plan->palette[entry * 3 + 2];
            info->palette[entry * 4 + 3] = 255;
        }
        info->palette_count = 256;
        if (keep_indices) {
            plan->channels = 1;
            plan->layout = CSKY_LAYOUT_INDEXED;
        } else {
            plan->channels = 3;
            plan->layout = CSKY_LAYOUT_RGB;
            plan->unpack = UNPACK_PALETTE;
        }
    } else {
        const char *name = photometric == PHOTOMETRIC_PALETTE ? "palette with alpha" :
                           photometric == PHOTOMETRIC_YCBCR ? "YCbCr (outside JPEG compression)" :
                           photometric == PHOTOMETRIC_SEPARATED ? "CMYK" : "this";
        csky_tiff_error(reason, "%s colour (PhotometricInterpretation %u, %u samples) is not supported",
                  name, photometric, samples);
        plan->channels = 0;
        return CSKY_OK;
    }

layout_chosen:
    plan->tiled = TIFFIsTiled(tif);
    if (plan->tiled) {
        if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &plan->tile_width) ||
            !TIFFGetField(tif, TIFFTAG_TILELENGTH, &plan->tile_height) ||
            plan->tile_width == 0 || plan->tile_height == 0) {
            csky_tiff_error(reason, "the tile size is missing or zero");
            return CSKY_ERROR;
        }
    } else {
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &plan->rows_per_strip);
        if (plan->rows_per_strip == 0 || plan->rows_per_strip > height) plan->rows_per_strip = height;
    }
    info->channels = plan->channels;
    info->layout = plan->layout;
    return CSKY_OK;
}

/* Pillow's unpackRGBa: un-premultiplies with integer division, clipped at 255. */
static uint8_t unpremultiply(uint8_t value, uint8_t alpha) {
    unsigned result = (unsigned)value * 255u / alpha;
    return (uint8_t)(result > 255u ? 255u : result);
}

/* One row of `count` pixels of plan->samples bytes into output pixels. */
void csky_tiff_unpack_row(const tiff_plan *plan, const uint8_t *in, uint8_t *out, size_t count) {
    size_t stride = (size_t)plan->samples;
    int channels = plan->channels;
    if (plan->unpack == UNPACK_HIGH16 || plan->unpack == UNPACK_CLIP16) {
        const uint16_t *samples = (const uint16_t *)(const void *)in;
        size_t total = count * stride;
        for (size_t index = 0; index < total; index++) {
            uint16_t value = samples[index];
            out[index] = plan->unpack == UNPACK_HIGH16 ? (uint8_t)(value >> 8) : (uint8_t)(value > 255 ? 255 : value);
        }
        return;
    }
    if (plan->unpack == UNPACK_COPY && stride == (size_t)channels) {
        memcpy(out, in, count * stride);
        return;
    }
    for (size_t pixel = 0; pixel < count; pixel++, in += stride, out += channels) {
        switch (plan->unpack) {
        case UNPACK_INVERT:
            out[0] = (uint8_t)(255 - in[0]);
            break;
        case UNPACK_PALETTE:
            memcpy(out, plan->palette + (size_t)in[0] * 3, 3);
            break;
        case UNPACK_RGBA_PREMULTIPLIED: {
            uint8_t alpha = in[3];
            if (alpha == 0) {
                out[0] = out[1] = out[2] = out[3] = 0;
            } else if (alpha == 255) {
                memcpy(out, in, 4);
            } else {
                out[0] = unpremultiply(in[0], alpha);
                out[1] = unpremultiply(in[1], alpha);
                out[2] = unpremultiply(in[2], alpha);
                out[3] = alpha;
            }
            break;
        }
        default:
            memcpy(out, in, (size_t)channels);
            break;
        }
    }
}

/* The largest strip or tile buffer a decode allocates: twice the decoded image, at least 64 MiB (a
 * 256x256 RGBA tile of a 10x10 image is legal). A damaged directory claiming more is an error, not
 * an allocation of many gigabytes. */
size_t csky_tiff_buffer_limit(const tiff_plan *plan) {
    size_t image = (size_t)plan->width * plan->height * (size_t)plan->samples * (size_t)plan->sample_bytes;
    size_t limit = (size_t)64 << 20;
    return image <= limit / 2 ? limit : image * 2;
}
