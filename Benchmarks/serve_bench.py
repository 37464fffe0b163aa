#!/usr/bin/env python3
"""HTTP load on `skycorpus serve` (loopback only): text -> image queries, text encoding included.

For each corpus: starts the RELEASE `skycorpus serve --model M` on a free 127.0.0.1 port, checks /api/health, then
runs a bounded load: first one client (latency of a lone query), then C concurrent clients, each sending its share
of R requests (GET /api/search/text?q=...&k=10, keep-alive), with a wall-clock cap. Reports queries/s, p50/p90/p99
latency, errors (non-200 answers and failed connections), and the server's resident memory.

Corpora:
  demo       the corpus of `make demo` (demo-out/corpus.sqlite), copied and its images embedded with M
  synthetic  N clustered synthetic 512-d unit vectors (index_bench.py's mixture of 1,000 Gaussians) stored as image
             embeddings of M by `skybench serve-corpus`

M is a randomly initialised full-size open_clip ViT-B/32 (12+12 layers, 512-d embeddings) written by this script as
float16 safetensors with numpy (no weights can be downloaded here): the text tower costs what a real one costs.

Usage: swift build -c release --product skycorpus && swift build -c release --product skybench
       python3 Benchmarks/serve_bench.py [--count 100000] [--clients 8] [--requests 400] [--corpora demo,synthetic]
"""
import argparse
import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Benchmarks", "out")
RELEASE = os.path.join(ROOT, ".build", "release")
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from index_bench import generate  # noqa: E402  (the same clustered vectors as the index benchmark)

QUERIES = [
    "many planes parked at an airport", "a ship in a harbour", "storage tanks near a port", "a dense residential area",
    "a road crossing farmland", "boats moored along a pier", "a large building with a parking lot", "a bare field",
    "several vehicles on a highway", "a river through a forest", "an industrial area with warehouses",
    "a baseball field beside a school", "white ships on dark water", "a roundabout in a city", "a runway and a terminal",
    "green trees around a pond",
]


