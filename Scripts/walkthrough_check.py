#!/usr/bin/env python3
"""Checks the corpus and exports the README walkthrough built (see Scripts/walkthrough.sh).

1. Every image row names a file on disk (no phantom images from caption files).
2. No export holds an image that does not decode: every image the CSV lists and every image member of the
   WebDataset shards is hashed by `skycorpus hash`, which decodes it fully.
3. The WebDataset shards take at most 1.1x the bytes of their distinct images plus their text members.
"""
import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
import tarfile

work, binary = sys.argv[1], sys.argv[2]
corpus = os.path.join(work, "corpus.sqlite")
failures = []

db = sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)
rows = db.execute("SELECT r.path, i.path FROM image i JOIN dataset_root r ON r.id = i.root_id").fetchall()
missing = [os.path.join(root, path) for root, path in rows if not os.path.isfile(os.path.join(root, path))]
if missing:
    failures.append(f"{len(missing)} of {len(rows)} images are not files on disk, first {missing[0]}")
print(f"walkthrough: {len(rows)} images in the corpus, {len(rows) - len(missing)} files on disk")

exported = set()
with open(os.path.join(work, "out", "train.csv"), newline="") as handle:
    for record in csv.DictReader(handle, delimiter="\t"):
        exported.add(record["filepath"])
shard_folder = os.path.join(work, "out", "shards")
members = os.path.join(work, "members")
os.makedirs(members, exist_ok=True)
image_bytes = text_bytes = shard_bytes = samples = 0
seen = set()
for name in sorted(os.listdir(shard_folder)):
    if not name.endswith(".tar"):
        continue
    shard_bytes += os.path.getsize(os.path.join(shard_folder, name))
    with tarfile.open(os.path.join(shard_folder, name)) as tar:
        for member in tar.getmembers():
            extension = member.name.rsplit(".", 1)[-1]
            if extension in ("png", "jpg", "jpeg"):
                samples += 1
                data = tar.extractfile(member).read()
                digest = hashlib.sha256(data).hexdigest()
                if digest in seen:
                    continue  # the same image's bytes again (per-caption layout): counted once
                seen.add(digest)
                image_bytes += member.size
                target = os.path.join(members, name + "-" + member.name)
                with open(target, "wb") as out:
                    out.write(data)
                exported.add(target)
            else:
                text_bytes += member.size
result = subprocess.run([binary, "hash", *sorted(exported)], capture_output=True, text=True)
if result.returncode != 0:
    failures.append("an exported image does not decode: " + (result.stderr.strip().splitlines() or ["?"])[0])
print(f"walkthrough: {len(exported)} exported images decode ({samples} WebDataset samples)")
limit = 1.1 * (image_bytes + text_bytes)
print(f"walkthrough: WebDataset {shard_bytes} bytes for {image_bytes} image and {text_bytes} text bytes "
      f"({shard_bytes / max(1, image_bytes + text_bytes):.3f}x, limit 1.1x)")
if shard_bytes > limit:
    failures.append(f"WebDataset shards take {shard_bytes} bytes, over 1.1x of {image_bytes + text_bytes}")
for failure in failures:
    print("walkthrough: FAILED: " + failure, file=sys.stderr)
sys.exit(1 if failures else 0)
