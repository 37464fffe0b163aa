#!/usr/bin/env python3
"""CLIP encoder benchmark and full-size parity check: SkyCorpus (skybench clip) against open_clip on torch (CPU).

Usage: python3 Benchmarks/clip_bench.py [--models ViT-B-32,RN50] [--threads 2] [--repeats 3] [--texts 64] [--rounds 1]

For each model, open_clip creates a randomly initialised full-size model (no weights can be downloaded here)
and saves it as safetensors in a scratch folder. Both sides then encode the same images (the RSICD JPEGs and
LEVIR-CD PNGs under ../shared/realdata: decode + preprocessing + image tower) and the same real captions
(tokenize + text tower), with the same thread count, in one run. Printed: median seconds and items/s of each
side, the ratios, SkyCorpus's peak RSS next to the weight bytes, the parity of the embeddings (worst cosine and
relative error), and the effect of the reduced-scale JPEG decode path on large JPEGs (DOTA scenes re-encoded).
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import tempfile

import numpy as np
import open_clip
import torch
from PIL import Image
from safetensors.torch import save_file

from bench_timing import median_seconds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "realdata")


def skybench(*args):
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    output = subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def parity(actual, expected):
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    rel = np.linalg.norm(actual - expected, axis=1) / np.linalg.norm(expected, axis=1)
    cos = (actual * expected).sum(1) / (np.linalg.norm(actual, axis=1) * np.linalg.norm(expected, axis=1))
    return float(rel.max()), float(cos.min())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="ViT-B-32,RN50")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--texts", type=int, default=64)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate open_clip and SkyCorpus image timings this many times; on a shared machine "
                             "the per-round ratios compare runs taken moments apart")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    images = sorted(glob.glob(os.path.join(REAL, "captions", "rsicd_images", "*.jpg")))
    images += sorted(glob.glob(os.path.join(REAL, "levir-cd", "A", "*.png")))[:10]
    with open(os.path.join(REAL, "captions", "amfmn_precomp", "rsitmd_test_caps.head250.txt"), encoding="utf-8") as f:
        texts = [line.strip() for line in f if line.strip()][: options.texts]
    scratch = tempfile.mkdtemp(prefix="skycorpus-clip-bench-")
    texts_file = os.path.join(scratch, "texts.txt")
    with open(texts_file, "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    # Large aerial JPEGs for the reduced-scale decode path: DOTA scenes re-encoded at quality 90.
    big_jpegs = []
    for path in sorted(glob.glob(os.path.join(REAL, "dota", "demo", "images", "*.png"))):
        target = os.path.join(scratch, os.path.basename(path)[:-4] + ".jpg")
        Image.open(path).convert("RGB").save(target, quality=90)
        big_jpegs.append(target)

    for name in options.models.split(","):
        torch.manual_seed(0)
        model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=None)
        model.eval()
        tokenizer = open_clip.get_tokenizer(name)
        quick = isinstance(model.transformer.resblocks[0].mlp.gelu, open_clip.transformer.QuickGELU)
        weights = os.path.join(scratch, f"{name}.safetensors")
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)

        def torch_images():
            out = []
            with torch.inference_mode():
                for start in range(0, len(images), options.batch):
                    batch = torch.stack([preprocess(Image.open(p)) for p in images[start:start + options.batch]])
                    out.append(model.encode_image(batch))
            return torch.cat(out)

        def torch_texts():
            with torch.inference_mode():
                return torch.cat([model.encode_text(tokenizer(texts[s:s + 64])) for s in range(0, len(texts), 64)])

        reference_images = torch_images().numpy()
        reference_texts = torch_texts().numpy()
        torch_image_s = median_seconds(torch_images, options.repeats)
        torch_text_s = median_seconds(torch_texts, options.repeats)

        out = os.path.join(scratch, f"{name}.swift.json")
        activation = "quickgelu" if quick else "gelu"
        sky = skybench("clip", "--model", weights, "--activation", activation, "--threads", str(options.threads),
                       "--repeats", str(options.repeats), "--batch", str(options.batch), "--texts", texts_file,
                       "--out", out, *images)
        # Further rounds: open_clip's images, then SkyCorpus's, back to back; ratios per round and their median.
        rounds = [(torch_image_s, sky["image_median_s"], os.getloadavg()[0])]
        for _ in range(options.rounds - 1):
            torch_s = median_seconds(torch_images, options.repeats)
            sky_s = skybench("clip", "--model", weights, "--activation", activation, "--threads", str(options.threads),
                             "--repeats", str(options.repeats), "--batch", str(options.batch), *images)["image_median_s"]
            rounds.append((torch_s, sky_s, os.getloadavg()[0]))
        with open(out) as f:
            embeddings = json.load(f)
        image_rel, image_cos = parity(embeddings["images"], reference_images)
        text_rel, text_cos = parity(embeddings["texts"], reference_texts)

        exact_out, fast_out = os.path.join(scratch, "exact.json"), os.path.join(scratch, "fast.json")
        exact = skybench("clip", "--model", weights, "--activation", activation, "--threads", str(options.threads),
                         "--repeats", str(options.repeats), "--out", exact_out, *big_jpegs)
        fast = skybench("clip", "--model", weights, "--activation", activation, "--threads", str(options.threads),
                        "--repeats", str(options.repeats), "--fast-jpeg", "--out", fast_out, *big_jpegs)
        with open(exact_out) as f, open(fast_out) as g:
            fast_rel, fast_cos = parity(json.load(g)["images"], json.load(f)["images"])

        weight_mb = os.path.getsize(weights) / 2**20
        print(f"== {name} ({activation}, {options.threads} threads, open_clip {open_clip.__version__}, torch {torch.__version__})")
        print(f"OpenBLAS kernel: {sky.get('blas_kernel', '?')} "
              f"(OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset: chosen from the CPU')})")
        print(f"images ({len(images)}): open_clip {torch_image_s:.3f} s ({len(images) / torch_image_s:.1f}/s), "
              f"SkyCorpus {sky['image_median_s']:.3f} s ({sky['images_per_s']:.1f}/s), ratio {torch_image_s / sky['image_median_s']:.2f}x")
        if len(rounds) > 1:
            ratios = [t / k for t, k, _ in rounds]
            print(f"  rounds (open_clip s / SkyCorpus s = ratio @ load): "
                  + ", ".join(f"{t:.3f}/{k:.3f} = {t / k:.2f}x @ {load:.1f}" for t, k, load in rounds)
                  + f"; median ratio {statistics.median(ratios):.2f}x, median SkyCorpus "
                  f"{len(images) / statistics.median(k for _, k, _ in rounds):.1f} images/s")
        print(f"  SkyCorpus split: preprocessing {sky['preprocess_median_s']:.3f} s, image tower {sky['image_tower_median_s']:.3f} s")
        print(f"texts ({len(texts)}): open_clip {torch_text_s:.3f} s ({len(texts) / torch_text_s:.1f}/s), "
              f"SkyCorpus {sky['text_median_s']:.3f} s ({sky['texts_per_s']:.1f}/s), ratio {torch_text_s / sky['text_median_s']:.2f}x; "
              f"SkyCorpus without the end-token shortcut {sky['text_full_context_s']:.3f} s")
        print(f"memory: SkyCorpus peak RSS {sky['peak_rss_mb']:.0f} MiB, weights file {weight_mb:.0f} MiB; load {sky['load_s']:.2f} s")
        print(f"parity: images max relative error {image_rel:.2e}, min cosine {image_cos:.8f}; "
              f"texts max relative error {text_rel:.2e}, min cosine {text_cos:.8f}")
        print(f"reduced-scale JPEG decode on {len(big_jpegs)} large JPEGs: {exact['image_median_s']:.3f} s -> "
              f"{fast['image_median_s']:.3f} s, embedding min cosine vs exact path {fast_cos:.6f}, max relative difference {fast_rel:.2e}")
        os.remove(weights)


if __name__ == "__main__":
    main()
