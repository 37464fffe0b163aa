#!/usr/bin/env python3
"""Crash-consistency harness: SIGKILLs every write step of `skycorpus` at random moments and checks the corpus.

For each step (ingest of each format, add-images, m2b, stored prompts, caption, change sentences, dedup by p-Hash
and by embedding, counting-set, embed, zero-shot labels, evaluate, every export, and the recipe build and merge)
the harness:
  1. prepares the corpus state before the step once (every earlier step run uninterrupted) and runs the step
     uninterrupted on a copy: the reference "after" state, its exports and its wall time T;
  2. K times: copies the "before" corpus, starts the step, SIGKILLs it after a random delay in [0, 1.2 T], then
     checks `PRAGMA integrity_check` and `foreign_key_check`, that the corpus equals the "before" or the "after"
     state (embed commits batch by batch: its embedding rows must be a subset of the reference's, the rest
     unchanged), that an export's output is absent or byte-identical to the reference (never partial), and that a
     re-run of the step ends exactly in the "after" state with byte-identical exports.
A corpus state is every table's rows (sorted), without the `created_at` clock columns and the build's run history
(which runs there were, stage timings) and the embedding change stamp's token and write count (the stamp's
(model, kind) rows are compared); exports compare by bytes.

  python3 Scripts/kill_harness.py --kills 3 --copies 6  # CI (.ci/run): 3 kills per step (about 25 s)
  python3 Scripts/kill_harness.py --kills 100 --copies 60 --report Benchmarks/kill_results.md   # long mode

Needs only the Python standard library and a built binary (default: the release build, else the debug build).
Exit status 1 when any trial breaks a guarantee; the summary lists each failure.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Build bookkeeping: which runs there were (a killed run is one more) and how long stages took are history, not
# corpus content; the finished stages themselves must match.
BOOKKEEPING = {"build_run": [], "build_stage": ["name"],
               # the embedding change stamp (v8): which model and kind have one is content; its token (random per
               # corpus) and its count of writes (a killed and re-run embed writes more often) are history
               "embedding_changes": ["model_id", "item_kind"]}
CLOCK_COLUMNS = {"created_at", "finished_at", "started_at", "evaluated_at", "updated_at", "merged_at"}
BUILD_OUTPUTS = ("train.csv", "shards", "corpus.jsonl", "changes.csv", "duplicates.csv")  # demo.yaml's exports
RESUMABLE = {"build", "merge"}  # steps of several transactions: intermediate states allowed, the re-run must finish them
FRESH = {"build", "merge"}      # steps that start from an empty corpus
CORPUS = "{corpus}"  # in a step's arguments: the corpus goes there (positional) instead of --corpus
TINY_MODEL = os.path.join(ROOT, "Tests/SkyCLIPTests/Fixtures/tiny/tiny-clip-vocab49408.safetensors")


def find_binary(explicit):
    if explicit:
        return explicit
    for config in ("release", "debug"):
        candidate = os.path.join(ROOT, ".build", config, "skycorpus")
        if os.access(candidate, os.X_OK):
            return candidate
    sys.exit("kill_harness: no skycorpus binary; run 'swift build -c release --product skycorpus' or pass --binary")


def replicate_examples(target, copies):
    """Examples/ copied `copies` times under new names (more images, so kills land inside the work)."""
    examples = os.path.join(ROOT, "Examples")
    dota = os.path.join(target, "dota")
    os.makedirs(os.path.join(dota, "images"))
    os.makedirs(os.path.join(dota, "labelTxt"))
    for copy in range(copies):
        for name in sorted(os.listdir(os.path.join(examples, "dota/images"))):
            stem, ext = os.path.splitext(name)
            shutil.copy(os.path.join(examples, "dota/images", name), os.path.join(dota, "images", f"{stem}_{copy}{ext}"))
            shutil.copy(os.path.join(examples, "dota/labelTxt", stem + ".txt"),
                        os.path.join(dota, "labelTxt", f"{stem}_{copy}.txt"))
    for dataset, folders in (("seg", ("img_dir", "ann_dir")), ("levir", ("A", "B", "label"))):
        for folder in folders:
            source = os.path.join(examples, dataset, folder)
            for dirpath, _, files in os.walk(source):
                relative = os.path.relpath(dirpath, source)
                out = os.path.normpath(os.path.join(target, dataset, folder, relative))
                os.makedirs(out, exist_ok=True)
                for copy in range(copies):
                    for name in sorted(files):
                        stem, ext = os.path.splitext(name)
                        shutil.copy(os.path.join(dirpath, name), os.path.join(out, f"{stem}_{copy}{ext}"))
    # A plain folder of images (add-images, then zero-shot labels): the DOTA images once more under other names.
    extra = os.path.join(target, "extra")
    os.makedirs(extra)
    for name in sorted(os.listdir(os.path.join(dota, "images"))):
        shutil.copy(os.path.join(dota, "images", name), os.path.join(extra, "extra_" + name))
    # A class-folder dataset (ground-truth image labels for `evaluate`): the same images split over two classes.
    classes = os.path.join(target, "classes")
    for index, name in enumerate(sorted(os.listdir(extra))):
        folder = os.path.join(classes, ("airport", "harbor")[index % 2])
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(extra, name), os.path.join(folder, name))
    return {"dota": dota, "seg": os.path.join(target, "seg"), "levir": os.path.join(target, "levir"), "extra": extra,
            "classes": classes}


def steps(data, binary, work):
    """(name, arguments without --corpus, output path or None) in pipeline order."""
    out = os.path.join(work, "exports")
    result = [
        ("ingest-dota", ["ingest", data["dota"], "--format", "dota", "--dataset", "dota"], None),
        ("ingest-seg", ["ingest", data["seg"], "--dataset", "seg", "--palette", "loveda"], None),
        ("ingest-levir", ["ingest", data["levir"], "--dataset", "levir"], None),
        ("add-images", ["add-images", data["extra"], "--dataset", "extra", "--split", "train"], None),
        ("ingest-classes", ["ingest", data["classes"], "--format", "class-folders", "--dataset", "classes"], None),
        ("m2b", ["m2b", "--dataset", "seg", "--min-area", "20"], None),
        ("prompts-masks", ["prompts", "--dataset", "seg", "--from-masks", "--store"], None),
        ("caption", ["caption", "--seed", "7"], None),
        ("caption-changes", ["caption", "--changes", "--seed", "7"], None),
        ("dedup", ["dedup", "--threshold", "2"], None),
        ("counting-set", ["counting-set", "--dataset", "dota", "--out", os.path.join(out, "counting.jsonl")],
         os.path.join(out, "counting.jsonl")),
    ]
    if os.path.exists(TINY_MODEL):
        result += [
            ("embed", ["embed", "--model", TINY_MODEL, "--batch-size", "8"], None),
            ("zero-shot-write", ["zero-shot", "--model", TINY_MODEL, "--dataset", "extra", "--write",
                                 "--classes", "plane,ship,harbor,storage tank", "--templates", "bare", "--captions"], None),
            ("dedup-embedding", ["dedup", "--by", "embedding", "--min-cosine", "0.99999"], None),
            ("evaluate", ["evaluate", "--model", TINY_MODEL, "--dataset", "classes", "--task", "zero-shot",
                          "--templates", "bare"], None),
        ]
    result += [
        ("export-csv", ["export", "--format", "csv", "--out", os.path.join(out, "train.csv")], os.path.join(out, "train.csv")),
        ("export-jsonl", ["export", "--format", "jsonl", "--out", os.path.join(out, "c.jsonl")], os.path.join(out, "c.jsonl")),
        ("export-webdataset", ["export", "--format", "webdataset", "--out", os.path.join(out, "shards"),
                               "--shard-size", "40"], os.path.join(out, "shards")),
        ("export-prompts", ["export", "--format", "prompts", "--out", os.path.join(out, "prompts.jsonl")],
         os.path.join(out, "prompts.jsonl")),
        ("export-labels", ["export", "--format", "labels", "--out", os.path.join(out, "labels.jsonl")],
         os.path.join(out, "labels.jsonl")),
    ]
    if subprocess.run([binary, "build", "--help"], capture_output=True).returncode == 0:
        # The recipe build on a fresh corpus: several transactions (one per stage), so a kill may leave finished
        # stages; the guarantee is integrity, and that the resumed build ends exactly as an uninterrupted one.
        recipe = os.path.join(ROOT, "Examples/recipes/demo.yaml")
        result.append(("build", ["build", recipe], [os.path.join(work, name) for name in BUILD_OUTPUTS]))
        # The merge of two shard corpora of the same recipe (one transaction per shard): the resumed merge must end
        # exactly as an uninterrupted one.
        shards = [os.path.join(work, f"shard-{k}.sqlite") for k in (1, 2)]
        for k, shard in enumerate(shards, start=1):
            completed = subprocess.run([binary, "build", recipe, "--shard", f"{k}/2", "--out", shard, "--quiet"],
                                       capture_output=True, text=True, cwd=work)
            if completed.returncode != 0:
                raise RuntimeError(f"build --shard {k}/2: exit {completed.returncode}: {completed.stderr.strip()}")
        result.append(("merge", ["merge", CORPUS, *shards], None))
    return result


def corpus_files(path):
    return [path + suffix for suffix in ("", "-wal", "-shm")]


def copy_corpus(source, target):
    for source_file, target_file in zip(corpus_files(source), corpus_files(target)):
        if os.path.exists(target_file):
            os.remove(target_file)
        if os.path.exists(source_file):
            shutil.copy(source_file, target_file)


def state(path):
    """{table: sorted rows without clock columns} of the corpus (opened read-only, WAL applied)."""
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts_%' ORDER BY name")]
        result = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')
                       if row[1] not in CLOCK_COLUMNS]
            if table in BOOKKEEPING:
                columns = [column for column in columns if column in BOOKKEEPING[table]]
            if not columns:
                continue
            select = ", ".join(f'"{column}"' for column in columns)
            rows = connection.execute(f'SELECT {select} FROM "{table}"').fetchall()
            result[table] = sorted(repr(row) for row in rows)
        return result
    finally:
        connection.close()


def integrity(path):
    connection = sqlite3.connect(path)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        problems = [] if check == [("ok",)] else [f"integrity_check: {check[:3]}"]
        if foreign:
            problems.append(f"foreign_key_check: {foreign[:3]}")
        return problems
    finally:
        connection.close()


def output_digest(path):
    """Digest of an export (a file, or a folder's files by name), or None when absent."""
    if not os.path.exists(path):
        return None
    digest = hashlib.sha256()
    if os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            digest.update(name.encode() + b"\0")
            with open(os.path.join(path, name), "rb") as handle:
                digest.update(handle.read())
    else:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def leftovers(path):
    """Temporary files a killed export may leave beside its output (removed by the next export)."""
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        return []
    base = os.path.basename(path)
    return [name for name in os.listdir(folder) if name != base and base in name and "partial" in name]


def command(binary, arguments, corpus):
    """The command line of a step on `corpus`: in place of CORPUS when the step names it, else --corpus."""
    if CORPUS in arguments:
        return [binary, *(corpus if argument == CORPUS else argument for argument in arguments)]
    return [binary, *arguments, "--corpus", corpus, "--quiet"]


def run(binary, arguments, corpus):
    completed = subprocess.run(command(binary, arguments, corpus), capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)}: exit {completed.returncode}: {completed.stderr.strip()}")


