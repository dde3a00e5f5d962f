/* tokenize.c: word2vec.c's tokenizer, split at whitespace, feeding the corpus to the vocabulary
 * chunk by chunk (w2v_dict_feed, dictionary.h); with split_words set, tokenize_words.c's; with
 * tags_first, tags.c takes each line's first field first. */
#include <string.h>

#include "dictionary.h"
#include "tokenbatch.h"
#include "wordhash.h"

/* The end of a token of any length: cut it, lowercase it when asked, and count it.  tok holds at
 * least min(len, W2V_MAX_TOKEN + 1) bytes. */
static int emit(w2v_dict *d, const char *tok, uint32_t len) {
    len = w2v_token_cut(d, (const unsigned char *)tok, len);
    if (d->lowercase && w2v_may_have_capitals((const unsigned char *)tok, len)) {
        unsigned char lower[W2V_MAX_TOKEN + 1];
        len = w2v_lowercase((const unsigned char *)tok, len, lower);
        return w2v_dict_count_token(d, (const char *)lower, len, w2v_hash_bytes(lower, len));
    }
    return w2v_dict_count_token(d, tok, len, w2v_hash_bytes((const unsigned char *)tok, len));
}

/* How the tokenizer treats each byte.  word2vec.c splits at space, tab and newline only; vertical
 * tab and form feed split here too, since every reader of the vector files (ours, gensim's, C's
 * fscanf "%s") does, so a word holding one could not be read back (pdftotext puts \f at each
 * page).  '\r' is dropped wherever it is, inside a token too. */
enum { WORD_BYTE, BLANK, NEWLINE, CARRIAGE_RETURN };

static const unsigned char byte_class[256] = {
    [' '] = BLANK, ['\t'] = BLANK, ['\v'] = BLANK, ['\f'] = BLANK,
    ['\n'] = NEWLINE, ['\r'] = CARRIAGE_RETURN,
};

/* Where the word starting at p[k] ends: its first byte at or after k that is not a WORD_BYTE,
 * or n.  Eight bytes at a time: every separator and '\r' is below 0x21, and the bit trick finds
 * the first byte below 0x21 in a word exactly (a borrow can only mark bytes after it); such a
 * byte that is not a separator (a control character, part of the word) is stepped over. */
static inline uint64_t word_end(const unsigned char *p, uint64_t k, uint64_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (k + 8 <= n) {
        uint64_t x = w2v_load8(p + k);
        uint64_t below = (x - 0x2121212121212121ULL) & ~x & 0x8080808080808080ULL;
        if (!below) {
            k += 8;
            continue;
        }
        k += (uint64_t)__builtin_ctzll(below) >> 3;
        if (byte_class[p[k]] != WORD_BYTE) return k;
        k++;
    }
#endif
    while (k < n && byte_class[p[k]] == WORD_BYTE) k++;
    return k;
}

/* Go on with the token held in d->token, byte by byte from p[k]; returns where it ends (its
 * separator, or n when it goes on into the next chunk). */
static uint64_t continue_token(w2v_dict *d, const unsigned char *p, uint64_t k, uint64_t n) {
    uint32_t len = d->token_len;
    for (; k < n; k++) {
        int cls = byte_class[p[k]];
        if (cls == WORD_BYTE) {
            if (len <= W2V_MAX_TOKEN) d->token[len] = p[k];
            if (len < UINT32_MAX) len++;
        } else if (cls != CARRIAGE_RETURN) {
            break;
        }
    }
    d->token_len = len;
    return k;
}

/* The token held in d->token is complete. */
static int emit_held_token(w2v_dict *d) {
    uint32_t len = d->token_len;
    d->token_len = 0;
    return emit(d, (const char *)d->token, len);
}

int w2v_dict_feed(w2v_dict *d, const char *buf, uint64_t n, int last) {
    if (d->status) return d->status;
    return d->tags_first ? w2v_dict_feed_tagged(d, buf, n, last) : w2v_dict_feed_text(d, buf, n, last);
}

int w2v_dict_feed_text(w2v_dict *d, const char *buf, uint64_t n, int last) {
    if (d->split_words) return w2v_dict_feed_words(d, (const unsigned char *)buf, n, last);
    const unsigned char *p = (const unsigned char *)buf;
    const unsigned char *eos = (const unsigned char *)W2V_EOS;
    w2v_token_batch batch;
    batch.n = 0;
    int rc = W2V_OK;
    uint64_t k = 0;
    if (d->token_len) { /* a token carried over from the previous chunk */
        k = continue_token(d, p, 0, n);
        if (k < n) rc = emit_held_token(d);
    }
    while (k < n && rc == W2V_OK) {
        int cls = byte_class[p[k]];
        if (cls != WORD_BYTE) {
            if (cls == NEWLINE) rc = w2v_batch_push(d, &batch, eos, 4);
            k++;
        } else {
            uint64_t start = k;
            k = word_end(p, k, n);
            uint64_t len = k - start;
            if (k < n && byte_class[p[k]] != CARRIAGE_RETURN && len <= W2V_MAX_TOKEN) {
                rc = w2v_batch_push(d, &batch, p + start, (uint32_t)len);
            } else {
                /* the rare token: it goes on into the next chunk, holds a '\r', or is cut.  It
                 * goes byte by byte through d->token, after the tokens before it. */
                if ((rc = w2v_count_batch(d, &batch))) break;
                memcpy(d->token, p + start, len < W2V_MAX_TOKEN + 1 ? len : W2V_MAX_TOKEN + 1);
                d->token_len = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
                k = continue_token(d, p, k, n);
                if (k < n) rc = emit_held_token(d);
            }
        }
    }
    if (rc == W2V_OK) rc = w2v_count_batch(d, &batch);
    if (last && d->token_len && rc == W2V_OK) rc = emit_held_token(d);
    if (rc) d->status = rc;
    return rc;
}
