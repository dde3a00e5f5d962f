#!/usr/bin/env bash
# Build the C tokenizer harness (fuzz/fuzz_tokenizer.c) with AddressSanitizer and
# UndefinedBehaviorSanitizer, undefined behaviour fatal:
#   fuzz/build.sh libfuzzer OUT    clang with libFuzzer: coverage-guided (what fuzz/run.sh uses)
#   fuzz/build.sh standalone OUT   $CC (default gcc) with fuzz/standalone.c: seeds, then random
#                                  mutations; for machines without clang, and CI
# Every build of the harness goes through here, so the list of C sources it links lives only here.
set -euo pipefail
cd "$(dirname "$0")/.."

# The csrc/ files behind csrc/dictionary.h, the code under test.
sources=(csrc/dictionary.c csrc/tokenize.c csrc/tokenize_words.c csrc/tags.c csrc/lowercase.c csrc/idstream.c csrc/bytebuf.c)

mode=${1:?usage: fuzz/build.sh libfuzzer|standalone OUT}
out=${2:?usage: fuzz/build.sh libfuzzer|standalone OUT}
# A call that no longer matches a prototype (an argument's type, an undeclared function) is an
# error, so a harness left behind by an API change fails to build; other warnings stay warnings,
# as in the main build (setup.py).
flags=(-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Wall -Wextra
       -Werror=implicit-function-declaration -Werror=int-conversion
       -Werror=incompatible-pointer-types -Werror=return-type -Icsrc)
case $mode in
    libfuzzer)
        clang "${flags[@]}" -fsanitize=fuzzer,address,undefined \
            fuzz/fuzz_tokenizer.c "${sources[@]}" -o "$out"
        ;;
    standalone)
        "${CC:-gcc}" "${flags[@]}" -fsanitize=address,undefined \
            fuzz/standalone.c fuzz/fuzz_tokenizer.c "${sources[@]}" -o "$out"
        ;;
    *)
        echo "fuzz/build.sh: unknown mode $mode (libfuzzer or standalone)" >&2
        exit 2
        ;;
esac
