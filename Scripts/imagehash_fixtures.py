#!/usr/bin/env python3
"""Writes the parity fixtures of SkyHashing and of SkyImaging's Pillow resampler.

Runs the references themselves: Pillow's Image.resize / convert("L"), imagehash 4.3.2 (phash, dhash,
average_hash) and imagededup's PHash. Everything lands under Tests/SkyHashingTests/Fixtures/:

  pillow/inputs/*.png     small synthetic inputs for the resampler (L, RGB, RGBA)
  pillow/resize.json      for each input, filter and target size: Pillow's output pixels (hex)
  pillow/random_resize.json  300 random sizes/modes/filters over LCG noise the tests regenerate
  images/*.png, *.jpg     synthetic images for the hashes: tiny, very wide, very tall, gray, RGBA, palette, JPEG
  dct.json                scipy.fftpack's 2-D DCT (top-left 8x8, float64 bits) of 33 32x32 inputs, symmetric ones too
  hashes.json             for each synthetic image and each real image of ../shared/realdata (paths relative
                          to that folder, never copied): phash, dhash, ahash, imagededup's phash, and the
                          32x32 "L" image phash hashes (hex) so that a mismatch points at resize or DCT

Usage: python3 Scripts/imagehash_fixtures.py   (from the package root; deterministic: seeded)
"""
import json
import os
import sys

import numpy as np
from PIL import Image
import PIL
import imagehash

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "SkyHashingTests", "Fixtures")
REALDATA = os.path.join(os.path.dirname(ROOT), "shared", "realdata")

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def smooth_noise(rng, height, width, channels):
    """Gradients plus noise: varied enough to exercise rounding, smooth enough for PNG to compress."""
    y = np.linspace(0, 1, height)[:, None, None]
    x = np.linspace(0, 1, width)[None, :, None]
    phase = rng.uniform(0, 6, size=(1, 1, channels))
    base = 127 + 90 * np.sin(5 * x + 3 * y + phase) * np.cos(4 * y - 2 * x + phase)
    noise = rng.normal(0, 25, size=(height, width, channels))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def save(image, folder, name, **options):
    path = os.path.join(folder, name)
    image.save(path, **options)
    return path


def pillow_resize_fixtures(rng):
    folder = os.path.join(FIXTURES, "pillow", "inputs")
    os.makedirs(folder, exist_ok=True)
    inputs = [
        ("gray_37x23", "L", 23, 37),
        ("rgb_61x45", "RGB", 45, 61),
        ("rgba_29x52", "RGBA", 52, 29),
        ("gray_7x90", "L", 90, 7),      # tall: Pillow 13 resizes vertically first
        ("rgb_120x9", "RGB", 9, 120),   # wide
    ]
    targets = [(32, 32), (9, 8), (8, 8), (13, 71), (100, 3), (5, 40), (1, 1), (37, 11), (45, 20)]
    cases = []
    for name, mode, height, width in inputs:
        channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
        pixels = smooth_noise(rng, height, width, channels)
        if mode == "RGBA":
            # Alpha with fully transparent, opaque and partial pixels: the premultiplied path.
            alpha = pixels[:, :, 3].astype(int)
            alpha[::5, :] = 0
            alpha[1::7, :] = 255
            pixels[:, :, 3] = alpha.astype(np.uint8)
        image = Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels, mode)
        save(image, folder, name + ".png")
        for filter_name, filter_value in FILTERS.items():
            for target_w, target_h in targets:
                out = image.resize((target_w, target_h), filter_value)
                cases.append({
                    "input": name + ".png", "filter": filter_name, "width": target_w, "height": target_h,
                    "mode": out.mode, "pixels": out.tobytes().hex(),
                })
    with open(os.path.join(FIXTURES, "pillow", "resize.json"), "w") as handle:
        json.dump({"pillow": PIL.__version__, "cases": cases}, handle, separators=(",", ":"))
    print(f"pillow/resize.json: {len(cases)} cases", file=sys.stderr)


