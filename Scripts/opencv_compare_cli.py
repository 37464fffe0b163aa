#!/usr/bin/env python3
"""Diffs `skycorpus contours --json` against cv2.findContours on one mask, for every mode and approximation.

Usage: python3 Scripts/opencv_compare_cli.py MASK [--class VALUE] [--skycorpus PATH]
MASK is an index PNG (gray or palette indices). Without --class every nonzero pixel is foreground, as in OpenCV.
Exits 1 when any mode or approximation differs, naming the first differing contour.
"""
import argparse
import json
import os
import subprocess
import sys

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = {"external": cv2.RETR_EXTERNAL, "list": cv2.RETR_LIST, "ccomp": cv2.RETR_CCOMP, "tree": cv2.RETR_TREE}
APPROXES = {"none": cv2.CHAIN_APPROX_NONE, "simple": cv2.CHAIN_APPROX_SIMPLE}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mask")
    parser.add_argument("--class", dest="value", type=int)
    parser.add_argument("--skycorpus", default=os.path.join(ROOT, ".build", "debug", "skycorpus"))
    args = parser.parse_args()
    labels = np.array(Image.open(args.mask))
    if labels.ndim != 2:
        sys.exit(f"{args.mask}: not an index mask ({labels.shape})")
    binary = (labels == args.value).astype(np.uint8) if args.value is not None else (labels != 0).astype(np.uint8)
    failures = 0
    for mode_name, mode in MODES.items():
        for approx_name, approx in APPROXES.items():
            command = [args.skycorpus, "contours", args.mask, "--mode", mode_name, "--approx", approx_name, "--json"]
            if args.value is not None:
                command += ["--class", str(args.value)]
            mine = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            contours, hierarchy = cv2.findContours(binary, mode, approx)
            theirs = [c.tolist() for c in contours]
            links = hierarchy.tolist() if hierarchy is not None else []
            same = theirs == mine["contours"] and links == mine["hierarchy"]
            detail = ""
            if not same:
                failures += 1
                first = next((i for i, (a, b) in enumerate(zip(theirs, mine["contours"])) if a != b), None)
                detail = f" (OpenCV {len(theirs)} contours, skycorpus {len(mine['contours'])}, first differing {first})"
            print(f"{mode_name:8} {approx_name:6} {len(theirs):6} contours: {'same' if same else 'DIFFERENT'}{detail}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
