#!/usr/bin/env python3
"""Ingest benchmark: SkyCorpus against a Python reference on the same synthetic data.

Usage: python3 Benchmarks/ingest_bench.py [--files N] [--objects-per-file K] [--coco-annotations M] [--keep DIR]

1. DOTA: writes N label files (default 10,000) with K objects each (default 30, with `imagesource:`/`gsd:` headers
   and some boxes over the border) beside 1024x1024 PNG images (hard links of one file), then times
   - skybench ingest-dota: SkyCorpus reading the labels and image headers, and a full ingest into a new corpus;
   - the reference: a DOTA_devkit-style Python parse (`parse_dota_poly`: split lines, 8 floats, class,
     difficulty) plus PIL.Image.open(...).size for each image header, the same work as SkyCorpus's read.
   and prints medians, label files and objects per second, and the ratio.
2. COCO: writes one instances JSON of M annotations (default 1,000,000; boxes and polygons) over 10,000 images
   and reports SkyCorpus's read time, full ingest time and peak memory against the file size, beside Python's
   json.load + pycocotools-style index (peak memory measured in a child process).
Builds skybench in release first.
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = ["plane", "ship", "storage-tank", "baseball-diamond", "tennis-court", "basketball-court",
           "ground-track-field", "harbor", "bridge", "large-vehicle", "small-vehicle", "helicopter",
           "roundabout", "soccer-ball-field", "swimming-pool"]
REPEATS = 3


def skybench(*args):
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    output = subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def make_dota(folder, files, per_file, rng):
    images, labels = os.path.join(folder, "images"), os.path.join(folder, "labelTxt")
    os.makedirs(images)
    os.makedirs(labels)
    template = os.path.join(folder, "template.png")
    Image.new("L", (1024, 1024)).save(template)
    for index in range(files):
        name = f"P{index:05d}"
        os.link(template, os.path.join(images, name + ".png"))
        lines = ["imagesource:GoogleEarth", f"gsd:{rng.uniform(0.1, 1.0):.12f}"]
        for _ in range(per_file):
            cx, cy = rng.uniform(0, 1024), rng.uniform(0, 1024)
            w, h = rng.uniform(4, 80), rng.uniform(4, 80)
            xs = [cx - w / 2, cx + w / 2, cx + w / 2, cx - w / 2]
            ys = [cy - h / 2, cy - h / 2, cy + h / 2, cy + h / 2]
            coords = " ".join(f"{x:.1f} {y:.1f}" for x, y in zip(xs, ys))
            lines.append(f"{coords} {rng.choice(CLASSES)} {rng.choice((0, 0, 0, 1))}")
        with open(os.path.join(labels, name + ".txt"), "w") as f:
            f.write("\n".join(lines) + "\n")


def reference_dota(folder):
    """DOTA_devkit-style parse (dota_utils.parse_dota_poly) plus the image size from the header."""
    objects = 0
    labels = os.path.join(folder, "labelTxt")
    for name in sorted(os.listdir(labels)):
        stem = name[:-4]
        with Image.open(os.path.join(folder, "images", stem + ".png")) as image:
            width, height = image.size
        parsed = []
        with open(os.path.join(labels, name)) as f:
            for line in f:
                fields = line.strip().split(" ")
                if len(fields) < 9:
                    continue  # imagesource: / gsd: headers
                poly = [(float(fields[i]), float(fields[i + 1])) for i in range(0, 8, 2)]
                xs, ys = [p[0] for p in poly], [p[1] for p in poly]
                box = (max(min(xs), 0), max(min(ys), 0), min(max(xs), width), min(max(ys), height))
                parsed.append({"poly": poly, "name": fields[8], "difficult": fields[9] if len(fields) > 9 else "0",
                               "box": box})
        objects += len(parsed)
    return objects


def make_coco(folder, annotations, rng):
    images_dir = os.path.join(folder, "train")
    os.makedirs(images_dir)
    os.makedirs(os.path.join(folder, "annotations"))
    template = os.path.join(folder, "template.png")
    Image.new("L", (8, 8)).save(template)
    image_count = 10_000
    path = os.path.join(folder, "annotations", "instances_train.json")
    with open(path, "w") as f:
        f.write('{"images": [')
        for index in range(image_count):
            os.link(template, os.path.join(images_dir, f"{index}.png"))
            f.write(("," if index else "") + json.dumps({"id": index + 1, "file_name": f"{index}.png",
                                                          "width": 1024, "height": 1024}))
        f.write('], "categories": [')
        f.write(",".join(json.dumps({"id": 100 + i, "name": name}) for i, name in enumerate(CLASSES)))
        f.write('], "annotations": [')
        for index in range(annotations):
            x, y, w, h = (round(rng.uniform(0, 900), 2), round(rng.uniform(0, 900), 2),
                          round(rng.uniform(4, 100), 2), round(rng.uniform(4, 100), 2))
            record = {"id": index + 1, "image_id": rng.randrange(image_count) + 1, "category_id": 100 + rng.randrange(15),
                      "bbox": [x, y, w, h], "area": round(w * h, 2), "iscrowd": 0,
                      "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]]}
            f.write(("," if index else "") + json.dumps(record))
        f.write("]}")
    return path


def reference_coco_child(path):
    """Runs in a child process: json.load and a pycocotools-style index; prints seconds and peak RSS."""
    start = time.perf_counter()
    with open(path) as f:
        data = json.load(f)
    by_image = {}
    for annotation in data["annotations"]:
        by_image.setdefault(annotation["image_id"], []).append(annotation)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "annotations": len(data["annotations"])}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--coco-child":
        reference_coco_child(sys.argv[2])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--objects-per-file", type=int, default=30)
    parser.add_argument("--coco-annotations", type=int, default=1_000_000)
    parser.add_argument("--keep", help="build the data here and keep it")
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    scratch = args.keep or tempfile.mkdtemp(prefix="skycorpus-ingest-bench-")
    rng = random.Random(20261121)
    try:
        dota = os.path.join(scratch, "dota")
        if not os.path.isdir(dota):
            make_dota(dota, args.files, args.objects_per_file, rng)
        sky = skybench("ingest-dota", dota, "--repeats", str(REPEATS))
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            objects = reference_dota(dota)
            times.append(time.perf_counter() - start)
        ref = statistics.median(times)
        print(f"DOTA {sky['label_files']} label files, {sky['objects']} objects (SkyCorpus keeps boxes with area), "
              f"reference parsed {objects}; median of {REPEATS}")
        print(f"  read (labels + image headers): SkyCorpus {sky['read_median_s']:.3f} s "
              f"({sky['label_files'] / sky['read_median_s']:,.0f} files/s, {sky['objects'] / sky['read_median_s']:,.0f} objects/s)"
              f"   Python DOTA_devkit-style {ref:.3f} s ({args.files / ref:,.0f} files/s)   speed-up x{ref / sky['read_median_s']:.2f}")
        print(f"  full ingest into a new corpus: SkyCorpus {sky['ingest_median_s']:.3f} s "
              f"({sky['files_per_s']:,.0f} files/s, {sky['objects_per_s']:,.0f} objects/s)")
        if args.coco_annotations > 0:
            coco = os.path.join(scratch, "coco")
            path = os.path.join(coco, "annotations", "instances_train.json")
            if not os.path.isfile(path):
                path = make_coco(coco, args.coco_annotations, rng)
            size = os.path.getsize(path)
            sky = skybench("ingest-coco", coco, "--corpus", os.path.join(scratch, "coco-corpus.sqlite"))
            child = subprocess.run([sys.executable, __file__, "--coco-child", path], check=True,
                                   capture_output=True, text=True).stdout
            ref = json.loads(child)
            print(f"COCO {args.coco_annotations:,} annotations, JSON {size / 2**20:.0f} MiB")
            print(f"  SkyCorpus read {sky['read_s']:.2f} s, peak RSS {sky['read_peak_rss_bytes'] / 2**20:.0f} MiB "
                  f"= {sky['read_peak_rss_bytes'] / size:.2f} x file size ({sky['objects']:,} objects)")
            print(f"  SkyCorpus full ingest into a new corpus {sky['ingest_s']:.2f} s "
                  f"({sky['objects'] / sky['ingest_s']:,.0f} objects/s), peak RSS {sky['peak_rss_bytes'] / 2**20:.0f} MiB "
                  f"= {sky['peak_rss_bytes'] / size:.2f} x file size")
            print(f"  Python json.load + index {ref['seconds']:.2f} s, peak RSS {ref['peak_rss_bytes'] / 2**20:.0f} MiB "
                  f"= {ref['peak_rss_bytes'] / size:.2f} x file size   speed-up x{ref['seconds'] / sky['read_s']:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
