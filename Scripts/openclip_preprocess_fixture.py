#!/usr/bin/env python3
"""Writes Tests/SkyCLIPTests/Fixtures/preprocess.json: open_clip's image preprocessing of real sample images.

For each image under ../shared/realdata (RSICD JPEGs, DOTA/iSAID PNGs in portrait and landscape, RGBA and
grey PNGs) and each input size, open_clip 3.3.0's `image_transform(size, is_train=False)` (torchvision on
Pillow: shortest-side BICUBIC resize, centre crop, convert RGB, ToTensor, Normalize) is applied. Recorded: the
SHA-256 of the uint8 RGB crop (the transform less ToTensor/Normalize), and sampled float32 values of the final
tensor (index, value). The Swift test reads the same files from ../shared/realdata and skips when absent.
Run: python3 Scripts/openclip_preprocess_fixture.py
"""
import hashlib
import json
import pathlib

import numpy as np
import open_clip
import PIL
import torch
from open_clip.transform import image_transform
from PIL import Image

root = pathlib.Path(__file__).resolve().parent.parent
realdata = root.parent / "shared/realdata"
out = root / "Tests/SkyCLIPTests/Fixtures/preprocess.json"

IMAGES = [
    "captions/rsicd_images/airport_17.jpg", "captions/rsicd_images/square_146.jpg",
    "captions/rsicd_images/sparseresidential_3.jpg", "dota/demo/images/P0004.png", "dota/example/images/P1888.png",
    "hash-images/imagehash.png", "levir-cd/B/test_113_0256.png", "levir-cd/label/test_2_0000_0000.png",
    "isaid/test/images/P0006.png",
]
SIZES = [224, 64, 97]

# Synthetic small PNGs (seeded noise and gradients, no real data) committed beside the fixture: Pillow opens
# them as "P" and "1", which it resizes with NEAREST before converting to RGB.
synthetic = root / "Tests/SkyCLIPTests/Fixtures/images"
synthetic.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(5)
yy, xx = np.mgrid[0:240, 0:320]
colour = np.stack([xx * 255 // 319, yy * 255 // 239, (xx + yy) % 256], axis=-1) + rng.integers(-40, 40, (240, 320, 3))
Image.fromarray(np.clip(colour, 0, 255).astype(np.uint8)).quantize(colors=16).save(synthetic / "palette.png")
Image.fromarray((rng.random((250, 180)) > 0.5).astype(np.uint8) * 255).convert("1").save(synthetic / "bilevel.png")
for name in ["palette.png", "bilevel.png"]:
    with Image.open(synthetic / name) as check:
        print(name, check.mode, check.size)

records = []
for relative in IMAGES + ["fixture:palette.png", "fixture:bilevel.png"]:
    for size in SIZES:
        transform = image_transform(size, is_train=False)
        source = synthetic / relative[8:] if relative.startswith("fixture:") else realdata / relative
        with Image.open(source) as image:
            tensor = transform(image)
            crop = image
            for step in transform.transforms[:-2]:
                crop = step(crop)
        pixels = np.asarray(crop, dtype=np.uint8)
        assert pixels.shape == (size, size, 3), pixels.shape
        again = (torch.from_numpy(pixels.copy()).permute(2, 0, 1).float() / 255)
        again = transform.transforms[-1](again)
        assert torch.equal(again, tensor)
        flat = tensor.flatten().numpy()
        indices = list(range(0, 48)) + list(range(48, flat.size, 997))
        records.append({
            "file": relative, "size": size,
            "cropSHA256": hashlib.sha256(pixels.tobytes()).hexdigest(),
            "samples": [[i, float(flat[i])] for i in indices],
        })
        print(relative, size, records[-1]["cropSHA256"][:16])

payload = {"reference": f"open_clip {open_clip.__version__}, Pillow {PIL.__version__}, torch {torch.__version__}",
           "mean": list(open_clip.OPENAI_DATASET_MEAN), "std": list(open_clip.OPENAI_DATASET_STD), "cases": records}
out.write_text(json.dumps(payload, separators=(",", ":")))
print(f"wrote {out} ({out.stat().st_size} bytes)")
