#!/usr/bin/env python3
"""Near-duplicate search: SkyCorpus's multi-index search over 1,000,000 hashes, and side by side
imagededup 0.3.3's default search (brute_force_cython, through PHash.find_duplicates) against SkyCorpus
on the same 50,000 hashes. Random 64-bit hashes with planted near-duplicates (0..threshold bits flipped).

Usage: python3 Benchmarks/dedup_bench.py [--count 1000000] [--side-by-side 50000] [--threshold 2] [--no-build]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Benchmarks", "out")
SKYBENCH = os.path.join(ROOT, ".build", "release", "skybench")


def skybench(*arguments):
    output = subprocess.run([SKYBENCH, "dedup", *arguments], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--side-by-side", type=int, default=50_000)
    parser.add_argument("--threshold", type=int, default=2)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    os.makedirs(OUT, exist_ok=True)
    big = skybench("--count", str(args.count), "--planted", str(args.count // 100), "--threshold", str(args.threshold))
    print(f"skycorpus: {big['hashes']:,} hashes, threshold {big['threshold']}: index {big['index_s']:.2f} s + "
          f"search {big['search_s']:.2f} s = {big['total_s']:.2f} s on {big['workers']} thread(s); "
          f"{big['pairs']} pairs, planted {big['planted_found']}/{big['planted']} found; "
          f"peak RSS {big['peak_rss_mb']:.0f} MB")

    count = args.side_by_side
    hashes_path = os.path.join(OUT, f"hashes_{count}.txt")
    pairs_path = os.path.join(OUT, f"pairs_{count}.txt")
    small = skybench("--count", str(count), "--planted", str(count // 100), "--threshold", str(args.threshold),
                     "--write", hashes_path, "--write-pairs", pairs_path)
    print(f"skycorpus: {count:,} hashes: {small['total_s']:.3f} s, {small['pairs']} pairs")
    try:
        from imagededup.methods import PHash
    except ImportError:
        print("imagededup is not installed (pip install imagededup scikit-learn matplotlib): side by side skipped")
        return
    with open(hashes_path) as handle:
        encodings = {f"img{index:07d}": line.strip() for index, line in enumerate(handle) if line.strip()}
    start = time.perf_counter()
    found = PHash(verbose=False).find_duplicates(encoding_map=encodings, max_distance_threshold=args.threshold,
                                                 scores=False)
    seconds = time.perf_counter() - start
    pairs = sum(len(duplicates) for duplicates in found.values()) // 2
    theirs = {tuple(sorted((int(key[3:]), int(other[3:])))) for key, others in found.items() for other in others}
    with open(pairs_path) as handle:
        ours = {(int(a), int(b)) for a, b, _ in (line.split() for line in handle if line.strip())}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"imagededup brute_force_cython: {count:,} hashes: {seconds:.2f} s, {pairs} pairs, "
          f"peak RSS {peak:.0f} MB (this Python process)")
    print(f"ratio: skycorpus {seconds / small['total_s']:.0f}x faster on {count:,} hashes; "
          f"same pair set as imagededup: {ours == theirs} ({len(ours)} pairs)")


if __name__ == "__main__":
    sys.exit(main())
