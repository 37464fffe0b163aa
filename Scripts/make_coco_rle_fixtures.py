#!/usr/bin/env python3
"""Writes Tests/SkyDatasetsTests/Fixtures/coco_rle.json: COCO RLE masks with pycocotools' own decoding.

For random masks (blobs, stripes, single pixels, full and empty masks, runs that wrap across columns) it
records the compressed counts string (pycocotools.mask.encode), the uncompressed run lengths, the box
pycocotools.mask.toBbox gives and the area. The Swift tests decode the strings and compute the boxes and
compare exactly. Needs: pip install pycocotools numpy.
"""
import json
import os
import random
from importlib.metadata import version

import numpy as np
from pycocotools import mask as mask_utils

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SkyDatasetsTests", "Fixtures", "coco_rle.json")


def runs(mask):
    flat = mask.flatten(order="F")
    counts, current, length = [], 0, 0
    for value in flat:
        if value != current:
            counts.append(length)
            current, length = value, 0
        length += 1
    counts.append(length)
    return counts


def masks(rng):
    yield np.zeros((7, 5), np.uint8)
    yield np.ones((6, 9), np.uint8)
    single = np.zeros((10, 10), np.uint8); single[3, 7] = 1; yield single
    corner = np.zeros((8, 8), np.uint8); corner[-1, -1] = 1; yield corner
    wrap = np.zeros((10, 12), np.uint8); wrap[8:, 2] = 1; wrap[:3, 3] = 1; yield wrap  # one run across two columns
    for _ in range(40):
        h, w = rng.randint(1, 90), rng.randint(1, 90)
        m = np.zeros((h, w), np.uint8)
        for _ in range(rng.randint(0, 4)):
            y0, x0 = rng.randrange(h), rng.randrange(w)
            m[y0:y0 + rng.randint(1, h), x0:x0 + rng.randint(1, w)] = 1
        if rng.random() < 0.3:
            m |= (np.random.default_rng(rng.randrange(1 << 30)).random((h, w)) < 0.05).astype(np.uint8)
        yield m


def main():
    rng = random.Random(20261121)
    cases = []
    for m in masks(rng):
        rle = mask_utils.encode(np.asfortranarray(m))
        box = [float(v) for v in mask_utils.toBbox(rle)]
        cases.append({
            "height": int(m.shape[0]), "width": int(m.shape[1]),
            "counts": rle["counts"].decode("ascii"),
            "runs": runs(m),
            "bbox": box,
            "area": int(mask_utils.area(rle)),
        })
    with open(OUT, "w") as f:
        json.dump({"generator": "Scripts/make_coco_rle_fixtures.py", "pycocotools": version("pycocotools"),
                   "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
