#!/usr/bin/env python3
"""The machine's limits that bound SkyCorpus's throughput (skybench limits), printed as Markdown tables.

Usage: python3 Benchmarks/limits.py [--threads 2] [--repeats 5] [--no-build] [--json OUT]

Measures (method in Benchmarks/SkyBench/LimitsBench.swift):
- the FP32 FMA peak: inline-assembly loops of 12 independent vfmadd231ps chains on xmm, ymm and (where the CPU
  has AVX-512) zmm registers, 1 and N threads, by wall time and by each thread's CPU time (on a shared machine
  the CPU-time figure is the core's capability, the wall figure what this process got); where the CPU has
  AVX512-BF16, the same loop of vdpbf16ps (the bf16 dot-product peak, the ceiling of --precision bf16);
- sgemm through the OpenBLAS the package links (and the core type it selected, openblas_get_corename) and
  through SkyCLIP's own kernel (the one selected at start-up; SKYCLIP_GEMM=avx2 forces the AVX2 one), and the
  bf16 kernel where present, on a square product and the ViT-B/32 tower's shapes;
- PNG and JPEG decode-only throughput over every PNG/JPEG in ../shared/realdata (the set the hash and decode
  benchmarks use), file bytes read before timing;
- memory bandwidth: STREAM-style copy and triad over 64 MiB arrays.
The load average at start and end is printed: on a machine shared with other builds, read the CPU-time columns.
"""
import argparse
import glob
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "realdata")


def measure(threads, repeats, only=None, build=True):
    """Runs `skybench limits` and returns its JSON object."""
    if build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "skybench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    files = sorted(f for f in glob.glob(os.path.join(REAL, "**", "*"), recursive=True)
                   if f.lower().endswith((".png", ".jpg", ".jpeg")))
    command = [os.path.join(ROOT, ".build", "release", "skybench"), "limits", "--threads", str(threads),
               "--repeats", str(repeats)]
    if only:
        command += ["--only", only]
    output = subprocess.run(command + files, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def fma_peak(result):
    """The FP32 peak (GFLOP/s) of all threads at the widest FMA this CPU has, from per-thread CPU time."""
    best = 0.0
    for name in ("xmm128", "ymm256", "zmm512"):
        entry = result.get("fma", {}).get(name)
        if isinstance(entry, dict):
            best = max(best, entry[f"threads_{result['threads']}"]["peak_gflops_from_cpu_time"])
    return best


def bf16_peak(result):
    """The bf16 dot-product peak (GFLOP/s) of all threads from per-thread CPU time, or 0 without AVX512-BF16."""
    entry = result.get("fma", {}).get("bf16dot512")
    return entry[f"threads_{result['threads']}"]["peak_gflops_from_cpu_time"] if isinstance(entry, dict) else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json")
    options = parser.parse_args()
    result = measure(options.threads, options.repeats, build=not options.no_build)
    if options.json:
        with open(options.json, "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
    t = options.threads
    print(f"CPU: AVX2+FMA {result['avx2_fma']}, AVX-512F {result['avx512f']}, AVX512-BF16 {result['avx512_bf16']}; "
          f"OpenBLAS core {result['openblas_core']}; GEMM backend {result['gemm_backend']}; "
          f"load average {result['load_average_start']:.1f} -> {result['load_average_end']:.1f}")
    print("\n| FMA loop | 1 thread: GFLOP/s per CPU-s | 1 thread: wall | "
          f"{t} threads: peak from CPU time | {t} threads: wall (median / best) |\n|---|---|---|---|---|")
    for name, entry in result["fma"].items():
        if not isinstance(entry, dict):
            print(f"| {name} | {entry} | | | |")
            continue
        one, many = entry["threads_1"], entry[f"threads_{t}"]
        print(f"| {name} | {one['per_core_cpu_gflops_median']:.1f} | {one['wall_gflops_median']:.1f} | "
              f"{many['peak_gflops_from_cpu_time']:.1f} | {many['wall_gflops_median']:.1f} / {many['wall_gflops_best']:.1f} |")
    print(f"\nFP32 FMA peak, {t} threads: {fma_peak(result):.1f} GFLOP/s"
          + (f"; bf16 dot-product peak: {bf16_peak(result):.1f} GFLOP/s" if bf16_peak(result) else ""))
    gemm = result["gemm"]
    sides = ["openblas", "own"] + (["own_bf16"] if "own_bf16_gflops" in gemm["threads_1"][0] else [])
    header = " | ".join(f"{side} {n}T" for n in (1, t) for side in sides)
    print(f"\nOpenBLAS core: {gemm['openblas_core']}; own: {gemm['own_backend']}")
    print(f"\n| sgemm (GFLOP/s: wall / per process CPU-s) | {header} |\n|---|" + "---|" * (2 * len(sides)))
    for one, many in zip(gemm["threads_1"], gemm[f"threads_{t}"]):
        cells = [f"{r[f'{side}_gflops']:.1f} / {r[f'{side}_gflops_per_cpu_s']:.1f}" for r in (one, many) for side in sides]
        print(f"| {one['shape']} ({one['m']}x{one['n']}x{one['k']}) | " + " | ".join(cells) + " |")
    memory = result["memory"]
    print(f"\n| memory (GB/s, median / best) | 1 thread | {t} threads |\n|---|---|---|")
    for kind in ("copy", "triad"):
        print(f"| {kind} | {memory['threads_1'][f'{kind}_gb_s_median']:.1f} / {memory['threads_1'][f'{kind}_gb_s_best']:.1f} | "
              f"{memory[f'threads_{t}'][f'{kind}_gb_s_median']:.1f} / {memory[f'threads_{t}'][f'{kind}_gb_s_best']:.1f} |")
    print(f"\n| decode | files | megapixels | 1 thread: MP/s (files/s, input MiB/s) | {t} threads: MP/s | MP per CPU-s |\n|---|---|---|---|---|---|")
    for kind, entry in result.get("decode", {}).items():
        one, many = entry["threads_1"], entry[f"threads_{t}"]
        print(f"| {kind} | {entry['files']} | {entry['megapixels']:.1f} | {one['megapixels_per_s']:.1f} "
              f"({one['files_per_s']:.1f}, {one['input_mib_per_s']:.1f}) | {many['megapixels_per_s']:.1f} | "
              f"{one['megapixels_per_cpu_s']:.1f} |")


if __name__ == "__main__":
    main()