def remove_output(path):
    if path and os.path.isdir(path):
        shutil.rmtree(path)
    elif path and os.path.exists(path):
        os.remove(path)


def subset_state(partial, before, after, tables):
    """Every table equals `before` or `after` except `tables`, whose rows lie between before's and after's."""
    for name in set(partial) | set(after):
        rows = partial.get(name, [])
        if name in tables:
            if not (set(before.get(name, [])) <= set(rows) <= set(after.get(name, []))):
                return False
        elif rows != before.get(name, []) and rows != after.get(name, []):
            return False
    return True


def outputs_of(output):
    return [] if output is None else output if isinstance(output, list) else [output]


def digests(output):
    return [output_digest(path) for path in outputs_of(output)]


def trial(binary, name, arguments, output, before_corpus, before, after, after_output, delay, work):
    """One kill at `delay` seconds: a list of broken guarantees (empty when all held) and whether it hit mid-run."""
    corpus = os.path.join(work, "trial.sqlite")
    copy_corpus(before_corpus, corpus)
    for path in outputs_of(output):
        remove_output(path)
    process = subprocess.Popen(command(binary, arguments, corpus),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    running = process.poll() is None
    if running:
        process.send_signal(signal.SIGKILL)
    process.wait()
    problems = integrity(corpus)
    now = state(corpus)
    if name in RESUMABLE:
        consistent = True
    elif name == "embed":
        consistent = subset_state(now, before, after, {"embedding", "embedding_changes"})
    else:
        consistent = now == before or now == after
    if not consistent:
        changed = sorted(table for table in set(now) | set(after) if now.get(table) != before.get(table)
                         and now.get(table) != after.get(table))
        problems.append(f"partial corpus state (tables neither before nor after: {changed})")
    for path, digest, reference in zip(outputs_of(output), digests(output), after_output):
        if digest not in (None, reference):
            problems.append(f"partial export: {os.path.basename(path)} present but not byte-identical to the reference")
    try:
        run(binary, arguments, corpus)
    except RuntimeError as error:
        problems.append(f"re-run failed: {error}")
        return problems, running
    final = state(corpus)
    if final != after:
        differing = sorted(table for table in set(final) | set(after) if final.get(table) != after.get(table))
        problems.append(f"re-run does not end in the uninterrupted state (tables {differing})")
    if digests(output) != after_output:
        problems.append("re-run export differs from the reference")
    for path in outputs_of(output):
        if leftovers(path):
            problems.append(f"temporaries left after the re-run: {leftovers(path)}")
    return problems, running


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs per step (CI 5, long mode 100)")
    parser.add_argument("--copies", type=int, default=12, help="copies of Examples/ (more images per step)")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--steps", help="comma-separated step names (default: all)")
    parser.add_argument("--report", help="write a Markdown table of the figures here")
    arguments = parser.parse_args()
    binary = find_binary(arguments.binary)
    rng = random.Random(arguments.seed)
    work = tempfile.mkdtemp(prefix="skycorpus-kill-")
    failures = []
    rows = []
    try:
        data = replicate_examples(os.path.join(work, "data"), arguments.copies)
        corpus = os.path.join(work, "corpus.sqlite")
        run(binary, ["init"], corpus)
        wanted = set(arguments.steps.split(",")) if arguments.steps else None
        started = time.time()
        fresh = os.path.join(work, "fresh.sqlite")
        run(binary, ["init"], fresh)
        for name, step_arguments, output in steps(data, binary, work):
            before_corpus = os.path.join(work, f"before-{name}.sqlite")
            copy_corpus(fresh if name in FRESH else corpus, before_corpus)
            before = state(before_corpus)
            target = corpus
            if name in FRESH:
                target = os.path.join(work, f"reference-{name}.sqlite")
                copy_corpus(before_corpus, target)
            clock = time.time()
            for path in outputs_of(output):
                remove_output(path)
            run(binary, step_arguments, target)
            seconds = time.time() - clock
            after = state(target)
            after_output = digests(output)
            if wanted is not None and name not in wanted:
                continue
            problems_here = 0
            mid_run = 0
            for index in range(arguments.kills):
                delay = rng.uniform(0, seconds * 1.2)
                problems, running = trial(binary, name, step_arguments, output, before_corpus, before, after,
                                          after_output, delay, work)
                mid_run += running
                if problems:
                    problems_here += 1
                    failures.append(f"{name} kill {index} at {delay:.3f} s: " + "; ".join(problems))
            rows.append((name, arguments.kills, mid_run, problems_here, seconds))
            print(f"{name:18} {arguments.kills:4} kills, {mid_run:4} during the step, {problems_here} broken "
                  f"(step {seconds:.2f} s)", flush=True)
        total = time.time() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"kill_harness: {len(rows)} steps, {sum(row[1] for row in rows)} kills, "
          f"{sum(row[2] for row in rows)} during a step, {len(failures)} broken guarantees, {total:.0f} s")
    if arguments.report:
        with open(arguments.report, "w") as handle:
            handle.write("# Kill harness figures\n\n")
            handle.write(f"`python3 Scripts/kill_harness.py --kills {arguments.kills} --copies {arguments.copies}` "
                         f"(seed {arguments.seed}, binary `{os.path.relpath(binary, ROOT)}`), {total:.0f} s.\n\n")
            handle.write("| step | kills | during the step | broken guarantees | step time (s) |\n")
            handle.write("| --- | ---: | ---: | ---: | ---: |\n")
            for name, kills, mid, broken, seconds in rows:
                handle.write(f"| {name} | {kills} | {mid} | {broken} | {seconds:.2f} |\n")
            handle.write("\n" + ("No failures.\n" if not failures else "Failures:\n\n" +
                                 "".join(f"- {line}\n" for line in failures)))
    for line in failures:
        print("FAIL " + line, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
