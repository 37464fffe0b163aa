#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (release, -sanitize=fuzzer,address) and runs each one; prints per target
# the executions, crashes and coverage (libFuzzer's cov = edges, ft = features), and exits non-zero when any
# target crashed (or leaked, timed out, ran out of memory). Findings go to Fuzz/artifacts/, logs to Fuzz/logs/.
#
#   Scripts/fuzz.sh [--time SECONDS] [--runs N] [--jobs J] [--ci] [--timeout S] [--no-build] [--summary FILE] [TARGET...]
#
#   --time S     run each target for S seconds (default 60)
#   --runs N     run each target for N executions instead (long mode: --runs 10000000)
#   --jobs J     J libFuzzer processes per target sharing its corpus (one per free core); with --runs each runs N/J,
#                and the table sums their executions (logs Fuzz/logs/TARGET.log.J)
#   --ci         the CI brief: 15 s per target, all 17 targets (about 5 minutes with the build)
#   --timeout S  a unit running longer than S seconds of wall time is a finding (default 10); libFuzzer counts wall
#                time, so a long run at low priority on a busy machine may need more (re-run a timeout file alone to tell)
#   --max-len N  longest input libFuzzer makes (default 4096; 32768 for images and checkpoints); deep-nesting
#                bugs need long inputs, e.g. --max-len 1000000
#   --no-build   use the binary already built
#   --summary F  also write the table as Markdown to F
#   TARGET       png jpeg tiff bmp xml voc dota coco yolo visdrone captions change pickle zip safetensors checkpoint
#                recipe (default: all); SKYFUZZ_TARGET picks the target inside the one binary.
set -euo pipefail
cd "$(dirname "$0")/.."

time=60 timeout=10 runs="" jobs=1 build=1 summary="" max_len="" targets=() seed=()
while (($#)); do
    case "$1" in
        --time) time="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --ci) time=15; seed=(-seed=1); shift ;;  # a fixed seed: a CI run replays the same search
        --no-build) build=0; shift ;;
        --max-len) max_len="$2"; shift 2 ;;
        --summary) summary="$2"; shift 2 ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=(png jpeg tiff bmp xml voc dota coco yolo visdrone captions change pickle zip safetensors checkpoint recipe)
((${#targets[@]})) || targets=("${all[@]}")
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --jobs takes a positive count, not '$jobs'" >&2; exit 2; }
for target in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target '$target'; targets: ${all[*]}" >&2; exit 2; }
done

binary=Fuzz/.build/release/SkyFuzz
if ((build)); then
    swift build -c release --package-path Fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing \
        -Xcc -fsanitize=fuzzer-no-link,address >&2
fi

# Seed corpora: the codec fixtures for the decoders, Fuzz/Seeds/ (Scripts/fuzz_seeds.py) for the rest.
seeds() {
    local fixtures=Tests/SkyImagingTests/Fixtures
    case "$1" in
        png) echo "$fixtures/pngfast $fixtures/codec Tests/SkyCLIPTests/Fixtures/images" ;;
        jpeg) echo "$fixtures/codec Tests/SkyHashingTests/Fixtures/images" ;;
        tiff) echo "$fixtures/tiff" ;;
        bmp) echo "$fixtures/bmp" ;;
        *) echo "Fuzz/Seeds/$1" ;;
    esac
}

