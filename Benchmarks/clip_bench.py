#!/usr/bin/env python3
"""CLIP encoder benchmark and full-size parity check: SkyCorpus (skybench clip) against open_clip on torch (CPU).

Usage: python3 Benchmarks/clip_bench.py [--models ViT-B-32,RN50] [--threads 2] [--repeats 3] [--texts 64] [--rounds 1]
                                       [--batch 8[,32...]] [--image-count N] [--compare-openblas]

For each model, open_clip creates a randomly initialised full-size model (no weights can be downloaded here)
and saves it as safetensors in a scratch folder. Both sides then encode the same images (the RSICD JPEGs and
LEVIR-CD PNGs under ../shared/realdata: decode + preprocessing + image tower) and the same real captions
(tokenize + text tower), with the same thread count, in one run. Printed: median seconds and items/s of each
side, the ratios, SkyCorpus's peak RSS next to the weight bytes, the parity of the embeddings (worst cosine and
relative error), and the effect of the reduced-scale JPEG decode path on large JPEGs (DOTA scenes re-encoded).

Each tower's work is also given as a fraction of the machine's FP32 FMA peak (`skybench limits --only fma`, the
widest FMA loop on all threads, from per-thread CPU time): FLOPs per image and per text are computed from the
architecture (2 FLOPs per multiply-add; convolutions counted as direct convolutions, the text tower over the full
context as open_clip runs it, RN50's attention pool for its one pooled query). Two fractions: by wall time
(items/s x FLOPs / peak) and by CPU time (FLOPs per process CPU-second / the per-core peak), the second being the
one to read on a machine shared with other work. `--compare-openblas` also times SkyCorpus with
SKYCLIP_GEMM=openblas (every product through OpenBLAS instead of SkyCLIP's own kernel).
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
from limits import fma_peak, measure as measure_limits

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="ViT-B-32,RN50")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--texts", type=int, default=64)
    parser.add_argument("--batch", default="8", help="image batch sizes, comma-separated")
    parser.add_argument("--image-count", type=int, default=0, help="cycle the real images up to this many")
    parser.add_argument("--compare-openblas", action="store_true")
    parser.add_argument("--no-fast-jpeg", action="store_true", help="skip the reduced-scale JPEG comparison")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate open_clip and SkyCorpus image timings this many times; on a shared machine "
                             "the per-round ratios compare runs taken moments apart")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    images = sorted(glob.glob(os.path.join(REAL, "captions", "rsicd_images", "*.jpg")))
    images += sorted(glob.glob(os.path.join(REAL, "levir-cd", "A", "*.png")))[:10]
    if options.image_count:
        images = [images[i % len(images)] for i in range(options.image_count)]
    batches = [int(b) for b in options.batch.split(",")]
    limits = measure_limits(options.threads, 3, only="fma", build=False)
    peak = fma_peak(limits)
    print(f"FP32 FMA peak ({options.threads} threads, from per-thread CPU time): {peak:.1f} GFLOP/s; "
          f"load average {os.getloadavg()[0]:.1f}")
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

        activation = "quickgelu" if quick else "gelu"
        size = model.visual.image_size
        size = size[0] if isinstance(size, (tuple, list)) else size
        per_image, per_text = image_flops(model, size), text_flops(model)
        common = ["--model", weights, "--activation", activation, "--threads", str(options.threads),
                  "--repeats", str(options.repeats)]
        print(f"== {name} ({activation}, {options.threads} threads, open_clip {open_clip.__version__}, torch {torch.__version__}): "
              f"{per_image / 1e9:.2f} GFLOP per image, {per_text / 1e9:.2f} GFLOP per text (full {model.context_length}-token context)")

        def fraction(count, flops, seconds, cpu_seconds):
            """(wall, CPU-time) fractions of the FMA peak for `count` items of `flops` each."""
            return count * flops / seconds / 1e9 / peak, count * flops / cpu_seconds / 1e9 / (peak / options.threads)

        pixels = torch.stack([preprocess(Image.open(p)) for p in images])
        for index, batch_size in enumerate(batches):
            def torch_images():
                out = []
                with torch.inference_mode():
                    for start in range(0, len(images), batch_size):
                        batch = torch.stack([preprocess(Image.open(p)) for p in images[start:start + batch_size]])
                        out.append(model.encode_image(batch))
                return torch.cat(out)

            def torch_tower():
                with torch.inference_mode():
                    return torch.cat([model.encode_image(pixels[s:s + batch_size]) for s in range(0, len(images), batch_size)])

            first = index == 0
            if first:
                reference_images = torch_images().numpy()
            torch_image_s = median_seconds(torch_images, options.repeats)
            torch_tower_s = median_seconds(torch_tower, options.repeats)
            torch_tower_cpu = median_cpu_seconds(torch_tower, options.repeats)
            out = os.path.join(scratch, f"{name}.swift.json")
            extra = ["--texts", texts_file, "--out", out] if first else []
            sky = skybench("clip", *common, "--batch", str(batch_size), *extra, *images)
            # Further rounds: open_clip's images, then SkyCorpus's, back to back; ratios per round and their median.
            rounds = [(torch_image_s, sky["image_median_s"], os.getloadavg()[0])]
            for _ in range(options.rounds - 1):
                torch_s = median_seconds(torch_images, options.repeats)
                sky_s = skybench("clip", *common, "--batch", str(batch_size), *images)["image_median_s"]
                rounds.append((torch_s, sky_s, os.getloadavg()[0]))
            if first:
                print(f"GEMM: {sky.get('gemm_backend', '?')}; OpenBLAS kernel {sky.get('blas_kernel', '?')} "
                      f"(OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset: chosen from the CPU')})")
            print(f"-- batch {batch_size}, {len(images)} images, load average {os.getloadavg()[0]:.1f}")
            print(f"images (decode + preprocess + tower): open_clip {torch_image_s:.3f} s ({len(images) / torch_image_s:.1f}/s), "
                  f"SkyCorpus {sky['image_median_s']:.3f} s ({sky['images_per_s']:.1f}/s), ratio {torch_image_s / sky['image_median_s']:.2f}x")
            if len(rounds) > 1:
                ratios = [t / k for t, k, _ in rounds]
                print(f"  rounds (open_clip s / SkyCorpus s = ratio @ load): "
                      + ", ".join(f"{t:.3f}/{k:.3f} = {t / k:.2f}x @ {load:.1f}" for t, k, load in rounds)
                      + f"; median ratio {statistics.median(ratios):.2f}x, median SkyCorpus "
                      f"{len(images) / statistics.median(k for _, k, _ in rounds):.1f} images/s")
            sky_tower_s, sky_tower_cpu = sky["image_tower_median_s"], sky["image_tower_cpu_median_s"]
            tw, tc = fraction(len(images), per_image, torch_tower_s, torch_tower_cpu)
            sw, sc = fraction(len(images), per_image, sky_tower_s, sky_tower_cpu)
            print(f"image tower alone: open_clip {torch_tower_s:.3f} s (CPU {torch_tower_cpu:.3f} s; {tw:.0%} of peak by wall, "
                  f"{tc:.0%} by CPU time), SkyCorpus {sky_tower_s:.3f} s (CPU {sky_tower_cpu:.3f} s; {sw:.0%} by wall, "
                  f"{sc:.0%} by CPU time), ratio {torch_tower_s / sky_tower_s:.2f}x wall, {torch_tower_cpu / sky_tower_cpu:.2f}x CPU")
            if options.compare_openblas:
                blas = skybench("clip", *common, "--batch", str(batch_size), *images, env={"SKYCLIP_GEMM": "openblas"})
                bw, bc = fraction(len(images), per_image, blas["image_tower_median_s"], blas["image_tower_cpu_median_s"])
                print(f"  SkyCorpus with SKYCLIP_GEMM=openblas: tower {blas['image_tower_median_s']:.3f} s "
                      f"(CPU {blas['image_tower_cpu_median_s']:.3f} s; {bw:.0%} by wall, {bc:.0%} by CPU time); own/OpenBLAS "
                      f"speed {blas['image_tower_median_s'] / sky_tower_s:.2f}x wall, {blas['image_tower_cpu_median_s'] / sky_tower_cpu:.2f}x CPU")
            if first:
                first_sky = sky

        sky = first_sky

        def torch_texts():
            with torch.inference_mode():
                return torch.cat([model.encode_text(tokenizer(texts[s:s + 64])) for s in range(0, len(texts), 64)])

        reference_texts = torch_texts().numpy()
        torch_text_s = median_seconds(torch_texts, options.repeats)
        torch_text_cpu = median_cpu_seconds(torch_texts, options.repeats)
        with open(os.path.join(scratch, f"{name}.swift.json")) as f:
            embeddings = json.load(f)
        image_rel, image_cos = parity(embeddings["images"], reference_images)
        text_rel, text_cos = parity(embeddings["texts"], reference_texts)

        if not options.no_fast_jpeg:
            exact_out, fast_out = os.path.join(scratch, "exact.json"), os.path.join(scratch, "fast.json")
            exact = skybench("clip", *common, "--out", exact_out, *big_jpegs)
            fast = skybench("clip", *common, "--fast-jpeg", "--out", fast_out, *big_jpegs)
            with open(exact_out) as f, open(fast_out) as g:
                fast_rel, fast_cos = parity(json.load(g)["images"], json.load(f)["images"])

        weight_mb = os.path.getsize(weights) / 2**20
        tw, tc = fraction(len(texts), per_text, torch_text_s, torch_text_cpu)
        sw, sc = fraction(len(texts), per_text, sky["text_median_s"], sky["text_cpu_median_s"])
        print(f"texts ({len(texts)}): open_clip {torch_text_s:.3f} s ({len(texts) / torch_text_s:.1f}/s; {tw:.0%} of peak by wall, "
              f"{tc:.0%} by CPU time), SkyCorpus {sky['text_median_s']:.3f} s ({sky['texts_per_s']:.1f}/s; effective {sw:.0%} by wall, "
              f"{sc:.0%} by CPU time: the end-token shortcut skips work), ratio {torch_text_s / sky['text_median_s']:.2f}x; "
              f"SkyCorpus without the end-token shortcut {sky['text_full_context_s']:.3f} s")
        print(f"memory: SkyCorpus peak RSS {sky['peak_rss_mb']:.0f} MiB, weights file {weight_mb:.0f} MiB; load {sky['load_s']:.2f} s")
        print(f"parity: images max relative error {image_rel:.2e}, min cosine {image_cos:.8f}; "
              f"texts max relative error {text_rel:.2e}, min cosine {text_cos:.8f}")
        if not options.no_fast_jpeg:
            print(f"reduced-scale JPEG decode on {len(big_jpegs)} large JPEGs: {exact['image_median_s']:.3f} s -> "
                  f"{fast['image_median_s']:.3f} s, embedding min cosine vs exact path {fast_cos:.6f}, max relative difference {fast_rel:.2e}")
        os.remove(weights)


if __name__ == "__main__":
    main()
