#!/usr/bin/env bash
# Runs the README's walkthrough ("A corpus from real downloads") exactly as written, on ../shared/realdata, then
# checks the corpus it built: every registered image is a file on disk, no export holds an image that does not
# decode, and the WebDataset shards are within 1.1x of the image bytes plus their text.
# Skips (exit 0) when ../shared/realdata is absent. Usage: bash Scripts/walkthrough.sh [BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
realdata="$(cd .. && pwd)/shared/realdata"
if [ ! -d "$realdata" ]; then
    echo "walkthrough: ../shared/realdata is absent; skipped"
    exit 0
fi
bin="${1:-${SKYCORPUS_BIN:-$(swift build -c release --show-bin-path)/skycorpus}}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The commands between the README's walkthrough markers, as a user would paste them.
awk '/<!-- walkthrough:begin -->/{on=1; next} /<!-- walkthrough:end -->/{on=0} on' README.md \
    | sed '/^```/d' > "$work/walkthrough.sh"
test -s "$work/walkthrough.sh" || { echo "walkthrough: no commands between the README markers" >&2; exit 1; }
echo "walkthrough: running $(grep -c '^skycorpus' "$work/walkthrough.sh") commands from README.md in $work" >&2
# `skycorpus` in the README is the built binary; the commands run in a fresh folder with R pointing at the data.
{
    echo 'set -euo pipefail'
    echo "skycorpus() { \"$bin\" \"\$@\"; }"
    echo 'set -x'
    cat "$work/walkthrough.sh"
} > "$work/run.sh"
if ! (cd "$work" && R="$realdata" bash "$work/run.sh") > "$work/log.txt" 2>&1; then
    cat "$work/log.txt"
    echo "walkthrough: a command failed" >&2
    exit 1
fi
python3 Scripts/walkthrough_check.py "$work" "$bin"