mkdir -p Fuzz/corpus Fuzz/artifacts Fuzz/logs
limit=(-max_total_time="$time")
[[ -n $runs ]] && limit=(-runs="$(((runs + jobs - 1) / jobs))")
# What a log holds when its process crashed (sanitizer report, Swift trap, signal).
errors='==[0-9]+==ERROR|Fatal error|deadly signal'
header=$(printf '| target | executions | exec/s | exec per CPU s | crashes | cov | ft | seconds | CPU s |')
rows=()
failed=0
printf '%-12s %12s %9s %9s %8s %6s %7s %8s %8s\n' target executions exec/s exec/cpu-s crashes cov ft seconds cpu-s
for target in "${targets[@]}"; do
    mkdir -p "Fuzz/corpus/$target"
    log="Fuzz/logs/$target.log"
    maxlen=()
    case "$target" in png | jpeg | tiff | bmp | zip | checkpoint) maxlen=(-max_len=32768) ;; esac
    [[ -z $max_len ]] || maxlen=(-max_len="$max_len")
    # Findings only: libFuzzer also writes slow-unit-* files (a unit over 10 s of wall time), which are not findings.
    findings="^$target-(crash|leak|timeout|oom)-"
    before=$(ls Fuzz/artifacts | grep -cE "$findings" || true)
    start=$(date +%s.%N)
    cpu_before=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat 2>/dev/null || echo 0)
    set +e
    # Several jobs: libFuzzer's -jobs/-workers run that many processes on the one corpus folder, each picking up the
    # others' new inputs; each writes fuzz-J.log in the working folder, moved to Fuzz/logs/TARGET.log.J below.
    parallel=()
    ((jobs == 1)) || { parallel=(-jobs="$jobs" -workers="$jobs"); rm -f fuzz-*.log; }
    # shellcheck disable=SC2046
    SKYFUZZ_TARGET="$target" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}" \
        "$binary" "Fuzz/corpus/$target" $(seeds "$target") "${limit[@]}" "${maxlen[@]}" "${seed[@]}" "${parallel[@]}" \
        -print_final_stats=1 -timeout="$timeout" -rss_limit_mb=2048 -artifact_prefix="Fuzz/artifacts/$target-" >"$log" 2>&1
    rc=$?
    set -e
    logs=("$log")
    if ((jobs > 1)); then
        logs=()
        for ((j = 0; j < jobs; j++)); do
            [[ -f fuzz-$j.log ]] && mv "fuzz-$j.log" "$log.$j" && logs+=("$log.$j")
        done
        # A job that crashed ends with a non-zero status in its own log, not in the parent's.
        if ((rc == 0)) && grep -qE "$errors" "${logs[@]}" /dev/null; then rc=1; fi
    fi
    # CPU time of the finished child (utime + stime of reaped children, in clock ticks): load on a shared
    # machine slows the wall clock, not the work per CPU second.
    cpu=$(awk -v before="$cpu_before" -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15 + $16 + $17 - before) / hz }' /proc/$$/stat 2>/dev/null || echo 0)
    seconds=$(awk -v end="$(date +%s.%N)" -v start="$start" 'BEGIN { printf "%.1f", end - start }')
    # Per log: its final count (or its last status line's), summed over the jobs; cov and ft: the largest.
    executions=0 cov=0 ft=0
    for one in "${logs[@]}"; do
        last=$(grep -E '^#[0-9]+' "$one" | tail -1 || true)
        count=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$one" | awk '{print $2}' | tail -1)
        [[ -n $count ]] || count=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
        executions=$((executions + ${count:-0}))
        c=$(grep -oE 'cov: [0-9]+' <<<"$last" | awk '{print $2}') f=$(grep -oE 'ft: [0-9]+' <<<"$last" | awk '{print $2}')
        ((${c:-0} > cov)) && cov=$c
        ((${f:-0} > ft)) && ft=$f
    done
    after=$(ls Fuzz/artifacts | grep -cE "$findings" || true)
    crashes=$((after - before))
    # libFuzzer exits 72 when interrupted (SIGINT, a run stopped by hand): the row then counts what ran, not a crash.
    # With --jobs the parent's status is not 72 (it is interrupted in its wait), so there: every job's log says it was
    # interrupted, and none reports an error.
    interrupted=0
    if ((rc == 72 || (jobs > 1 && rc != 0))) && ((crashes == 0)) && ! grep -qE "$errors" "${logs[@]}" /dev/null &&
        [[ -z $(grep -L 'libFuzzer: run interrupted' "${logs[@]}") ]]; then interrupted=1; rc=0; fi
    if ((rc != 0)) && ((crashes == 0)); then crashes=1; fi
    ((crashes == 0)) || failed=1
    rate=$(awk -v n="${executions:-0}" -v s="$seconds" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    cpu_rate=$(awk -v n="${executions:-0}" -v s="$cpu" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    printf '%-12s %12s %9s %9s %8s %6s %7s %8s %8s\n' "$target" "${executions:-?}" "$rate" "$cpu_rate" "$crashes" "${cov:-?}" "${ft:-?}" "$seconds" "$cpu"
    rows+=("| $target | ${executions:-?} | $rate | $cpu_rate | $crashes | ${cov:-?} | ${ft:-?} | $seconds | $cpu |")
    ((interrupted == 0)) || echo "  $target: interrupted after ${executions} executions (no finding)" >&2
    if ((crashes)); then
        echo "  $target: see ${logs[*]} and Fuzz/artifacts/$target-*" >&2
        grep -h -m3 -E 'ERROR: |==[0-9]+==|Fatal error|SUMMARY' "${logs[@]}" | sed 's/^/    /' >&2 || true
    fi
done
if [[ -n $summary ]]; then
    { echo "$header"; echo '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'; printf '%s\n' "${rows[@]}"; } >"$summary"
fi
exit "$failed"
