#!/usr/bin/env python3
"""B2C caption benchmark: 1,000,000 synthetic objects over 100,000 images.

Usage: python3 Benchmarks/caption_bench.py [--images N] [--repeats R]
Builds skybench in release and runs `skybench caption`, which times (in process, median of R runs)
  logic  - the caption logic alone, objects in memory;
  dry    - reading the objects from the corpus plus the logic (nothing written);
  store  - the stored step: read, caption, delete the old B2C captions, insert, one transaction.
There is no released reference B2C (RemoteCLIP never published its code), so the reference here is the
SQLite floor: Python's sqlite3 deleting and inserting the very caption rows the step wrote (same texts, so
the same FTS5 work) into the same schema, triggers included, in one transaction. The step should be write-bound: store close
to the floor, logic well below it.
"""
import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def first_migration(ddl):
    """The v1 section of Schemas/corpus.sql (the tables the caption step touches)."""
    sections = re.split(r"^-- migration:.*$", ddl, flags=re.M)
    return sections[1]


def sqlite_floor(images, rows, repeats):
    ddl = first_migration(open(os.path.join(ROOT, "Schemas", "corpus.sql")).read())
    folder = tempfile.mkdtemp(prefix="skycorpus-caption-floor-")
    db = sqlite3.connect(os.path.join(folder, "floor.sqlite"), isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.executescript(ddl)
    db.execute("INSERT INTO dataset (id, name) VALUES (1, 'floor')")
    db.executemany("INSERT INTO image (id, dataset_id, path) VALUES (?, 1, ?)",
                   ((i + 1, f"{i}.png") for i in range(images)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        db.execute("BEGIN")
        db.execute("DELETE FROM caption WHERE source = 'b2c' AND image_id IN (SELECT id FROM image WHERE dataset_id = 1)")
        db.executemany("INSERT INTO caption (image_id, text, source, rule) VALUES (?, ?, 'b2c', ?)", rows)
        db.execute("COMMIT")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    corpus = os.path.join(tempfile.mkdtemp(prefix="skycorpus-caption-bench-"), "bench.sqlite")
    result = json.loads(subprocess.run(
        [binary, "caption", "--images", str(args.images), "--repeats", str(args.repeats), "--corpus", corpus],
        check=True, capture_output=True, text=True).stdout)
    with sqlite3.connect(corpus) as db:
        rows = db.execute("SELECT image_id, text, rule FROM caption WHERE source = 'b2c' ORDER BY id").fetchall()
    mean_length = sum(len(row[1]) for row in rows) // max(1, len(rows))
    floor = sqlite_floor(args.images, rows, args.repeats)
    captions = result["stored"]
    print(f"{result['images']} images, {result['objects']} objects, {captions} captions "
          f"(mean {mean_length} characters), median of {args.repeats} runs")
    for label, seconds in (("caption logic alone", result["logic_median_s"]),
                           ("dry run (read + logic)", result["dry_run_median_s"]),
                           ("stored step (one transaction)", result["store_median_s"]),
                           ("SQLite floor (Python sqlite3 insert)", floor)):
        print(f"  {label:38} {seconds:8.3f} s  {captions / seconds:12,.0f} captions/s")
    print(f"  stored step / logic alone: x{result['store_median_s'] / result['logic_median_s']:.2f};  "
          f"stored step / SQLite floor: x{result['store_median_s'] / floor:.2f}")


if __name__ == "__main__":
    main()
