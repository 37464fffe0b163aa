#!/usr/bin/env python3
"""CLIP encoder benchmark against the machine's limits: SkyCorpus (skybench clip, skycorpus encode) against
open_clip on torch (CPU), same thread count, one run.

Usage: python3 Benchmarks/clip_bench.py [--models ViT-B-32,RN50] [--threads 2] [--batches 1,32,256] [--repeats 3]
                                       [--big-repeats 1] [--no-bf16] [--encode-images 32] [--compare-kernels avx2]

For each model, open_clip creates a randomly initialised full-size model (no weights can be downloaded here) and
saves it as safetensors in a scratch folder. Then, per batch size B (images and texts both in batches of B; B
items, at least 8: the real RSICD JPEGs and LEVIR-CD PNGs under ../shared/realdata and RSITMD captions, cycled):
- image tower images/s (pixels preprocessed once on each side; `skybench clip --tower-only`) and text tower
  texts/s (tokenize + tower; SkyCorpus stops each text at its end token, torch runs the full context) of
  SkyCorpus fp32, SkyCorpus bf16 (where the CPU has AVX512-BF16) and open_clip, the ratios, and each as a
  fraction of the machine's FP32 FMA peak (`skybench limits --only fma`: the widest FMA loop, all threads, from
  per-thread CPU time): by wall time (items/s x FLOPs per item / peak) and by CPU time (FLOPs per process
  CPU-second / the per-core peak; the one to read on a shared machine). bf16 is also given against the bf16
  dot-product peak. FLOPs per item from the architecture (2 per multiply-add; convolutions as direct
  convolutions, the text tower over the full context as open_clip runs it);
- parity: worst cosine of SkyCorpus fp32 and bf16 against open_clip, and of bf16 against SkyCorpus fp32;
- whole-process `skycorpus encode` of N images (process start, model load, decode, preprocessing, tower,
  printing; --batch-size N) against open_clip in-process (decode + preprocess + encode_image of the same files,
  model already loaded), median of --repeats.
Batches of 256 run --big-repeats times (default 1). `--compare-kernels avx2,openblas` also times the fp32 image
tower with SKYCLIP_GEMM set to each. The load average is printed beside every figure.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import open_clip
import torch
from PIL import Image
from safetensors.torch import save_file

from bench_timing import median_seconds
from limits import bf16_peak, fma_peak, measure as measure_limits

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "realdata")


def skybench(*args, env=None):
    binary = os.path.join(ROOT, ".build", "release", "skybench")
    output = subprocess.run([binary, *args], check=True, capture_output=True, text=True,
                            env={**os.environ, **(env or {})}).stdout
    return json.loads(output.strip().splitlines()[-1])


def median_cpu_seconds(body, repeats):
    """The median process CPU seconds (all threads) of `repeats` calls of `body()`."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        body()
        times.append(time.process_time() - start)
    return statistics.median(times)


