#!/usr/bin/env python3
"""Builds a SkyCorpus corpus from a recipe on Apache Spark: one Spark task per shard, then merge and the
cross-shard steps.

    spark-submit --master local[2] Scripts/spark/build_corpus.py RECIPE --shards N --work DIR --out CORPUS \
        [--skycorpus BIN] [--retries R] [--json]

Each of the N tasks runs `skycorpus build RECIPE --shard K/N --out DIR/shard-K-of-N/corpus.sqlite --json` (K
1-based) on whichever worker Spark gives it. A shard that succeeds leaves DIR/shard-K-of-N/done.json (its build
summary, the recipe's SHA-256, seconds, host); one that fails leaves DIR/shard-K-of-N/failed.json (exit status,
stderr tail). A
re-run of the driver skips every shard whose done file matches the recipe and whose corpus exists, and runs only
the missing and failed ones (as img2dataset's incremental mode does); a task that fails is retried up to R more
times within the run. When every shard is done the driver runs `skycorpus merge CORPUS SHARD...` and then
`skycorpus build RECIPE --corpus CORPUS --after-merge` (cross-shard dedup, prompts, exports), and writes
DIR/merged.json; a re-run that finds merged.json for the same shard results does nothing more.

Shared filesystem: the recipe, every dataset path in it, DIR and the skycorpus binary must be reachable under the
same absolute paths from the driver and from every executor (NFS, Lustre, CephFS, EFS, a hostPath or a
ReadWriteMany volume on Kubernetes). Nothing is shipped through Spark but the shard numbers and the small summaries;
the shard corpora are written into DIR by the executors and read from DIR by the driver's merge.
The same script runs unchanged with --master local[2], spark://HOST:7077, yarn or k8s://...
"""
import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def recipe_digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def shard_paths(work, k, n):
    """A folder per shard: its corpus and its done or failed file."""
    folder = os.path.join(work, f"shard-{k}-of-{n}")
    return {"folder": folder, "corpus": os.path.join(folder, "corpus.sqlite"),
            "done": os.path.join(folder, "done.json"), "failed": os.path.join(folder, "failed.json")}


def write_json(path, value):
    """Writes beside the target and renames into place: a reader never sees half a file."""
    temporary = f"{path}.tmp-{socket.gethostname()}-{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(value, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)


def read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def is_done(work, k, n, digest):
    paths = shard_paths(work, k, n)
    done = read_json(paths["done"])
    return bool(done) and done.get("recipe_sha256") == digest and os.path.exists(paths["corpus"])


