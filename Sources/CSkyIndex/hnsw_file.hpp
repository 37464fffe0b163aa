// Part of hnsw_shim.cpp (included at its end; see there): hnswlib's file layout written to a descriptor with a running
// XXH64, and read back from memory with every field, level and neighbour checked before anything is allocated.

namespace {

/// Buffered writes to a descriptor, hashing every byte.
struct HashingWriter {
    int fd;
    skyidx_xxh64_state *hash;
    std::vector<char> buffer;
    uint64_t written = 0;
    bool failed = false;

    HashingWriter(int fd, skyidx_xxh64_state *hash) : fd(fd), hash(hash) { buffer.reserve(1 << 20); }

    void flush() {
        const char *p = buffer.data();
        size_t left = buffer.size();
        while (left > 0 && !failed) {
            ssize_t n = ::write(fd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { failed = true; break; }
            p += n; left -= (size_t)n;
        }
        buffer.clear();
    }
    void put(const void *bytes, size_t length) {
        skyidx_xxh64_update(hash, bytes, length);
        written += length;
        const char *p = (const char *)bytes;
        while (length > 0) {
            size_t room = (1 << 20) - buffer.size(), take = std::min(room, length);
            buffer.insert(buffer.end(), p, p + take);
            p += take; length -= take;
            if (buffer.size() == (1 << 20)) flush();
        }
    }
    template <typename T> void pod(const T &value) { put(&value, sizeof value); }
};

/// Bounds-checked reads from memory.
struct Reader {
    const char *bytes;
    size_t length, offset = 0;
    bool take(void *out, size_t n) {
        if (n > length - offset) return false;
        std::memcpy(out, bytes + offset, n);
        offset += n;
        return true;
    }
    template <typename T> bool pod(T &value) { return take(&value, sizeof value); }
};

bool list_is_valid(const unsigned int *list, size_t capacity, size_t count) {
    unsigned int size = *list;  // no deletion marks: the whole word is the neighbour count
    if (size > capacity) return false;
    const hnswlib::tableint *neighbours = (const hnswlib::tableint *)(list + 1);
    for (unsigned int i = 0; i < size; i++)
        if (neighbours[i] >= count) return false;
    return true;
}

}  // namespace

extern "C" {

int skyidx_hnsw_write(const skyidx_hnsw *index, int fd, skyidx_xxh64_state *hash, uint64_t *written, char *error,
                      size_t error_size) {
    const Graph &g = *index->graph;
    try {
        HashingWriter out(fd, hash);
        size_t count = g.cur_element_count;
        // hnswlib's saveIndex, field by field; max_elements is written as the count (the index is full when saved).
        out.pod(g.offsetLevel0_); out.pod(count); out.pod(count); out.pod(g.size_data_per_element_);
        out.pod(g.label_offset_); out.pod(g.offsetData_); out.pod(g.maxlevel_); out.pod(g.enterpoint_node_);
        out.pod(g.maxM_); out.pod(g.maxM0_); out.pod(g.M_); out.pod(g.mult_); out.pod(g.ef_construction_);
        out.put(g.data_level0_memory_, count * g.size_data_per_element_);
        for (size_t i = 0; i < count; i++) {
            unsigned int size = g.element_levels_[i] > 0 ? (unsigned int)(g.size_links_per_element_ * g.element_levels_[i]) : 0;
            out.pod(size);
            if (size) out.put(g.linkLists_[i], size);
        }
        out.flush();
        *written = out.written;
        if (out.failed) {
            char message[160];
            std::snprintf(message, sizeof message, "HNSW: writing the index failed: %s", std::strerror(errno));
            fail(error, error_size, message);
            return 1;
        }
        return 0;
    } catch (const std::exception &e) {
        fail(error, error_size, e.what());
    }
    return 1;
}

skyidx_hnsw *skyidx_hnsw_read(const void *bytes, size_t length, size_t dimension, char *error, size_t error_size) {
    Reader in{(const char *)bytes, length};
    size_t offset_level0, max_elements, count, per_element, label_offset, offset_data, max_m, max_m0, m, ef_construction;
    int max_level;
    hnswlib::tableint entry;
    double mult;
    if (!(in.pod(offset_level0) && in.pod(max_elements) && in.pod(count) && in.pod(per_element) && in.pod(label_offset) &&
          in.pod(offset_data) && in.pod(max_level) && in.pod(entry) && in.pod(max_m) && in.pod(max_m0) && in.pod(m) &&
          in.pod(mult) && in.pod(ef_construction))) {
        fail(error, error_size, "HNSW graph: truncated header");
        return nullptr;
    }
    size_t links0 = max_m0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
    size_t links = max_m * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
    if (offset_level0 != 0 || count > UINT32_MAX - 1 || max_elements < count || m < 2 || m > 10000 ||
        max_m != m || max_m0 != 2 * m || offset_data != links0 || label_offset != links0 + dimension * sizeof(float) ||
        per_element != label_offset + sizeof(hnswlib::labeltype) || !(mult > 0 && mult < 10) ||
        max_level < (count ? 0 : -1) || max_level > 64 || (count > 0 && entry >= count)) {
        fail(error, error_size, "HNSW graph: inconsistent header (dimension, M or sizes do not match)");
        return nullptr;
    }
    if (count > (length - in.offset) / per_element) {
        fail(error, error_size, "HNSW graph: truncated level 0");
        return nullptr;
    }
    const char *level0 = in.bytes + in.offset;
    in.offset += count * per_element;
    std::vector<char> seen(count, 0);
    for (size_t i = 0; i < count; i++) {
        const char *element = level0 + i * per_element;
        hnswlib::labeltype label;
        std::memcpy(&label, element + label_offset, sizeof label);
        if (label >= count || seen[label] || !list_is_valid((const unsigned int *)element, max_m0, count)) {
            fail(error, error_size, "HNSW graph: a level-0 list or label is out of range");
            return nullptr;
        }
        seen[label] = 1;
    }
    size_t upper_start = in.offset;
    std::vector<unsigned int> upper(count);
    for (size_t i = 0; i < count; i++) {
        unsigned int size;
        if (!in.pod(size) || size % links != 0 || size / links > (size_t)max_level || size > in.length - in.offset) {
            fail(error, error_size, "HNSW graph: an upper-level list is truncated or out of range");
            return nullptr;
        }
        for (size_t level = 0; level < size / links; level++)
            if (!list_is_valid((const unsigned int *)(in.bytes + in.offset + level * links), max_m, count)) {
                fail(error, error_size, "HNSW graph: an upper-level neighbour is out of range");
                return nullptr;
            }
        upper[i] = size;
        in.offset += size;
    }
    if (in.offset != in.length || (count > 0 && upper[entry] / links != (size_t)max_level)) {
        fail(error, error_size, "HNSW graph: trailing bytes or a wrong entry point");
        return nullptr;
    }

    skyidx_hnsw *index = nullptr;
    try {
        index = new skyidx_hnsw(dimension);
        index->graph = new Graph(&index->space);
        Graph &g = *index->graph;
        g.max_elements_ = count; g.cur_element_count = 0; g.num_deleted_ = 0;
        g.M_ = m; g.maxM_ = max_m; g.maxM0_ = max_m0; g.ef_construction_ = ef_construction; g.ef_ = 10;
        g.mult_ = mult; g.revSize_ = 1.0 / mult; g.maxlevel_ = max_level; g.enterpoint_node_ = entry;
        g.size_links_level0_ = links0; g.size_links_per_element_ = links; g.size_data_per_element_ = per_element;
        g.offsetData_ = offset_data; g.offsetLevel0_ = 0; g.label_offset_ = label_offset;
        g.data_size_ = index->space.get_data_size(); g.fstdistfunc_ = index->space.get_dist_func();
        g.dist_func_param_ = index->space.get_dist_func_param();
        g.metric_distance_computations = 0; g.metric_hops = 0;
        g.data_level0_memory_ = nullptr; g.linkLists_ = nullptr; g.visited_list_pool_ = nullptr;
        g.element_levels_.assign(count, 0);
        g.data_level0_memory_ = (char *)std::malloc(std::max<size_t>(count * per_element, 1));
        g.linkLists_ = (char **)std::calloc(std::max<size_t>(count, 1), sizeof(char *));
        if (!g.data_level0_memory_ || !g.linkLists_) throw std::bad_alloc();
        g.cur_element_count = count;  // from here the destructor frees what was allocated
        std::memcpy(g.data_level0_memory_, level0, count * per_element);
        std::vector<std::mutex>(count).swap(g.link_list_locks_);
        std::vector<std::mutex>(Graph::max_update_element_locks).swap(g.link_list_update_locks_);
        g.visited_list_pool_ = new hnswlib::VisitedListPool(1, count);
        const char *cursor = in.bytes + upper_start;
        for (size_t i = 0; i < count; i++) {
            cursor += sizeof(unsigned int);
            if (upper[i]) {
                g.linkLists_[i] = (char *)std::malloc(upper[i]);
                if (!g.linkLists_[i]) throw std::bad_alloc();
                std::memcpy(g.linkLists_[i], cursor, upper[i]);
                g.element_levels_[i] = (int)(upper[i] / links);
                cursor += upper[i];
            }
            g.label_lookup_[g.getExternalLabel((hnswlib::tableint)i)] = (hnswlib::tableint)i;
        }
        return index;
    } catch (const std::exception &e) {
        fail(error, error_size, e.what());
    } catch (...) {
        fail(error, error_size, "HNSW graph: unknown error while loading");
    }
    delete index;
    return nullptr;
}

}  // extern "C"
