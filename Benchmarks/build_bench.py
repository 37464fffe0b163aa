#!/usr/bin/env python3
"""Whole-build benchmark: `skycorpus build` of a generated RemoteCLIP-shaped set at several sizes, single process
and on Spark local[2], with the reference Python tools on the same input, and the extrapolation to 5M images.

Usage: python3 Benchmarks/build_bench.py [--sizes 10000,40000,165745] [--scale 0.25] [--work DIR]
                                          [--shards 8] [--no-spark] [--reference-sample 3000] [--keep]
Needs the release binaries (`make bench`), Spark for the Spark runs (Scripts/spark/setup-spark.sh), and for the
references imagehash and opencv-python-headless. For each size it:
  1. generates the set (`skybench generate --images N --scale F`; reused when its manifest matches),
  2. builds it in one process (`skycorpus build RECIPE --corpus ... --json`): wall time, per-stage times from the
     build's summary, peak resident memory (wait4),
  3. builds it with Scripts/spark/build_corpus.py on `--master local[2]` with --shards shards: shard phase,
     per-shard throughput and peak memory, merge and after-merge seconds, and checks it equals the single build,
  4. checks what dedup found against the planted exact and near duplicates and test-split leaks,
  5. times imagehash's phash (PIL open + phash) and OpenCV's mask read + per-class findContours + boundingRect
     (M2B) on a sample of the same images and masks, projects each to the stage's item count and prints the
     ratio to the build's `hash` and `m2b` stages (which also decode, and store their results).
Every line of results is JSON on stdout, with the load average; the last is the extrapolation.
"""
import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time

from bench_timing import measured

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, ".build", "release")
SKYCORPUS = os.environ.get("SKYCORPUS_BIN", os.path.join(RELEASE, "skycorpus"))
SKYBENCH = os.environ.get("SKYBENCH_BIN", os.path.join(RELEASE, "skybench"))
DRIVER = os.path.join(ROOT, "Scripts", "spark", "build_corpus.py")
COMPARE = os.path.join(ROOT, "Scripts", "spark", "compare_corpora.py")


def load():
    return [round(v, 2) for v in os.getloadavg()]


def emit(record):
    record["load"] = load()
    print(json.dumps(record, sort_keys=True), flush=True)


def generate(size, scale, work, seed):
    data = os.path.join(work, f"data-{size}")
    manifest = os.path.join(data, "manifest.json")
    if os.path.exists(manifest):
        with open(manifest) as handle:
            found = json.load(handle)
        if found.get("images") == size and found.get("scale") == scale and found.get("seed") == seed:
            return data, found, None
    seconds, peak, stdout, _ = measured([SKYBENCH, "generate", "--out", data, "--images", str(size), "--scale", str(scale),
                                      "--seed", str(seed), "--force"])
    with open(manifest) as handle:
        found = json.load(handle)
    return data, found, dict(json.loads(stdout.strip().splitlines()[-1]), wall_s=seconds, peak_rss_bytes=peak)


