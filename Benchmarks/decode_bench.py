#!/usr/bin/env python3
"""Decode benchmark: SkyCorpus (libpng/libjpeg-turbo via skybench) against Pillow on the same files.

Usage: python3 Benchmarks/decode_bench.py [--no-build] [FILE...]   (default: every PNG/JPEG in ../shared/realdata)
Builds skybench in release, then prints median seconds per pass over all files and the ratios:
full decode vs Pillow's Image.open().load(); decode to "L" (ImageDecoder.decodeLuminance, and the
decode-then-PillowConvert.luminance route it replaces) vs Pillow's Image.open().convert("L"); and
1/2, 1/4, 1/8-scale JPEG decode (DCT scaling) vs full decode.
"""
import glob
import io
import tempfile
import json
import os
import subprocess
import sys

from PIL import Image

from bench_timing import median_seconds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPEATS = 7


def skybench(*args):
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    output = subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def pillow_luminance_pass(blobs):
    for data in blobs:
        Image.open(io.BytesIO(data)).convert("L")


def pillow_pass(blobs, scale=1):
    for data in blobs:
        image = Image.open(io.BytesIO(data))
        if scale > 1:
            image.draft(image.mode, (image.width // scale, image.height // scale))
        image.load()


def main():
    arguments = sys.argv[1:]
    build = "--no-build" not in arguments
    arguments = [a for a in arguments if a != "--no-build"]
    files = arguments or sorted(
        f for f in glob.glob(os.path.join(ROOT, "..", "shared", "realdata", "**", "*"), recursive=True)
        if f.lower().endswith((".png", ".jpg", ".jpeg")))
    if not files:
        sys.exit("no images: pass files or provide ../shared/realdata")
    if build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    jpegs = [f for f in files if f.lower().endswith((".jpg", ".jpeg"))]
    # Large aerial JPEGs, as DOTA and DIOR ship: the big real PNG scenes re-encoded at quality 90.
    scratch = tempfile.mkdtemp(prefix="skycorpus-decode-bench-")
    for path in files:
        with Image.open(path) as image:
            if image.width * image.height >= 800 * 800 and image.mode in ("RGB", "L"):
                target = os.path.join(scratch, os.path.basename(path).rsplit(".", 1)[0] + ".jpg")
                image.save(target, quality=90)
                jpegs.append(target)
    pngs = [f for f in files if f.lower().endswith(".png")]
    print(f"{len(pngs)} PNG and {len(jpegs)} JPEG files, median of {REPEATS} passes (file bytes read before timing, "
          f"both sides), load average {os.getloadavg()[0]:.2f}")
    for label, group in (("PNG", pngs), ("JPEG", jpegs)):
        if not group:
            continue
        sky = skybench("decode", "--repeats", str(REPEATS), *group)["median_s"]
        blobs = [open(f, "rb").read() for f in group]
        pil = median_seconds(lambda: pillow_pass(blobs), REPEATS)
        print(f"{label:5} full decode: SkyCorpus {sky * 1000:8.1f} ms  Pillow {pil * 1000:8.1f} ms  "
              f"speed-up x{pil / sky:.2f}")
    for label, group in (("PNG", pngs), ("JPEG", jpegs)):
        if not group:
            continue
        fused = skybench("decode", "--to", "l", "--repeats", str(REPEATS), *group)["median_s"]
        converted = skybench("decode", "--to", "l-convert", "--repeats", str(REPEATS), *group)["median_s"]
        blobs = [open(f, "rb").read() for f in group]
        pil = median_seconds(lambda: pillow_luminance_pass(blobs), REPEATS)
        print(f"{label:5} to L: decodeLuminance {fused * 1000:8.1f} ms  decode+luminance {converted * 1000:8.1f} ms  "
              f"Pillow convert(\"L\") {pil * 1000:8.1f} ms  speed-up x{pil / fused:.2f} "
              f"(x{converted / fused:.2f} over decode+luminance)")
    if jpegs:
        full = skybench("decode", "--repeats", str(REPEATS), *jpegs)["median_s"]
        for scale in (2, 4, 8):
            scaled = skybench("decode", "--scale", str(scale), "--repeats", str(REPEATS), *jpegs)["median_s"]
            blobs = [open(f, "rb").read() for f in jpegs]
            pil = median_seconds(lambda: pillow_pass(blobs, scale), REPEATS)
            print(f"JPEG 1/{scale} decode: SkyCorpus {scaled * 1000:8.2f} ms  Pillow draft {pil * 1000:8.2f} ms  "
                  f"x{full / scaled:.1f} faster than full decode")


if __name__ == "__main__":
    main()
