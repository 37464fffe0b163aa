#!/usr/bin/env python3
"""Generates the synthetic example data in Examples/ that `make demo` runs on.

Run from the package root:  python3 Scripts/make_examples.py   (needs numpy and Pillow; deterministic)

Examples/dota/      aerial-like RGB scenes with known objects and DOTA v1.0 labels (images/ + labelTxt/)
Examples/seg/       scenes with LoveDA-style index masks (img_dir/ + ann_dir/; 0 no-data, 1..7 classes)
Examples/levir/     LEVIR-CD-style change pairs (A/ B/ label/, label 0/255), one pair without change
Examples/dota/dataset_examples.json  a Karpathy-style caption file for the dota scenes (RSICD's layout)
The output is committed, so the demo needs no Python.
"""
import json
import math
import os
import shutil

import numpy as np
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Examples")
SIZE = 256
RNG = np.random.default_rng(20261121)


def ground(width, height):
    """Grass and soil texture with low-frequency variation."""
    base = np.zeros((height, width, 3), np.float64)
    base[:] = (96, 118, 72)
    y, x = np.mgrid[0:height, 0:width]
    phase = RNG.uniform(0, 6.28, 3)
    wave = np.sin(x / 23 + phase[0]) + np.cos(y / 31 + phase[1]) + np.sin((x + y) / 47 + phase[2])
    base += wave[..., None] * np.array([9, 11, 6])
    base += RNG.normal(0, 7, (height, width, 3))
    return base


def rotated_corners(cx, cy, w, h, angle):
    c, s = math.cos(angle), math.sin(angle)
    corners = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        corners.append((cx + dx * c - dy * s, cy + dx * s + dy * c))
    return corners


def finish(canvas):
    return np.clip(canvas, 0, 255).astype(np.uint8)


def dota_scene(index):
    """One scene: a road, a water body with ships, buildings, vehicles and storage tanks."""
    image = Image.fromarray(finish(ground(SIZE, SIZE)))
    draw = ImageDraw.Draw(image)
    labels = []
    road_y = int(RNG.integers(60, 190))
    draw.rectangle([0, road_y, SIZE, road_y + 18], fill=(120, 120, 118))
    water = index % 2 == 0
    if water:
        draw.rectangle([0, 0, 90, SIZE], fill=(38, 70, 104))
        for _ in range(int(RNG.integers(1, 4))):
            cx, cy = RNG.uniform(20, 70), RNG.uniform(20, SIZE - 20)
            corners = rotated_corners(cx, cy, RNG.uniform(24, 40), RNG.uniform(8, 12), RNG.uniform(0, math.pi))
            draw.polygon(corners, fill=(220, 220, 214))
            labels.append((corners, "ship", 0))
    left = 100 if water else 10
    for _ in range(int(RNG.integers(2, 6))):
        cx, cy = RNG.uniform(left + 15, SIZE - 15), RNG.uniform(15, SIZE - 15)
        if abs(cy - road_y - 9) < 20:
            continue
        corners = rotated_corners(cx, cy, RNG.uniform(14, 26), RNG.uniform(14, 26), 0)
        draw.polygon(corners, fill=tuple(int(v) for v in RNG.integers(150, 200, 3)))
        labels.append((corners, "building", 0))
    count = int(RNG.integers(1, 14))
    for k in range(count):
        cx = RNG.uniform(4, SIZE - 4)
        cy = road_y + 9 + RNG.uniform(-5, 5)
        corners = rotated_corners(cx, cy, 9, 4.5, 0.05 * RNG.normal())
        draw.polygon(corners, fill=tuple(int(v) for v in RNG.integers(20, 240, 3)))
        labels.append((corners, "small-vehicle", 1 if k % 5 == 4 else 0))
    if index % 3 == 1:
        for _ in range(int(RNG.integers(1, 4))):
            cx, cy, r = RNG.uniform(120, 230), RNG.uniform(20, 50), RNG.uniform(8, 13)
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(205, 205, 200), outline=(150, 150, 150))
            labels.append(([(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)],
                           "storage-tank", 0))
    return image, labels


