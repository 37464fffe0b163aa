/*
 * libtiff over bytes in memory, for tiff_codec.c: read-only client callbacks, and error and warning
 * handlers that write into the caller's buffer (per handle, libtiff >= 4.5), never to stderr.
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

/* The bytes libtiff reads through the client callbacks. */
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
} tiff_memory;

/* What the handlers write into: the first error only (later ones are usually consequences). */
typedef struct {
    char *error;
    int has_error;
} tiff_messages;

/* Opens the first directory of `memory` read-only without memory mapping; NULL with the reason in
 * messages->error when libtiff cannot read it. Release with TIFFClose. */
TIFF *csky_tiff_open_memory(tiff_memory *memory, tiff_messages *messages);

#endif
