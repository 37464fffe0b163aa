#!/usr/bin/env bash
# The main job on the bundled synthetic example (Examples/): one recipe, Examples/recipes/demo.yaml, runs
# ingest -> M2B -> B2C -> change sentences -> p-Hash dedup -> exports. Builds a corpus in demo-out/ and shows what
# each step did.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SKYCORPUS_BIN:-$(swift build -c release --show-bin-path)/skycorpus}"
out=demo-out
rm -rf "$out"
mkdir -p "$out"
corpus="$out/corpus.sqlite"
run() { echo "+ skycorpus $*" >&2; "$bin" "$@" --corpus "$corpus"; }

# The whole recipe: datasets, steps and exports (relative outputs land beside the corpus, in demo-out/).
run build Examples/recipes/demo.yaml
# Re-running the build adds nothing: every stage is recorded as done.
run build Examples/recipes/demo.yaml --quiet >/dev/null
echo "--- dedup report:" >&2
cat "$out/duplicates.csv"
run stats
echo "--- a few captions of the training split (open_clip CSV):" >&2
head -n 8 "$out/train.csv" | cut -f 2
echo "--- change sentences:" >&2
tail -n +2 "$out/changes.csv" | cut -f 2 | head -n 6
echo "demo: corpus, exports and dedup report in $out/" >&2
echo "demo: browse it in a web browser: $bin serve --corpus $corpus   (then open http://127.0.0.1:8080/)"
