#!/usr/bin/env python3
"""Writes Tests/SkyDatasetsTests/Fixtures/isaid/: a small iSAID dataset as the devkit keeps it, and the reference.

train/images/: two images with their instance-id masks (`*_instance_id_RGB.png`, id = R + 256 G + 65536 B, ids from
1000 up as iSAID numbers them) and semantic colour masks (`*_instance_color_RGB.png`, the colours of
Schemas/palettes/isaid.json); val/images/: one image with its masks. Instances: plain blobs, an instance in two
pieces, an instance with a hole, an instance touching the border, an unlabeled instance (colour black), a
two-pixel instance (its contour has two points), two instances of one class touching each other, an instance
painted in two class colours (its majority colour wins).

expected.json is the devkit's preprocess.py conversion of the same masks (cityscapesScripts'
instances2dict_with_polygons + the category filter): per image, per instance in ascending id, the category name,
cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_NONE) polygons, the pixel count as area and the box of the polygons
(x, y, w, h with w = max - min + 1). train/Annotations/instancesonly_filtered_train.json holds the same objects
as the devkit writes its COCO JSON, for the JSON path of the reader (a copy of the dataset without masks).
expected_patches.json: the same conversion of the patches the devkit's split.py cuts with 32 x 32 patches and an
overlap of 8 (stride 24), by patch name (P0101_y0_y1_x0_x1.png).
random/train/images/ + expected_random.json: 12 scenes of 40 random overlapping shapes each (later shapes paint
over earlier ones, so instances are cut into pieces, touch diagonally and hold holes), converted the same way.

Needs: pip install numpy opencv-python-headless. Run from anywhere; output is deterministic.
"""
import json
import os

import cv2
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SkyDatasetsTests", "Fixtures", "isaid")
PALETTE = json.load(open(os.path.join(os.path.dirname(__file__), "..", "Schemas", "palettes", "isaid.json")))
COLOUR = {entry["name"]: tuple(entry["rgb"]) for entry in PALETTE["classes"]}
CATEGORY_NAMES = {  # the devkit's category_instancesonly spellings
    "ship": "ship", "storage_tank": "storage_tank", "baseball_diamond": "baseball_diamond",
    "tennis_court": "tennis_court", "basketball_court": "basketball_court", "ground_track_field": "Ground_Track_Field",
    "bridge": "Bridge", "large_vehicle": "Large_Vehicle", "small_vehicle": "Small_Vehicle", "helicopter": "Helicopter",
    "swimming_pool": "Swimming_pool", "roundabout": "Roundabout", "soccer_ball_field": "Soccer_ball_field",
    "plane": "plane", "harbor": "Harbor",
}


def paint(ids, semantic, instance_id, cls, region):
    ids[region] = instance_id
    semantic[region] = COLOUR[cls]


