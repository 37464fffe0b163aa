/* libtiff over bytes in memory or an open file: see tiff_memory.h. */
#include "tiff_memory.h"
#include "CSkyCodecs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static tsize_t memory_read(thandle_t handle, tdata_t buffer, tsize_t count) {
    tiff_memory *memory = (tiff_memory *)handle;
    if (count <= 0 || memory->position >= memory->size) return 0;
    size_t available = memory->size - memory->position;
    size_t wanted = (size_t)count < available ? (size_t)count : available;
    if (memory->fd < 0) {
        memcpy(buffer, memory->data + memory->position, wanted);
        memory->position += wanted;
        return (tsize_t)wanted;
    }
    size_t done = 0;
    while (done < wanted) {
        ssize_t got = pread(memory->fd, (uint8_t *)buffer + done, wanted - done, (off_t)(memory->position + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break; /* an error, or the file shrank: a short read, which libtiff reports */
        done += (size_t)got;
    }
    memory->position += done;
    return (tsize_t)done;
}

static tsize_t memory_write(thandle_t handle, tdata_t buffer, tsize_t count) {
    (void)handle; (void)buffer; (void)count;
    return -1; /* read-only */
}

static toff_t memory_seek(thandle_t handle, toff_t offset, int whence) {
    tiff_memory *memory = (tiff_memory *)handle;
    uint64_t base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = memory->position; break;
    case SEEK_END: base = memory->size; break;
    default: return (toff_t)-1;
    }
    /* toff_t is unsigned: a "negative" offset relative to CUR/END wraps; reject what leaves [0, 2^62). */
    uint64_t target = base + (uint64_t)offset;
    if (target > ((uint64_t)1 << 62)) return (toff_t)-1;
    memory->position = (size_t)target; /* past the end is allowed, as with lseek: reads then return 0 */
    return (toff_t)target;
}

static int memory_close(thandle_t handle) { (void)handle; return 0; }

static toff_t memory_size(thandle_t handle) { return (toff_t)((tiff_memory *)handle)->size; }

static int no_map(thandle_t handle, tdata_t *base, toff_t *size) {
    (void)handle; (void)base; (void)size;
    return 0; /* no mapping: libtiff copies into its own buffers and never sees our const bytes */
}

static void no_unmap(thandle_t handle, tdata_t base, toff_t size) { (void)handle; (void)base; (void)size; }

static int on_error(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif;
    tiff_messages *messages = (tiff_messages *)user;
    if (messages != NULL && !messages->has_error) {
        char text[CSKY_ERROR_LEN];
        vsnprintf(text, sizeof text, format, args);
        snprintf(messages->error, CSKY_ERROR_LEN, "%.60s%s%.190s", module ? module : "", module ? ": " : "", text);
        messages->has_error = 1;
    }
    return 1; /* handled: the global handler (stderr) is not called */
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif; (void)user; (void)module; (void)format; (void)args;
    return 1; /* warnings (unknown tags, ...) do not change the pixels: drop them silently */
}

TIFF *csky_tiff_open_memory(tiff_memory *memory, tiff_messages *messages) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) {
        snprintf(messages->error, CSKY_ERROR_LEN, "out of memory");
        return NULL;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, messages);
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, messages);
    /* One allocation above 1 GiB is a damaged header, not an image within the pixel budget's reach. */
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)1 << 30);
    /* "m": no memory mapping; "r": read-only. */
    TIFF *tif = TIFFClientOpenExt("memory", "rm", (thandle_t)memory, memory_read, memory_write, memory_seek,
                                  memory_close, memory_size, no_map, no_unmap, options);
    TIFFOpenOptionsFree(options);
    if (tif == NULL && !messages->has_error) snprintf(messages->error, CSKY_ERROR_LEN, "not a readable TIFF");
    return tif;
}
