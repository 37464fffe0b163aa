#!/usr/bin/env python3
"""Change-sentence benchmark: 10,000 synthetic 1024x1024 binary change masks.

Usage: python3 Benchmarks/caption_change_bench.py [--masks N] [--unique U]
Builds skybench in release and runs `skybench caption-change`, which times, summed over all masks, the three
stages of `skycorpus caption --changes`: PNG decoding, M2B regions, and the sentence logic. The masks are U
distinct PNGs cycled N times (encoding 10,000 masks would dominate the run). As the reference for the
decoding stage, Pillow decodes the same PNG bytes the same number of times. The step should be limited by
PNG decoding, not by the sentence logic.
"""
import argparse
import io
import json
import os
import subprocess
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--masks", type=int, default=10_000)
    parser.add_argument("--unique", type=int, default=500)
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    out = tempfile.mkdtemp(prefix="skycorpus-change-bench-")
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    result = json.loads(subprocess.run(
        [binary, "caption-change", "--masks", str(args.masks), "--unique", str(args.unique), "--out", out],
        check=True, capture_output=True, text=True).stdout)
    blobs = [open(os.path.join(out, name), "rb").read() for name in sorted(os.listdir(out))]
    start = time.perf_counter()
    for number in range(args.masks):
        np.asarray(Image.open(io.BytesIO(blobs[number % len(blobs)])))
    pillow = time.perf_counter() - start
    masks = result["masks"]
    print(f"{masks} masks of {result['size']}x{result['size']} ({result['unique']} distinct), "
          f"{result['regions']} regions, {result['sentences']} sentences")
    for label, seconds in (("PNG decoding (SkyCorpus)", result["decode_s"]), ("M2B regions", result["m2b_s"]),
                           ("sentence logic", result["sentences_s"]), ("PNG decoding (Pillow, reference)", pillow)):
        print(f"  {label:34} {seconds:8.3f} s  {seconds / masks * 1000:8.3f} ms/mask")
    print(f"  decoding / sentence logic: x{result['decode_s'] / result['sentences_s']:.1f};  "
          f"SkyCorpus decode vs Pillow: x{pillow / result['decode_s']:.2f} faster")


if __name__ == "__main__":
    main()
