#!/usr/bin/env bash
# The main job on the bundled synthetic example (Examples/): ingest -> M2B -> B2C -> p-Hash dedup -> export.
# Builds a corpus in demo-out/ and shows what each step did.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SKYCORPUS_BIN:-$(swift build -c release --show-bin-path)/skycorpus}"
out=demo-out
rm -rf "$out"
mkdir -p "$out"
corpus="$out/corpus.sqlite"
run() { echo "+ skycorpus $*" >&2; "$bin" "$@" --corpus "$corpus"; }

run init
# Ingest: DOTA-style detection labels, LoveDA-style index masks, LEVIR-CD-style change pairs.
run ingest Examples/dota --format dota --dataset examples-dota --quiet
# Human captions in RSICD's Karpathy layout, beside the labels: they attach to the same images, with their splits.
run ingest Examples/dota --format captions --dataset examples-dota --quiet
run ingest Examples/seg --dataset examples-loveda --palette loveda --quiet
run ingest Examples/levir --dataset examples-levir --quiet
# Re-running a step adds nothing.
run ingest Examples/dota --format dota --dataset examples-dota --quiet
# M2B over the masks ingest registered, each read with its palette: every class region becomes a box on its image.
run m2b --dataset examples-loveda \
    --min-area 20 --quiet
# B2C: five captions per image with objects.
run caption --seed 7 --quiet
# Change sentences (LEVIR-CC style) from the change masks, via M2B.
run caption --changes --seed 7 --quiet
# p-Hash dedup: near-duplicates within Hamming distance 2; test images leaked into training are marked.
run dedup --threshold 2 --protect examples-dota:test --report "$out/duplicates.csv" --quiet
echo "--- dedup report:" >&2
cat "$out/duplicates.csv"
run stats
# Exports that training code reads.
run export --format csv --out "$out/train.csv" --split train --quiet
run export --format webdataset --out "$out/shards" --shard-size 50 --quiet
run export --format jsonl --out "$out/corpus.jsonl" --quiet
echo "--- a few captions of the training split (open_clip CSV):" >&2
head -n 8 "$out/train.csv" | cut -f 2
echo "--- change sentences:" >&2
"$bin" export --format csv --out "$out/changes.csv" --source change --corpus "$corpus" --quiet >/dev/null
tail -n +2 "$out/changes.csv" | cut -f 2 | head -n 6
echo "demo: corpus, exports and dedup report in $out/" >&2
echo "demo: browse it in a web browser: $bin serve --corpus $corpus   (then open http://127.0.0.1:8080/)"
