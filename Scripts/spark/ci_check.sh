#!/usr/bin/env bash
# CI: the Spark driver in local mode on a small generated set gives the same corpus as the single-process build
# (same images, objects, captions, duplicate marks; byte-identical exports), and a re-run after a lost shard
# rebuilds only that shard. Usage: bash Scripts/spark/ci_check.sh  (builds the release binaries if needed)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash Scripts/spark/setup-spark.sh
bin_dir="$(swift build -c release --show-bin-path)"
[ -x "$bin_dir/skycorpus" ] || swift build -c release --product skycorpus
[ -x "$bin_dir/skybench" ] || swift build -c release --product skybench
skycorpus="$bin_dir/skycorpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SPARK_LOCAL_IP=127.0.0.1
spark() {
    spark-submit --master 'local[2]' --conf spark.ui.enabled=false --driver-java-options '-Dlog4j2.level=warn' \
        Scripts/spark/build_corpus.py "$work/data/recipe.yaml" --shards 3 --work "$work/spark/work" \
        --out "$work/spark/corpus.sqlite" --skycorpus "$skycorpus" --json 2>"$work/spark.log" | tail -n 1
}

"$bin_dir/skybench" generate --out "$work/data" --images 240 --scale 0.2 --seed 11 >/dev/null
mkdir -p "$work/single" "$work/spark"
"$skycorpus" build "$work/data/recipe.yaml" --corpus "$work/single/corpus.sqlite" --quiet >/dev/null
first="$(spark)" || { tail -n 30 "$work/spark.log"; exit 1; }
echo "spark: $first"
# Exports are written beside each corpus by its build: compare the tables and those files byte for byte.
python3 Scripts/spark/compare_corpora.py "$work/single/corpus.sqlite" "$work/spark/corpus.sqlite" \
    --exports "$work/single" "$work/spark" --ignore "corpus.sqlite*" --ignore work

# Incremental: a re-run skips the three finished shards; after losing shard 2, only shard 2 is built again.
again="$(spark)"
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["skipped"] == 3 and s["built"] == 0, s' "$again"
rm -rf "$work/spark/work/shard-2-of-3"
retry="$(spark)"
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["skipped"] == 2 and s["built"] == 1, s' "$retry"
python3 Scripts/spark/compare_corpora.py "$work/single/corpus.sqlite" "$work/spark/corpus.sqlite" >/dev/null
echo "spark ci_check: local[2] build equals the single-process build; re-runs skip finished shards"
