#!/usr/bin/env bash
# A short run of every fuzzer, for CI (.ci/run calls it after the tests), so that the harnesses
# keep building and running as the code under them changes:
#   tokenizer     fuzz/fuzz_tokenizer.c built with gcc, ASan + UBSan and fuzz/standalone.c
#                 (fuzz/build.sh standalone), $FUZZ_C_SECONDS (20) s
#   tokenizer-py  fuzz/fuzz_tokenizer.py under atheris, $FUZZ_PY_SECONDS (15) s
#   vectors       fuzz/fuzz_vectors.py under atheris, $FUZZ_PY_SECONDS (15) s
# Each starts from fuzz/make_seeds.py's seeds in a fresh temporary directory, with a random seed
# (printed; FUZZ_SEED fixes the C driver's).  A harness that does not build, a crash, a sanitizer
# report, a failed invariant or an input running past 10 s fails the script, with the end of that
# fuzzer's log (the C driver prints the failing input as hex, atheris names its crash file).
# Without atheris the two Python fuzzers are skipped with a message.  About 60 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

c_seconds=${FUZZ_C_SECONDS:-20}
py_seconds=${FUZZ_PY_SECONDS:-15}
python=${PYTHON:-python}
work=$(mktemp -d "${TMPDIR:-/tmp}/w2vfast-fuzz-ci.XXXXXX")
"$python" fuzz/make_seeds.py "$work"
status=0

# run NAME COMMAND...: one fuzzer, its log in $work/NAME.log; the statistics when it passes, the
# log's end when it fails
run() {
    local name=$1 log=$work/$1.log start=$SECONDS
    shift
    echo "fuzz: $name"
    if "$@" >"$log" 2>&1; then
        grep -E "^#[0-9]+[[:space:]]+DONE|[Ss]eed:? [0-9]" "$log" | sed 's/^/fuzz:   /' || true
        echo "fuzz: $name passed ($((SECONDS - start)) s)"
    else
        tail -n 150 "$log"
        echo "fuzz: $name FAILED (log above; inputs and logs kept in $work)"
        status=1
    fi
}

echo "fuzz: building the C tokenizer harness (gcc, ASan + UBSan, fuzz/standalone.c)"
if ! fuzz/build.sh standalone "$work/fuzz_tokenizer"; then
    echo "fuzz: the C tokenizer harness does not build (fuzz/build.sh, fuzz/fuzz_tokenizer.c)"
    exit 1
fi
seed=()
if [ -n "${FUZZ_SEED:-}" ]; then seed=(-seed="$FUZZ_SEED"); fi
run tokenizer "$work/fuzz_tokenizer" -max_total_time="$c_seconds" -max_len=4096 -timeout=10 \
    "${seed[@]}" -artifact_prefix="$work/tokenizer-" "$work/tokenizer-seeds"

if "$python" -c "import atheris" 2>/dev/null; then
    for fuzzer in tokenizer-py vectors; do
        mkdir -p "$work/$fuzzer"
        run "$fuzzer" "$python" "fuzz/fuzz_${fuzzer%-py}.py" -max_total_time="$py_seconds" \
            -max_len=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/$fuzzer-" \
            "$work/$fuzzer" "$work/$fuzzer-seeds"
    done
else
    echo "fuzz: SKIPPED fuzz/fuzz_tokenizer.py and fuzz/fuzz_vectors.py: atheris is not installed" \
        "for $python (pip install atheris)"
fi

if [ $status -eq 0 ]; then rm -rf "$work"; fi
exit $status
