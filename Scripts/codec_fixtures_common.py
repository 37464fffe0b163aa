"""What Scripts/tiff_fixtures.py and Scripts/bmp_fixtures.py share: the synthetic scene and the recording of
Pillow's pixels and imagehash's hashes for the files each script wrote."""

import hashlib
import json
import os

import imagehash
import numpy as np
import PIL
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def scene(width, height, seed, channels=3):
    """An aerial-like test pattern: gradients, a checker of blocks and noise, `channels` bands."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    bands = [
        (x * 255 // max(width - 1, 1)),
        (y * 255 // max(height - 1, 1)),
        ((x // 7 + y // 5) % 2 * 180 + rng.integers(0, 60, (height, width))),
        rng.integers(0, 256, (height, width)),  # alpha: every value, 0 and 255 included
    ]
    return np.dstack(bands[:channels]).astype(np.uint8) if channels > 1 else bands[2].astype(np.uint8)


def record(fmt, extension, unsupported, modes, extra_versions=None):
    """Writes Tests/SkyImagingTests/Fixtures/FMT/FMT.json and Tests/SkyHashingTests/Fixtures/FMT_hashes.json for
    every `extension` file in the fixture folder: Pillow's mode, size and pixel SHA-256 (palette images as
    convert("RGB") and 1-bit ones as "L", which is what SkyImaging's decode returns) and imagehash's hashes of the
    image as Pillow opens it; `unsupported` maps the refused files to their reason."""
    out = os.path.join(ROOT, "Tests", "SkyImagingTests", "Fixtures", fmt)
    supported = []
    for name in sorted(os.listdir(out)):
        if not name.endswith(extension) or name in unsupported:
            continue
        with Image.open(os.path.join(out, name)) as image:
            image.load()
            assert image.mode in modes, (name, image.mode)
            pixels = image.convert({"P": "RGB", "1": "L"}.get(image.mode, image.mode))
            supported.append({
                "file": name,
                "mode": image.mode,
                "width": image.width,
                "height": image.height,
                "sha256": hashlib.sha256(pixels.tobytes()).hexdigest(),
                "phash": str(imagehash.phash(image)),
                "dhash": str(imagehash.dhash(image)),
                "ahash": str(imagehash.average_hash(image)),
            })
    for name in unsupported:
        try:
            with Image.open(os.path.join(out, name)) as image:
                image.load()
                pillow = f"Pillow reads it as {image.mode}"
        except Exception as error:  # noqa: BLE001 - recorded, not judged
            pillow = f"Pillow: {error}"
        print(f"{name}: {pillow}")
    versions = {"pillow": PIL.__version__, "imagehash": "4.3.2", **(extra_versions or {})}
    with open(os.path.join(out, f"{fmt}.json"), "w") as handle:
        json.dump({**versions, "supported": supported,
                   "unsupported": [{"file": f, "reason": r} for f, r in sorted(unsupported.items())]},
                  handle, indent=1)
        handle.write("\n")
    hashes = os.path.join(ROOT, "Tests", "SkyHashingTests", "Fixtures", f"{fmt}_hashes.json")
    with open(hashes, "w") as handle:
        json.dump({**versions, "files": [{k: e[k] for k in ("file", "phash", "dhash", "ahash")} for e in supported]},
                  handle, indent=1)
        handle.write("\n")
    total = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
    print(f"{len(supported)} supported, {len(unsupported)} unsupported {fmt.upper()}s, {total} bytes in {out}")
