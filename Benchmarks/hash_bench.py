#!/usr/bin/env python3
"""Hash throughput: SkyCorpus (skybench hash) against imagehash 4.3.2 on the same files, in one run.

Sets:
  real  every PNG/JPEG of ../shared/realdata (mostly large PNGs: decode-bound for both sides)
  jpeg  the real PNGs re-encoded as JPEG (quality 90, Pillow) into Benchmarks/out/jpeg (not committed),
        the case fast mode is for: large JPEGs decoded through DCT scaling
For each set it prints the median seconds over --repeats runs, ms per image and SkyCorpus's throughput as a
multiple of imagehash's, for exact and fast mode on 1 thread and on all cores; how many exact-mode hashes equal
imagehash's; for the jpeg set also how many fast-mode hashes equal the exact ones and the distance histogram.

Usage: python3 Benchmarks/hash_bench.py [--repeats 5] [--sets real,jpeg] [--no-build]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import imagehash
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REALDATA = os.path.join(os.path.dirname(ROOT), "shared", "realdata")
OUT = os.path.join(ROOT, "Benchmarks", "out")
SKYBENCH = os.path.join(ROOT, ".build", "release", "skybench")


def real_files():
    found = []
    for directory, _, files in os.walk(REALDATA):
        found += [os.path.join(directory, f) for f in files if f.lower().endswith((".png", ".jpg", ".jpeg"))]
    return sorted(found)


def jpeg_files():
    folder = os.path.join(OUT, "jpeg")
    os.makedirs(folder, exist_ok=True)
    made = []
    for path in real_files():
        if not path.lower().endswith(".png") or "label" in path or "ann_dir" in path or "instance" in path:
            continue
        target = os.path.join(folder, os.path.relpath(path, REALDATA).replace("/", "_")[:-4] + ".jpg")
        if not os.path.exists(target):
            with Image.open(path) as image:
                image.convert("RGB").save(target, quality=90)
        made.append(target)
    return sorted(made)


def imagehash_seconds(files, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for path in files:
            with Image.open(path) as image:
                imagehash.phash(image)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def skybench(*arguments):
    output = subprocess.run([SKYBENCH, *arguments], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sets", default="real,jpeg")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    cores = os.cpu_count() or 1
    for name in args.sets.split(","):
        files = real_files() if name == "real" else jpeg_files()
        reference = imagehash_seconds(files, args.repeats)
        print(f"\n{name}: {len(files)} files; imagehash.phash {reference:.3f} s median "
              f"({reference * 1000 / len(files):.2f} ms/image)")
        for mode in ("exact", "fast"):
            for workers in sorted({1, cores}):
                result = skybench("hash", "--mode", mode, "--workers", str(workers), "--repeats", str(args.repeats), *files)
                ratio = reference / result["median_s"]
                print(f"  skycorpus {mode:5} {workers} thread(s): {result['median_s']:.3f} s "
                      f"({result['ms_per_image']:.2f} ms/image), {ratio:.1f}x imagehash throughput")
        printed = subprocess.run([SKYBENCH, "hash-print", *files], check=True, capture_output=True, text=True).stdout
        ours = dict(reversed(line.split(" ", 1)) for line in printed.splitlines())
        equal = 0
        for path in files:
            with Image.open(path) as image:
                equal += ours.get(path) == str(imagehash.phash(image))
        print(f"  exact-mode parity: {equal}/{len(files)} phashes equal to imagehash")
        if name == "jpeg":
            agreement = skybench("hash-agreement", *files)
            print(f"  fast vs exact phash: {agreement['equal']}/{agreement['files']} equal; "
                  f"distance histogram {agreement['distance_histogram']}")


if __name__ == "__main__":
    sys.exit(main())
