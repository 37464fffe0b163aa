#!/usr/bin/env python3
"""Embedding a whole corpus: `skycorpus embed` throughput, peak memory and time split over a generated corpus,
with a kill-and-resume check, in one run.

1. `skybench generate --images N --scale F` writes a RemoteCLIP-shaped synthetic set (reused when its manifest
   matches); a recipe with its datasets and no steps (`skycorpus build`) registers every image in a corpus.
2. open_clip creates a randomly initialised full-size model (ViT-B-32 by default; no weights are downloaded) and
   saves it as safetensors (reused when present).
3. Kill and resume: `skycorpus embed --what images` starts on a fresh copy of the corpus and is killed (SIGKILL)
   once at least --kill-at image embeddings are stored (the corpus is polled read-only); the embeddings then in
   the corpus are counted. A second `embed` on the same corpus must embed exactly the images still missing and
   leave every image embedded. That second run is the timed one: images/s from its summary (embedded images /
   the images' seconds, model load excluded) and over the whole process, its peak RSS (wait4), and the summary's
   time split: decode+preprocess (on the prefetch thread, overlapping the encoder), encode, store, and the time
   the encoder waited for decoded batches.
   With --clean, a further uninterrupted run over a fresh copy embeds the whole corpus (the plain throughput).

Prints the load average at start and end and the commit of the tree measured. Builds skycorpus and skybench in
release unless --no-build.

Usage: python3 Benchmarks/embed_bench.py [--images 10000] [--scale 0.5] [--model ViT-B-32] [--batch-size B]
                                         [--kill-at 64] [--clean] [--no-build] [--work DIR]
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

from bench_timing import measured

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, ".build", "release")
SKYCORPUS = os.path.join(RELEASE, "skycorpus")
SKYBENCH = os.path.join(RELEASE, "skybench")


def load():
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def generate(work, images, scale, seed):
    data = os.path.join(work, f"data-{images}-{scale}")
    manifest = os.path.join(data, "manifest.json")
    if os.path.exists(manifest):
        with open(manifest) as handle:
            found = json.load(handle)
        if found.get("images") == images and found.get("scale") == scale and found.get("seed") == seed:
            return data
    seconds, _, _, cpu = measured([SKYBENCH, "generate", "--out", data, "--images", str(images), "--scale",
                                       str(scale), "--seed", str(seed), "--force"])
    print(f"generated {images} images at scale {scale} in {seconds:.0f} s (CPU {cpu:.0f} s)", flush=True)
    return data


def register(data, work):
    """A corpus holding every image of the generated datasets (a recipe of its datasets, no steps)."""
    corpus = os.path.join(data, "registered.sqlite")
    if os.path.exists(corpus):
        return corpus
    recipe = os.path.join(data, "datasets-only.yaml")
    with open(os.path.join(data, "recipe.yaml")) as source, open(recipe, "w") as target:
        for line in source:
            if line.startswith(("steps:", "exports:")):
                break
            target.write(line)
    partial = corpus + ".partial"
    if os.path.exists(partial):
        os.remove(partial)
    seconds, _, _, _ = measured([SKYCORPUS, "build", recipe, "--corpus", partial, "--quiet"])
    os.rename(partial, corpus)
    print(f"registered the images in {seconds:.0f} s", flush=True)
    return corpus


def checkpoint(work, name):
    path = os.path.join(work, f"{name}-random.safetensors")
    if os.path.exists(path):
        return path
    import open_clip
    import torch
    from safetensors.torch import save_file
    torch.manual_seed(0)
    model, _, _ = open_clip.create_model_and_transforms(name, pretrained=None)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path + ".partial")
    os.rename(path + ".partial", path)
    return path


def count(corpus, what):
    connection = sqlite3.connect(f"file:{corpus}?mode=ro", uri=True, timeout=30)
    try:
        if what == "images":
            return connection.execute("SELECT COUNT(*) FROM image").fetchone()[0]
        return connection.execute("SELECT COUNT(*) FROM embedding WHERE item_kind = 'image'").fetchone()[0]
    finally:
        connection.close()


def fresh_copy(base, target):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    shutil.copyfile(base, target)


def embed_command(corpus, model, batch_size):
    command = [SKYCORPUS, "embed", "--corpus", corpus, "--json", "--quiet", "--model", model, "--what", "images"]
    return command + (["--batch-size", str(batch_size)] if batch_size else [])


def killed_run(corpus, model, batch_size, kill_at):
    """Starts embed, kills it once `kill_at` image embeddings are stored; returns how many were stored."""
    process = subprocess.Popen(embed_command(corpus, model, batch_size), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    stored = 0
    while process.poll() is None:
        time.sleep(0.2)
        try:
            stored = count(corpus, "embeddings")
        except sqlite3.OperationalError:
            continue
        if stored >= kill_at:
            os.kill(process.pid, signal.SIGKILL)
            break
    if process.wait() != -signal.SIGKILL:
        raise SystemExit(f"embed_bench: embed exited with status {process.returncode} before it was killed")
    return count(corpus, "embeddings")


def report(label, seconds, peak, cpu, summary, images):
    embedded = summary["embedded"].get("images", 0)
    image_seconds = summary["seconds"]["images"]
    print(f"{label}: {embedded} images embedded ({summary['total']['images']} of {images} now in the corpus); "
          f"{embedded / image_seconds:.2f} images/s over the images' {image_seconds:.1f} s; whole process "
          f"{seconds:.1f} s ({embedded / seconds:.2f} images/s, CPU {cpu:.0f} s), peak RSS {peak / 2**20:.0f} MiB")
    stages = summary.get("image_stages")
    if stages:
        print(f"  time split: decode+preprocess {stages['decode']:.1f} s (prefetch thread, overlapping), encode "
              f"{stages['encode']:.1f} s ({stages['encode'] / image_seconds:.0%}), store {stages['store']:.1f} s, "
              f"waited for decoding {stages['waiting']:.1f} s ({stages['waiting'] / image_seconds:.0%}); "
              f"decode+preprocess {stages['decode'] * 1000 / max(embedded, 1):.1f} ms/image, encode "
              f"{stages['encode'] * 1000 / max(embedded, 1):.1f} ms/image")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--batch-size", type=int, default=0, help="default: the library's")
    parser.add_argument("--kill-at", type=int, default=64)
    parser.add_argument("--clean", action="store_true", help="also time an uninterrupted run over a fresh copy")
    parser.add_argument("--work", default=os.path.join(ROOT, "Benchmarks", "out", "embed"))
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        for product in ("skycorpus", "skybench"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
    os.makedirs(args.work, exist_ok=True)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print(f"embed_bench at commit {commit}; load average {load()} at start; {os.cpu_count()} cores", flush=True)
    data = generate(args.work, args.images, args.scale, args.seed)
    base = register(data, args.work)
    images = count(base, "images")
    model = checkpoint(args.work, args.model)
    print(f"corpus: {images} images; model: random {args.model} ({os.path.getsize(model) / 1e6:.0f} MB safetensors)",
          flush=True)

    corpus = os.path.join(args.work, "run.sqlite")
    fresh_copy(base, corpus)
    stored = killed_run(corpus, model, args.batch_size, args.kill_at)
    print(f"killed (SIGKILL) with {stored} image embeddings stored; load average {load()}", flush=True)
    seconds, peak, stdout, cpu = measured(embed_command(corpus, model, args.batch_size))
    summary = json.loads(stdout)
    report("resumed run", seconds, peak, cpu, summary, images)
    embedded, total = summary["embedded"].get("images", 0), summary["total"]["images"]
    skipped = len(summary.get("skipped_images", [])) + summary.get("marked_unreadable", 0)
    resumed = embedded == images - stored - skipped and total == images - skipped
    print(f"resume check: {'PASS' if resumed else 'FAIL'} (stored before the kill {stored}, embedded now {embedded}, "
          f"in the corpus {total} of {images}, unreadable {skipped})", flush=True)

    if args.clean:
        fresh_copy(base, corpus)
        seconds, peak, stdout, cpu = measured(embed_command(corpus, model, args.batch_size))
        report("clean run", seconds, peak, cpu, json.loads(stdout), images)
    print(f"load average {load()} at end")
    return 0 if resumed else 1


if __name__ == "__main__":
    sys.exit(main())
