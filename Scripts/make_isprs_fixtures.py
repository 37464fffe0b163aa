#!/usr/bin/env python3
"""Writes Tests/SkyDatasetsTests/Fixtures/isprs/: ISPRS Potsdam and Vaihingen as distributed, in miniature.

potsdam/: 2_Ortho_RGB/top_potsdam_2_10_RGB.tif (70 x 60) with 5_Labels_all/top_potsdam_2_10_label.tif and
5_Labels_all_noBoundary/top_potsdam_2_10_label_noBoundary.tif (the same labels with black class boundaries, as the
eroded variant has them); top_potsdam_2_11_RGB.tif without labels; an IRRG tile and a DSM that are not to be read.
vaihingen/: ISPRS_semantic_labeling_Vaihingen/top/top_mosaic_09cm_area1.tif (IRRG, 50 x 66) with
gts_for_participants/top_mosaic_09cm_area1.tif and ..._ground_truth_eroded_COMPLETE/top_mosaic_09cm_area1_noBoundary.tif,
and a DSM. Labels use the ISPRS colour code (Schemas/palettes/potsdam.json); TIFFs are deflate-compressed by Pillow.

expected.json: for two grids (size 32 stride 24, size 32 stride 32), the patch windows as the iSAID devkit's split.py
places them (starts every stride while inside the image, the last moved back to end at the border, repeats
written once), and for each window the palette-index pixel counts of the full and eroded label patch (numpy).

Needs: pip install numpy pillow. Deterministic.
"""
import json
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, "..", "Tests", "SkyDatasetsTests", "Fixtures", "isprs")
PALETTE = json.load(open(os.path.join(HERE, "..", "Schemas", "palettes", "potsdam.json")))
COLOURS = {entry["index"]: tuple(entry["rgb"]) for entry in PALETTE["classes"]}


def labels(rng, height, width):
    """A label map of blocks of classes 1..6, and its eroded copy (class borders set to 0, black)."""
    index = np.ones((height, width), np.uint8)
    for _ in range(14):
        y, x = rng.integers(0, height - 4), rng.integers(0, width - 4)
        h, w = rng.integers(4, 20), rng.integers(4, 24)
        index[y:y + h, x:x + w] = rng.integers(1, 7)
    eroded = index.copy()
    border = np.zeros_like(index, bool)
    border[:-1, :] |= index[:-1, :] != index[1:, :]
    border[:, :-1] |= index[:, :-1] != index[:, 1:]
    eroded[border] = 0
    return index, eroded


def rgb(index):
    out = np.zeros(index.shape + (3,), np.uint8)
    for value, colour in COLOURS.items():
        out[index == value] = colour
    return out


def save(relative, array):
    path = os.path.join(OUT, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path, compression="tiff_deflate")


def windows(width, height, size, stride):
    """split.py's loops: x outer, y inner; each patch once (by its name)."""
    if not (height > size and width > size):
        return [[0, 0, width, height]]
    seen = []
    for x in range(0, width, stride):
        for y in range(0, height, stride):
            x0, x1 = x, x + size
            if x1 > width:
                x0, x1 = x0 - (x1 - width), width
            y0, y1 = y, y + size
            if y1 > height:
                y0, y1 = y0 - (y1 - height), height
            if [x0, y0, x1 - x0, y1 - y0] not in seen:
                seen.append([x0, y0, x1 - x0, y1 - y0])
    return sorted(seen, key=lambda w: (w[1], w[0]))


def counts(index):
    values, number = np.unique(index, return_counts=True)
    return {str(int(v)): int(n) for v, n in zip(values, number)}


def main():
    rng = np.random.default_rng(7)
    expected = {}
    tiles = [
        ("potsdam", "2_Ortho_RGB/top_potsdam_2_10_RGB.tif", "5_Labels_all/top_potsdam_2_10_label.tif",
         "5_Labels_all_noBoundary/top_potsdam_2_10_label_noBoundary.tif", 60, 70),
        ("vaihingen", "ISPRS_semantic_labeling_Vaihingen/top/top_mosaic_09cm_area1.tif",
         "ISPRS_semantic_labeling_Vaihingen/gts_for_participants/top_mosaic_09cm_area1.tif",
         "ISPRS_semantic_labeling_Vaihingen_ground_truth_eroded_COMPLETE/top_mosaic_09cm_area1_noBoundary.tif", 66, 50),
    ]
    for family, image, full, eroded, height, width in tiles:
        save(f"{family}/{image}", rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
        index, eroded_index = labels(rng, height, width)
        save(f"{family}/{full}", rgb(index))
        save(f"{family}/{eroded}", rgb(eroded_index))
        grids = {}
        for size, stride in [(32, 24), (32, 32)]:
            grids[f"{size}/{stride}"] = [
                {"window": w, "full": counts(index[w[1]:w[1] + w[3], w[0]:w[0] + w[2]]),
                 "eroded": counts(eroded_index[w[1]:w[1] + w[3], w[0]:w[0] + w[2]])}
                for w in windows(width, height, size, stride)]
        expected[family] = {"image": image, "full": full, "eroded": eroded, "width": width, "height": height,
                            "grids": grids, "full_counts": counts(index), "eroded_counts": counts(eroded_index)}
    # Files that are not to be read: a tile without labels, IRRG, DSMs.
    save("potsdam/2_Ortho_RGB/top_potsdam_2_11_RGB.tif", rng.integers(0, 256, (20, 20, 3), dtype=np.uint8))
    save("potsdam/3_Ortho_IRRG/top_potsdam_2_10_IRRG.tif", rng.integers(0, 256, (60, 70, 3), dtype=np.uint8))
    save("potsdam/1_DSM/dsm_potsdam_02_10.tif", rng.integers(0, 256, (60, 70), dtype=np.uint8))
    save("vaihingen/ISPRS_semantic_labeling_Vaihingen/dsm/dsm_09cm_matching_area1.tif",
         rng.integers(0, 256, (66, 50), dtype=np.uint8))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