def run_shard(k, n, recipe, work, binary, digest, retries):
    """One Spark task: builds shard K of N with the skycorpus binary and leaves its done or failed file.
    Runs on an executor, so it uses nothing but its arguments and the shared filesystem."""
    paths = shard_paths(work, k, n)
    os.makedirs(paths["folder"], exist_ok=True)
    attempts = []
    for attempt in range(retries + 1):
        started = time.time()
        # A killed earlier attempt left a partial shard corpus: `build` resumes it (the recipe build is resumable).
        command = [binary, "build", recipe, "--shard", f"{k}/{n}", "--out", paths["corpus"], "--json", "--quiet"]
        result, peak = run_measured(command)
        seconds = time.time() - started
        if result.returncode == 0:
            try:
                summary = json.loads(result.stdout) if result.stdout.strip() else {}
            except ValueError:
                summary = {"stdout": result.stdout[-2000:]}
            record = {"shard": k, "of": n, "recipe": recipe, "recipe_sha256": digest, "corpus": paths["corpus"],
                      "seconds": round(seconds, 3), "cpu_seconds": round(result.cpu_seconds, 3),
                      "peak_rss_bytes": peak, "host": socket.gethostname(),
                      "attempts": attempt + 1,
                      "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "summary": summary}
            write_json(paths["done"], record)
            if os.path.exists(paths["failed"]):
                os.remove(paths["failed"])
            return {"shard": k, "ok": True, "seconds": seconds, "cpu_seconds": result.cpu_seconds, "host": record["host"],
                    "peak_rss_bytes": peak}
        attempts.append({"exit": result.returncode, "seconds": round(seconds, 3), "stderr": result.stderr[-2000:]})
    write_json(paths["failed"], {"shard": k, "of": n, "recipe": recipe, "recipe_sha256": digest,
                                 "host": socket.gethostname(), "command": command, "attempts": attempts})
    return {"shard": k, "ok": False, "seconds": sum(a["seconds"] for a in attempts), "host": socket.gethostname(),
            "error": attempts[-1]["stderr"].strip().splitlines()[-1:] if attempts[-1]["stderr"].strip() else []}


def run_measured(command):
    """Runs a command to its end; returns its CompletedProcess and its peak resident memory in bytes (the process's
    user + system CPU seconds are put on the CompletedProcess as `cpu_seconds`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, process.returncode, out.read().decode(errors="replace"),
                                             err.read().decode(errors="replace"))
        result.cpu_seconds = usage.ru_utime + usage.ru_stime
    return result, usage.ru_maxrss * 1024


def run_local(command):
    started = time.time()
    result, peak = run_measured(command)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"build_corpus: {' '.join(command[:2])} failed with exit status {result.returncode}")
    return time.time() - started, peak, result.cpu_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recipe")
    parser.add_argument("--shards", type=int, required=True, help="N: how many shards (Spark tasks)")
    parser.add_argument("--work", required=True, help="shared folder for the shard corpora and their done files")
    parser.add_argument("--out", required=True, help="the merged corpus")
    parser.add_argument("--skycorpus", default=os.environ.get("SKYCORPUS_BIN", "skycorpus"),
                        help="the skycorpus binary, at the same path on every worker (default $SKYCORPUS_BIN)")
    parser.add_argument("--retries", type=int, default=1, help="extra attempts of a failed shard within this run")
    parser.add_argument("--json", action="store_true", help="print the run's summary as JSON on stdout")
    args = parser.parse_args()
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    recipe, work, out = (os.path.abspath(p) for p in (args.recipe, args.work, args.out))
    binary = args.skycorpus if os.sep not in args.skycorpus else os.path.abspath(args.skycorpus)
    if not os.path.isfile(recipe):
        parser.error(f"{args.recipe}: no such recipe")
    os.makedirs(work, exist_ok=True)
    digest, n = recipe_digest(recipe), args.shards

    started = time.time()
    todo = [k for k in range(1, n + 1) if not is_done(work, k, n, digest)]
    skipped = n - len(todo)
    print(f"build_corpus: {n} shards, {skipped} already done, {len(todo)} to build", file=sys.stderr)
    results = []
    if todo:
        from pyspark.sql import SparkSession  # imported here: a re-run with nothing to do needs no JVM

        spark = SparkSession.builder.appName("skycorpus-build").getOrCreate()
        try:
            tasks = spark.sparkContext.parallelize(todo, numSlices=len(todo))
            retries = args.retries
            results = tasks.map(lambda k: run_shard(k, n, recipe, work, binary, digest, retries)).collect()
        finally:
            spark.stop()
    shard_seconds = time.time() - started
    failed = [r for r in results if not r["ok"]]
    for result in failed:
        print(f"build_corpus: shard {result['shard']}/{n} failed on {result['host']}: {' '.join(result['error'])} "
              f"(details in {shard_paths(work, result['shard'], n)['failed']}; re-run to retry it)", file=sys.stderr)
    if failed:
        return 1

    shards = [shard_paths(work, k, n) for k in range(1, n + 1)]
    stamps = [read_json(p["done"]).get("finished_at") for p in shards]
    merged_record = os.path.join(work, "merged.json")
    previous = read_json(merged_record)
    merge_seconds = after_seconds = 0.0
    if previous and previous.get("recipe_sha256") == digest and previous.get("shard_stamps") == stamps \
            and previous.get("out") == out and os.path.exists(out):
        print("build_corpus: the merged corpus is up to date", file=sys.stderr)
    else:
        # Merged beside the target and renamed into place, so OUT is either the previous result or the new one.
        partial = out + ".partial"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(partial + suffix):
                os.remove(partial + suffix)
        merge_seconds, merge_peak, merge_cpu = run_local([binary, "merge", partial] + [p["corpus"] for p in shards])
        after_seconds, after_peak, after_cpu = run_local([binary, "build", recipe, "--corpus", partial, "--after-merge", "--quiet"])
        for suffix in ("-wal", "-shm"):
            if os.path.exists(out + suffix):
                os.remove(out + suffix)
        os.replace(partial, out)
        for suffix in ("-wal", "-shm"):  # normally checkpointed and removed when skycorpus closed the corpus
            if os.path.exists(partial + suffix):
                os.replace(partial + suffix, out + suffix)
        write_json(merged_record, {"recipe_sha256": digest, "out": out, "shard_stamps": stamps,
                                   "merge_seconds": round(merge_seconds, 3), "after_merge_seconds": round(after_seconds, 3),
                                   "merge_peak_rss_bytes": merge_peak, "after_merge_peak_rss_bytes": after_peak,
                                   "merge_cpu_seconds": round(merge_cpu, 3), "after_merge_cpu_seconds": round(after_cpu, 3)})
    summary = {"shards": n, "skipped": skipped, "built": len(results), "shard_phase_seconds": round(shard_seconds, 3),
               "merge_seconds": round(merge_seconds, 3), "after_merge_seconds": round(after_seconds, 3),
               "total_seconds": round(time.time() - started, 3), "out": out,
               "shard_seconds": {r["shard"]: round(r["seconds"], 3) for r in results},
               "shard_peak_rss_bytes": {r["shard"]: r.get("peak_rss_bytes", 0) for r in results},
               "shard_cpu_seconds": {r["shard"]: round(r.get("cpu_seconds", 0), 3) for r in results}}
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(f"build_corpus: {out} from {n} shards ({len(results)} built, {skipped} skipped) in "
              f"{summary['total_seconds']} s (shards {summary['shard_phase_seconds']} s, merge {merge_seconds:.1f} s, "
              f"after merge {after_seconds:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