def write_dota():
    images = os.path.join(OUT, "dota", "images")
    labels_dir = os.path.join(OUT, "dota", "labelTxt")
    os.makedirs(images)
    os.makedirs(labels_dir)
    captions = []
    for index in range(8):
        name = f"P{9000 + index:04d}"
        image, labels = dota_scene(index)
        image.save(os.path.join(images, name + ".png"))
        with open(os.path.join(labels_dir, name + ".txt"), "w") as handle:
            handle.write("imagesource:synthetic\ngsd:0.5\n")
            for corners, cls, difficult in labels:
                flat = " ".join(f"{v:.1f}" for point in corners for v in point)
                handle.write(f"{flat} {cls} {difficult}\n")
        kinds = sorted({cls for _, cls, _ in labels})
        captions.append({"filename": name + ".png", "split": "train" if index < 6 else "test",
                         "sentences": [{"raw": "an aerial view with " + " and ".join(k.replace("-", " ") + "s" for k in kinds) + " ."}]})
    # A planted leak: a slightly brighter copy of test scene P9007 in the training split, as benchmark images
    # end up in training corpora; `dedup --protect examples-dota:test` finds it.
    leak = np.clip(np.asarray(Image.open(os.path.join(images, "P9007.png"))).astype(np.int16) + 2, 0, 255)
    Image.fromarray(leak.astype(np.uint8)).save(os.path.join(images, "P9008.png"))
    shutil.copy(os.path.join(labels_dir, "P9007.txt"), os.path.join(labels_dir, "P9008.txt"))
    captions.append({"filename": "P9008.png", "split": "train",
                     "sentences": [{"raw": captions[7]["sentences"][0]["raw"]}]})
    with open(os.path.join(OUT, "dota", "dataset_examples.json"), "w") as handle:
        json.dump({"images": captions}, handle, indent=1)


def write_segmentation():
    img_dir = os.path.join(OUT, "seg", "img_dir")
    ann_dir = os.path.join(OUT, "seg", "ann_dir")
    os.makedirs(img_dir)
    os.makedirs(ann_dir)
    colours = {1: (96, 118, 72), 2: (170, 160, 150), 3: (120, 120, 118), 4: (38, 70, 104),
               5: (150, 130, 100), 6: (40, 80, 40), 7: (180, 170, 90)}
    for index in range(4):
        mask = Image.new("L", (SIZE, SIZE), 1)
        draw = ImageDraw.Draw(mask)
        draw.rectangle([0, 0, SIZE, 10], fill=0)  # no-data strip
        draw.rectangle([0, 120 + index * 10, SIZE, 134 + index * 10], fill=3)  # road
        draw.ellipse([20, 30, 90, 100], fill=4)  # water
        draw.ellipse([45, 55, 60, 70], fill=1)  # island (a hole in the water)
        for _ in range(int(RNG.integers(3, 7))):
            x, y = RNG.integers(110, 230), RNG.integers(20, 100)
            draw.rectangle([x, y, x + RNG.integers(8, 20), y + RNG.integers(8, 20)], fill=2)
        draw.polygon([(150, 170), (250, 160), (240, 250), (140, 240)], fill=6 if index % 2 else 7)
        if index == 3:
            draw.rectangle([10, 200, 60, 250], fill=5)
        pixels = np.asarray(mask)
        canvas = ground(SIZE, SIZE) * 0.3
        for value, colour in colours.items():
            canvas[pixels == value] += np.array(colour) * 0.7
        canvas[pixels == 0] = 0
        Image.fromarray(finish(canvas)).save(os.path.join(img_dir, f"{index}.png"))
        mask.save(os.path.join(ann_dir, f"{index}.png"))


def write_change_pairs():
    for folder in ("A", "B", "label"):
        os.makedirs(os.path.join(OUT, "levir", folder))
    for index in range(4):
        name = f"train_{index + 1}.png"
        before = ground(SIZE, SIZE)
        after = before + RNG.normal(0, 3, before.shape)
        label = np.zeros((SIZE, SIZE), np.uint8)
        if index != 2:  # pair 3 has no change
            for _ in range(index + 1):
                x, y = int(RNG.integers(10, 220)), int(RNG.integers(10, 220))
                w, h = int(RNG.integers(12, 30)), int(RNG.integers(12, 30))
                after[y:y + h, x:x + w] = (180, 170, 160)
                label[y:y + h, x:x + w] = 255
        Image.fromarray(finish(before)).save(os.path.join(OUT, "levir", "A", name))
        Image.fromarray(finish(after)).save(os.path.join(OUT, "levir", "B", name))
        Image.fromarray(label).save(os.path.join(OUT, "levir", "label", name))


def main():
    for sub in ("dota", "seg", "levir", "captions"):
        shutil.rmtree(os.path.join(OUT, sub), ignore_errors=True)
    write_dota()
    write_segmentation()
    write_change_pairs()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
