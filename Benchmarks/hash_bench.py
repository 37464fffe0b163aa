#!/usr/bin/env python3
"""Hash throughput against the decode limit and against imagehash 4.3.2, on the same files, in one run.

Sets:
  real  every PNG/JPEG of ../shared/realdata (mostly large PNGs: decode-bound for both sides)
  jpeg  the real PNGs re-encoded as JPEG (quality 90, Pillow) into Benchmarks/out/jpeg (not committed),
        the case fast mode is for: large JPEGs decoded through DCT scaling
For each set, on 1 thread and on all cores (median over --repeats runs, ms per image):
  - the decode limit: `skybench decode --workers N` of the same files (bytes read before timing, each file
    decoded at full size to its own layout), and for fast mode the decode at the scale fast mode picks;
  - `skybench hash` in exact and fast mode (read + decode + hash in one process): ms/image, the multiple of
    imagehash's throughput, and hash time as a fraction of the decode limit (the target is at most 1.1x);
    for one thread also both in CPU time, which other load disturbs far less;
  - whole processes over the set's folder: `skycorpus hash FOLDER --workers N`, and `skycorpus dedup` on a corpus
    that registered the folder (a fresh copy of it each run, so every image is hashed), against the same limit;
  - the second thread's speed-up (1-thread time / N-thread time) for decode, hash and the whole processes;
  - how many exact-mode hashes equal imagehash's; for the jpeg set how many fast-mode hashes equal the exact ones.

With --floor it also prints what no hasher can go below on one thread: for the PNGs of a set, libdeflate's
zlib inflate of the IDAT data alone into a warm buffer (through ctypes, the same library CSkyCodecs uses); for
the JPEGs, SkyCorpus's decode at 1/8 DCT scale (every coefficient still Huffman-decoded) and at full size.

--skybench PATH times another skybench binary too (e.g. a copy built from an older commit), in the same run.
Builds skybench and skycorpus in release first unless --no-build. Prints the load average at start and end.

Usage: python3 Benchmarks/hash_bench.py [--repeats 5] [--sets real,jpeg,large] [--no-build] [--floor] [--skybench PATH]
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import imagehash
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REALDATA = os.path.join(os.path.dirname(ROOT), "shared", "realdata")
OUT = os.path.join(ROOT, "Benchmarks", "out")
SKYBENCH = os.path.join(ROOT, ".build", "release", "skybench")
SKYCORPUS = os.path.join(ROOT, ".build", "release", "skycorpus")


def real_files():
    found = []
    for directory, _, files in os.walk(REALDATA):
        found += [os.path.join(directory, f) for f in files if f.lower().endswith((".png", ".jpg", ".jpeg"))]
    return sorted(found)


def jpeg_files():
    folder = os.path.join(OUT, "jpeg")
    os.makedirs(folder, exist_ok=True)
    made = []
    for path in real_files():
        if not path.lower().endswith(".png") or "label" in path or "ann_dir" in path or "instance" in path:
            continue
        target = os.path.join(folder, os.path.relpath(path, REALDATA).replace("/", "_")[:-4] + ".jpg")
        if not os.path.exists(target):
            with Image.open(path) as image:
                image.convert("RGB").save(target, quality=90)
        made.append(target)
    return sorted(made)


def large_files(copies):
    """The real files hard-linked `copies` times into one folder, so a whole process's start-up vanishes."""
    folder = os.path.join(OUT, f"real-x{copies}")
    os.makedirs(folder, exist_ok=True)
    made = []
    for copy in range(copies):
        for path in real_files():
            target = os.path.join(folder, f"{copy:03d}_" + os.path.relpath(path, REALDATA).replace("/", "_"))
            if not os.path.exists(target):
                os.link(path, target)
            made.append(target)
    return sorted(made)


def imagehash_seconds(files, repeats):
    """Median wall seconds and median CPU seconds (this process) of hashing every file once."""
    times, cpu = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        for path in files:
            with Image.open(path) as image:
                imagehash.phash(image)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    return statistics.median(times), statistics.median(cpu)


