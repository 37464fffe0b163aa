#!/usr/bin/env python3
"""Per-shard ingest cost: what one shard of N pays to ingest a dataset, against the unsharded ingest, for two
`skycorpus` binaries (before and after a change) on the same data in one run.

Usage: python3 Benchmarks/shard_ingest_bench.py DATA [--datasets auair:coco,rsicd:captions,...] [--shards 8]
           [--before BIN] [--after BIN] [--work DIR]
DATA is a `skybench generate` tree (Benchmarks/build_bench.py's data-N). For each dataset and binary it writes a
recipe of that dataset alone (ingest only), builds it whole (`build --corpus`) and as every shard K/N
(`build --shard K/N --out`), and reports CPU seconds (user + system, wait4) of the whole ingest, of each shard,
their sum and mean, and `shard_overhead` = sum of the shards' CPU / the whole ingest's CPU (1.0 = sharding costs
nothing; N = every shard pays the whole ingest). For the last binary it merges the N shards and checks that the
merge holds the unsharded build's images with the same ids, objects, captions and change pairs
(Scripts/spark/compare_corpora.py plus an id check). One JSON line per measurement, with the load average.
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys

from bench_timing import measured

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPARE = os.path.join(ROOT, "Scripts", "spark", "compare_corpora.py")


def emit(record):
    record["load"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(record, sort_keys=True), flush=True)


def image_ids(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT i.id, d.name, i.path FROM image i JOIN dataset d ON d.id = i.dataset_id "
                                  "ORDER BY i.id").fetchall()
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("--datasets", default="auair:coco,rsicd:captions,dior:voc,levir-cd:change")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--before", help="the skycorpus binary before the change")
    parser.add_argument("--after", default=os.path.join(ROOT, ".build", "release", "skycorpus"))
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "shard-ingest-bench"))
    args = parser.parse_args()
    binaries = ([("before", args.before)] if args.before else []) + [("after", args.after)]
    data = os.path.abspath(args.data)
    for entry in args.datasets.split(","):
        name, fmt = entry.split(":")
        for label, binary in binaries:
            folder = os.path.join(args.work, name, label)
            shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(folder)
            recipe = os.path.join(folder, "recipe.yaml")
            with open(recipe, "w") as handle:
                handle.write(f"datasets:\n  - {{name: {name}, path: {os.path.join(data, name)}, format: {fmt}}}\n")
            whole = os.path.join(folder, "whole", "corpus.sqlite")
            wall, peak, _, cpu = measured([binary, "build", recipe, "--corpus", whole, "--quiet"])
            emit({"dataset": name, "format": fmt, "binary": label, "run": "whole", "cpu_s": round(cpu, 3),
                  "wall_s": round(wall, 3), "peak_rss_mb": round(peak / 1e6, 1), "images": len(image_ids(whole))})
            shards, cpus = [], []
            for k in range(1, args.shards + 1):
                out = os.path.join(folder, "shards", f"{k}.sqlite")
                wall, peak, _, shard_cpu = measured([binary, "build", recipe, "--shard", f"{k}/{args.shards}",
                                                     "--out", out, "--quiet"])
                shards.append(out)
                cpus.append(shard_cpu)
            emit({"dataset": name, "format": fmt, "binary": label, "run": f"shards of {args.shards}",
                  "shard_cpu_s": [round(c, 3) for c in cpus], "sum_cpu_s": round(sum(cpus), 3),
                  "mean_shard_cpu_s": round(sum(cpus) / len(cpus), 3),
                  "shard_overhead": round(sum(cpus) / cpu, 2) if cpu > 0 else None})
            if label == binaries[-1][0]:
                merged = os.path.join(folder, "merged", "corpus.sqlite")
                measured([binary, "merge", merged] + shards)
                compare = subprocess.run([sys.executable, COMPARE, whole, merged], capture_output=True, text=True)
                same_ids = image_ids(whole) == image_ids(merged)
                emit({"dataset": name, "binary": label, "run": "merged vs whole", "equal": compare.returncode == 0,
                      "same_ids": same_ids, "differences": compare.stdout[-800:] if compare.returncode else ""})


if __name__ == "__main__":
    main()
