#!/usr/bin/env python3
"""A recipe build's embed stage at fp32 and at bf16 (`steps.embed.precision`), in one run.

1. `skybench generate --images N --scale F` writes a small RemoteCLIP-shaped synthetic set (reused when its
   manifest matches); open_clip makes a randomly initialised full-size model (ViT-B-32 by default, no weights
   downloaded), saved as safetensors (both as in embed_bench.py, whose helpers this reuses).
2. For each repeat, fp32 then bf16: a recipe of the set's datasets with only `steps.embed: {model, what: [images],
   precision: P}` is built (`skycorpus build --json`) into a fresh corpus. Images/s is the embed stage's own rate
   (embedded images / the images' seconds of its summary, model load excluded) and over the whole stage (load
   included); the CPU seconds are the whole build process's.
3. The stored vectors of both corpora are compared image by image: the cosine of each bf16 embedding with its fp32
   one (minimum and mean), and each corpus's recorded precision.

Prints medians, the bf16/fp32 ratio, the load average at start and end and the commit measured. Builds skycorpus
and skybench in release unless --no-build. Needs AVX512-BF16 (the build refuses bf16 elsewhere, at its recipe line).

Usage: python3 Benchmarks/precision_build_bench.py [--images 160] [--scale 0.25] [--model ViT-B-32] [--repeats 3]
                                                   [--batch-size 16] [--no-build] [--work DIR]
"""
import argparse
import json
import os
import sqlite3
import statistics
import struct
import subprocess

from bench_timing import measured
from embed_bench import ROOT, SKYCORPUS, checkpoint, generate, load


def recipe(data, model, precision, batch_size):
    """The set's datasets with only the embed step, at `precision` (beside the set's recipe: same relative paths)."""
    path = os.path.join(data, f"embed-{precision}.yaml")
    with open(os.path.join(data, "recipe.yaml")) as source, open(path, "w") as target:
        for line in source:
            if line.startswith(("steps:", "exports:")):
                break
            target.write(line)
        target.write(f"steps:\n  embed: {{model: {model}, what: [images], batch_size: {batch_size}, "
                     f"precision: {precision}}}\n")
    return path


def build(recipe_path, corpus):
    """One build into a fresh corpus: (images, images/s of the encoder loop, images/s of the stage, CPU s)."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(corpus + suffix):
            os.remove(corpus + suffix)
    seconds, _, stdout, cpu = measured([SKYCORPUS, "build", recipe_path, "--corpus", corpus, "--json", "--quiet"])
    summary = json.loads(stdout)
    stage = next(stage for stage in summary["stages"] if stage["name"] == "embed")
    embedded = stage["summary"]["embedded"]["images"]
    loop = stage["summary"]["seconds"]["images"]
    return embedded, embedded / loop, embedded / stage["seconds"], cpu


def vectors(corpus):
    connection = sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)
    try:
        precision = connection.execute("SELECT precision FROM encoder_model").fetchone()[0]
        rows = connection.execute("SELECT item_id, vector FROM embedding WHERE item_kind = 'image'").fetchall()
    finally:
        connection.close()
    return precision, {item: struct.unpack(f"<{len(blob) // 4}f", blob) for item, blob in rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=160)
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--work", default=os.path.join(ROOT, "Benchmarks", "out", "precision"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if not args.no_build:
        for product in ("skycorpus", "skybench"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}, {os.cpu_count()} CPUs, load at start {load()}", flush=True)
    data = generate(args.work, args.images, args.scale, args.seed)
    model = os.path.abspath(checkpoint(args.work, args.model))
    runs = {"fp32": [], "bf16": []}
    for repeat in range(args.repeats):
        for precision in runs:
            path = recipe(data, model, precision, args.batch_size)
            result = build(path, os.path.join(args.work, f"{precision}.sqlite"))
            runs[precision].append(result)
            print(f"  {precision} #{repeat + 1}: {result[0]} images, encoder loop {result[1]:.2f} images/s, "
                  f"stage {result[2]:.2f} images/s, build CPU {result[3]:.1f} s (load {load()})", flush=True)
    median = {precision: (statistics.median(r[1] for r in results), statistics.median(r[2] for r in results),
                          statistics.median(r[3] for r in results)) for precision, results in runs.items()}
    for precision, (loop, stage, cpu) in median.items():
        print(f"{precision}: median {loop:.2f} images/s (encoder loop), {stage:.2f} images/s (whole stage), "
              f"build CPU {cpu:.1f} s")
    print(f"bf16 / fp32: {median['bf16'][0] / median['fp32'][0]:.2f}x (encoder loop), "
          f"{median['bf16'][1] / median['fp32'][1]:.2f}x (whole stage), CPU {median['bf16'][2] / median['fp32'][2]:.2f}x")
    (stored32, fp32), (stored16, bf16) = (vectors(os.path.join(args.work, f"{p}.sqlite")) for p in ("fp32", "bf16"))
    cosines = [sum(a * b for a, b in zip(fp32[item], bf16[item])) for item in fp32 if item in bf16]
    print(f"recorded precision: {stored32} / {stored16}; bf16 vs fp32 cosine over {len(cosines)} images: "
          f"min {min(cosines):.6f}, mean {statistics.mean(cosines):.6f}")
    print(f"load at end {load()}")


if __name__ == "__main__":
    main()