def png_idat(path):
    """(zlib stream, unfiltered size) of a non-interlaced 8-bit PNG, else None."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    at, stream, size = 8, [], None
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
            if depth != 8 or interlace:
                return None
            size = height * (1 + width * channels)
        elif kind == b"IDAT":
            stream.append(body)
        at += 12 + length
    return (b"".join(stream), size) if size else None


def inflate_floor(files, repeats):
    """Median seconds for libdeflate to inflate every PNG's IDAT stream once (buffers allocated beforehand)."""
    library = ctypes.CDLL(ctypes.util.find_library("deflate") or "libdeflate.so.0")
    library.libdeflate_alloc_decompressor.restype = ctypes.c_void_p
    library.libdeflate_zlib_decompress.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                                   ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    decompressor = library.libdeflate_alloc_decompressor()
    streams = [found for found in map(png_idat, files) if found]
    buffers = [ctypes.create_string_buffer(size) for _, size in streams]
    actual = ctypes.c_size_t()
    times, cpu = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        for (stream, size), buffer in zip(streams, buffers):
            if library.libdeflate_zlib_decompress(decompressor, stream, len(stream), buffer, size,
                                                  ctypes.byref(actual)) != 0:
                raise RuntimeError("libdeflate could not inflate a PNG")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    library.libdeflate_free_decompressor(ctypes.c_void_p(decompressor))
    return statistics.median(times), statistics.median(cpu), len(streams)


def print_floor(files, repeats):
    seconds, cpu, count = inflate_floor(files, repeats)
    if count:
        print(f"  floor: libdeflate inflate alone of {count} PNGs {seconds:.3f} s "
              f"({seconds * 1000 / len(files):.2f} ms per image of the set; CPU {cpu * 1000 / len(files):.2f} ms)")
    jpegs = [path for path in files if path.lower().endswith((".jpg", ".jpeg"))]
    if jpegs:
        for scale in ("8", "1"):
            result = skybench("decode", "--scale", scale, "--repeats", str(repeats), *jpegs)
            print(f"  floor: skycorpus JPEG decode at 1/{scale} scale of {len(jpegs)} files {result['median_s']:.3f} s "
                  f"({result['median_s'] * 1000 / len(files):.2f} ms per image of the set)")
        # Fast mode with no minimum side decodes every JPEG at 1/8: the floor plus a tiny resize, in CPU time.
        result = skybench("hash", "--mode", "fast", "--min-side", "1", "--repeats", str(repeats), *jpegs)
        if "cpu_median_s" in result:
            print(f"  floor: fast phash with every JPEG at 1/8 scale: CPU {result['cpu_median_s'] * 1000 / len(files):.2f} ms "
                  f"per image of the set")


