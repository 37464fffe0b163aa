#!/usr/bin/env python3
"""Writes the decode parity fixtures for Tests/SkyImagingTests with Pillow as the reference.

Run from the package root:  python3 Scripts/pillow_decode_fixtures.py
It (1) writes small codec sample files (16-bit, 1-bit, palette with transparency, interlaced, progressive,
CMYK, odd sizes) into Tests/SkyImagingTests/Fixtures/codec/, and (2) records, for those files and for every
PNG/JPEG under ../shared/realdata, what Pillow decodes: size, layout and the SHA-256 of the 8-bit pixels, at
full scale and (JPEG) at 1/2, 1/4 and 1/8 through Pillow's draft mode, which uses libjpeg's DCT scaling.
The Swift tests decode the same files with SkyCorpus and compare.
"""
import hashlib
import io
import json
import math
import os
import sys

import numpy as np
import png  # pypng, for an interlaced sample
from PIL import Image, features

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "SkyImagingTests", "Fixtures")
CODEC = os.path.join(FIXTURES, "codec")
REALDATA = os.path.join(ROOT, "..", "shared", "realdata")


def scene(width, height, seed):
    """An aerial-like RGB test pattern: smooth gradients, blocks and noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 255 // max(width - 1, 1)).astype(np.uint8)
    g = (y * 255 // max(height - 1, 1)).astype(np.uint8)
    b = ((x // 7 + y // 5) % 2 * 180 + rng.integers(0, 60, (height, width))).astype(np.uint8)
    return np.dstack([r, g, b])


def write_samples():
    os.makedirs(CODEC, exist_ok=True)
    rgb = scene(61, 37, 1)
    Image.fromarray(rgb).save(os.path.join(CODEC, "rgb.png"))
    # Pillow cannot write Adam7; pypng can.
    with open(os.path.join(CODEC, "rgb_interlaced.png"), "wb") as handle:
        png.Writer(61, 37, greyscale=False, interlace=True).write(handle, rgb.reshape(37, -1).tolist())
    Image.fromarray(np.dstack([rgb, rgb[:, :, 0]])).save(os.path.join(CODEC, "rgba.png"))
    gray = rgb[:, :, 1]
    Image.fromarray(gray).save(os.path.join(CODEC, "gray.png"))
    Image.fromarray(np.dstack([gray, rgb[:, :, 2]])).convert("LA").save(os.path.join(CODEC, "gray_alpha.png"))
    Image.fromarray(gray > 128).save(os.path.join(CODEC, "gray_1bit.png"))
    gray16 = (np.arange(61 * 37, dtype=np.uint32).reshape(37, 61) * 29 % 65536).astype(np.uint16)
    Image.fromarray(gray16).save(os.path.join(CODEC, "gray_16bit.png"))
    palette = Image.fromarray(rgb).quantize(colors=13)
    palette.save(os.path.join(CODEC, "palette.png"))
    palette.save(os.path.join(CODEC, "palette_trns.png"), transparency=3)
    Image.fromarray(rgb[:20, :20] // 64).convert("L").point(lambda v: v).save(os.path.join(CODEC, "mask_gray.png"))
    big = scene(203, 77, 2)
    Image.fromarray(big).save(os.path.join(CODEC, "rgb_odd.jpg"), quality=90)
    Image.fromarray(big).save(os.path.join(CODEC, "rgb_progressive.jpg"), quality=85, progressive=True)
    Image.fromarray(big[:, :, 0]).save(os.path.join(CODEC, "gray_odd.jpg"), quality=90)
    Image.fromarray(big).convert("CMYK").save(os.path.join(CODEC, "cmyk.jpg"), quality=95)


def layout_and_pixels(image):
    """The layout SkyCorpus decodes to and the 8-bit pixels, derived from Pillow's decode."""
    mode = image.mode
    if mode == "P":
        target = "RGBA" if "transparency" in image.info else "RGB"
        return target, np.asarray(image.convert(target))
    if mode in ("I;16", "I;16B", "I"):
        return "L", (np.asarray(image).astype(np.uint32) >> 8).astype(np.uint8)  # libpng strip_16: high byte
    if mode == "1":
        return "L", np.asarray(image.convert("L"))
    if mode == "CMYK":
        return "RGB", np.asarray(image.convert("RGB"))
    if mode in ("L", "LA", "RGB", "RGBA"):
        return mode, np.asarray(image)
    raise SystemExit(f"unexpected Pillow mode {mode}")


def record(path, name):
    entry = {"file": name}
    with Image.open(path) as image:
        image.load()
        layout, pixels = layout_and_pixels(image)
        entry.update(layout=layout, width=image.width, height=image.height,
                     sha256=hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest())
        if image.mode == "CMYK":
            entry["rgb_pixels"] = pixels.reshape(-1).tolist()[:600]
        is_jpeg = image.format == "JPEG"
        width, height = image.width, image.height
    if is_jpeg:
        entry["scales"] = {}
        for scale in (2, 4, 8):
            with Image.open(path) as image:
                if image.mode == "CMYK":
                    break
                # Pillow picks scale = min(w // rw, h // rh), so ask for the floor size.
                image.draft(image.mode, (width // scale, height // scale))
                image.load()
                layout, pixels = layout_and_pixels(image)
                entry["scales"][str(scale)] = {
                    "width": image.width, "height": image.height,
                    "sha256": hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()}
    return entry


def main():
    write_samples()
    entries = [record(os.path.join(CODEC, name), "codec/" + name) for name in sorted(os.listdir(CODEC))]
    if os.path.isdir(REALDATA):
        for folder, _, files in sorted(os.walk(REALDATA)):
            for name in sorted(files):
                if name.lower().endswith((".png", ".jpg", ".jpeg")):
                    path = os.path.join(folder, name)
                    entries.append(record(path, "realdata/" + os.path.relpath(path, REALDATA)))
    else:
        print("note: ../shared/realdata is absent; only the codec samples are recorded", file=sys.stderr)
    out = {"pillow": Image.__version__, "libjpeg": features.version("jpg"), "files": entries}
    with open(os.path.join(FIXTURES, "pillow_decode.json"), "w") as handle:
        json.dump(out, handle, indent=1)
    print(f"wrote {len(entries)} entries")


if __name__ == "__main__":
    main()
