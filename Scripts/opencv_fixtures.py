#!/usr/bin/env python3
"""Writes the OpenCV parity fixtures for Tests/SkyGeometryTests/Fixtures/.

Run from the package root:  python3 Scripts/opencv_fixtures.py [--realdata ../shared/realdata]
Needs opencv-python-headless (4.10 or newer) and numpy. The Swift tests read the files this writes and need no
Python. Everything is seeded, so re-running gives the same bytes for the same OpenCV version.

Files:
- contours_random.bin: random masks and cv2.findContours for all 4 modes x 2 approximations (format below).
- geometry_legacy.bin / geometry_current.bin: random point sets with convexHull, contourArea, boundingRect,
  minAreaRect and boxPoints. minAreaRect's angle convention changed in OpenCV 4.13 (PR #28051), so the file is
  named after the convention of the OpenCV that runs the script: run it once with OpenCV 4.10-4.12 (legacy,
  angle in (0, 90]) and once with --geometry-only under OpenCV 4.13+/5.x (current, angle in [-90, 0)).
- realdata_contours.json: per real mask and class, contour counts and FNV-1a digests of every mode x approximation,
  plus the per-class RETR_EXTERNAL + boundingRect boxes (the M2B reference).
- realdata_rotated_legacy.json / realdata_rotated_current.json: per real mask and class, cv2.minAreaRect of each
  RETR_EXTERNAL/CHAIN_APPROX_SIMPLE contour ([cx, cy, w, h, angle] as float32 values), in this OpenCV's convention.

contours_random.bin, little endian:
  magic b"SKCT", u32 case count, then per case:
  u16 width, u16 height, width*height mask bytes (row-major), then for each (mode, approx) in
  [EXTERNAL, LIST, CCOMP, TREE] x [NONE, SIMPLE]: u32 contour count, then the contours, then per contour
  4 x i16 hierarchy [next, previous, first_child, parent]. EXTERNAL and LIST store each contour as u32 point
  count and (u8 x, u8 y) per point (masks are under 256 pixels a side). CCOMP and TREE hold the same contours
  as LIST in another order, so they store per contour the u32 index of the identical LIST contour.
"""
import argparse
import json
import os
import struct
import sys

import cv2
import numpy as np

MODES = [cv2.RETR_EXTERNAL, cv2.RETR_LIST, cv2.RETR_CCOMP, cv2.RETR_TREE]
APPROXES = [cv2.CHAIN_APPROX_NONE, cv2.CHAIN_APPROX_SIMPLE]
FIXTURES = os.path.join("Tests", "SkyGeometryTests", "Fixtures")


def find(mask, mode, approx):
    contours, hierarchy = cv2.findContours(mask, mode, approx)
    contours = [c.reshape(-1, 2) for c in contours]
    links = hierarchy.reshape(-1, 4) if hierarchy is not None else np.zeros((0, 4), np.int32)
    return contours, links


# ---------------------------------------------------------------- random masks