def single_build(data, work, size):
    folder = os.path.join(work, f"single-{size}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    corpus = os.path.join(folder, "corpus.sqlite")
    seconds, peak, stdout, cpu = measured([SKYCORPUS, "build", os.path.join(data, "recipe.yaml"), "--corpus", corpus,
                                      "--json", "--quiet"])
    return corpus, seconds, peak, cpu, json.loads(stdout) if stdout.strip() else {}


def spark_build(data, work, size, shards):
    folder = os.path.join(work, f"spark-{size}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    corpus = os.path.join(folder, "corpus.sqlite")
    env = dict(os.environ, SPARK_LOCAL_IP=os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
    seconds, _, stdout, _ = measured(["spark-submit", "--master", "local[2]", "--conf", "spark.ui.enabled=false", DRIVER,
                                   os.path.join(data, "recipe.yaml"), "--shards", str(shards),
                                   "--work", os.path.join(folder, "work"), "--out", corpus,
                                   "--skycorpus", SKYCORPUS, "--json"], env=env)
    summary = json.loads(stdout.strip().splitlines()[-1])
    with open(os.path.join(folder, "work", "merged.json")) as handle:
        merged = json.load(handle)
    return corpus, seconds, summary, merged


def shard_images(folder, k, n):
    """Images in shard K's corpus."""
    path = os.path.join(folder, f"shard-{k}-of-{n}", "corpus.sqlite")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT COUNT(*) FROM image").fetchone()[0]
    finally:
        connection.close()


def planted_found(corpus, manifest):
    """How many planted copies dedup linked to their source (either one marked as the other's duplicate)."""
    connection = sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)
    ids = {}
    for image_id, dataset, path, duplicate in connection.execute(
            "SELECT i.id, d.name, i.path, i.duplicate_of FROM image i JOIN dataset d ON d.id = i.dataset_id"):
        ids[(dataset, path)] = (image_id, duplicate)
    marked = sum(1 for _, duplicate in ids.values() if duplicate is not None)
    connection.close()
    found, total = {}, {}
    for entry in manifest["planted"]:
        kind = entry["kind"]
        total[kind] = total.get(kind, 0) + 1
        copy, source = ids.get((entry["dataset"], entry["path"])), ids.get((entry["source_dataset"], entry["source_path"]))
        if not copy or not source:
            continue
        linked = copy[1] == source[0] or source[1] == copy[0] or (copy[1] is not None and copy[1] == source[1])
        if kind == "leak":
            linked = copy[1] == source[0]  # the protected test image is kept, the training copy removed
        found[kind] = found.get(kind, 0) + (1 if linked else 0)
    return {"planted": total, "found": found, "images_marked_duplicate": marked}


def sample_rows(corpus, query, count, seed=1):
    connection = sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)
    rows = connection.execute(query).fetchall()
    connection.close()
    random.Random(seed).shuffle(rows)
    return rows[:count], len(rows)


def reference_phash(corpus, count):
    import imagehash
    from PIL import Image
    rows, total = sample_rows(corpus, "SELECT r.path || '/' || i.path FROM image i JOIN dataset_root r ON r.id = i.root_id "
                                      "WHERE i.phash IS NOT NULL", count)
    started = time.perf_counter()
    for (path,) in rows:
        with Image.open(path) as image:
            imagehash.phash(image)
    return (time.perf_counter() - started) / max(1, len(rows)), len(rows), total


def reference_m2b(corpus, count):
    import cv2
    import numpy as np
    cv2.setNumThreads(1)  # findContours is single-threaded; keep cvtColor from oversubscribing a loaded machine
    palettes = {}
    rows, total = sample_rows(corpus, "SELECT r.path || '/' || m.path, m.palette FROM mask m JOIN image i ON i.id = m.image_id "
                                      "JOIN dataset_root r ON r.id = i.root_id", count)
    started = time.perf_counter()
    for path, palette in rows:
        if palette == "isaid":
            if palette not in palettes:
                with open(os.path.join(ROOT, "Schemas", "palettes", "isaid.json")) as handle:
                    palettes[palette] = json.load(handle)["classes"]
            rgb = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            labels = np.zeros(rgb.shape[:2], np.uint8)
            for entry in palettes[palette]:
                labels[np.all(rgb == np.array(entry["rgb"], np.uint8), axis=2)] = entry["index"]
        else:
            labels = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        for value in np.unique(labels):
            binary = (labels == value).astype(np.uint8)
            contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            for contour in contours:
                cv2.boundingRect(contour)
    return (time.perf_counter() - started) / max(1, len(rows)), len(rows), total


def stage_seconds(summary):
    """Seconds per kind of stage from the build's --json summary (`stages: [{name, seconds}]`), the stages of one
    kind summed by the first word of their name (`ingest dior` and `ingest rsicd` are `ingest`)."""
    totals = {}
    for stage in summary.get("stages") or []:
        kind = str(stage.get("name", "?")).split()[0].split(":")[0]
        totals[kind] = round(totals.get(kind, 0.0) + float(stage.get("seconds") or 0.0), 3)
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,40000,165745")
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "build-bench"))
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--reference-sample", type=int, default=3000)
    parser.add_argument("--keep", action="store_true", help="keep the generated sets and corpora")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        data, manifest, generated = generate(size, args.scale, args.work, args.seed)
        if generated:
            emit({"what": "generate", "images": size, **generated})
        corpus, seconds, peak, cpu, summary = single_build(data, args.work, size)
        run = {"what": "single", "images": size, "wall_s": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_rss_bytes": peak,
               "stages_s": stage_seconds(summary), "dedup_check": planted_found(corpus, manifest)}
        emit(run)
        stages = run["stages_s"]
        phash_ref, hashed, hash_total = reference_phash(corpus, args.reference_sample)
        m2b_ref, masks, mask_total = reference_m2b(corpus, args.reference_sample)
        emit({"what": "reference", "images": size,
              "imagehash_phash_ms_per_image": round(phash_ref * 1000, 3), "phash_sample": hashed, "hashed_images": hash_total,
              "imagehash_projected_s": round(phash_ref * hash_total, 1), "skycorpus_hash_s": stages.get("hash"),
              "skycorpus_dedup_s": stages.get("dedup"),
              "hash_ratio": round(phash_ref * hash_total / stages["hash"], 2) if stages.get("hash") else None,
              "opencv_m2b_ms_per_mask": round(m2b_ref * 1000, 3), "m2b_sample": masks, "masks": mask_total,
              "opencv_projected_s": round(m2b_ref * mask_total, 1), "skycorpus_m2b_s": stages.get("m2b"),
              "m2b_ratio": round(m2b_ref * mask_total / stages["m2b"], 2) if stages.get("m2b") else None})
        if not args.no_spark:
            spark_corpus, spark_seconds, spark, merged = spark_build(data, args.work, size, args.shards)
            folder = os.path.join(args.work, f"spark-{size}", "work")
            per_shard = [shard_images(folder, k, args.shards) / float(spark["shard_seconds"][str(k)])
                         for k in range(1, args.shards + 1)]
            equal = subprocess.run([sys.executable, COMPARE, corpus, spark_corpus], capture_output=True, text=True)
            run.update(spark_wall_s=round(spark_seconds, 2), spark=spark, merged=merged)
            spark_cpu = sum(spark["shard_cpu_seconds"].values()) + merged["merge_cpu_seconds"] + merged["after_merge_cpu_seconds"]
            per_shard_cpu = [shard_images(folder, k, args.shards) / max(1e-9, float(spark["shard_cpu_seconds"][str(k)]))
                             for k in range(1, args.shards + 1)]
            run["per_shard_images_per_cpu_s"] = sorted(per_shard_cpu)[len(per_shard_cpu) // 2]
            emit({"what": "spark", "images": size, "shards": args.shards, "wall_s": round(spark_seconds, 2),
                  "ratio_to_single": round(spark_seconds / seconds, 3),
                  "skycorpus_cpu_s": round(spark_cpu, 2), "cpu_ratio_to_single": round(spark_cpu / cpu, 3),
                  "shard_cpu_s": round(sum(spark["shard_cpu_seconds"].values()), 2),
                  "merge_cpu_ms_per_image": round(1000 * merged["merge_cpu_seconds"] / size, 4),
                  "after_merge_cpu_ms_per_image": round(1000 * merged["after_merge_cpu_seconds"] / size, 4),
                  "per_shard_images_per_cpu_s": round(run["per_shard_images_per_cpu_s"], 1),
                  "shard_phase_s": spark["shard_phase_seconds"], "merge_s": spark["merge_seconds"],
                  "after_merge_s": spark["after_merge_seconds"],
                  "per_shard_images_per_s": round(sorted(per_shard)[len(per_shard) // 2], 1),
                  "merge_ms_per_image": round(1000 * spark["merge_seconds"] / size, 4),
                  "after_merge_ms_per_image": round(1000 * spark["after_merge_seconds"] / size, 4),
                  "shard_peak_rss_bytes": max(spark["shard_peak_rss_bytes"].values() or [0]),
                  "merge_peak_rss_bytes": merged.get("merge_peak_rss_bytes"),
                  "after_merge_peak_rss_bytes": merged.get("after_merge_peak_rss_bytes"),
                  "equal_to_single": equal.returncode == 0,
                  "compare_tail": equal.stdout.strip().splitlines()[-3:]})
            run["per_shard_images_per_s"] = sorted(per_shard)[len(per_shard) // 2]
        runs.append(run)
        if not args.keep:
            for sub in [f"single-{size}"] + ([] if args.no_spark else [f"spark-{size}"]):  # only what this run made
                shutil.rmtree(os.path.join(args.work, sub), ignore_errors=True)
    spark_runs = [r for r in runs if "spark" in r]
    if spark_runs:
        largest = max(spark_runs, key=lambda r: r["images"])
        throughput = largest["per_shard_images_per_s"]
        merge_per_image = largest["spark"]["merge_seconds"] / largest["images"]
        after_per_image = largest["spark"]["after_merge_seconds"] / largest["images"]
        target, workers = 5_000_000, 32
        shard_phase = target / (workers * throughput)
        cpu_rate = largest["per_shard_images_per_cpu_s"]
        merge_cpu = largest["merged"]["merge_cpu_seconds"] / largest["images"]
        after_cpu = largest["merged"]["after_merge_cpu_seconds"] / largest["images"]
        emit({"what": "extrapolation-cpu", "images": target, "workers": workers,
              "assumption": "each of the 32 workers is one core as fast as one core of this machine when idle: shard "
                            "time = CPU seconds per image measured per shard; merge and after-merge at their CPU "
                            "seconds per image of the largest run (single-threaded parts run at one core)",
              "per_shard_images_per_cpu_s_by_size": {r["images"]: round(r["per_shard_images_per_cpu_s"], 1) for r in spark_runs},
              "merge_cpu_ms_per_image_by_size": {r["images"]: round(1000 * r["merged"]["merge_cpu_seconds"] / r["images"], 4)
                                                 for r in spark_runs},
              "after_merge_cpu_ms_per_image_by_size": {r["images"]: round(1000 * r["merged"]["after_merge_cpu_seconds"] / r["images"], 4)
                                                       for r in spark_runs},
              "projected_shard_phase_s": round(target / (workers * cpu_rate), 1),
              "projected_merge_s": round(merge_cpu * target, 1), "projected_after_merge_s": round(after_cpu * target, 1),
              "projected_total_s": round(target / (workers * cpu_rate) + (merge_cpu + after_cpu) * target, 1)})
        emit({"what": "extrapolation-wall", "images": target, "workers": workers,
              "assumption": "each worker runs one shard task at the per-shard throughput measured here (one task per "
                            "core of this machine, two at once); merge and after-merge run once, on one machine, "
                            "at the per-image cost of the largest run",
              "per_shard_images_per_s_by_size": {r["images"]: round(r["per_shard_images_per_s"], 1) for r in spark_runs},
              "merge_ms_per_image_by_size": {r["images"]: round(1000 * r["spark"]["merge_seconds"] / r["images"], 4)
                                             for r in spark_runs},
              "after_merge_ms_per_image_by_size": {r["images"]: round(1000 * r["spark"]["after_merge_seconds"] / r["images"], 4)
                                                   for r in spark_runs},
              "projected_shard_phase_s": round(shard_phase, 1), "projected_merge_s": round(merge_per_image * target, 1),
              "projected_after_merge_s": round(after_per_image * target, 1),
              "projected_total_s": round(shard_phase + (merge_per_image + after_per_image) * target, 1)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
