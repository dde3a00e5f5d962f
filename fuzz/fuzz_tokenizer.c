/* libFuzzer harness for the C tokenizer and vocabulary (csrc/dictionary.h).
 *
 * Build and run (fuzz/build.sh holds the sources and flags; fuzz/run.sh does both steps):
 *   fuzz/build.sh libfuzzer fuzz_tokenizer     # clang: coverage-guided libFuzzer
 *   fuzz/build.sh standalone fuzz_tokenizer    # gcc: fuzz/standalone.c, seeds + random mutations
 *   ./fuzz_tokenizer -max_total_time=180 -max_len=4096 CORPUS_DIR [SEEDS_DIR]
 *
 * The first two input bytes choose the options (min_count 1..4, max_vocab 0 or 2..65, whether
 * a vocabulary is read first and frozen, the chunk sizes); the rest is the corpus.  Besides
 * memory errors and undefined behaviour (the sanitizers), the harness aborts when an invariant
 * breaks:
 *   - the corpus fed in random-sized chunks gives exactly what it gives in one chunk;
 *   - word 0 is "</s>"; every other word is 1..W2V_MAX_TOKEN bytes, holds no separator
 *     (space, tab, newline) and no '\r', and is found again by w2v_dict_find under its own id;
 *   - counts are at least min_count and in descending order (ties: first occurrence);
 *   - the stored ids are all < n_words, there are n_ids of them, and (when counting, not
 *     frozen) word i occurs exactly count[i] times in them;
 *   - with min_count 1, no pruning and no vocabulary given, every token is kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dictionary.h"

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "invariant failed: %s (line %d)\n", #cond, __LINE__);  \
            abort();                                                               \
        }                                                                          \
    } while (0)

typedef struct {
    uint32_t n_words;
    uint64_t n_ids, n_tokens;
    uint64_t *counts;
    uint32_t *ids;
    char **words;
    uint32_t *lengths;
} snapshot;

static int is_separator(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f';
}

/* Feed `text` in chunks whose sizes come from `sizes` (0 = all in one chunk), finalize, and
 * check the invariants; fill `out` for the chunking comparison. */
