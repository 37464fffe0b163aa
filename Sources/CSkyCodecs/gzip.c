#include "CSkyGzip.h"

#include <string.h>
#include <zlib.h>

int64_t csky_gunzip(const uint8_t *input, size_t input_len, uint8_t *output, size_t capacity) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    /* 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream. */
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        return -1;
    }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_len;
    stream.next_out = output;
    stream.avail_out = (uInt)capacity;
    int status = inflate(&stream, Z_FINISH);
    int64_t written = (int64_t)stream.total_out;
    inflateEnd(&stream);
    if (status == Z_STREAM_END) {
        return written;
    }
    if (status == Z_BUF_ERROR && stream.avail_out == 0) {
        return -2;
    }
    return -1;
}
