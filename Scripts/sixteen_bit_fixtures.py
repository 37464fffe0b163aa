#!/usr/bin/env python3
"""Writes the 16-bit image fixtures with Pillow 13 and imagehash 4.3.2 as the reference.

Run from the package root:  python3 Scripts/sixteen_bit_fixtures.py
Needs numpy, Pillow, imagehash, tifffile and imagecodecs.

Pillow opens a 16-bit gray PNG or TIFF as "I;16" (or "I;16B"), and convert("L") -- which imagehash calls first --
maps each sample to 255 when it is above 255 and keeps it otherwise (Convert.c I16L_L / I16B_L: a clip, not a
shift). 16-bit RGB and RGBA files open as "RGB"/"RGBA" with the high byte of each sample ("RGB;16L/B" unpackers).
So the scenes here hold values around 0-600, where clipping and shifting differ, besides full-range ones.

Files go to Tests/SkyImagingTests/Fixtures/sixteen/; sixteen.json records, for each, Pillow's mode, size and the
SHA-256 of Pillow's convert("L") bytes (what SkyImaging's decodeLuminance must return), and
Tests/SkyHashingTests/Fixtures/sixteen_hashes.json imagehash's phash, dhash and ahash of the file as Pillow opens it.
"""
import hashlib
import json
import os

import imagecodecs
import imagehash
import numpy as np
import PIL
import tifffile
from PIL import Image

from codec_fixtures_common import scene

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkyImagingTests", "Fixtures", "sixteen")
HASHES = os.path.join(ROOT, "Tests", "SkyHashingTests", "Fixtures", "sixteen_hashes.json")


def low(width, height, seed, channels=1, top=600):
    """A scene scaled to 0..top: most of it below 256 (kept), some above (clipped to 255)."""
    return (scene(width, height, seed, channels).astype(np.uint32) * top // 255).astype(np.uint16)


def full(width, height, seed, channels=1):
    return scene(width, height, seed, channels).astype(np.uint16) * 257 + np.uint16(seed)


def write():
    gray_png = [("gray16_low.png", low(64, 48, 1)), ("gray16_full.png", full(45, 29, 2)),
                ("gray16_dark.png", low(33, 57, 3, top=255)), ("gray16_odd.png", low(7, 5, 4, top=2000))]
    for name, array in gray_png:
        Image.fromarray(array).save(os.path.join(OUT, name))
    # 16-bit RGB and gray+alpha PNGs (Pillow cannot write them): high byte of each sample.
    with open(os.path.join(OUT, "rgb16.png"), "wb") as handle:
        handle.write(imagecodecs.png_encode(full(40, 30, 5, 3)))
    with open(os.path.join(OUT, "rgba16.png"), "wb") as handle:
        handle.write(imagecodecs.png_encode(full(40, 30, 6, 4)))

    def tiff(name, array, **options):
        tifffile.imwrite(os.path.join(OUT, name), array, **options)

    tiff("gray16_raw.tif", low(61, 37, 7), photometric="minisblack")
    tiff("gray16_bigendian_raw.tif", low(61, 37, 8), photometric="minisblack", byteorder=">")
    tiff("gray16_deflate_predictor.tif", low(45, 29, 9), photometric="minisblack", compression="zlib", predictor=True)
    tiff("gray16_bigendian_lzw.tif", full(45, 29, 10), photometric="minisblack", compression="lzw", byteorder=">")
    tiff("gray16_tiles_deflate.tif", low(50, 40, 11, top=1000), photometric="minisblack", tile=(16, 16),
         compression="zlib")
    tiff("gray16_strips3_packbits.tif", low(30, 20, 12), photometric="minisblack", rowsperstrip=3,
         compression="packbits")
    tiff("rgb16_raw.tif", full(40, 30, 13, 3), photometric="rgb")
    tiff("rgb16_bigendian_lzw.tif", full(40, 30, 14, 3), photometric="rgb", compression="lzw", byteorder=">")
    tiff("rgba16_deflate.tif", full(40, 30, 15, 4), photometric="rgb", extrasamples=["unassalpha"],
         compression="zlib")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    write()
    files, hashes = [], []
    for name in sorted(os.listdir(OUT)):
        with Image.open(os.path.join(OUT, name)) as image:
            image.load()
            gray = image.convert("L")
            files.append({"file": name, "mode": image.mode, "width": image.width, "height": image.height,
                          "luminance_sha256": hashlib.sha256(gray.tobytes()).hexdigest()})
            hashes.append({"file": name, "phash": str(imagehash.phash(image)), "dhash": str(imagehash.dhash(image)),
                           "ahash": str(imagehash.average_hash(image))})
    versions = {"pillow": PIL.__version__, "imagehash": "4.3.2", "tifffile": tifffile.__version__,
                "imagecodecs": imagecodecs.__version__}
    with open(os.path.join(OUT, "sixteen.json"), "w") as handle:
        json.dump({**versions, "files": files}, handle, indent=1)
        handle.write("\n")
    with open(HASHES, "w") as handle:
        json.dump({**versions, "files": hashes}, handle, indent=1)
        handle.write("\n")
    print(f"{len(files)} files in {OUT}: " + ", ".join(f"{f['file']} {f['mode']}" for f in files))


if __name__ == "__main__":
    main()
