#!/usr/bin/env bash
# Fuzzing, one fuzzer after the other (2 cores are enough):
#   tokenizer     the C tokenizer (csrc/dictionary.h) under libFuzzer + ASan + UBSan
#                 (fuzz/fuzz_tokenizer.c); without clang, under gcc's ASan + UBSan with
#                 fuzz/standalone.c instead (random mutation of the seeds, not coverage guided)
#   tokenizer-py  corpus reading and build_vocabulary under atheris (fuzz/fuzz_tokenizer.py)
#   vectors       the vector-file reader under atheris (fuzz/fuzz_vectors.py)
#
# Usage: fuzz/run.sh [SECONDS_EACH] [FUZZER...]     (default: 180 s each, all three)
# Needs: clang with libFuzzer (Debian: apt-get install clang), or gcc for the standalone driver,
# and atheris (pip install atheris); a fuzzer whose tool is missing is skipped with a message.
# Inputs that grew coverage (libFuzzer, atheris) are kept in $FUZZ_WORK (default
# /tmp/w2vfast-fuzz) and reused by the next run, by either driver; a crash is written there
# as crash-* and the run stops with status 1.  Reproduce one with
#   $FUZZ_WORK/fuzz_tokenizer CRASH    or    python fuzz/fuzz_vectors.py --replay CRASH
# and turn it into a test in tests/ (see test_robustness_vectors.py and test_properties.py).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-180}
shift || true
fuzzers=("${@:-tokenizer tokenizer-py vectors}")
read -r -a fuzzers <<<"${fuzzers[*]}"
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/w2vfast-fuzz}
python=${PYTHON:-python}
mkdir -p "$work"
"$python" fuzz/make_seeds.py "$work"
status=0

summary() {  # the last libFuzzer status line and its final statistics
    grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb" "$1" || true
    grep -E "ERROR|runtime error|invariant failed|==standalone==|Uncaught Python exception" "$1" \
        | head -5 || true
}

for fuzzer in "${fuzzers[@]}"; do
    corpus="$work/$fuzzer"
    mkdir -p "$corpus"
    log="$work/$fuzzer.log"
    echo "== $fuzzer: $seconds s, corpus $corpus, log $log"
    args=(-max_total_time="$seconds" -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/$fuzzer-"
          "$corpus" "$work/$fuzzer-seeds")
    case $fuzzer in
        tokenizer)
            if command -v clang >/dev/null; then
                fuzz/build.sh libfuzzer "$work/fuzz_tokenizer"
            else
                echo "clang is not installed (apt-get install clang): gcc and fuzz/standalone.c," \
                    "random mutation without coverage guidance"
                fuzz/build.sh standalone "$work/fuzz_tokenizer"
            fi
            "$work/fuzz_tokenizer" "${args[@]}" >"$log" 2>&1 || status=1
            ;;
        tokenizer-py | vectors)
            if ! "$python" -c "import atheris" 2>/dev/null; then
                echo "skipped: atheris is not installed (pip install atheris)"
                continue
            fi
            "$python" "fuzz/fuzz_${fuzzer%-py}.py" "${args[@]}" >"$log" 2>&1 || status=1
            ;;
        *)
            echo "unknown fuzzer $fuzzer (tokenizer, tokenizer-py, vectors)" >&2
            exit 2
            ;;
    esac
    summary "$log"
done
exit $status
