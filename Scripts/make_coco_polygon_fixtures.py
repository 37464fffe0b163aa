#!/usr/bin/env python3
"""Writes Tests/SkyDatasetsTests/Fixtures/coco_polygons.json: a COCO file of polygon and RLE segmentations with
the area and box pycocotools computes for each (COCO.annToRLE, then mask.area and mask.toBbox).

Annotations: single polygons (triangles, stars, rectangles on pixel edges, fractional and negative coordinates,
polygons reaching past the image, repeated points), multi-part polygons (2-4 rings, overlapping and apart),
iscrowd compressed RLE and iscrowd uncompressed RLE, on images of several sizes. None has a `bbox`, so the
reader's box is pycocotools' too. The Swift test (COCOPolygonTests) reads the file with COCOReader and compares
area and box exactly. Needs: pip install pycocotools numpy.
"""
import json
import math
import os
import random
from importlib.metadata import version

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SkyDatasetsTests", "Fixtures", "coco_polygons.json")


def star(cx, cy, r1, r2, points, turn):
    out = []
    for i in range(points * 2):
        r = r1 if i % 2 == 0 else r2
        a = turn + math.pi * i / points
        out += [cx + r * math.cos(a), cy + r * math.sin(a)]
    return out


def random_polygon(rng, width, height, spill):
    kind = rng.choice(["triangle", "star", "rect", "blob", "tiny"])
    margin = 8 if spill else 0
    cx = rng.uniform(-margin, width + margin)
    cy = rng.uniform(-margin, height + margin)
    if kind == "triangle":
        return [v for _ in range(3) for v in (cx + rng.uniform(-15, 15), cy + rng.uniform(-15, 15))]
    if kind == "star":
        return star(cx, cy, rng.uniform(4, 20), rng.uniform(1, 8), rng.randint(3, 7), rng.uniform(0, 6.3))
    if kind == "rect":
        x, y = round(cx), round(cy)
        return [x, y, x + rng.randint(1, 12), y, x + rng.randint(1, 12), y + rng.randint(1, 12), x, y + rng.randint(1, 12)]
    if kind == "tiny":
        return [cx, cy, cx + rng.uniform(0, 1.2), cy, cx, cy + rng.uniform(0, 1.2)]
    n = rng.randint(5, 12)
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
    return [v for a in angles for v in (cx + rng.uniform(2, 18) * math.cos(a), cy + rng.uniform(2, 18) * math.sin(a))]


def main():
    rng = random.Random(20261204)
    sizes = [(40, 30), (64, 64), (23, 57), (100, 7)]
    images = [{"id": i + 1, "file_name": f"img{i + 1}.png", "width": w, "height": h} for i, (w, h) in enumerate(sizes)]
    annotations = []
    for index in range(180):
        image = images[index % len(images)]
        w, h = image["width"], image["height"]
        ann = {"id": index + 1, "image_id": image["id"], "category_id": 1 + index % 2, "iscrowd": 0}
        kind = index % 6
        if kind in (0, 1, 2):
            polygon = random_polygon(rng, w, h, spill=kind == 2)
            if index % 9 == 0:
                polygon = polygon[:2] + polygon[:2] + polygon[2:]  # a repeated point
            ann["segmentation"] = [[round(v, rng.choice([0, 1, 2, 3])) for v in polygon]]
        elif kind in (3, 4):
            parts = [random_polygon(rng, w, h, spill=rng.random() < 0.3) for _ in range(rng.randint(2, 4))]
            ann["segmentation"] = [[round(v, 2) for v in part] for part in parts]
        else:
            mask = np.zeros((h, w), dtype=np.uint8, order="F")
            for _ in range(rng.randint(1, 3)):
                x0, y0 = rng.randrange(w), rng.randrange(h)
                mask[y0:y0 + rng.randint(1, 12), x0:x0 + rng.randint(1, 12)] = 1
            rle = mask_utils.encode(np.asfortranarray(mask))
            ann["iscrowd"] = 1
            if index % 12 == 5:
                flat = mask.flatten(order="F")
                counts, current, length = [], 0, 0
                for value in flat:
                    if value != current:
                        counts.append(length)
                        current, length = value, 0
                    length += 1
                counts.append(length)
                ann["segmentation"] = {"size": [h, w], "counts": counts}
            else:
                ann["segmentation"] = {"size": [h, w], "counts": rle["counts"].decode("ascii")}
        annotations.append(ann)
    dataset = {"images": images, "annotations": annotations,
               "categories": [{"id": 1, "name": "building"}, {"id": 2, "name": "ship"}]}
    coco = COCO()
    coco.dataset = json.loads(json.dumps(dataset))
    coco.createIndex()
    expected = {}
    for ann in coco.dataset["annotations"]:
        rle = coco.annToRLE(ann)
        expected[str(ann["id"])] = {"area": int(mask_utils.area(rle)),
                                    "bbox": [float(v) for v in mask_utils.toBbox(rle)]}
    out = {"reference": f"pycocotools {version('pycocotools')}, numpy {np.__version__}",
           "coco": dataset, "expected": expected}
    with open(OUT, "w") as handle:
        json.dump(out, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {len(annotations)} annotations to {OUT}")


if __name__ == "__main__":
    main()
