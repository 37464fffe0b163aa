#!/usr/bin/env python3
"""Merge cost per image: builds a generated DOTA-style dataset of N images in S shards (`skycorpus build --shard`),
then times `skycorpus merge` of the shards, at several N, and prints ms per image (it should stay constant as
shards grow). Also times the unsharded build's per-image stages for comparison.

    python3 Benchmarks/merge_bench.py [--images 10000 40000] [--shards 8] [--bin PATH] [--work DIR]

Images are small random PNGs (64x64) with 3-12 DOTA boxes each, so the build is quick and the merge (which never
decodes an image) is what is measured. Prints one line per N, medians of --repeats merges into fresh corpora.
"""
import argparse
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = ["plane", "ship", "storage-tank", "small-vehicle", "large-vehicle", "harbor", "bridge"]


def png(width, height, rng):
    rows = b"".join(b"\x00" + bytes(rng.getrandbits(8) for _ in range(width)) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


def generate(folder, count, seed=14):
    rng = random.Random(seed)
    os.makedirs(f"{folder}/images", exist_ok=True)
    os.makedirs(f"{folder}/labelTxt", exist_ok=True)
    for index in range(count):
        name = f"P{index:07d}"
        with open(f"{folder}/images/{name}.png", "wb") as f:
            f.write(png(64, 64, rng))
        lines = ["imagesource:synthetic", "gsd:0.5"]
        for _ in range(rng.randint(3, 12)):
            x, y = rng.uniform(0, 50), rng.uniform(0, 50)
            w, h = rng.uniform(4, 14), rng.uniform(4, 14)
            lines.append(f"{x:.1f} {y:.1f} {x + w:.1f} {y:.1f} {x + w:.1f} {y + h:.1f} {x:.1f} {y + h:.1f} "
                         f"{rng.choice(CLASSES)} 0")
        with open(f"{folder}/labelTxt/{name}.txt", "w") as f:
            f.write("\n".join(lines) + "\n")


def run(args):
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, nargs="+", default=[10000, 40000])
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/skycorpus"))
    parser.add_argument("--work", default=os.path.join(ROOT, "Benchmarks/out/merge"))
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {options.shards} shards; binary {options.bin}")
    print("images  shard-build-s  merge-s(median)  merge-ms/image  after-merge-s")
    for count in options.images:
        work = f"{options.work}/{count}"
        shutil.rmtree(work, ignore_errors=True)
        generate(f"{work}/dota", count)
        recipe = f"{work}/recipe.yaml"
        with open(recipe, "w") as f:
            f.write(f"datasets:\n  - {{name: DOTA, path: {work}/dota, format: dota}}\n"
                    "steps:\n  caption: {seed: 1}\n  dedup: {threshold: 2}\n"
                    "exports:\n  - {format: csv, out: train.csv}\n")
        build = 0.0
        shards = []
        for k in range(1, options.shards + 1):
            shard = f"{work}/shards/{k}.sqlite"
            build += run([options.bin, "build", recipe, "--shard", f"{k}/{options.shards}", "--out", shard, "--quiet"])
            shards.append(shard)
        merges = []
        for repeat in range(options.repeats):
            out = f"{work}/merged-{repeat}/corpus.sqlite"
            merges.append(run([options.bin, "merge", out] + shards))
        after = run([options.bin, "build", recipe, "--corpus", f"{work}/merged-0/corpus.sqlite", "--after-merge", "--quiet"])
        merge = statistics.median(merges)
        print(f"{count:6d}  {build:13.2f}  {merge:15.3f}  {merge / count * 1000:14.4f}  {after:13.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
