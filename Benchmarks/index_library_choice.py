#!/usr/bin/env python3
"""Which HNSW library SkyIndex wraps: Debian's two candidates, hnswlib 0.6.2 (python3-hnswlib, the same code as
libhnswlib-dev) and faiss 1.7.3 (python3-faiss, the same build as libfaiss-dev), on the same clustered 512-d unit
vectors, same M and efConstruction, 2 threads: build time, per-query latency at recall@10 >= 0.95, memory.

Usage: apt-get install python3-hnswlib python3-faiss; python3 Benchmarks/index_library_choice.py [--count 50000]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, "/usr/lib/python3/dist-packages")  # Debian's builds, not pip's
import faiss  # noqa: E402
import hnswlib  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from index_bench import generate, resident_bytes, EFS  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    args = parser.parse_args()
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out, exist_ok=True)
    vectors, queries = os.path.join(out, f"choice_{args.count}.npy"), os.path.join(out, f"choice_q{args.queries}.npy")
    generate(vectors, args.count, 512, seed=11)
    generate(queries, args.queries, 512, seed=12, duplicates=0)
    x, q = np.load(vectors), np.load(queries)
    n, d = x.shape
    truth = (q @ x.T).argsort(axis=1)[:, ::-1][:, :10]
    faiss.omp_set_num_threads(2)
    print(f"{n:,} x {d}, {len(q)} queries, M={args.m}, efConstruction={args.ef_construction}, 2 threads")
    print("faiss", faiss.__version__, "from", faiss.__file__, "| hnswlib from", hnswlib.__file__)

    def sweep(name, search, set_ef):
        rows = []
        for ef in EFS:
            set_ef(ef)
            times, found = [], 0
            for i in range(len(q)):
                start = time.perf_counter()
                labels = search(q[i:i + 1])
                times.append(time.perf_counter() - start)
                found += len(set(truth[i].tolist()) & set(np.asarray(labels).ravel().tolist()))
            rows.append((ef, found / (10 * len(q)), np.median(times) * 1000, np.percentile(times, 99) * 1000))
        best = min((r for r in rows if r[1] >= 0.95), key=lambda r: r[2], default=None)
        for ef, recall, p50, p99 in rows:
            print(f"  {name} ef {ef:4d}: recall {recall:.4f} p50 {p50:.3f} ms p99 {p99:.3f} ms")
        return best

    before = resident_bytes()
    start = time.perf_counter()
    h = hnswlib.Index(space="ip", dim=d)
    h.init_index(max_elements=n, M=args.m, ef_construction=args.ef_construction, random_seed=100)
    h.add_items(x, np.arange(n), num_threads=2)
    h_build, h_memory = time.perf_counter() - start, resident_bytes() - before
    h.set_num_threads(1)
    h_best = sweep("hnswlib", lambda v: h.knn_query(v, k=10)[0], h.set_ef)
    del h
    before = resident_bytes()
    start = time.perf_counter()
    f = faiss.IndexHNSWFlat(d, args.m, faiss.METRIC_INNER_PRODUCT)
    f.hnsw.efConstruction = args.ef_construction
    f.add(x)
    f_build, f_memory = time.perf_counter() - start, resident_bytes() - before
    f_best = sweep("faiss", lambda v: f.search(v, 10)[1], lambda ef: setattr(f.hnsw, "efSearch", ef))
    raw = n * d * 4
    print(f"build: hnswlib {h_build:.1f} s, faiss {f_build:.1f} s (x{f_build / h_build:.2f})")
    print(f"memory: hnswlib {h_memory / raw:.2f}x raw, faiss {f_memory / raw:.2f}x raw")
    if h_best and f_best:
        print(f"at recall >= 0.95: hnswlib ef {h_best[0]} p50 {h_best[2]:.3f} ms, faiss ef {f_best[0]} p50 "
              f"{f_best[2]:.3f} ms (x{f_best[2] / h_best[2]:.2f})")


if __name__ == "__main__":
    main()