def write_vit_b32(path, seed=0):
    """A random open_clip ViT-B-32 state dict as float16 safetensors (open_clip's key names and shapes)."""
    rng = np.random.default_rng(seed)
    tensors = {}

    def normal(name, *shape, std=0.02):
        tensors[name] = (rng.standard_normal(shape, dtype=np.float32) * std).astype(np.float16)

    def norm(name, width):
        tensors[name + ".weight"] = np.ones(width, np.float16)
        tensors[name + ".bias"] = np.zeros(width, np.float16)

    def blocks(prefix, width, layers):
        for i in range(layers):
            block = f"{prefix}.resblocks.{i}"
            norm(block + ".ln_1", width)
            norm(block + ".ln_2", width)
            normal(block + ".attn.in_proj_weight", 3 * width, width)
            tensors[block + ".attn.in_proj_bias"] = np.zeros(3 * width, np.float16)
            normal(block + ".attn.out_proj.weight", width, width)
            tensors[block + ".attn.out_proj.bias"] = np.zeros(width, np.float16)
            normal(block + ".mlp.c_fc.weight", 4 * width, width)
            tensors[block + ".mlp.c_fc.bias"] = np.zeros(4 * width, np.float16)
            normal(block + ".mlp.c_proj.weight", width, 4 * width)
            tensors[block + ".mlp.c_proj.bias"] = np.zeros(width, np.float16)

    normal("visual.class_embedding", 768)
    normal("visual.positional_embedding", 50, 768)
    normal("visual.proj", 768, 512)
    normal("visual.conv1.weight", 768, 3, 32, 32)
    norm("visual.ln_pre", 768)
    blocks("visual.transformer", 768, 12)
    norm("visual.ln_post", 768)
    normal("token_embedding.weight", 49408, 512)
    normal("positional_embedding", 77, 512, std=0.01)
    blocks("transformer", 512, 12)
    norm("ln_final", 512)
    normal("text_projection", 512, 512)
    tensors["logit_scale"] = np.array(np.log(1 / 0.07), np.float16)
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": "F16", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".partial", "wb") as handle:
        handle.write(len(text).to_bytes(8, "little"))
        handle.write(text)
        for blob in blobs:
            handle.write(blob)
    os.replace(path + ".partial", path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def load(port, clients, requests, cap_s, k):
    """`requests` text queries spread over `clients` keep-alive connections, stopped at `cap_s` seconds."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.time() + cap_s
    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(share[index]):
            if time.time() > deadline:
                break
            query = QUERIES[(index * 7 + n) % len(QUERIES)]
            path = "/api/search/text?" + urllib.parse.urlencode({"q": query, "k": k})
            start = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and len(json.loads(body)["results"]) == k
            except (OSError, http.client.HTTPException, ValueError):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    values = np.array(latencies) * 1000
    return {"clients": clients, "requests": len(latencies), "errors": errors[0], "wall_s": wall,
            "qps": len(latencies) / wall, "p50_ms": float(np.percentile(values, 50)),
            "p90_ms": float(np.percentile(values, 90)), "p99_ms": float(np.percentile(values, 99)),
            "max_ms": float(values.max())}


def serve(corpus, model, args):
    port = free_port()
    start = time.time()
    beam = ["--ef", str(args.ef)] if args.ef else []
    server = subprocess.Popen([os.path.join(RELEASE, "skycorpus"), "serve", "--corpus", corpus, "--model", model,
                               "--port", str(port), "--quiet"] + beam)
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit(f"serve exited with {server.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/health")
                health = json.loads(connection.getresponse().read())
                break
            except OSError:
                time.sleep(0.2)
        startup = time.time() - start
        assert health["search"]["available"], health
        load(port, 1, 5, 60, args.k)  # warm-up
        single = load(port, 1, args.single, args.cap, args.k)
        concurrent = load(port, args.clients, args.requests, args.cap, args.k)
        return {"startup_s": startup, "vectors": health["search"]["images"], "index": health["search"]["index"],
                "rss_mib": resident_mib(server.pid), "single": single, "concurrent": concurrent}
    finally:
        server.terminate()
        server.wait(timeout=20)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="demo,synthetic")
    parser.add_argument("--count", type=int, default=100_000, help="synthetic vectors")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400, help="requests of the concurrent run")
    parser.add_argument("--single", type=int, default=100, help="requests of the one-client run")
    parser.add_argument("--cap", type=float, default=120, help="seconds at most per run")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--vectors", help="the synthetic corpus's vectors (.npy, float32 N x 512), e.g. the file "
                        "index_bench.py wrote, so that both benchmarks use one graph; default: generated (seed 11)")
    parser.add_argument("--links", type=int, default=16, help="HNSW M of the index build")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the synthetic corpus and its index from an earlier run when present")
    parser.add_argument("--ef", type=int, help="the server's HNSW search beam (serve --ef; default the library's)")
    parser.add_argument("--exact", action=argparse.BooleanOptionalAction, default=True,
                        help="also serve the synthetic corpus exactly (before building the index)")
    parser.add_argument("--hnsw", type=int, metavar="EF_CONSTRUCTION",
                        help="also build the HNSW index of the synthetic corpus (skycorpus index build) and serve through it")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    model = os.path.join(OUT, "vit-b-32-random.safetensors")
    if not os.path.exists(model):
        print("writing a random ViT-B/32 checkpoint", file=sys.stderr)
        write_vit_b32(model)
    results = {"load_average": os.getloadavg(), "cores": os.cpu_count()}
    for name in args.corpora.split(","):
        corpus = os.path.join(OUT, f"serve-{name}.sqlite")
        if name == "demo":
            demo = os.path.join(ROOT, "demo-out", "corpus.sqlite")
            if not os.path.exists(demo):
                subprocess.run(["bash", os.path.join(ROOT, "Scripts", "demo.sh")], check=True, stdout=subprocess.DEVNULL)
            shutil.copy(demo, corpus)
            for suffix in ["-wal", "-shm"]:
                if os.path.exists(corpus + suffix):
                    os.remove(corpus + suffix)
            subprocess.run([os.path.join(RELEASE, "skycorpus"), "embed", "--model", model, "--what", "images",
                            "--corpus", corpus, "--quiet"], check=True, stdout=subprocess.DEVNULL)
        else:
            vectors = args.vectors or os.path.join(OUT, f"serve-vectors-{args.count}.npy")
            if not os.path.exists(vectors):
                generate(vectors, args.count, 512, seed=11)
            corpus = os.path.join(OUT, f"serve-{name}-{args.count}.sqlite")
            graph = os.path.join(corpus + ".index", os.path.basename(model) + ".images.hnsw")
            reuse = args.reuse and os.path.exists(corpus) and (not args.hnsw or os.path.exists(graph))
            if not reuse:
                for stale in [corpus + "-wal", corpus + "-shm"]:
                    if os.path.exists(stale):
                        os.remove(stale)
                shutil.rmtree(corpus + ".index", ignore_errors=True)  # a graph of earlier vectors would be refused
                start = time.time()
                subprocess.run([os.path.join(RELEASE, "skybench"), "serve-corpus", "--vectors", vectors, "--model",
                                model, "--out", corpus], check=True, stdout=subprocess.DEVNULL)
                print(f"{name}: corpus of {args.count:,} stored vectors written in {time.time() - start:.0f} s", flush=True)
        print(f"--- {name}", file=sys.stderr)
        runs = [(name, corpus)] if name == "demo" or args.exact else []
        if name != "demo" and args.hnsw:
            runs.append((name + "-hnsw", corpus))
        for label, path in runs:
            if label.endswith("-hnsw") and not (name != "demo" and reuse):
                start, children = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([os.path.join(RELEASE, "skycorpus"), "index", "build", "--model", model, "--corpus", path,
                                "--links", str(args.links), "--ef-construction", str(args.hnsw)], check=True,
                               stdout=subprocess.DEVNULL)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                results[label + "-build_s"] = time.time() - start
                results[label + "-build_cpu_s"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
                results[label + "-build_peak_rss_mib"] = after.ru_maxrss / 1024
                print(f"{label}: index build (M {args.links}, efConstruction {args.hnsw}) "
                      f"{results[label + '-build_s']:.0f} s, CPU {results[label + '-build_cpu_s']:.0f} s, peak resident "
                      f"{after.ru_maxrss / 1024:.0f} MiB (largest child so far), load average now {os.getloadavg()[0]:.1f}",
                      flush=True)
            report(label, serve(path, model, args), results)
    results["load_average_after"] = os.getloadavg()
    print(f"load average before {results['load_average']}, after {results['load_average_after']}")
    results["ef"] = args.ef
    with open(os.path.join(OUT, f"serve_results_{time.strftime('%Y%m%d-%H%M%S')}.json"), "w") as handle:
        json.dump(results, handle, indent=1)


def report(name, result, results):
    results[name] = result
    for run in ["single", "concurrent"]:
        r = result[run]
        print(f"{name} ({result['vectors']:,} vectors, {result['index']}), {r['clients']} client(s): {r['requests']} "
              f"queries, {r['qps']:.1f} q/s, p50 {r['p50_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, p99 "
              f"{r['p99_ms']:.1f} ms, errors {r['errors']}")
    print(f"{name}: startup {result['startup_s']:.1f} s, server resident memory {result['rss_mib']:.0f} MiB, load "
          f"average now {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