def scene(seed, height, width):
    """An image and its two masks with every kind of instance listed in the module doc."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((height, width), np.int64)
    semantic = np.zeros((height, width, 3), np.uint8)
    yy, xx = np.mgrid[0:height, 0:width]
    next_id = 1000 + 7 * seed
    classes = [c for c in COLOUR if c != "unlabeled"]

    def new_id():
        nonlocal next_id
        next_id += int(rng.integers(1, 400))
        return next_id

    # Blobs: ellipses of random classes.
    for _ in range(4):
        cy, cx = rng.integers(6, height - 6), rng.integers(6, width - 6)
        ry, rx = rng.integers(2, 6), rng.integers(2, 7)
        region = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        paint(ids, semantic, new_id(), classes[int(rng.integers(len(classes)))], region)
    # One instance in two pieces.
    region = ((yy >= 2) & (yy < 6) & (xx >= 2) & (xx < 7)) | ((yy >= 9) & (yy < 12) & (xx >= 3) & (xx < 5))
    paint(ids, semantic, new_id(), "ship", region)
    # A ring (an instance with a hole), touching the right border.
    region = (np.abs(yy - height // 2) <= 5) & (xx >= width - 9) & ~((np.abs(yy - height // 2) <= 2) & (xx >= width - 6) & (xx < width - 3))
    paint(ids, semantic, new_id(), "storage_tank", region)
    # An unlabeled instance (black in the semantic mask): no object.
    region = (yy >= height - 5) & (yy < height - 2) & (xx >= 2) & (xx < 6)
    ids[region] = new_id()
    semantic[region] = COLOUR["unlabeled"]
    # A two-pixel instance: its contour has two points, the devkit leaves it out.
    region = (yy == 1) & (xx >= width // 2) & (xx < width // 2 + 2)
    paint(ids, semantic, new_id(), "small_vehicle", region)
    # Two touching instances of one class.
    region = (yy >= height - 8) & (yy < height - 3) & (xx >= width // 2) & (xx < width // 2 + 4)
    paint(ids, semantic, new_id(), "large_vehicle", region)
    region = (yy >= height - 8) & (yy < height - 3) & (xx >= width // 2 + 4) & (xx < width // 2 + 9)
    paint(ids, semantic, new_id(), "large_vehicle", region)
    # An instance painted in two colours: 12 pixels of plane, 4 of helicopter.
    region = (yy >= 14) & (yy < 18) & (xx >= 12) & (xx < 16)
    paint(ids, semantic, new_id(), "plane", region)
    semantic[(yy == 17) & (xx >= 12) & (xx < 16)] = COLOUR["helicopter"]
    image = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    return image, ids, semantic


def reference_objects(ids, semantic):
    """The devkit's conversion: one object per instance id >= 1000 of a listed class, polygons of its external
    contours, dropped when a contour has two points or fewer."""
    wide = semantic.astype(np.int64)
    key = wide[:, :, 0] + 256 * wide[:, :, 1] + 65536 * wide[:, :, 2]
    by_key = {c[0] + 256 * c[1] + 65536 * c[2]: name for name, c in COLOUR.items()}
    objects = []
    for instance_id in np.unique(ids):
        if instance_id < 1000:
            continue
        mask = (ids == instance_id).astype(np.uint8)
        values, counts = np.unique(key[mask == 1], return_counts=True)
        order = sorted(zip(-counts, [list(by_key).index(v) for v in values], values))
        name = by_key[order[0][2]]
        if name == "unlabeled":
            continue
        contours, _ = cv2.findContours(mask.copy(), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        polygons = [c.reshape(-1).tolist() for c in contours]
        if not polygons or min(len(p) for p in polygons) <= 4:
            continue
        xs = [v for p in polygons for v in p[0::2]]
        ys = [v for p in polygons for v in p[1::2]]
        box = [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1]
        objects.append({"id": int(instance_id), "category": CATEGORY_NAMES[name], "class": name,
                        "segmentation": polygons, "area": int(mask.sum()), "bbox": box})
    return objects


def split_windows(height, width, size, overlap):
    """split.py's windows (x outer, y inner; a window past the border moved back), each once."""
    if not (height > size and width > size):
        return [(0, height, 0, width, False)]
    seen = []
    for x in range(0, width, size - overlap):
        for y in range(0, height, size - overlap):
            x0, x1 = x, x + size
            if x1 > width:
                x0, x1 = x0 - (x1 - width), width
            y0, y1 = y, y + size
            if y1 > height:
                y0, y1 = y0 - (y1 - height), height
            if (y0, y1, x0, x1, True) not in seen:
                seen.append((y0, y1, x0, x1, True))
    return seen


def write_rgb(path, rgb):
    cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def random_scene(seed, height=40, width=40):
    rng = np.random.default_rng(1000 + seed)
    ids = np.zeros((height, width), np.int64)
    semantic = np.zeros((height, width, 3), np.uint8)
    yy, xx = np.mgrid[0:height, 0:width]
    classes = list(COLOUR)
    for number in range(40):
        cy, cx = rng.integers(0, height), rng.integers(0, width)
        if rng.random() < 0.5:
            region = ((yy - cy) / rng.integers(1, 6)) ** 2 + ((xx - cx) / rng.integers(1, 6)) ** 2 <= 1
        else:
            region = (np.abs(yy - cy) <= rng.integers(0, 4)) & (np.abs(xx - cx) <= rng.integers(0, 4))
            if rng.random() < 0.3:
                region &= (yy + xx) % 2 == 0  # a checkerboard: diagonal touches only
        paint(ids, semantic, 1000 + 37 * number + int(rng.integers(0, 30)), classes[int(rng.integers(len(classes)))], region)
    image = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    return image, ids, semantic


