/* tokenbatch.h: what both tokenizers (tokenize.c, tokenize_words.c) do with a token found: cut
 * it to W2V_MAX_TOKEN bytes, lowercase it when asked, hash it and count it, in batches. */
#ifndef W2V_TOKENBATCH_H
#define W2V_TOKENBATCH_H

#include <string.h>

#include "dictionary.h"
#include "lowercase.h"
#include "wordhash.h"

/* Tokens are looked up in batches: all the batch's hashes are known before the first lookup, so
 * their slots are prefetched together and the cache misses of rare words overlap instead of
 * queueing one after another.  Counting stays in corpus order, so ids are as if one by one. */
#define W2V_TOKEN_BATCH 16

typedef struct {
    const char *tok;
    uint32_t len;
    uint64_t h;
} w2v_pending_token;

typedef struct {
    w2v_pending_token t[W2V_TOKEN_BATCH];
    int n;
    /* the lowercased tokens' bytes, one row a batch entry */
    unsigned char lower[W2V_TOKEN_BATCH][W2V_MAX_TOKEN + 1];
} w2v_token_batch;

static inline int w2v_count_batch(w2v_dict *d, w2v_token_batch *b) {
    for (int j = 0; j < b->n; j++) __builtin_prefetch(d->slots + (b->t[j].h & (d->n_slots - 1)));
    for (int j = 0; j < b->n; j++) {
        int rc = w2v_dict_count_token(d, b->t[j].tok, b->t[j].len, b->t[j].h);
        if (rc) {
            b->n = 0;
            return rc;
        }
    }
    b->n = 0;
    return W2V_OK;
}

/* Whether a token may hold a capital: an ASCII one, or any byte of a non-ASCII character.  Eight
 * bytes at a time: for ASCII bytes, x + 0x3F sets a byte's top bit from 'A' up and x + 0x25 from
 * past 'Z' (no carry leaves an ASCII byte); a byte >= 0x80 is flagged by its own top bit, and a
 * carry it makes can only flag more.  Most tokens of a lowercase corpus are then not copied. */
static inline int w2v_capital_bytes(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ULL;
    return ((x | ((x + 0x3F * ones) & ~(x + 0x25 * ones))) & 0x8080808080808080ULL) != 0;
}

static inline int w2v_may_have_capitals(const unsigned char *tok, uint32_t len) {
    if (len <= 8) return w2v_capital_bytes(w2v_load_short(tok, len)); /* every byte, no other */
    for (uint32_t i = 0; i + 8 < len; i += 8)
        if (w2v_capital_bytes(w2v_load8(tok + i))) return 1;
    return w2v_capital_bytes(w2v_load8(tok + len - 8));
}

/* Add a token of at most W2V_MAX_TOKEN bytes (lowercased when d asks) to the batch, counting
 * the batch once it is full. */
static inline int w2v_batch_push(w2v_dict *d, w2v_token_batch *b, const unsigned char *tok, uint32_t len) {
    if (d->lowercase && w2v_may_have_capitals(tok, len)) {
        len = w2v_lowercase(tok, len, b->lower[b->n]);
        tok = b->lower[b->n];
    }
    b->t[b->n++] = (w2v_pending_token){(const char *)tok, len, w2v_hash_bytes(tok, len)};
    return b->n == W2V_TOKEN_BATCH ? w2v_count_batch(d, b) : W2V_OK;
}

/* The length a token of len bytes keeps: len, or for a longer one W2V_MAX_TOKEN backed off to
 * the start of a UTF-8 character so it is dropped whole (tok holds at least
 * min(len, W2V_MAX_TOKEN + 1) bytes: the byte past the cut tells).  Counts the cut. */
static inline uint32_t w2v_token_cut(w2v_dict *d, const unsigned char *tok, uint64_t len) {
    if (len <= W2V_MAX_TOKEN) return (uint32_t)len;
    uint32_t cut = W2V_MAX_TOKEN;
    while (cut > 0 && (tok[cut] & 0xC0) == 0x80) cut--;
    d->n_truncated++;
    /* no character start at all (not UTF-8): there is no character to keep whole */
    return cut > 0 ? cut : W2V_MAX_TOKEN;
}

#endif
