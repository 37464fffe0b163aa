// The C API of CSkyIndex.h over hnswlib 0.6 (Debian's libhnswlib-dev). Thin on purpose: hnswlib builds and searches;
// this file adds a runtime-dispatched inner-product kernel, a search with ef per call (hnswlib's searchKnn reads a
// shared ef_), hnswlib's file layout written to a descriptor with a running hash, and a reader that checks every
// size and neighbour before building the index from memory. No C++ exception crosses into C.
#include "CSkyIndex.h"

#include <hnswlib/hnswlib.h>
#include <hnswlib/hnswalg.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <vector>

namespace {

using Graph = hnswlib::HierarchicalNSW<float>;

void fail(char *error, size_t size, const char *message) {
    if (error && size) std::snprintf(error, size, "%s", message);
}

float dot_scalar(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) { s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]; }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float dot_avx2(const float *a, const float *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    __m256 s = _mm256_add_ps(s0, s1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float total = _mm_cvtss_f32(h);
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}
__attribute__((target("avx512f"))) float dot_avx512(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    float total = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}
#endif

using DotFunction = float (*)(const float *, const float *, size_t);

DotFunction best_dot() {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) return dot_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return dot_avx2;
#endif
    return dot_scalar;
}

const DotFunction dot = best_dot();

/// hnswlib's inner-product space (distance 1 - <a, b>, as its InnerProductSpace) with the kernel chosen at run time.
class InnerProductSpace final : public hnswlib::SpaceInterface<float> {
public:
    explicit InnerProductSpace(size_t dimension) : dimension_(dimension) {}
    size_t get_data_size() override { return dimension_ * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return distance; }
    void *get_dist_func_param() override { return &dimension_; }
private:
    static float distance(const void *a, const void *b, const void *parameter) {
        return 1.0f - dot((const float *)a, (const float *)b, *(const size_t *)parameter);
    }
    size_t dimension_;
};

}  // namespace

struct skyidx_hnsw {
    explicit skyidx_hnsw(size_t dimension) : dimension(dimension), space(dimension) {}
    ~skyidx_hnsw() { delete graph; }
    size_t dimension;
    InnerProductSpace space;
    Graph *graph = nullptr;

    const float *vector_of(uint64_t label) const {
        auto found = graph->label_lookup_.find(label);
        if (found == graph->label_lookup_.end()) return nullptr;
        return (const float *)graph->getDataByInternalId(found->second);
    }
};

