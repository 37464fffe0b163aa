/*
 * libtiff over bytes in memory or an open file, for tiff_codec.c: read-only client callbacks, and error and
 * warning handlers that write into the caller's buffer (per handle, libtiff >= 4.5), never to stderr.
 */
#ifndef CSKY_TIFF_MEMORY_H
#define CSKY_TIFF_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <tiffio.h>

/* Per-handle error handlers (TIFFOpenOptionsSetErrorHandlerExtR) arrived in libtiff 4.5.0, as did
 * TIFFLIB_MAJOR_VERSION: older libtiffs would only offer the process-wide handlers. */
#if !defined(TIFFLIB_MAJOR_VERSION) || TIFFLIB_VERSION < 20221213
#error "SkyCorpus needs libtiff >= 4.5.0 (Debian 12: libtiff-dev); Scripts/setup-deps.sh installs it"
#endif

/* What libtiff reads through the client callbacks: `size` bytes at `data`, or, when `fd` >= 0, the first `size`
 * bytes of that open file, read with pread as libtiff asks for them (a strip or tile at a time), so a large file
 * is never held in memory. */
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
    int fd;
} tiff_memory;

/* What the handlers write into: the first error only (later ones are usually consequences). */
typedef struct {
    char *error;
    int has_error;
} tiff_messages;

/* Opens the first directory of `memory` (bytes or file) read-only without memory mapping; NULL with the reason in
 * messages->error when libtiff cannot read it. Release with TIFFClose. */
TIFF *csky_tiff_open_memory(tiff_memory *memory, tiff_messages *messages);

#endif
