#!/usr/bin/env python3
"""Compares two SkyCorpus corpora by content, not by row ids: the same datasets and roots, images (path, split,
size, content hash, p-Hash, unreadable mark), masks, objects, captions, change pairs, prompts and duplicate marks
(each removed image named with the image kept), and byte-identical exports.

Usage: python3 Scripts/spark/compare_corpora.py A.sqlite B.sqlite [--skycorpus BIN] [--exports DIR_A DIR_B]
  --skycorpus BIN   also export both corpora (csv, jsonl, webdataset) with BIN and compare the files byte for byte
  --exports A B     compare two folders of exports written by the builds themselves (every file, byte for byte)
  --ignore PATTERN  with --exports, leave out top-level entries matching PATTERN (the corpus files, work folders)
Exit status 0 when equal, 1 with the first differences listed otherwise. Standard library only.
"""
import argparse
import collections
import fnmatch
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile

# Each query yields rows of logical keys: an image is (dataset, root path, relative path), never its id.
IMAGE_KEY = "d.name, r.path, i.path"
IMAGE_JOIN = "image i JOIN dataset d ON d.id = i.dataset_id JOIN dataset_root r ON r.id = i.root_id"
QUERIES = {
    "datasets": "SELECT name, format, priority FROM dataset",
    "roots": "SELECT d.name, r.path FROM dataset_root r JOIN dataset d ON d.id = r.dataset_id",
    "images": f"SELECT {IMAGE_KEY}, i.split, i.width, i.height, i.content_hash, i.phash, i.unreadable FROM {IMAGE_JOIN}",
    "masks": f"SELECT {IMAGE_KEY}, m.path, m.palette FROM mask m JOIN {IMAGE_JOIN} AND i.id = m.image_id",
    "objects": f"SELECT {IMAGE_KEY}, o.class, o.raw_class, o.x, o.y, o.w, o.h, o.rotated, o.polygon, o.source, "
               f"o.difficult, o.ignore, o.truncated FROM object o JOIN {IMAGE_JOIN} AND i.id = o.image_id",
    "captions": f"SELECT {IMAGE_KEY}, c.text, c.source, c.rule FROM caption c JOIN {IMAGE_JOIN} AND i.id = c.image_id",
    "duplicates": f"SELECT {IMAGE_KEY}, kd.name, kr.path, k.path FROM {IMAGE_JOIN} "
                  "JOIN image k ON k.id = i.duplicate_of JOIN dataset kd ON kd.id = k.dataset_id "
                  "JOIN dataset_root kr ON kr.id = k.root_id",
    "change_pairs": "SELECT d.name, br.path, b.path, ar.path, a.path, p.label_path, p.label2_path, p.split "
                    "FROM change_pair p JOIN dataset d ON d.id = p.dataset_id "
                    "JOIN image b ON b.id = p.before_image_id JOIN dataset_root br ON br.id = b.root_id "
                    "JOIN image a ON a.id = p.after_image_id JOIN dataset_root ar ON ar.id = a.root_id",
    "prompts": "SELECT d.name, r.path, i.path, p.template_set, p.class, p.text FROM prompt p "
               "LEFT JOIN dataset d ON d.id = p.dataset_id LEFT JOIN image i ON i.id = p.image_id "
               "LEFT JOIN dataset_root r ON r.id = i.root_id",
}


def rows(path, query):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return collections.Counter(tuple(row) for row in connection.execute(query))
    except sqlite3.OperationalError as error:
        raise SystemExit(f"compare_corpora: {path}: {error}")
    finally:
        connection.close()


def compare_tables(a, b, limit=5):
    problems = []
    for name, query in QUERIES.items():
        left, right = rows(a, query), rows(b, query)
        if left == right:
            print(f"  {name}: {sum(left.values())} rows equal")
            continue
        only_a, only_b = left - right, right - left
        problems.append(f"{name}: {sum(left.values())} vs {sum(right.values())} rows, "
                        f"{sum(only_a.values())} only in A, {sum(only_b.values())} only in B")
        for row in list(only_a)[:limit]:
            problems.append(f"    only in A: {row}")
        for row in list(only_b)[:limit]:
            problems.append(f"    only in B: {row}")
    return problems


def digests(folder, ignore=()):
    """SHA-256 of every file below `folder`, by relative path; a path whose first part matches an `ignore`
    pattern (fnmatch) is left out."""
    found = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            relative = os.path.relpath(path, folder)
            if any(fnmatch.fnmatch(relative.split(os.sep)[0], pattern) for pattern in ignore):
                continue
            with open(path, "rb") as handle:
                found[relative] = hashlib.sha256(handle.read()).hexdigest()
    return found


def compare_folders(a, b, ignore=()):
    left, right = digests(a, ignore), digests(b, ignore)
    problems = [f"exports: {name} only in {a}" for name in sorted(set(left) - set(right))]
    problems += [f"exports: {name} only in {b}" for name in sorted(set(right) - set(left))]
    problems += [f"exports: {name} differs" for name in sorted(set(left) & set(right)) if left[name] != right[name]]
    if not problems:
        print(f"  exports: {len(left)} files byte-identical")
    return problems


def export_both(binary, a, b):
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        for corpus, side in ((a, "A"), (b, "B")):
            out = os.path.join(scratch, side)
            os.makedirs(out)
            for kind, target in (("csv", "train.csv"), ("jsonl", "corpus.jsonl"), ("webdataset", "shards")):
                subprocess.run([binary, "export", "--format", kind, "--out", os.path.join(out, target),
                                "--corpus", corpus, "--quiet"], check=True)
        problems += compare_folders(os.path.join(scratch, "A"), os.path.join(scratch, "B"))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--skycorpus", help="export both corpora with this binary and compare the files")
    parser.add_argument("--exports", nargs=2, metavar=("DIR_A", "DIR_B"), help="compare two export folders")
    parser.add_argument("--ignore", action="append", default=[],
                        help="with --exports: leave out entries of the folders matching this pattern (repeatable)")
    args = parser.parse_args()
    print(f"compare {args.a} (A) with {args.b} (B)")
    problems = compare_tables(args.a, args.b)
    if args.skycorpus:
        problems += export_both(args.skycorpus, args.a, args.b)
    if args.exports:
        problems += compare_folders(*args.exports, ignore=args.ignore)
    if problems:
        print("DIFFERENT:\n" + "\n".join(problems))
        return 1
    print("equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