def blobs(rng, h, w):
    mask = np.zeros((h, w), np.uint8)
    for _ in range(rng.integers(1, 6)):
        cy, cx = rng.integers(0, h), rng.integers(0, w)
        ry, rx = rng.integers(1, max(2, h // 2)), rng.integers(1, max(2, w // 2))
        yy, xx = np.ogrid[:h, :w]
        inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
        mask[inside] = 0 if rng.random() < 0.3 else 1
    return mask


def nested_rings(rng, h, w):
    mask = np.zeros((h, w), np.uint8)
    top, left, bottom, right = 0, 0, h - 1, w - 1
    if rng.random() < 0.5:
        top, left = rng.integers(0, 3, size=2)
    value = 1
    while top <= bottom and left <= right:
        mask[top:bottom + 1, left:right + 1] = value
        value ^= 1
        step = rng.integers(1, 3)
        top, left, bottom, right = top + step, left + step, bottom - step, right - step
    return mask


def lines(rng, h, w):
    mask = np.zeros((h, w), np.uint8)
    for _ in range(rng.integers(1, 5)):
        p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(mask, p0, p1, 1, 1, lineType=cv2.LINE_8 if rng.random() < 0.5 else cv2.LINE_4)
    return mask


def diagonal_touches(rng, h, w):
    yy, xx = np.mgrid[:h, :w]
    mask = ((yy + xx) % 2).astype(np.uint8)
    keep = rng.random((h, w)) < 0.7
    return (mask * keep).astype(np.uint8)


def single_pixels(rng, h, w):
    return (rng.random((h, w)) < 0.15).astype(np.uint8)


def noise(rng, h, w):
    return (rng.random((h, w)) < rng.uniform(0.2, 0.8)).astype(np.uint8)


def full_or_border(rng, h, w):
    mask = np.zeros((h, w), np.uint8)
    kind = rng.integers(0, 4)
    if kind == 0:
        mask[:] = 1
    elif kind == 1:
        mask[0, :] = 1
        mask[:, -1] = 1
    elif kind == 2:
        mask[:] = 1
        mask[h // 3:h - h // 3, w // 3:w - w // 3] = 0
    else:
        mask[rng.integers(0, h), :] = 1
        mask[:, rng.integers(0, w)] = 1
    return mask


def arbitrary_values(rng, h, w):
    # Any nonzero value is foreground: check the binarisation.
    base = noise(rng, h, w)
    return (base * rng.integers(1, 256, size=(h, w))).astype(np.uint8)


GENERATORS = [blobs, nested_rings, lines, diagonal_touches, single_pixels, noise, full_or_border, arbitrary_values]


def random_cases(rng, count):
    cases = []
    for index in range(count):
        generator = GENERATORS[index % len(GENERATORS)]
        h, w = int(rng.integers(1, 25)), int(rng.integers(1, 25))
        cases.append(generator(rng, h, w))
    # A few larger noisy masks: more than 125 contours, so OpenCV's mark values wrap and share parents' chains.
    for _ in range(4):
        h, w = int(rng.integers(40, 64)), int(rng.integers(40, 64))
        cases.append(noise(rng, h, w))
    for _ in range(2):
        h, w = int(rng.integers(40, 64)), int(rng.integers(40, 64))
        cases.append(np.maximum(blobs(rng, h, w), single_pixels(rng, h, w)))
    return cases


def write_contours(path, cases):
    out = bytearray(b"SKCT")
    out += struct.pack("<I", len(cases))
    for mask in cases:
        h, w = mask.shape
        out += struct.pack("<HH", w, h)
        out += mask.astype(np.uint8).tobytes()
        listed = {}
        for mode in MODES:
            for approx in APPROXES:
                contours, links = find(mask, mode, approx)
                out += struct.pack("<I", len(contours))
                if mode in (cv2.RETR_EXTERNAL, cv2.RETR_LIST):
                    for contour in contours:
                        out += struct.pack("<I", len(contour))
                        out += contour.astype(np.uint8).tobytes()
                    if mode == cv2.RETR_LIST:
                        listed[approx] = contours
                else:
                    for contour in contours:
                        matches = [i for i, c in enumerate(listed[approx]) if np.array_equal(c, contour)]
                        assert matches, "a CCOMP/TREE contour missing from LIST"
                        out += struct.pack("<I", matches[0])
                out += links.astype("<i2").tobytes()
    with open(path, "wb") as handle:
        handle.write(out)
    return len(out)


# ---------------------------------------------------------------- geometry on point sets

def random_points(rng, index):
    n = int(rng.integers(1, 40))
    kind = index % 4
    if kind == 0:
        pts = rng.integers(-50, 50, size=(n, 2))
    elif kind == 1:
        pts = rng.integers(0, 8, size=(n, 2))  # many duplicates and collinear points
    elif kind == 2:
        t = rng.uniform(0, 2 * np.pi, size=n)
        pts = np.stack([np.round(30 * np.cos(t) + 5), np.round(12 * np.sin(t) - 3)], axis=1)
        angle = rng.uniform(0, np.pi)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        pts = np.round(pts @ rot.T)
    else:
        x = rng.integers(-20, 20)
        pts = np.stack([np.full(n, x), rng.integers(-20, 20, size=n)], axis=1)
        if rng.random() < 0.5:
            pts = pts[:, ::-1]
    return pts.astype(np.int32)


def write_geometry(path, count, rng):
    """Per case: u32 n, (i32 x, i32 y)*n; then
    f64 contourArea oriented, i32 x4 boundingRect, u32 hull count + i32 hull indices (clockwise=False),
    f32 x5 minAreaRect (cx, cy, w, h, angle), f32 x8 boxPoints."""
    out = bytearray(b"SKGM")
    out += struct.pack("<I", count)
    for index in range(count):
        pts = random_points(rng, index)
        out += struct.pack("<I", len(pts))
        out += pts.astype("<i4").tobytes()
        contour = pts.reshape(-1, 1, 2)
        out += struct.pack("<d", cv2.contourArea(contour, oriented=True))
        out += struct.pack("<4i", *cv2.boundingRect(contour))
        hull = cv2.convexHull(contour, clockwise=False, returnPoints=False).reshape(-1)
        out += struct.pack("<I", len(hull))
        out += hull.astype("<i4").tobytes()
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        out += np.array([cx, cy, rw, rh, angle], dtype="<f4").tobytes()
        out += cv2.boxPoints(((cx, cy), (rw, rh), angle)).astype("<f4").tobytes()
    with open(path, "wb") as handle:
        handle.write(out)
    return len(out)


# ---------------------------------------------------------------- real masks

def fnv1a(data: bytes) -> str:
    value = 0xCBF29CE484222325
    for byte in data:
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def serialise(contours, links):
    """The byte stream both sides digest: u32 count, per contour u32 n and i32 x, y; then i32 links."""
    out = bytearray(struct.pack("<I", len(contours)))
    for contour in contours:
        out += struct.pack("<I", len(contour))
        out += contour.astype("<i4").tobytes()
    out += links.astype("<i4").tobytes()
    return bytes(out)


def load_palette(name):
    with open(os.path.join("Schemas", "palettes", name + ".json")) as handle:
        return json.load(handle)


REAL_MASKS = [
    ("segmentation/loveda/ann_dir/0.png", None),
    ("segmentation/loveda/ann_dir/1.png", None),
    ("segmentation/loveda/ann_dir/2.png", None),
    ("segmentation/potsdam/ann_dir/2_10_0_0_512_512.png", None),
    ("segmentation/vaihingen/ann_dir/area1_0_0_512_512.png", None),
    ("isaid/train/images/P0002_instance_color_RGB.png", "isaid"),
    ("isaid/train/images/P0005_instance_color_RGB.png", "isaid"),
    ("isaid/val/images/P0003_instance_color_RGB.png", "isaid"),
    ("isaid/val/images/P0004_instance_color_RGB.png", "isaid"),
]


def real_fixtures(root):
    entries = []
    for relative, palette_name in REAL_MASKS:
        path = os.path.join(root, relative)
        if palette_name is None:
            labels = cv2.imread(path, cv2.IMREAD_UNCHANGED)
            classes = {int(v): (labels == v).astype(np.uint8) for v in np.unique(labels)}
        else:
            rgb = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            palette = load_palette(palette_name)
            classes = {}
            for entry in palette["classes"]:
                colour = np.array(entry["rgb"], np.uint8)
                binary = np.all(rgb == colour, axis=2).astype(np.uint8)
                if binary.any():
                    classes[int(entry["index"])] = binary
        per_class = {}
        for value, binary in sorted(classes.items()):
            digests = {}
            for mode_name, mode in zip(["external", "list", "ccomp", "tree"], MODES):
                for approx_name, approx in zip(["none", "simple"], APPROXES):
                    contours, links = find(binary, mode, approx)
                    digests[f"{mode_name}/{approx_name}"] = [len(contours), fnv1a(serialise(contours, links))]
            contours, _ = find(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            boxes = [list(cv2.boundingRect(c)) for c in contours]
            areas = [cv2.contourArea(c) for c in contours]
            per_class[str(value)] = {"digests": digests, "boxes": boxes, "areas": areas}
        entries.append({"path": relative, "palette": palette_name, "classes": per_class})
        print(f"  {relative}: {len(per_class)} classes", file=sys.stderr)
    return {"opencv": cv2.__version__, "masks": entries}


def real_rotated(root):
    entries = []
    for relative, palette_name in REAL_MASKS:
        path = os.path.join(root, relative)
        if palette_name is None:
            labels = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        else:
            rgb = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            labels = np.zeros(rgb.shape[:2], np.uint8)
            for entry in load_palette(palette_name)["classes"]:
                labels[np.all(rgb == np.array(entry["rgb"], np.uint8), axis=2)] = entry["index"]
        per_class = {}
        for value in np.unique(labels):
            contours, _ = find((labels == value).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            boxes = []
            for contour in contours:
                (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
                boxes.append([float(v) for v in np.array([cx, cy, w, h, angle], np.float32)])
            per_class[str(int(value))] = boxes
        entries.append({"path": relative, "palette": palette_name, "classes": per_class})
    return {"opencv": cv2.__version__, "masks": entries}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realdata", default=os.path.join("..", "shared", "realdata"))
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20240611, help="seed of the random masks (keep the default for the "
                        "committed fixture; others give extra one-off sweeps)")
    parser.add_argument("--geometry-cases", type=int, default=2000)
    parser.add_argument("--geometry-seed", type=int, default=7)
    parser.add_argument("--geometry-only", action="store_true",
                        help="only write the minAreaRect fixture of this OpenCV's angle convention")
    args = parser.parse_args()
    os.makedirs(FIXTURES, exist_ok=True)
    major, minor = (int(part) for part in cv2.__version__.split(".")[:2])
    convention = "current" if (major, minor) >= (4, 13) else "legacy"
    name = f"geometry_{convention}.bin"
    size = write_geometry(os.path.join(FIXTURES, name), args.geometry_cases, np.random.default_rng(args.geometry_seed))
    print(f"{name}: {size} bytes, OpenCV {cv2.__version__}", file=sys.stderr)
    if os.path.isdir(args.realdata):
        with open(os.path.join(FIXTURES, f"realdata_rotated_{convention}.json"), "w") as handle:
            json.dump(real_rotated(args.realdata), handle, separators=(",", ":"))
    if args.geometry_only:
        return
    rng = np.random.default_rng(args.seed)
    size = write_contours(os.path.join(FIXTURES, "contours_random.bin"), random_cases(rng, args.cases))
    print(f"contours_random.bin: {size} bytes, OpenCV {cv2.__version__}", file=sys.stderr)
    if os.path.isdir(args.realdata):
        data = real_fixtures(args.realdata)
        with open(os.path.join(FIXTURES, "realdata_contours.json"), "w") as handle:
            json.dump(data, handle, separators=(",", ":"))
    else:
        print(f"no real data at {args.realdata}; realdata_contours.json left as it was", file=sys.stderr)


if __name__ == "__main__":
    main()