extern "C" {

skyidx_hnsw *skyidx_hnsw_create(size_t dimension, size_t capacity, size_t m, size_t ef_construction, size_t seed,
                                char *error, size_t error_size) {
    if (dimension == 0 || capacity == 0 || m < 2 || m > 10000 || capacity > UINT32_MAX - 1) {
        fail(error, error_size, "HNSW: dimension, capacity and m must be positive (m 2...10000, capacity < 2^32)");
        return nullptr;
    }
    skyidx_hnsw *index = nullptr;
    try {
        index = new skyidx_hnsw(dimension);
        index->graph = new Graph(&index->space, capacity, m, ef_construction, seed);
        index->graph->metric_distance_computations = 0;
        index->graph->metric_hops = 0;
        return index;
    } catch (const std::exception &e) {
        fail(error, error_size, e.what());
    } catch (...) {
        fail(error, error_size, "HNSW: unknown error while allocating the index");
    }
    delete index;
    return nullptr;
}

void skyidx_hnsw_free(skyidx_hnsw *index) { delete index; }

int skyidx_hnsw_add(skyidx_hnsw *index, const float *vector, size_t label, char *error, size_t error_size) {
    try {
        index->graph->addPoint(vector, label);
        return 0;
    } catch (const std::exception &e) {
        fail(error, error_size, e.what());
    } catch (...) {
        fail(error, error_size, "HNSW: unknown error while adding a vector");
    }
    return 1;
}

size_t skyidx_hnsw_count(const skyidx_hnsw *index) { return index->graph->cur_element_count; }
size_t skyidx_hnsw_dimension(const skyidx_hnsw *index) { return index->dimension; }

size_t skyidx_hnsw_memory_bytes(const skyidx_hnsw *index) {
    const Graph &g = *index->graph;
    size_t bytes = g.max_elements_ * (g.size_data_per_element_ + sizeof(void *) + sizeof(int) + sizeof(std::mutex));
    bytes += g.link_list_update_locks_.size() * sizeof(std::mutex);
    for (size_t i = 0; i < g.cur_element_count; i++)
        if (g.element_levels_[i] > 0) bytes += g.size_links_per_element_ * g.element_levels_[i];
    // unordered_map: one node (next pointer, key, value, cached hash) per label plus a bucket pointer.
    bytes += g.label_lookup_.size() * (sizeof(void *) * 2 + sizeof(hnswlib::labeltype) + sizeof(hnswlib::tableint));
    bytes += g.label_lookup_.bucket_count() * sizeof(void *);
    return bytes;
}

int skyidx_hnsw_search(const skyidx_hnsw *index, const float *query, size_t k, size_t ef, uint64_t *labels,
                       float *scores, size_t *found, char *error, size_t error_size) {
    *found = 0;
    const Graph &g = *index->graph;
    if (g.cur_element_count == 0 || k == 0) return 0;
    try {
        // hnswlib's searchKnn, with ef as an argument: greedy descent through the upper levels, then the beam.
        hnswlib::tableint current = g.enterpoint_node_;
        float distance = g.fstdistfunc_(query, g.getDataByInternalId(current), g.dist_func_param_);
        for (int level = g.maxlevel_; level > 0; level--) {
            bool changed = true;
            while (changed) {
                changed = false;
                unsigned int *list = g.get_linklist(current, level);
                int size = g.getListCount(list);
                const hnswlib::tableint *neighbours = (const hnswlib::tableint *)(list + 1);
                for (int i = 0; i < size; i++) {
                    float d = g.fstdistfunc_(query, g.getDataByInternalId(neighbours[i]), g.dist_func_param_);
                    if (d < distance) { distance = d; current = neighbours[i]; changed = true; }
                }
            }
        }
        auto top = g.searchBaseLayerST<false, false>(current, query, std::max(ef, k));
        while (top.size() > k) top.pop();
        size_t count = top.size();
        for (size_t i = count; i-- > 0;) {  // the queue pops the farthest first
            labels[i] = g.getExternalLabel(top.top().second);
            scores[i] = dot(query, (const float *)g.getDataByInternalId(top.top().second), index->dimension);
            top.pop();
        }
        *found = count;
        return 0;
    } catch (const std::exception &e) {
        fail(error, error_size, e.what());
    } catch (...) {
        fail(error, error_size, "HNSW: unknown error while searching");
    }
    return 1;
}

int skyidx_hnsw_scores(const skyidx_hnsw *index, const float *query, const uint64_t *labels, size_t count,
                       float *scores, char *error, size_t error_size) {
    for (size_t i = 0; i < count; i++) {
        const float *vector = index->vector_of(labels[i]);
        if (!vector) {
            char message[96];
            std::snprintf(message, sizeof message, "HNSW: no vector with label %llu", (unsigned long long)labels[i]);
            fail(error, error_size, message);
            return 1;
        }
        scores[i] = dot(query, vector, index->dimension);
    }
    return 0;
}

int skyidx_hnsw_vector(const skyidx_hnsw *index, uint64_t label, float *vector, char *error, size_t error_size) {
    const float *stored = index->vector_of(label);
    if (!stored) {
        fail(error, error_size, "HNSW: no vector with that label");
        return 1;
    }
    std::memcpy(vector, stored, index->dimension * sizeof(float));
    return 0;
}

}  // extern "C"

// hnswlib.h defines functions out of line, so it can be included by one translation unit only: the file code is
// kept in its own file and included here.
#include "hnsw_file.hpp"