static void run(const uint8_t *text, size_t n, const uint8_t *vocab, size_t n_vocab,
                uint64_t min_count, uint64_t max_vocab, uint8_t sizes, snapshot *out) {
    w2v_dict d;
    /* the chunked run keeps its ids in a spill file from the first byte (bytebuf.h), so the
     * comparison of the two runs also checks the file-backed stream against the heap one; a
     * heap_limit equal to spill_above leaves it no heap fallback (bytebuf.h) */
    uint64_t spill_above = sizes ? 0 : UINT64_MAX;
    CHECK(w2v_dict_init(&d, max_vocab, 1, spill_above, spill_above, NULL) == W2V_OK);
    CHECK(w2v_bytebuf_spilled(&d.ids) == 0);
    int frozen = vocab != NULL;
    if (frozen) {
        /* the vocabulary words (as read_vocab_file gives them): the vocab bytes split at
         * whitespace; the k-th gets count k + 1 (a word given twice adds up), so sorting reverses
         * the order they were added in and a final id may need more varint bytes than the
         * provisional one (finalize's stream rewrite must then grow its buffer) */
        size_t start = 0;
        uint64_t k_word = 0;
        for (size_t k = 0; k <= n_vocab; k++) {
            if (k == n_vocab || vocab[k] == ' ' || vocab[k] == '\t' || vocab[k] == '\n' ||
                vocab[k] == '\r') {
                if (k > start && k - start <= W2V_MAX_TOKEN)
                    CHECK(w2v_dict_add(&d, (const char *)vocab + start, (uint32_t)(k - start),
                                        ++k_word) != W2V_NO_ID);
                start = k + 1;
            }
        }
        d.frozen = 1;
    }
    size_t pos = 0, step = sizes ? (size_t)(sizes % 13) + 1 : n;
    /* the chunked run of a plain vocabulary is also the parallel pass: the text after the first
     * separator past a point chosen by `sizes` goes to a second dictionary, merged afterwards */
    size_t split = n;
    if (sizes && !frozen && max_vocab == 0) {
        split = n * sizes / 256;
        while (split > 0 && split < n && !is_separator(text[split - 1])) split++;
    }
    while (pos < split) {
        size_t len = split - pos < step ? split - pos : step;
        CHECK(w2v_dict_feed(&d, (const char *)text + pos, len, 0) == W2V_OK);
        pos += len;
        if (sizes) step = (size_t)((step * 7 + sizes) % 17) + 1;
    }
    CHECK(w2v_dict_feed(&d, NULL, 0, 1) == W2V_OK);
    if (split < n) {
        w2v_dict second;
        CHECK(w2v_dict_init(&second, 0, 1, UINT64_MAX, UINT64_MAX, NULL) == W2V_OK);
        CHECK(w2v_dict_feed(&second, (const char *)text + split, n - split, 1) == W2V_OK);
        CHECK(w2v_dict_merge(&d, &second) == W2V_OK);
        w2v_dict_free(&second);
    }
    uint64_t n_tokens = d.n_tokens;
    CHECK(w2v_dict_finalize(&d, min_count, 0) == W2V_OK);
    if (sizes && d.n_ids) CHECK(w2v_bytebuf_spilled(&d.ids));

    CHECK(d.n_words >= 1);
    CHECK(d.length[0] == 4 && memcmp(d.arena + d.offset[0], "</s>", 4) == 0);
    for (uint32_t i = 0; i < d.n_words; i++) {
        const char *w = d.arena + d.offset[i];
        uint32_t len = d.length[i];
        CHECK(len >= 1 && len <= W2V_MAX_TOKEN);
        CHECK(d.offset[i] + len <= d.arena_len);
        for (uint32_t k = 0; k < len; k++)
            CHECK(w[k] != ' ' && w[k] != '\t' && w[k] != '\n' && w[k] != '\r');
        CHECK(w2v_dict_find(&d, w, len) == i);
        if (i >= 1) CHECK(d.count[i] >= min_count);
        if (i >= 2) CHECK(d.count[i] <= d.count[i - 1]);
    }
    uint32_t *ids = malloc((d.n_ids ? d.n_ids : 1) * sizeof *ids);
    uint64_t *seen = calloc(d.n_words, sizeof *seen);
    CHECK(ids && seen);
    w2v_dict_decode(&d, ids);
    for (uint64_t k = 0; k < d.n_ids; k++) {
        CHECK(ids[k] < d.n_words);
        seen[ids[k]]++;
    }
    uint64_t kept = 0;
    for (uint32_t i = 0; i < d.n_words; i++) {
        if (!frozen) CHECK(seen[i] == d.count[i]);
        kept += seen[i];
    }
    CHECK(kept == d.n_ids);
    CHECK(d.n_ids <= n_tokens);
    if (max_vocab == 0) CHECK(d.n_prunes == 0);
    /* nothing pruned, nothing under min_count: every token is kept, </s> included */
    if (!frozen && max_vocab == 0 && min_count == 1) CHECK(d.n_ids == n_tokens);
    free(seen);

    out->n_words = d.n_words;
    out->n_ids = d.n_ids;
    out->n_tokens = n_tokens;
    out->ids = ids;
    out->counts = malloc(d.n_words * sizeof *out->counts);
    out->lengths = malloc(d.n_words * sizeof *out->lengths);
    out->words = malloc(d.n_words * sizeof *out->words);
    CHECK(out->counts && out->lengths && out->words);
    for (uint32_t i = 0; i < d.n_words; i++) {
        out->counts[i] = d.count[i];
        out->lengths[i] = d.length[i];
        out->words[i] = malloc(d.length[i]);
        CHECK(out->words[i]);
        memcpy(out->words[i], d.arena + d.offset[i], d.length[i]);
    }
    w2v_dict_free(&d);
}

static void release(snapshot *s) {
    for (uint32_t i = 0; i < s->n_words; i++) free(s->words[i]);
    free(s->words);
    free(s->lengths);
    free(s->counts);
    free(s->ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    uint8_t opt = data[0], sizes = data[1];
    data += 2;
    size -= 2;
    uint64_t min_count = (opt & 3) + 1;
    uint64_t max_vocab = (opt & 4) ? (uint64_t)((opt >> 3) & 63) + 2 : 0;
    const uint8_t *vocab = NULL, *text = data;
    size_t n_vocab = 0, n = size;
    if ((opt & 0x80) && max_vocab == 0) {
        /* frozen mode: the bytes up to the first '|' are the vocabulary, the rest the corpus */
        const uint8_t *bar = memchr(data, '|', size);
        if (bar) {
            vocab = data;
            n_vocab = (size_t)(bar - data);
            text = bar + 1;
            n = size - n_vocab - 1;
        }
    }
    snapshot whole, pieces;
    run(text, n, vocab, n_vocab, min_count, max_vocab, 0, &whole);
    run(text, n, vocab, n_vocab, min_count, max_vocab, sizes ? sizes : 1, &pieces);
    CHECK(whole.n_words == pieces.n_words && whole.n_ids == pieces.n_ids);
    CHECK(whole.n_tokens == pieces.n_tokens);
    for (uint32_t i = 0; i < whole.n_words; i++) {
        CHECK(whole.counts[i] == pieces.counts[i] && whole.lengths[i] == pieces.lengths[i]);
        CHECK(memcmp(whole.words[i], pieces.words[i], whole.lengths[i]) == 0);
    }
    CHECK(memcmp(whole.ids, pieces.ids, whole.n_ids * sizeof *whole.ids) == 0);
    release(&whole);
    release(&pieces);
    return 0;
}
