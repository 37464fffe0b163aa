#!/usr/bin/env python3
"""Vector index: SkyIndex (through `skybench index`) against faiss-cpu on the same vectors and queries.

Clustered synthetic 512-d unit vectors (a mixture of 1,000 Gaussian clusters, 1% planted near-duplicates), queries
drawn from the same mixture. Exact search against faiss IndexFlatIP, SkyIndex's HNSW (hnswlib) against faiss
IndexHNSWFlat with the same M and efConstruction, swept over ef: per-query latency p50/p99 (one query at a time),
recall@10 against exact, build time and resident memory; pairs above a cosine threshold over all rows through the
graph, and on a sample exactly (SkyIndex blocked sgemm vs faiss range_search) with the recall of the approximate pairs.
Both sides use 2 threads; SkyCorpus runs first, then faiss, never at the same time.

Usage: python3 Benchmarks/index_bench.py [--small | --count 100000] [--queries 500] [--pairs 0.95] [--no-build]
       python3 Benchmarks/index_bench.py --count 1000000 --pairs-only --graph G [--pairs 0.95] [--pairs-sample 10000]
         (pairs only, at any size: all rows through a saved graph (built from the vectors and saved at G first when
         G does not exist), exact and faiss range_search on a sample of rows
         against all rows, recall of the graph's pairs on that sample; wall, CPU and peak resident memory)
       pip install numpy faiss-cpu
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Benchmarks", "out")
SKYBENCH = os.path.join(ROOT, ".build", "release", "skybench")
EFS = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]


def generate(path, count, dimension, seed, clusters=1000, spread=0.8, duplicates=0.01):
    """Unit vectors around `clusters` random unit centres (always the same ones), per-coordinate noise
    spread/sqrt(d), points drawn with `seed`; a `duplicates` fraction are near-copies (cosine about 0.99) of
    earlier rows."""
    centres = np.random.default_rng(2026).standard_normal((clusters, dimension)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    out = np.lib.format.open_memmap(path, mode="w+", dtype="<f4", shape=(count, dimension))
    chunk = 100_000
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        x = centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, dimension), dtype=np.float32) * (
            spread / np.sqrt(dimension))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[start:start + n] = x
    planted = int(count * duplicates)
    if planted:
        targets = rng.choice(np.arange(1, count), planted, replace=False)
        for t in np.sort(targets):
            src = rng.integers(0, t)
            y = out[src] + rng.standard_normal(dimension).astype(np.float32) * (0.15 / np.sqrt(dimension))
            out[t] = y / np.linalg.norm(y)
    out.flush()
    del out


def resident_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentile_ms(values, p):
    return float(np.percentile(np.array(values) * 1000, p, method="nearest"))


def faiss_side(vectors_path, queries_path, k, m, ef_construction, pairs, pairs_sample, efs, hnsw_file=None):
    import faiss
    faiss.omp_set_num_threads(2)
    queries = np.load(queries_path)
    x = np.load(vectors_path)
    n, d = x.shape
    report = {"version": faiss.__version__, "compile_options": faiss.get_compile_options()}
    before = resident_bytes()
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(x)
    build = time.perf_counter() - start
    memory = resident_bytes() - before
    times, truth = [], []
    for q in range(len(queries)):
        start = time.perf_counter()
        _, found = flat.search(queries[q:q + 1], k)
        times.append(time.perf_counter() - start)
        truth.append(set(found[0].tolist()))
    start = time.perf_counter()
    flat.search(queries, k)
    batch = time.perf_counter() - start
    report["flat"] = {"build_s": build, "p50_ms": percentile_ms(times, 50), "p99_ms": percentile_ms(times, 99),
                      "batch_s": batch, "resident_bytes": memory}
    del flat
    before = resident_bytes()
    start, cpu_start = time.perf_counter(), time.process_time()
    if hnsw_file and os.path.exists(hnsw_file):  # built by an earlier run with the same vectors and parameters
        hnsw, built = faiss.read_index(hnsw_file), json.load(open(hnsw_file + ".json"))
        build, build_cpu = built["build_s"], built["build_cpu_s"]
    else:
        hnsw = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = ef_construction
        hnsw.add(x)
        build, build_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if hnsw_file:
            faiss.write_index(hnsw, hnsw_file)
            json.dump({"build_s": build, "build_cpu_s": build_cpu}, open(hnsw_file + ".json", "w"))
    memory = resident_bytes() - before
    sweep = []
    for ef in efs:
        hnsw.hnsw.efSearch = ef
        times, found_total = [], 0
        for q in range(len(queries)):
            start = time.perf_counter()
            _, found = hnsw.search(queries[q:q + 1], k)
            times.append(time.perf_counter() - start)
            found_total += len(truth[q] & set(found[0].tolist()))
        sweep.append({"ef": ef, "p50_ms": percentile_ms(times, 50), "p99_ms": percentile_ms(times, 99),
                      "recall": found_total / (len(queries) * k)})
    report["hnsw"] = {"build_s": build, "build_cpu_s": build_cpu, "resident_bytes": memory, "sweep": sweep}
    del hnsw
    if pairs:
        sample = np.ascontiguousarray(x[:pairs_sample])
        start = time.perf_counter()
        flat = faiss.IndexFlatIP(d)
        flat.add(sample)
        lims, _, _ = flat.range_search(sample, pairs)
        report["pairs_sample"] = {"seconds": time.perf_counter() - start,
                                  "pairs": int((lims[-1] - len(sample)) // 2)}  # minus self-matches, each pair twice
    return report


def pairs_only(args, vectors):
    """Pairs above `args.pairs` through a saved graph (`skybench index-pairs`), then faiss: IndexFlatIP over all rows
    (added in slices from the mapped file) and range_search of the first `args.pairs_sample` rows; the pairs touching
    those rows compared with SkyIndex's exact ones."""
    import faiss
    import resource
    if not args.graph:
        raise SystemExit("--pairs-only needs --graph (a graph `skycorpus index build` saved over the same vectors)")
    start_load = os.getloadavg()
    command = [SKYBENCH, "index-pairs", "--vectors", vectors, "--graph", args.graph, "--pairs", str(args.pairs),
               "--pairs-sample", str(args.pairs_sample), "--pairs-ef", str(args.pairs_ef)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"skybench index-pairs failed ({run.returncode}): {run.stderr.strip()}")
    ours = json.loads(run.stdout)
    with open(os.path.join(OUT, f"index_pairs_{ours['count']}_skycorpus.json"), "w") as handle:
        json.dump(ours, handle, indent=1)  # kept even if the faiss side is interrupted
    middle_load = os.getloadavg()
    faiss.omp_set_num_threads(2)
    x = np.load(vectors, mmap_mode="r")
    sample = ours["pairs_sample"]["rows"]
    start, cpu = time.perf_counter(), time.process_time()
    flat = faiss.IndexFlatIP(x.shape[1])
    for row in range(0, len(x), 100_000):
        flat.add(np.ascontiguousarray(x[row:row + 100_000]))
    load_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    lims, _, found = flat.range_search(np.ascontiguousarray(x[:sample]), args.pairs)
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    theirs = set()
    for i in range(sample):
        for j in found[lims[i]:lims[i + 1]].tolist():
            if j != i:
                theirs.add((min(i, j), max(i, j)))
    exact = {tuple(pair) for pair in ours["pairs_sample"].pop("exact_pair_rows")}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    end_load = os.getloadavg()
    a, s = ours["pairs_all"], ours["pairs_sample"]
    g = ours["graph"]
    print(f"load average (1, 5, 15 min): start {start_load}, after skycorpus {middle_load}, end {end_load}")
    if "build" in ours:
        b = ours["build"]
        print(f"graph built here (no saved graph at {args.graph}): M {b['m']} efConstruction {b['ef_construction']}, "
              f"{b['seconds']:.1f} s wall, {b['cpu_s']:.1f} s CPU, peak resident {b['peak_resident_bytes'] / 2**20:,.0f} MiB")
    print(f"{ours['count']:,} x {ours['dimension']}, graph M {g['m']} efConstruction {g['ef_construction']} "
          f"(loaded in {g['load_s']:.1f} s), threshold {ours['threshold']}, ef {ours['ef']}, {ours['threads']} threads")
    print(f"all rows through the graph: {a['seconds']:.1f} s wall, {a['cpu_s']:.1f} s CPU, {a['pairs']:,} pairs; "
          f"peak resident {a['peak_resident_bytes'] / 2**20:,.0f} MiB")
    print(f"first {sample:,} rows against all rows: skycorpus exact {s['exact_s']:.1f} s wall, {s['exact_cpu_s']:.1f} s "
          f"CPU, {s['exact_pairs']:,} pairs (peak resident {s['peak_resident_bytes'] / 2**20:,.0f} MiB) | faiss "
          f"range_search {seconds:.1f} s wall, {cpu_s:.1f} s CPU, {len(theirs):,} pairs, same set: {theirs == exact} "
          f"(peak resident {peak / 2**20:,.0f} MiB) | x{seconds / s['exact_s']:.2f}")
    print(f"graph pairs touching the sample: {s['graph_pairs']:,}, recall {s['recall']:.4f} against exact, "
          f"{s['graph_pairs_not_exact']} not in the exact set")
    ours["faiss"] = {"version": faiss.__version__, "flat_load_s": load_s, "range_search_s": seconds,
                     "range_search_cpu_s": cpu_s, "pairs": len(theirs), "same_as_exact": theirs == exact,
                     "peak_resident_bytes": peak}
    ours["load_average"] = {"start": start_load, "middle": middle_load, "end": end_load}
    with open(os.path.join(OUT, f"index_pairs_{ours['count']}.json"), "w") as handle:
        json.dump(ours, handle, indent=1)


