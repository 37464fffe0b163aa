#!/usr/bin/env bash
# The main job on the bundled synthetic example (Examples/): builds a corpus in demo-out/ and reports on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release --show-bin-path)/skycorpus"
out=demo-out
rm -rf "$out"
mkdir -p "$out"
corpus="$out/corpus.sqlite"
run() { echo "+ skycorpus $*" >&2; "$bin" "$@"; }

run init --corpus "$corpus"
run add-images Examples/dota/images --dataset examples-dota --split train --corpus "$corpus"
run add-images Examples/seg/img_dir --dataset examples-seg --corpus "$corpus"
run add-images Examples/levir --dataset examples-levir --corpus "$corpus"
# Re-running a step adds nothing.
run add-images Examples/dota/images --dataset examples-dota --split train --corpus "$corpus"
run stats --corpus "$corpus"
echo "demo: corpus written to $corpus" >&2
