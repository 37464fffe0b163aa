/*
 * CSkyGzip: whole-buffer gzip inflation over zlib, for small bundled data files
 * (the CLIP BPE vocabulary). No zlib state escapes this call.
 */
#ifndef CSKY_GZIP_H
#define CSKY_GZIP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Inflates the gzip stream in `input` into `output` (capacity `capacity` bytes).
 * Returns the number of bytes written, -1 when the input is not a complete gzip stream,
 * or -2 when `capacity` is too small.
 */
int64_t csky_gunzip(const uint8_t *input, size_t input_len, uint8_t *output, size_t capacity);

#endif
