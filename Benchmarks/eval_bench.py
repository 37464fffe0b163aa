#!/usr/bin/env python3
"""Evaluation suite: SkyCorpus (through `skybench`) against scikit-learn and open_clip in one run.

1. Linear probe on 30,000 x 512 float32 embeddings (10 overlapping classes: random unit means plus Gaussian noise of 0.5 per coordinate, normalised, a 60/20/20
   train/validation/test split): the protocol of `evaluate --task linear-probe` on both sides. Each C of the grid
   fitted on train (warm-started in increasing order: scikit-learn's `warm_start=True`), the best validation accuracy
   chosen (the smaller C on a tie), refitted on train + validation, test accuracy. Both sides use L-BFGS on the same
   objective with scikit-learn's stopping rules (`tol`, `max_iter`), float64 arithmetic, OpenBLAS with all cores.
   Median wall seconds of `--repeats` runs each; SkyCorpus first, then scikit-learn, never at the same time.
2. Zero-shot labeling throughput (images per second): `zero-shot --write` over a class-folder tree of generated
   256x256 PNGs (decode, preprocess, encode, classify, store the top 3) against open_clip doing the same per batch
   (PIL decode + its preprocess, encode_image, normalise, softmax against the class embeddings, top 3), on the same
   randomly initialised ViT-B-32 (no weights can be downloaded), batch 16. Skipped, with the reason, when open_clip
   cannot be imported.

Usage: swift build -c release --product skybench && pip install numpy scikit-learn [open_clip_torch torch safetensors]
       python3 Benchmarks/eval_bench.py [--rows 30000] [--repeats 3] [--images 96]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKYBENCH = os.environ.get("SKYBENCH", os.path.join(ROOT, ".build", "release", "skybench"))
GRID = [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
CLASSES = ["harbor", "forest", "parking lot", "dense residential", "airport", "beach", "farmland", "river"]


def skybench(*args):
    output = subprocess.run([SKYBENCH, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def load():
    return os.getloadavg()[0]


def embeddings(rows, dimension, classes, seed=7):
    rng = np.random.default_rng(seed)
    means = rng.standard_normal((classes, dimension))
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    labels = rng.integers(0, classes, rows)
    x = means[labels] + rng.standard_normal((rows, dimension)) * 0.5
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), labels


def sklearn_probe(train, train_y, val, val_y, test, test_y, tol, max_iter):
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(solver="lbfgs", tol=tol, max_iter=max_iter, warm_start=True)
    scores = {}
    x, xv, xt = (a.astype(np.float64) for a in (train, val, test))
    for c in GRID:
        model.set_params(C=c)
        model.fit(x, train_y)
        scores[c] = float((model.predict(xv) == val_y).mean())
    best = max(GRID, key=lambda c: (scores[c], -c))
    final = LogisticRegression(solver="lbfgs", C=best, tol=tol, max_iter=max_iter).fit(
        np.vstack([x, xv]), np.concatenate([train_y, val_y]))
    return best, float((final.predict(xt) == test_y).mean())


def probe_benchmark(options, scratch):
    x, y = embeddings(options.rows, 512, 10)
    n_train, n_val = int(options.rows * 0.6), int(options.rows * 0.2)
    parts = {"train": slice(0, n_train), "val": slice(n_train, n_train + n_val), "test": slice(n_train + n_val, options.rows)}
    args = []
    for name, part in parts.items():
        np.save(os.path.join(scratch, f"{name}.npy"), x[part])
        np.save(os.path.join(scratch, f"{name}-labels.npy"), y[part].astype(np.float32).reshape(-1, 1))
        args += [f"--{name}", os.path.join(scratch, f"{name}.npy"), f"--{name}-labels", os.path.join(scratch, f"{name}-labels.npy")]
    before = load()
    ours = skybench("probe", *args, "--c", ",".join(str(c) for c in GRID), "--tol", str(options.tol),
                    "--max-iter", "1000", "--repeats", str(options.repeats))
    times, result = [], None
    for _ in range(options.repeats):
        start = time.perf_counter()
        result = sklearn_probe(x[parts["train"]], y[parts["train"]], x[parts["val"]], y[parts["val"]],
                               x[parts["test"]], y[parts["test"]], options.tol, 1000)
        times.append(time.perf_counter() - start)
    theirs = statistics.median(times)
    import sklearn
    print(f"linear probe, {options.rows} x 512, 10 classes, C grid {GRID}, tol {options.tol} (load {before:.1f} -> {load():.1f}):")
    print(f"  SkyCorpus     {ours['seconds']:7.2f} s  (runs {', '.join(f'{t:.2f}' for t in ours['times'])}), "
          f"C {ours['c']}, test accuracy {ours['accuracy'] * 100:.2f}%")
    print(f"  scikit-learn  {theirs:7.2f} s  (runs {', '.join(f'{t:.2f}' for t in times)}), C {result[0]}, "
          f"test accuracy {result[1] * 100:.2f}%  [scikit-learn {sklearn.__version__}]")
    print(f"  ratio {theirs / ours['seconds']:.2f}x")


def write_images(root, count):
    from PIL import Image
    rng = np.random.default_rng(3)
    files = []
    for index in range(count):
        folder = os.path.join(root, CLASSES[index % len(CLASSES)].replace(" ", ""))
        os.makedirs(folder, exist_ok=True)
        base = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        image = Image.fromarray(base).resize((256, 256), Image.BILINEAR)
        path = os.path.join(folder, f"{index:04d}.png")
        image.save(path)
        files.append(path)
    return sorted(files)


def zero_shot_benchmark(options, scratch):
    try:
        import open_clip
        import torch
        from PIL import Image
        from safetensors.torch import save_file
    except ImportError as error:
        print(f"zero-shot labeling: open_clip cannot be imported ({error}); "
              "pip install open_clip_torch torch safetensors to compare. SkyCorpus alone on the tiny test checkpoint:")
        root = os.path.join(scratch, "scenes")
        write_images(root, options.images)
        tiny = os.path.join(ROOT, "Tests", "SkyCLIPTests", "Fixtures", "tiny", "tiny-clip-vocab49408.safetensors")
        ours = skybench("zero-shot-label", "--model", tiny, "--root", root, "--classes", ",".join(CLASSES), "--batch", "16")
        print(f"  SkyCorpus {ours['images_per_second']:.1f} images/s over {ours['labelled']} images (load {load():.1f})")
        return
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())
    model, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained=None)
    model.eval()
    tokenizer = open_clip.get_tokenizer("ViT-B-32")
    weights = os.path.join(scratch, "ViT-B-32.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)
    root = os.path.join(scratch, "scenes")
    files = write_images(root, options.images)
    before = load()
    ours = skybench("zero-shot-label", "--model", weights, "--root", root, "--classes", ",".join(CLASSES), "--batch", "16")

    def label_all():
        with torch.inference_mode():
            text = model.encode_text(tokenizer([f"a satellite photo of {name}." for name in CLASSES]))
            text = text / text.norm(dim=-1, keepdim=True)
            labels = []
            for start in range(0, len(files), 16):
                batch = torch.stack([preprocess(Image.open(path).convert("RGB")) for path in files[start:start + 16]])
                features = model.encode_image(batch)
                features = features / features.norm(dim=-1, keepdim=True)
                probabilities = (model.logit_scale.exp() * features @ text.T).softmax(dim=-1)
                labels += probabilities.topk(3, dim=-1).indices.tolist()
            return labels

    start = time.perf_counter()
    label_all()
    theirs = len(files) / (time.perf_counter() - start)
    print(f"zero-shot labeling, ViT-B-32 (random weights), {len(files)} 256x256 PNGs, batch 16, top 3, "
          f"{len(CLASSES)} classes (load {before:.1f} -> {load():.1f}):")
    print(f"  SkyCorpus zero-shot --write  {ours['images_per_second']:6.1f} images/s ({ours['seconds']:.2f} s, stores the labels)")
    print(f"  open_clip {open_clip.__version__} + torch {torch.__version__}  {theirs:6.1f} images/s (labels in memory only)")
    print(f"  ratio {ours['images_per_second'] / theirs:.2f}x")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--images", type=int, default=96)
    parser.add_argument("--skip-probe", action="store_true")
    parser.add_argument("--skip-zero-shot", action="store_true")
    options = parser.parse_args()
    if not os.path.exists(SKYBENCH):
        raise SystemExit(f"{SKYBENCH} is missing: swift build -c release --product skybench")
    with tempfile.TemporaryDirectory(prefix="eval-bench-") as scratch:
        if not options.skip_probe:
            probe_benchmark(options, scratch)
        if not options.skip_zero_shot:
            zero_shot_benchmark(options, scratch)


if __name__ == "__main__":
    main()
