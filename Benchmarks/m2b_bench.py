#!/usr/bin/env python3
"""M2B benchmark: SkyCorpus's one-pass M2B (via skybench) against OpenCV's per-class pipeline on the same masks.

Usage: python3 Benchmarks/m2b_bench.py [--repeats N] [--contours MODE]
Masks: the three 1024x1024 LoveDA index masks and the four iSAID colour masks in ../shared/realdata.
Both sides get decoded label masks (iSAID colours mapped to class indices through Schemas/palettes/isaid.json
before timing). The OpenCV side gets the list of classes present for free (np.unique is not timed), then per class: (mask == c).astype(uint8), cv2.findContours
(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE), cv2.boundingRect per contour; the same boxes M2B returns.
With --contours MODE (external, list, ccomp, tree) both sides instead run the general per-class findContours in that
mode with CHAIN_APPROX_SIMPLE (SkyCorpus's Contours.find, which binarises each class itself).
Prints per-mask medians and the ratio OpenCV / SkyCorpus (above 1: SkyCorpus is faster).
"""
import argparse
import json
import os
import subprocess

import cv2
import numpy as np

from bench_timing import median_seconds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "realdata")
LOVEDA = [f"segmentation/loveda/ann_dir/{i}.png" for i in range(3)]
ISAID = ["isaid/train/images/P0002_instance_color_RGB.png", "isaid/train/images/P0005_instance_color_RGB.png",
         "isaid/val/images/P0003_instance_color_RGB.png", "isaid/val/images/P0004_instance_color_RGB.png"]


def skybench(*args):
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    output = subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def load_labels(path, palette):
    if palette is None:
        return cv2.imread(path, cv2.IMREAD_UNCHANGED)
    rgb = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    labels = np.zeros(rgb.shape[:2], np.uint8)
    for entry in palette["classes"]:
        labels[np.all(rgb == np.array(entry["rgb"], np.uint8), axis=2)] = entry["index"]
    return labels


MODES = {"external": cv2.RETR_EXTERNAL, "list": cv2.RETR_LIST, "ccomp": cv2.RETR_CCOMP, "tree": cv2.RETR_TREE}


def opencv_m2b(labels, classes):
    boxes = []
    for value in classes:
        binary = (labels == value).astype(np.uint8)
        contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes.extend((int(value), cv2.boundingRect(c)) for c in contours)
    return boxes


def opencv_contours(labels, classes, mode):
    found = []
    for value in classes:
        contours, _ = cv2.findContours((labels == value).astype(np.uint8), MODES[mode], cv2.CHAIN_APPROX_SIMPLE)
        found.extend(contours)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--contours", choices=sorted(MODES))
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(ROOT, "Schemas", "palettes", "isaid.json")) as handle:
        isaid = json.load(handle)
    what = f"per-class findContours({args.contours}, SIMPLE)" if args.contours else "M2B"
    print(f"{what}: OpenCV {cv2.__version__}, median of {args.repeats} runs per mask (decode excluded, both sides)")
    for label, files, palette, name in (("LoveDA", LOVEDA, None, None), ("iSAID", ISAID, isaid, "isaid")):
        paths = [os.path.join(REAL, f) for f in files]
        extra = (["--palette", name] if name else []) + (["--contours", args.contours] if args.contours else [])
        sky = skybench("m2b", "--repeats", str(args.repeats), *extra, *paths)
        for path, mine in zip(paths, sky["per_mask"]):
            labels = load_labels(path, palette)
            classes = np.unique(labels)  # outside the timing: np.unique sorts the whole mask
            if args.contours:
                boxes = opencv_contours(labels, classes, args.contours)
                reference = median_seconds(lambda: opencv_contours(labels, classes, args.contours), args.repeats)
            else:
                boxes = opencv_m2b(labels, classes)
                reference = median_seconds(lambda: opencv_m2b(labels, classes), args.repeats)
            ours = mine["median_s"]
            same = "same count" if len(boxes) == mine["regions"] else f"COUNT DIFFERS ({len(boxes)})"
            print(f"{label:6} {os.path.basename(path):32} {labels.shape[1]}x{labels.shape[0]} "
                  f"{len(classes)} classes {mine['regions']:5} {'contours' if args.contours else 'boxes'} ({same}): "
                  f"SkyCorpus {ours * 1000:7.3f} ms  OpenCV {reference * 1000:7.3f} ms  x{reference / ours:.2f}")


if __name__ == "__main__":
    main()