def skybench(*arguments, binary=SKYBENCH):
    output = subprocess.run([binary, *arguments], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_process(command, repeats, before=None):
    """Median wall and CPU seconds of running `command` (a list) `repeats` times; `before()` runs untimed first."""
    times, cpu = [], []
    for _ in range(repeats):
        if before:
            before()
        start, cpu_start = time.perf_counter(), children_cpu()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        cpu.append(children_cpu() - cpu_start)
    return statistics.median(times), statistics.median(cpu)


def load():
    return "load average " + " / ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sets", default="real,jpeg")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--skybench", help="another skybench binary to time beside this build's")
    args = parser.parse_args()
    if not args.no_build:
        for product in ("skybench", "skycorpus"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
    cores = os.cpu_count() or 1
    threads = sorted({1, cores})
    print(f"{load()} at start; {cores} cores; median of {args.repeats} runs; ms per image of the set")
    scratch = tempfile.mkdtemp(prefix="skycorpus-hash-bench-")
    for name in args.sets.split(","):
        # large: the real files 30 times over (2,130 files), for whole processes whose start-up vanishes.
        files = {"real": real_files, "jpeg": jpeg_files, "large": lambda: large_files(30)}[name]()
        folder = {"real": REALDATA, "jpeg": os.path.join(OUT, "jpeg"), "large": os.path.dirname(files[0])}[name]
        count = len(files)
        per = lambda seconds: seconds * 1000 / count
        reference, reference_cpu = imagehash_seconds(files, args.repeats)
        print(f"\n{name}: {count} files ({folder}); imagehash.phash {per(reference):.2f} ms/image "
              f"(CPU {per(reference_cpu):.2f})")
        limit, fast_limit = {}, {}
        for workers in threads:
            limit[workers] = skybench("decode", "--workers", str(workers), "--repeats", str(args.repeats), *files)
            fast_limit[workers] = skybench("decode", "--scale", "fast", "--workers", str(workers),
                                           "--repeats", str(args.repeats), *files)
            print(f"  decode limit, {workers} thread(s): {limit[workers]['ms_per_image']:.2f} ms/image "
                  f"(CPU {per(limit[workers]['cpu_median_s']):.2f}); at fast mode's JPEG scales "
                  f"{fast_limit[workers]['ms_per_image']:.2f} (CPU {per(fast_limit[workers]['cpu_median_s']):.2f})")
        binaries = [("skycorpus", SKYBENCH)] + ([("other", args.skybench)] if args.skybench else [])
        hashed = {}
        for mode in ("exact", "fast"):
            for workers in threads:
                for label, binary in binaries:
                    result = skybench("hash", "--mode", mode, "--workers", str(workers), "--repeats", str(args.repeats),
                                      *files, binary=binary)
                    bound = (limit if mode == "exact" else fast_limit)[workers]
                    if label == "skycorpus":
                        hashed[(mode, workers)] = result["median_s"]
                    cpu = ""
                    if workers == 1 and result.get("cpu_median_s"):
                        cpu = (f"; CPU {per(result['cpu_median_s']):.2f} ms/image = "
                               f"{result['cpu_median_s'] / bound['cpu_median_s']:.2f}x the decode's CPU, "
                               f"{reference_cpu / result['cpu_median_s']:.1f}x imagehash's")
                    print(f"  {label:9} {mode:5} {workers} thread(s): {result['ms_per_image']:.2f} ms/image = "
                          f"{result['median_s'] / bound['median_s']:.2f}x the decode limit, "
                          f"{reference / result['median_s']:.1f}x imagehash throughput{cpu}")
        if os.path.exists(SKYCORPUS):
            corpus = os.path.join(scratch, f"{name}.sqlite")
            subprocess.run([SKYCORPUS, "add-images", folder, "--corpus", corpus, "--quiet", "--dataset", name],
                           check=True, stdout=subprocess.DEVNULL)
            run_corpus = os.path.join(scratch, f"{name}-run.sqlite")
            fresh = lambda: shutil.copyfile(corpus, run_corpus)
            processes = {}
            for workers in threads:
                processes[("hash", workers)] = whole_process(
                    [SKYCORPUS, "hash", folder, "--workers", str(workers)], args.repeats)
            processes[("dedup", cores)] = whole_process([SKYCORPUS, "dedup", "--corpus", run_corpus, "--quiet"],
                                                        args.repeats, before=fresh)
            for (what, workers), (seconds, cpu) in processes.items():
                print(f"  whole process: skycorpus {what} ({workers} thread(s)): {per(seconds):.2f} ms/image "
                      f"(CPU {per(cpu):.2f}) = {seconds / limit[workers]['median_s']:.2f}x the decode limit, "
                      f"{reference / seconds:.1f}x imagehash throughput")
            if cores > 1:
                scaling = processes[("hash", 1)][0] / processes[("hash", cores)][0]
                print(f"  whole process skycorpus hash: {cores} threads {scaling:.2f}x one")
        if cores > 1:
            print(f"  {cores} threads against one: decode {limit[1]['median_s'] / limit[cores]['median_s']:.2f}x, "
                  f"exact hash {hashed[('exact', 1)] / hashed[('exact', cores)]:.2f}x, "
                  f"fast hash {hashed[('fast', 1)] / hashed[('fast', cores)]:.2f}x")
        if args.floor:
            print_floor(files, args.repeats)
        printed = subprocess.run([SKYBENCH, "hash-print", *files], check=True, capture_output=True, text=True).stdout
        ours = dict(reversed(line.split(" ", 1)) for line in printed.splitlines())
        equal = 0
        for path in files:
            with Image.open(path) as image:
                equal += ours.get(path) == str(imagehash.phash(image))
        print(f"  exact-mode parity: {equal}/{len(files)} phashes equal to imagehash")
        if name == "jpeg":
            agreement = skybench("hash-agreement", *files)
            print(f"  fast vs exact phash: {agreement['equal']}/{agreement['files']} equal; "
                  f"distance histogram {agreement['distance_histogram']}")
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{load()} at end")


if __name__ == "__main__":
    sys.exit(main())