def write_scene(folder, stem, image, ids, semantic):
    os.makedirs(folder, exist_ok=True)
    id_rgb = np.stack([ids % 256, ids // 256 % 256, ids // 65536], axis=2).astype(np.uint8)
    write_rgb(os.path.join(folder, stem + ".png"), image)
    write_rgb(os.path.join(folder, stem + "_instance_id_RGB.png"), id_rgb)
    write_rgb(os.path.join(folder, stem + "_instance_color_RGB.png"), semantic)


def main():
    randoms = {}
    for seed in range(12):
        stem = f"P{9000 + seed}"
        image, ids, semantic = random_scene(seed)
        write_scene(os.path.join(OUT, "random", "train", "images"), stem, image, ids, semantic)
        randoms[f"train/images/{stem}.png"] = reference_objects(ids, semantic)
    with open(os.path.join(OUT, "expected_random.json"), "w") as f:
        json.dump({"opencv": cv2.__version__, "images": randoms}, f, indent=1, sort_keys=True)

    expected = {}
    patches = {}
    coco = {}
    for split, stem, seed, (height, width) in [("train", "P0101", 1, (40, 48)), ("train", "P0102", 2, (36, 44)),
                                                ("val", "P0201", 3, (44, 40))]:
        folder = os.path.join(OUT, split, "images")
        os.makedirs(folder, exist_ok=True)
        image, ids, semantic = scene(seed, height, width)
        id_rgb = np.stack([ids % 256, ids // 256 % 256, ids // 65536], axis=2).astype(np.uint8)
        write_rgb(os.path.join(folder, stem + ".png"), image)
        write_rgb(os.path.join(folder, stem + "_instance_id_RGB.png"), id_rgb)
        write_rgb(os.path.join(folder, stem + "_instance_color_RGB.png"), semantic)
        objects = reference_objects(ids, semantic)
        expected[f"{split}/images/{stem}.png"] = objects
        for y0, y1, x0, x1, cut in split_windows(height, width, 32, 8):
            name = f"{stem}_{y0}_{y1}_{x0}_{x1}.png" if cut else f"{stem}.png"
            patches[f"{split}/images/{name}"] = reference_objects(ids[y0:y1, x0:x1], semantic[y0:y1, x0:x1])
        data = coco.setdefault(split, {"images": [], "annotations": [], "categories": {}})
        image_id = len(data["images"])
        data["images"].append({"id": image_id, "file_name": stem + ".png", "width": width, "height": height})
        for obj in objects:
            category = data["categories"].setdefault(obj["category"], len(data["categories"]) + 1)
            data["annotations"].append({"id": len(data["annotations"]), "image_id": image_id, "category_id": category,
                                        "category_name": obj["category"], "iscrowd": 0, "area": obj["area"],
                                        "bbox": obj["bbox"], "segmentation": obj["segmentation"]})
    for split, data in coco.items():
        folder = os.path.join(OUT, "json", split, "Annotations")
        os.makedirs(folder, exist_ok=True)
        data["categories"] = [{"id": i, "name": n} for n, i in data["categories"].items()]
        with open(os.path.join(folder, f"instancesonly_filtered_{split}.json"), "w") as f:
            json.dump(data, f)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"opencv": cv2.__version__, "images": expected}, f, indent=1, sort_keys=True)
    with open(os.path.join(OUT, "expected_patches.json"), "w") as f:
        json.dump({"opencv": cv2.__version__, "size": 32, "stride": 24, "images": patches}, f, indent=1, sort_keys=True)
    print(sum(len(v) for v in expected.values()), "objects;", len(patches), "patches,",
          sum(len(v) for v in patches.values()), "patch objects")


if __name__ == "__main__":
    main()