def lcg_pixels(seed, count):
    """Noise from a 32-bit LCG (Numerical Recipes constants): the Swift test regenerates the same bytes."""
    state = seed & 0xFFFFFFFF
    out = bytearray(count)
    for index in range(count):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        out[index] = state >> 24
    return bytes(out)


def pillow_random_resize_fixtures(rng):
    """Random sizes (1..100 in, 1..24 out), modes and filters over LCG noise: the pass-order rule and
    the kernel bounds at many scales, with only sizes and outputs stored."""
    cases = []
    for index in range(300):
        mode = ["L", "RGB", "RGBA"][index % 3]
        filter_name = list(FILTERS)[index % len(FILTERS)]
        in_w, in_h = int(rng.integers(1, 101)), int(rng.integers(1, 101))
        out_w, out_h = int(rng.integers(1, 25)), int(rng.integers(1, 25))
        seed = int(rng.integers(1, 2**31))
        channels = len(mode)
        image = Image.frombytes(mode, (in_w, in_h), lcg_pixels(seed, in_w * in_h * channels))
        out = image.resize((out_w, out_h), FILTERS[filter_name])
        cases.append({"mode": mode, "filter": filter_name, "seed": seed, "in": [in_w, in_h],
                      "out": [out_w, out_h], "pixels": out.tobytes().hex()})
    with open(os.path.join(FIXTURES, "pillow", "random_resize.json"), "w") as handle:
        json.dump({"pillow": PIL.__version__, "cases": cases}, handle, separators=(",", ":"))
    print(f"pillow/random_resize.json: {len(cases)} cases", file=sys.stderr)


