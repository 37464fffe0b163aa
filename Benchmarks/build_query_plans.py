#!/usr/bin/env python3
"""EXPLAIN QUERY PLAN of the per-item queries on the build's hot paths, run against a built corpus: each must find
its rows through an index (SEARCH), never by walking a table (SCAN), or the stage is quadratic.

Usage: python3 Benchmarks/build_query_plans.py CORPUS.sqlite
The queries are copied from Sources/SkyStorage (MaskTable, ImageTable, IngestStatements, CaptionTable, BuildTable,
PromptTable); whole-table reads that run once per stage (exports, hashes) are listed for completeness.
Exit status 1 when a per-item query scans.
"""
import sqlite3
import sys

PER_ITEM = {
    "m2b: image listing a mask (imageListingMask)": ("SELECT image.*, mask.palette AS mask_palette FROM mask CROSS JOIN image "
                                                     "ON image.id = mask.image_id WHERE mask.path = ? AND image.root_id = ?", ["a", 1]),
    "m2b: image by id": ("SELECT * FROM image WHERE id = ?", [1]),
    "m2b: an image's m2b objects": ("SELECT * FROM object WHERE image_id = ? AND source = ? ORDER BY id", [1, "m2b"]),
    "m2b: delete an image's m2b objects": ("DELETE FROM object WHERE image_id = ? AND source = ?", [1, "m2b"]),
    "ingest: find image": ("SELECT id FROM image WHERE dataset_id = ? AND root_id = ? AND path = ?", [1, 1, "a"]),
    "ingest: image under another root": ("SELECT * FROM image WHERE root_id = ? AND path = ?", [1, "a"]),
    "ingest: count objects": ("SELECT COUNT(*) FROM object WHERE image_id = ? AND source = 'annotation'", [1]),
    "ingest: count captions": ("SELECT COUNT(*) FROM caption WHERE image_id = ? AND source = 'human'", [1]),
    "ingest: count masks": ("SELECT COUNT(*) FROM mask WHERE image_id = ?", [1]),
    "caption: an image's captions": ("SELECT text, rule FROM caption WHERE image_id = ? AND source = ? ORDER BY id", [1, "b2c"]),
    "caption: delete an image's captions": ("DELETE FROM caption WHERE image_id = ? AND source = ?", [1, "b2c"]),
    "hash: store a hash": ("UPDATE image SET phash = ?, unreadable = NULL WHERE id = ?", [1, 1]),
    "dedup: mark a duplicate": ("UPDATE image SET duplicate_of = ? WHERE id = ?", [1, 1]),
}
PER_STAGE = {
    "caption: a dataset's objects": ("SELECT o.* FROM object o JOIN image i ON i.id = o.image_id WHERE i.dataset_id = ? "
                                     "ORDER BY i.id, o.id", [1]),
    "m2b: a dataset's masks": ("SELECT m.image_id, m.path, m.palette, r.path FROM mask m JOIN image i ON i.id = m.image_id "
                               "JOIN dataset_root r ON r.id = i.root_id WHERE i.dataset_id = ? ORDER BY m.image_id, m.path", [1]),
    "build: ordinals to record": ("SELECT i.id, i.path FROM image i LEFT JOIN build_image b ON b.image_id = i.id "
                                  "WHERE i.dataset_id = ? AND b.image_id IS NULL", [1]),
    "prompts: delete a dataset's image prompts": ("DELETE FROM prompt WHERE template_set = ? AND image_id IN "
                                                  "(SELECT id FROM image WHERE dataset_id = ?)", ["t", 1]),
}


def main():
    connection = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    bad = 0
    for group, queries in (("per item", PER_ITEM), ("per stage", PER_STAGE)):
        for name, (sql, arguments) in queries.items():
            plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, arguments)]
            scans = [line for line in plan if line.startswith("SCAN") and "USING" not in line]
            if group == "per item" and scans:
                bad += 1
            print(f"{group:9} {name}: " + " | ".join(plan) + ("   <-- SCAN" if scans else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