def prebuild_faiss_hnsw(vectors_path, m, ef_construction, hnsw_file):
    """Builds faiss's HNSW index alone and saves it where --keep-faiss-hnsw finds it (with its build times), so that
    a long build can run ahead of the timed comparison."""
    import faiss
    faiss.omp_set_num_threads(2)
    x = np.load(vectors_path, mmap_mode="r")
    start, cpu_start = time.perf_counter(), time.process_time()
    hnsw = faiss.IndexHNSWFlat(x.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = ef_construction
    for start_row in range(0, len(x), 100_000):  # in slices: the file is never held twice
        hnsw.add(np.ascontiguousarray(x[start_row:start_row + 100_000]))
    build, build_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    faiss.write_index(hnsw, hnsw_file)
    with open(hnsw_file + ".json", "w") as handle:
        json.dump({"build_s": build, "build_cpu_s": build_cpu, "load_average_after": os.getloadavg()}, handle)
    print(f"faiss IndexHNSWFlat M={m} efConstruction={ef_construction}: {build:.1f} s, CPU {build_cpu:.1f} s -> {hnsw_file}")


def at_recall(sweep, target):
    """The fastest (by p50) point of a sweep reaching `target` recall, or None."""
    reaching = [point for point in sweep if point["recall"] >= target]
    return min(reaching, key=lambda point: point["p50_ms"]) if reaching else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="20,000 vectors, 200 queries: a quick check")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--dimension", type=int, default=512)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--pairs", type=float, default=0.95)
    parser.add_argument("--pairs-sample", type=int, default=20_000)
    parser.add_argument("--pairs-only", action="store_true", help="only the pairs benchmark, through --graph")
    parser.add_argument("--pairs-ef", type=int, default=32, help="search beam of the pairs through the graph")
    parser.add_argument("--threads", type=int, help="SkyIndex threads of the pairs (default: every core)")
    parser.add_argument("--target-recall", type=float, default=0.95)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--efs", type=lambda text: [int(v) for v in text.split(",")], default=EFS,
                        help="the search beams of the sweep, e.g. 16,32,64")
    parser.add_argument("--prebuild-faiss-hnsw", action="store_true",
                        help="only build faiss's HNSW index and save it for a later --keep-faiss-hnsw run")
    parser.add_argument("--keep-faiss-hnsw", action="store_true",
                        help="save faiss's HNSW index in Benchmarks/out and reuse it in later runs (build time kept)")
    parser.add_argument("--graph", help="load this graph, saved by `skycorpus index build` over the same vectors "
                        "(serve_bench.py --vectors), instead of building one")
    parser.add_argument("--graph-build-seconds", type=float, default=-1, help="that build's wall seconds")
    parser.add_argument("--graph-build-cpu-seconds", type=float, default=-1, help="that build's CPU seconds")
    args = parser.parse_args()
    if args.small:
        args.count, args.queries = 20_000, 200
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    os.makedirs(OUT, exist_ok=True)
    vectors = os.path.join(OUT, f"index_vectors_{args.count}_{args.dimension}.npy")
    queries = os.path.join(OUT, f"index_queries_{args.queries}_{args.dimension}.npy")
    if not os.path.exists(vectors):
        generate(vectors, args.count, args.dimension, seed=1)
    if not os.path.exists(queries):
        generate(queries, args.queries, args.dimension, seed=2, duplicates=0)  # same centres, other points
    hnsw_file = os.path.join(OUT, f"faiss_hnsw_{args.count}_m{args.m}_efc{args.ef_construction}.index")
    if args.prebuild_faiss_hnsw:
        return prebuild_faiss_hnsw(vectors, args.m, args.ef_construction, hnsw_file)
    if args.pairs_only:
        return pairs_only(args, vectors)
    start_load = os.getloadavg()
    pairs = ["--pairs", str(args.pairs), "--pairs-sample", str(args.pairs_sample)] if args.pairs > 0 else []
    if args.graph:
        pairs += ["--graph", args.graph, "--graph-build-seconds", str(args.graph_build_seconds),
                  "--graph-build-cpu-seconds", str(args.graph_build_cpu_seconds)]
    run = subprocess.run(
        [SKYBENCH, "index", "--vectors", vectors, "--queries", queries, "--k", str(args.k), "--m", str(args.m),
         "--ef-construction", str(args.ef_construction), "--ef", ",".join(map(str, args.efs))] + pairs,
        capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"skybench index failed ({run.returncode}): {run.stderr.strip()}")
    ours = json.loads(run.stdout)
    with open(os.path.join(OUT, f"index_bench_{args.count}_skycorpus.json"), "w") as handle:
        json.dump(ours, handle, indent=1)  # kept even if the faiss side is interrupted
    theirs = faiss_side(vectors, queries, args.k, args.m, args.ef_construction, args.pairs, args.pairs_sample,
                        args.efs, hnsw_file if args.keep_faiss_hnsw else None)
    print(f"load average (1, 5, 15 min) at the start {start_load}, at the end {os.getloadavg()}")
    n, d, raw = ours["count"], ours["dimension"], ours["count"] * ours["dimension"] * 4
    per_million = 1e6 / n / 2**20
    e, f = ours["exact"], theirs["flat"]
    print(f"{n:,} vectors x {d}, {args.queries} queries, k={args.k}, 2 threads; faiss {theirs['version']} "
          f"({theirs['compile_options']})")
    print(f"exact: skycorpus p50 {e['p50_ms']:.2f} ms, p99 {e['p99_ms']:.2f} ms | faiss IndexFlatIP p50 "
          f"{f['p50_ms']:.2f} ms, p99 {f['p99_ms']:.2f} ms | x{f['p50_ms'] / e['p50_ms']:.2f} (p50)")
    print(f"exact batch of {args.queries}: skycorpus {e['batch_s']:.3f} s | faiss {f['batch_s']:.3f} s | "
          f"x{f['batch_s'] / e['batch_s']:.2f}")
    print(f"exact memory: skycorpus {e['resident_bytes'] * per_million:.0f} MiB per million "
          f"({e['resident_bytes'] / raw:.2f}x raw) | faiss {f['resident_bytes'] * per_million:.0f} MiB per million")
    h, g = ours.get("hnsw"), theirs["hnsw"]
    if h:
        how = " (skycorpus index build, reading the corpus included)" if h.get("loaded") else ""
        print(f"hnsw M={h['m']} efConstruction={h['ef_construction']}: build skycorpus {h['build_s']:.1f} s, CPU "
              f"{h['build_cpu_s']:.1f} s{how} | faiss {g['build_s']:.1f} s, CPU {g['build_cpu_s']:.1f} s | "
              f"x{g['build_s'] / h['build_s']:.2f} (wall), x{g['build_cpu_s'] / h['build_cpu_s']:.2f} (CPU)")
        print(f"hnsw memory: skycorpus {h['resident_bytes'] * per_million:.0f} MiB per million "
              f"({h['resident_bytes'] / raw:.2f}x raw; computed {h['memory_bytes'] / raw:.2f}x) | faiss "
              f"{g['resident_bytes'] * per_million:.0f} MiB per million ({g['resident_bytes'] / raw:.2f}x raw)")
        print("ef   | skycorpus recall p50 ms p99 ms | faiss recall p50 ms p99 ms")
        for a, b in zip(h["sweep"], g["sweep"]):
            print(f"{a['ef']:4d} | {a['recall']:.4f} {a['p50_ms']:7.3f} {a['p99_ms']:7.3f} | {b['recall']:.4f} "
                  f"{b['p50_ms']:7.3f} {b['p99_ms']:7.3f}")
        a, b = at_recall(h["sweep"], args.target_recall), at_recall(g["sweep"], args.target_recall)
        if a and b:
            print(f"at recall@{args.k} >= {args.target_recall}: skycorpus ef {a['ef']} p50 {a['p50_ms']:.3f} ms "
                  f"(recall {a['recall']:.4f}) | faiss ef {b['ef']} p50 {b['p50_ms']:.3f} ms (recall "
                  f"{b['recall']:.4f}) | x{b['p50_ms'] / a['p50_ms']:.2f}")
    if "pairs_all" in ours:
        p = ours["pairs_all"]
        print(f"pairs >= {p['threshold']} over all {n:,} rows (graph, ef {p['ef']}): {p['seconds']:.1f} s, "
              f"{p['pairs']:,} pairs")
    s = ours.get("pairs_sample")
    if s:
        print(f"pairs on the first {s['rows']:,} rows: exact {s['exact_s']:.2f} s ({s['exact_pairs']:,} pairs; faiss "
              f"range_search {theirs['pairs_sample']['seconds']:.2f} s, {theirs['pairs_sample']['pairs']:,} pairs), "
              f"graph {s['approximate_s']:.2f} s, recall {s['recall']:.4f}")
    with open(os.path.join(OUT, f"index_bench_{n}.json"), "w") as handle:
        json.dump({"skycorpus": ours, "faiss": theirs}, handle, indent=1)


if __name__ == "__main__":
    sys.exit(main())