def dct_fixtures(rng):
    """scipy's dct(dct(x, axis=0), axis=1) top-left 8x8 (float64 bits) for 32x32 uint8 inputs, including
    exactly symmetric ones where equal coefficients make the median comparison depend on the last bit."""
    import scipy.fftpack
    x = np.arange(32)
    inputs = {
        "transpose_symmetric": np.abs(x[:, None] - x[None, :]) * 8,
        "product_symmetric": (x[:, None] * x[None, :]) % 256,
        "radial": ((((x[:, None] - 15.5) ** 2 + (x[None, :] - 15.5) ** 2) ** 0.5) * 8).astype(int) % 256,
        "flat": np.full((32, 32), 77),
        "ramp": np.tile(x * 7 % 256, (32, 1)),
        "stripes": np.tile((x // 4 % 2) * 200, (32, 1)),
        "checker": ((x[:, None] // 4 + x[None, :] // 4) % 2) * 255,
    }
    for index in range(6):
        levels = rng.integers(0, 3, (32, 32)) * 100
        inputs[f"levels_symmetric_{index}"] = np.maximum(levels, levels.T)
    for index in range(20):
        inputs[f"random_{index}"] = rng.integers(0, 256, (32, 32))
    cases = []
    for name, pixels in inputs.items():
        pixels = np.asarray(pixels, dtype=np.uint8)
        low = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
        cases.append({"name": name, "pixels": pixels.tobytes().hex(),
                      "low": [format(int(v), "016x") for v in low.astype("<f8").view("<u8").ravel()]})
    with open(os.path.join(FIXTURES, "dct.json"), "w") as handle:
        import scipy
        json.dump({"scipy": scipy.__version__, "cases": cases}, handle, separators=(",", ":"))
    print(f"dct.json: {len(cases)} cases", file=sys.stderr)


def synthetic_hash_images(rng):
    """Varied sizes, aspect ratios and modes, saved as the files the Swift tests decode."""
    folder = os.path.join(FIXTURES, "images")
    os.makedirs(folder, exist_ok=True)
    names = []
    sizes = [(1, 1), (2, 3), (5, 5), (8, 9), (31, 33), (32, 32), (64, 17), (17, 64), (400, 3), (3, 400),
             (250, 7), (7, 250), (90, 200), (200, 90), (33, 100), (100, 33), (47, 47), (120, 64)]
    modes = ["L", "RGB", "RGBA", "P", "LA"]
    for index, (width, height) in enumerate(sizes):
        for mode in modes if index % 3 == 0 else [modes[index % len(modes)]]:
            source = smooth_noise(rng, height, width, 4)
            if mode == "L":
                image = Image.fromarray(source[:, :, 0], "L")
            elif mode == "LA":
                image = Image.fromarray(source[:, :, :2], "LA")
            elif mode == "RGB":
                image = Image.fromarray(source[:, :, :3], "RGB")
            elif mode == "RGBA":
                image = Image.fromarray(source, "RGBA")
            else:
                image = Image.fromarray(source[:, :, :3], "RGB").quantize(colors=16)
            name = f"{mode.lower()}_{width}x{height}.png"
            save(image, folder, name)
            names.append(name)
    # JPEGs: colour 4:2:0 with odd sizes (fancy upsampling at the edges), colour 4:4:4, grayscale.
    for width, height, subsampling in [(97, 61, 2), (64, 64, 0), (33, 150, 2), (301, 45, 1)]:
        image = Image.fromarray(smooth_noise(rng, height, width, 3), "RGB")
        name = f"rgb_{width}x{height}_s{subsampling}.jpg"
        save(image, folder, name, quality=85, subsampling=subsampling)
        names.append(name)
    gray = Image.fromarray(smooth_noise(rng, 70, 110, 1)[:, :, 0], "L")
    save(gray, folder, "gray_110x70.jpg", quality=90)
    names.append("gray_110x70.jpg")
    # Structured images: flat, ramps, stripes (exact zeros in the DCT).
    flat = Image.new("L", (40, 30), 77)
    save(flat, folder, "flat_40x30.png")
    names.append("flat_40x30.png")
    ramp = Image.fromarray(np.tile((np.arange(64) * 4).astype(np.uint8), (48, 1)), "L")
    save(ramp, folder, "ramp_64x48.png")
    names.append("ramp_64x48.png")
    stripes = Image.fromarray(np.tile(((np.arange(50) // 5 % 2) * 200).astype(np.uint8), (80, 1)).T.copy(), "L")
    save(stripes, folder, "stripes_80x50.png")
    names.append("stripes_80x50.png")
    return names


def real_images():
    found = []
    for directory, _, files in os.walk(REALDATA):
        for file in files:
            if file.lower().endswith((".png", ".jpg", ".jpeg")):
                found.append(os.path.relpath(os.path.join(directory, file), REALDATA))
    return sorted(found)


def imagededup_phash(path):
    """imagededup's own PHash of a file (its loader: RGB via RGBA, resize first, then "L"), or None."""
    try:
        from imagededup.methods.hashing import PHash
    except ImportError:
        return None
    return PHash(verbose=False).encode_image(image_file=path)


def hash_record(path):
    with Image.open(path) as image:
        image.load()
        gray32 = image.convert("L").resize((32, 32), Image.Resampling.LANCZOS)
        record = {
            "mode": image.mode,
            "phash": str(imagehash.phash(image)),
            "dhash": str(imagehash.dhash(image)),
            "ahash": str(imagehash.average_hash(image)),
            "l32": gray32.tobytes().hex(),
        }
    dedup = imagededup_phash(path)
    if dedup is not None:
        record["phash_imagededup"] = dedup
    return record


def main():
    rng = np.random.default_rng(20261121)
    pillow_resize_fixtures(rng)
    pillow_random_resize_fixtures(np.random.default_rng(7))
    dct_fixtures(np.random.default_rng(11))
    entries = []
    for name in synthetic_hash_images(rng):
        entries.append({"file": "images/" + name, **hash_record(os.path.join(FIXTURES, "images", name))})
    real = []
    for relative in real_images():
        real.append({"file": relative, **hash_record(os.path.join(REALDATA, relative))})
    with open(os.path.join(FIXTURES, "hashes.json"), "w") as handle:
        json.dump({"pillow": PIL.__version__, "imagehash": imagehash.__version__,
                   "synthetic": entries, "real": real}, handle, separators=(",", ":"))
    print(f"hashes.json: {len(entries)} synthetic, {len(real)} real", file=sys.stderr)


if __name__ == "__main__":
    main()
