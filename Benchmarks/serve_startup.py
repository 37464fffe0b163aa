#!/usr/bin/env python3
"""Start-up of `skycorpus serve` on a corpus: seconds from launch until /api/health answers with search available,
the server's CPU seconds and peak resident memory (VmHWM) at that moment, repeated and reported as medians.

Usage: python3 Benchmarks/serve_startup.py --corpus Benchmarks/out/serve-synthetic-1000000.sqlite \
           --model Benchmarks/out/vit-b-32-random.safetensors [--binary .build/release/skycorpus] [--repeats 3]
(the corpus of `serve_bench.py --count 1000000`, its index built by `skycorpus index build`)
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proc_status(pid):
    """(CPU seconds, peak resident MiB) of a running process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as handle:
        peak = next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:")) / 1024
    return cpu, peak


def start_once(args):
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen([args.binary, "serve", "--corpus", args.corpus, "--model", args.model,
                               "--port", str(port), "--quiet"])
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
                time.sleep(0.05)
        seconds = time.perf_counter() - start
        cpu, peak = proc_status(server.pid)
        assert health["search"]["available"], health
        return {"seconds": seconds, "cpu_s": cpu, "peak_mib": peak, "index": health["search"].get("index"),
                "images": health["search"].get("images")}
    finally:
        server.terminate()
        server.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "skycorpus"))
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeats):
        load = os.getloadavg()[0]
        runs.append(start_once(args) | {"load_1min": load})
        print(json.dumps(runs[-1]))
    median = {key: statistics.median(run[key] for run in runs) for key in ("seconds", "cpu_s", "peak_mib")}
    print(f"{args.binary}: {runs[0]['images']:,} images, index {runs[0]['index']}; median of {len(runs)}: start-up "
          f"{median['seconds']:.2f} s wall, {median['cpu_s']:.2f} s CPU, peak resident {median['peak_mib']:,.0f} MiB; "
          f"load (1 min) at each start {[round(run['load_1min'], 2) for run in runs]}")


if __name__ == "__main__":
    main()
