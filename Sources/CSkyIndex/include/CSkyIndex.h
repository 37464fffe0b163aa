// CSkyIndex: the C side of SkyIndex. A plain C API over hnswlib (header-only C++, compiled in hnsw_shim.cpp, which
// catches every C++ exception), XXH64 hashing and float16 conversion. Swift sees only this header, so no Swift
// module needs C++ interop. Functions that can fail return 0 on success and write a message into `error`
// (`error_size` bytes, NUL-terminated) otherwise.
#ifndef CSKYINDEX_H
#define CSKYINDEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: XXH64 (the reference algorithm, seed 0 unless given), one-shot and streaming.

typedef struct {
    uint64_t total_length;
    uint64_t lanes[4];
    uint8_t buffer[32];
    uint32_t buffered;
    uint64_t seed;
} skyidx_xxh64_state;

uint64_t skyidx_xxh64(const void *bytes, size_t length, uint64_t seed);
void skyidx_xxh64_reset(skyidx_xxh64_state *state, uint64_t seed);
void skyidx_xxh64_update(skyidx_xxh64_state *state, const void *bytes, size_t length);
uint64_t skyidx_xxh64_digest(const skyidx_xxh64_state *state);

// MARK: float16 (IEEE binary16) conversion; F16C when the CPU has it, round-to-nearest-even either way.

void skyidx_f16_to_f32(const uint16_t *source, float *destination, size_t count);
void skyidx_f32_to_f16(const float *source, uint16_t *destination, size_t count);

// MARK: HNSW (hnswlib 0.6) over inner product. Labels are row numbers 0..<count.

typedef struct skyidx_hnsw skyidx_hnsw;

/// A new empty index for `capacity` vectors of `dimension` floats; NULL on failure (message in `error`).
skyidx_hnsw *skyidx_hnsw_create(size_t dimension, size_t capacity, size_t m, size_t ef_construction, size_t seed,
                                char *error, size_t error_size);
void skyidx_hnsw_free(skyidx_hnsw *index);
/// Inserts one vector under `label`. Safe to call from several threads at once (hnswlib's own locks).
int skyidx_hnsw_add(skyidx_hnsw *index, const float *vector, size_t label, char *error, size_t error_size);
size_t skyidx_hnsw_count(const skyidx_hnsw *index);
size_t skyidx_hnsw_dimension(const skyidx_hnsw *index);
/// Bytes the index holds in memory (graph, vectors, labels, locks, lookup table), as computed from its sizes.
size_t skyidx_hnsw_memory_bytes(const skyidx_hnsw *index);

/// The (up to) k nearest labels by inner product, best first; `ef` is the search beam (at least k is used).
/// Writes `*found` results into `labels` and `scores` (room for k each). Thread-safe: ef is per call.
int skyidx_hnsw_search(const skyidx_hnsw *index, const float *query, size_t k, size_t ef, uint64_t *labels,
                       float *scores, size_t *found, char *error, size_t error_size);
/// Inner products of `query` with the stored vectors of `labels` (count of them) into `scores`.
int skyidx_hnsw_scores(const skyidx_hnsw *index, const float *query, const uint64_t *labels, size_t count,
                       float *scores, char *error, size_t error_size);
/// Copies the stored vector of `label` into `vector` (dimension floats).
int skyidx_hnsw_vector(const skyidx_hnsw *index, uint64_t label, float *vector, char *error, size_t error_size);

/// Appends the index in hnswlib's own file layout to the open descriptor `fd`, updating `hash` over the bytes
/// written; `*written` gets the byte count.
int skyidx_hnsw_write(const skyidx_hnsw *index, int fd, skyidx_xxh64_state *hash, uint64_t *written, char *error,
                      size_t error_size);
/// An index read from `length` bytes in hnswlib's layout (as written by skyidx_hnsw_write), every size, level and
/// neighbour checked against the bounds first; NULL with a message if anything is out of place.
skyidx_hnsw *skyidx_hnsw_read(const void *bytes, size_t length, size_t dimension, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