def median_wall_and_cpu(body, repeats):
    """The median wall seconds and the median process CPU seconds of the same `repeats` calls of `body()`."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def transformer_macs(width, layers, hidden, tokens):
    """Multiply-adds of `layers` pre-norm blocks over `tokens` tokens: qkv, scores, weighted sum, out, MLP."""
    return layers * (tokens * width * 3 * width + 2 * tokens * tokens * width + tokens * width * width
                     + 2 * tokens * width * hidden)


def image_flops(model, image_size):
    """FLOPs (2 per multiply-add) of one image through the image tower, from the architecture."""
    visual = model.visual
    if hasattr(visual, "conv1") and hasattr(visual, "transformer"):  # VisionTransformer
        width, patch = visual.conv1.weight.shape[0], visual.conv1.weight.shape[2]
        grid = image_size // patch
        tokens = visual.positional_embedding.shape[0]
        hidden = visual.transformer.resblocks[0].mlp.c_fc.weight.shape[0]
        macs = grid * grid * 3 * patch * patch * width
        macs += transformer_macs(width, len(visual.transformer.resblocks), hidden, tokens)
        macs += width * visual.proj.shape[1]
        return 2 * macs
    # ModifiedResNet: every convolution as a direct convolution (forward hooks), then the attention pool.
    macs = [0]

    def count(module, inputs, output):
        w = module.weight
        macs[0] += output.shape[2] * output.shape[3] * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3]

    hooks = [m.register_forward_hook(count) for m in visual.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.inference_mode():
        visual(torch.zeros(1, 3, image_size, image_size))
    for hook in hooks:
        hook.remove()
    pool = visual.attnpool
    dim, tokens = pool.k_proj.weight.shape[1], pool.positional_embedding.shape[0]
    # k and v for every token; q, the scores, the weighted sum and c_proj for the pooled (first) token only.
    macs[0] += 2 * tokens * dim * dim + dim * dim + 2 * tokens * dim + dim * pool.c_proj.weight.shape[0]
    return 2 * macs[0]


def text_flops(model):
    """FLOPs of one text through the text tower over the full context, as open_clip runs it."""
    blocks = model.transformer.resblocks
    width, hidden = blocks[0].mlp.c_fc.weight.shape[1], blocks[0].mlp.c_fc.weight.shape[0]
    tokens = model.positional_embedding.shape[0]
    return 2 * (transformer_macs(width, len(blocks), hidden, tokens) + width * model.text_projection.shape[1])


def parity(actual, expected):
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    rel = np.linalg.norm(actual - expected, axis=1) / np.linalg.norm(expected, axis=1)
    cos = (actual * expected).sum(1) / (np.linalg.norm(actual, axis=1) * np.linalg.norm(expected, axis=1))
    return float(rel.max()), float(cos.min())


def load():
    return os.getloadavg()[0]


def cycled(items, count):
    return [items[i % len(items)] for i in range(count)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="ViT-B-32,RN50")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batches", default="1,32,256")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big-repeats", type=int, default=1, help="repeats for batches of 256 and more")
    parser.add_argument("--no-bf16", action="store_true")
    parser.add_argument("--encode-images", type=int, default=32)
    parser.add_argument("--compare-kernels", default="", help="SKYCLIP_GEMM values to time the fp32 image tower with")
    parser.add_argument("--no-build", action="store_true")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    if not options.no_build:
        for product in ("skybench", "skycorpus"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
    real_images = sorted(glob.glob(os.path.join(REAL, "captions", "rsicd_images", "*.jpg")))
    real_images += sorted(glob.glob(os.path.join(REAL, "levir-cd", "A", "*.png")))
    with open(os.path.join(REAL, "captions", "amfmn_precomp", "rsitmd_test_caps.head250.txt"), encoding="utf-8") as f:
        real_texts = [line.strip() for line in f if line.strip()]
    batches = [int(b) for b in options.batches.split(",")]
    limits = measure_limits(options.threads, 3, only="fma", build=False)
    peak, dot_peak = fma_peak(limits), bf16_peak(limits)
    bf16 = not options.no_bf16 and limits.get("avx512_bf16", False)
    print(f"FP32 FMA peak ({options.threads} threads, from per-thread CPU time): {peak:.1f} GFLOP/s"
          + (f"; bf16 dot-product peak {dot_peak:.1f} GFLOP/s" if dot_peak else "")
          + f"; OpenBLAS core {limits['openblas_core']}; own GEMM {limits['gemm_backend']}; load {load():.1f}")
    scratch = tempfile.mkdtemp(prefix="skycorpus-clip-bench-")

    for name in options.models.split(","):
        torch.manual_seed(0)
        model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=None)
        model.eval()
        tokenizer = open_clip.get_tokenizer(name)
        quick = isinstance(model.transformer.resblocks[0].mlp.gelu, open_clip.transformer.QuickGELU)
        weights = os.path.join(scratch, f"{name}.safetensors")
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)
        activation = "quickgelu" if quick else "gelu"
        size = model.visual.image_size
        size = size[0] if isinstance(size, (tuple, list)) else size
        per_image, per_text = image_flops(model, size), text_flops(model)
        print(f"\n== {name} ({activation}, {options.threads} threads, open_clip {open_clip.__version__}, torch {torch.__version__}): "
              f"{per_image / 1e9:.2f} GFLOP per image, {per_text / 1e9:.2f} GFLOP per text (full {model.context_length}-token context)")
        print("| batch | side | images/s (tower) | image CPU-s | % FMA peak wall / CPU | texts/s | % peak wall / CPU (effective) | load |")
        print("|---|---|---|---|---|---|---|---|")

        def fractions(count, flops, seconds, cpu_seconds, ceiling):
            return (count * flops / seconds / 1e9 / ceiling, count * flops / cpu_seconds / 1e9 / (ceiling / options.threads))

        def row(batch, side, images, texts, image_s, image_cpu, text_s, text_cpu, ceiling):
            iw, ic = fractions(images, per_image, image_s, image_cpu, ceiling)
            tw, tc = fractions(texts, per_text, text_s, text_cpu, ceiling)
            print(f"| {batch} | {side} | {images / image_s:.1f} | {image_cpu:.2f} | {iw:.0%} / {ic:.0%} | {texts / text_s:.1f} | "
                  f"{tw:.0%} / {tc:.0%} | {load():.1f} |")

        summary = []
        for batch in batches:
            repeats = options.big_repeats if batch >= 256 else options.repeats
            images, texts = cycled(real_images, max(batch, 8)), cycled(real_texts, max(batch, 8))
            texts_file = os.path.join(scratch, "texts.txt")
            with open(texts_file, "w", encoding="utf-8") as f:
                f.write("\n".join(texts) + "\n")
            pixels = torch.stack([preprocess(Image.open(p).convert("RGB")) for p in images])
            tokens = tokenizer(texts)

            def torch_tower():
                with torch.inference_mode():
                    return torch.cat([model.encode_image(pixels[s:s + batch]) for s in range(0, len(images), batch)])

            def torch_text():
                with torch.inference_mode():
                    return torch.cat([model.encode_text(tokens[s:s + batch]) for s in range(0, len(texts), batch)])

            reference_images, reference_texts = torch_tower().numpy(), torch_text().numpy()
            torch_image_s, torch_image_cpu = median_wall_and_cpu(torch_tower, repeats)
            torch_text_s, torch_text_cpu = median_wall_and_cpu(torch_text, repeats)
            row(batch, "open_clip", len(images), len(texts), torch_image_s, torch_image_cpu, torch_text_s, torch_text_cpu, peak)
            common = ["--model", weights, "--activation", activation, "--threads", str(options.threads), "--repeats", str(repeats),
                      "--batch", str(batch), "--text-batch", str(batch), "--tower-only", "--texts", texts_file]
            results = {}
            for precision in ["fp32"] + (["bf16"] if bf16 else []):
                out = os.path.join(scratch, f"{name}.{precision}.json")
                sky = skybench("clip", *common, "--precision", precision, "--out", out, *images)
                with open(out) as f:
                    vectors = json.load(f)
                results[precision] = (sky, vectors)
                row(batch, f"SkyCorpus {precision}", len(images), len(texts), sky["image_tower_median_s"], sky["image_tower_cpu_median_s"],
                    sky["text_median_s"], sky["text_cpu_median_s"], peak)
                if precision == "bf16" and dot_peak:
                    iw, ic = fractions(len(images), per_image, sky["image_tower_median_s"], sky["image_tower_cpu_median_s"], dot_peak)
                    print(f"| {batch} | (bf16 against the bf16 dot-product peak) | | | {iw:.0%} / {ic:.0%} | | | |")
            for gemm in [g for g in options.compare_kernels.split(",") if g]:
                other = skybench("clip", *common, *images, env={"SKYCLIP_GEMM": gemm})
                row(batch, f"SkyCorpus fp32, SKYCLIP_GEMM={gemm}", len(images), len(texts), other["image_tower_median_s"],
                    other["image_tower_cpu_median_s"], other["text_median_s"], other["text_cpu_median_s"], peak)
            sky, vectors = results["fp32"]
            parity_line = (f"batch {batch}: images {sky['image_tower_median_s'] and torch_image_s / sky['image_tower_median_s']:.2f}x open_clip "
                           f"(CPU {torch_image_cpu / sky['image_tower_cpu_median_s']:.2f}x), texts {torch_text_s / sky['text_median_s']:.2f}x "
                           f"(CPU {torch_text_cpu / sky['text_cpu_median_s']:.2f}x); fp32 vs open_clip min cosine images "
                           f"{parity(vectors['images'], reference_images)[1]:.8f}, texts {parity(vectors['texts'], reference_texts)[1]:.8f}")
            if "bf16" in results:
                low, low_vectors = results["bf16"]
                parity_line += (f"; bf16 speed {sky['image_tower_median_s'] / low['image_tower_median_s']:.2f}x fp32 images "
                                f"(CPU {sky['image_tower_cpu_median_s'] / low['image_tower_cpu_median_s']:.2f}x), "
                                f"{sky['text_median_s'] / low['text_median_s']:.2f}x texts; bf16 min cosine vs fp32 images "
                                f"{parity(low_vectors['images'], vectors['images'])[1]:.6f}, texts {parity(low_vectors['texts'], vectors['texts'])[1]:.6f}; "
                                f"vs open_clip images {parity(low_vectors['images'], reference_images)[1]:.6f}")
            summary.append(parity_line)
        print("\n" + "\n".join(summary))

        # Whole process: `skycorpus encode` of N image files against open_clip in-process on the same files.
        files = cycled(real_images, options.encode_images)
        binary = os.path.join(ROOT, ".build", "release", "skycorpus")
        command = [binary, "encode", "--model", weights, "--activation", activation, "--threads", str(options.threads),
                   "--batch-size", str(len(files))] + [arg for path in files for arg in ("--image", path)]

        def whole_process(precision):
            subprocess.run(command + ["--precision", precision], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def torch_files():
            with torch.inference_mode():
                return model.encode_image(torch.stack([preprocess(Image.open(p).convert("RGB")) for p in files]))

        torch_files_s = median_seconds(torch_files, options.repeats)
        line = f"whole process, {len(files)} images: open_clip in-process {torch_files_s:.3f} s"
        for precision in ["fp32"] + (["bf16"] if bf16 else []):
            seconds = median_seconds(lambda: whole_process(precision), options.repeats)
            line += f"; skycorpus encode {precision} {seconds:.3f} s ({torch_files_s / seconds:.2f}x)"
        print(line + f"; load {load():.1f}")
        os.remove(weights)


if __name__ == "__main__":
    main()
