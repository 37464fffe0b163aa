#!/usr/bin/env bash
# Browser test of `skycorpus serve` on the demo corpus: headless chromium (Debian's chromium + chromium-driver)
# driven by selenium runs a query, opens a detail view, toggles an overlay and opens the duplicates page.
# The demo corpus (make demo) is copied and embedded with the tiny test checkpoint, so the corpus in demo-out/ is
# left as the demo made it. Screenshots go to demo-out/browser/ (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SKYCORPUS_BIN:-$(swift build -c release --show-bin-path)/skycorpus}"
[ -f demo-out/corpus.sqlite ] || bash Scripts/demo.sh >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model=Tests/SkyCLIPTests/Fixtures/tiny/tiny-clip-vocab49408.safetensors
cp demo-out/corpus.sqlite "$work/corpus.sqlite"
"$bin" embed --model "$model" --what images,captions --corpus "$work/corpus.sqlite" --quiet
python3 Scripts/browser_test.py --bin "$bin" --corpus "$work/corpus.sqlite" --model "$model" \
    --screenshots "${1:-demo-out/browser}"
