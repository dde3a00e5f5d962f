#include <stdlib.h>
#include <string.h>

#include "dictionary.h"
#include "varint.h"

static const char EOS[] = "</s>";

/* Loads of 1 to 8 bytes without a loop over them: a word's bytes as one integer, exact for
 * n <= 8 (for 4..8 bytes two overlapping 4-byte loads, for 1..3 the first, middle and last
 * byte).  A byte loop here had an exit mispredicted at every word of a new length. */
static inline uint32_t load4(const unsigned char *s) {
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

static inline uint64_t load8(const unsigned char *s) {
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint64_t load_short(const unsigned char *s, uint32_t n) {
    if (n >= 4) return (uint64_t)load4(s) << 32 | load4(s + n - 4);
    if (n == 0) return 0;
    return (uint64_t)s[0] << 16 | (uint64_t)s[n / 2] << 8 | s[n - 1];
}

/* The word hash: eight bytes at a time (the last eight overlapping the ones before), each mixed
 * in by a multiply, then a murmur3 finalizer.  The byte-at-a-time FNV-1a it replaces was a chain
 * of one multiply per byte on the tokenizer's critical path.  The slot index takes the low bits,
 * the tag kept in the slot the high 32 (see lookup). */
static inline uint64_t hash_bytes(const unsigned char *s, uint32_t n) {
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = (n + 1) * k;
    if (n <= 8) {
        h = (h ^ load_short(s, n)) * k;
    } else {
        for (uint32_t i = 0; i + 8 < n; i += 8) h = ((h ^ load8(s + i)) * k) ^ (h >> 32);
        h = (h ^ load8(s + n - 8)) * k;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

/* memcmp(a, b, n) == 0, inline: for short words the library call cost more than the compare. */
static inline int same_bytes(const char *a, const char *b, uint32_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    if (n <= 8) return load_short(x, n) == load_short(y, n);
    for (uint32_t i = 0; i + 8 < n; i += 8)
        if (load8(x + i) != load8(y + i)) return 0;
    return load8(x + n - 8) == load8(y + n - 8);
}

static int grow(void **p, uint64_t *cap, uint64_t need, size_t elem) {
    if (need <= *cap) return W2V_OK;
    uint64_t c = *cap ? *cap : 1024;
    while (c < need) c += c / 2 + 1024;
    void *q = realloc(*p, c * elem);
    if (!q) return W2V_ENOMEM;
    *p = q;
    *cap = c;
    return W2V_OK;
}

/* A slot holds word id + 1 in its low 32 bits (0: empty) and the word hash's high 32 bits above,
 * so a probe rejects a different word without touching the word arrays: one cache miss per
 * lookup of a rare word instead of two. */
#define TAG_BITS 0xFFFFFFFF00000000ULL

static inline uint64_t slot_value(uint64_t h, uint32_t i) { return (h & TAG_BITS) | (i + 1); }

static int rehash(w2v_dict *d, uint64_t n_slots) {
    uint64_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots) return W2V_ENOMEM;
    for (uint32_t i = 0; i < d->n_words; i++) {
        uint64_t s = d->hash[i] & (n_slots - 1);
        while (slots[s]) s = (s + 1) & (n_slots - 1);
        slots[s] = slot_value(d->hash[i], i);
    }
    free(d->slots);
    d->slots = slots;
    d->n_slots = n_slots;
    return W2V_OK;
}

int w2v_dict_init(w2v_dict *d, uint64_t max_vocab, int record_ids, uint64_t spill_above,
                  uint64_t heap_limit, const char *spill_dir) {
    memset(d, 0, sizeof *d);
    if (w2v_bytebuf_init(&d->ids, spill_above, heap_limit, spill_dir)) return W2V_ENOMEM;
    d->max_vocab = max_vocab;
    d->record_ids = record_ids;
    d->min_reduce = 1;
    if (rehash(d, 1 << 16)) return W2V_ENOMEM;
    /* </s> is word 0 from the start, as in word2vec.c, so it sorts first whatever its count */
    if (w2v_dict_add(d, EOS, 4, 0) == W2V_NO_ID) return W2V_ENOMEM;
    return W2V_OK;
}

void w2v_dict_free(w2v_dict *d) {
    free(d->arena);
    free(d->offset);
    free(d->length);
    free(d->count);
    free(d->hash);
    free(d->slots);
    w2v_bytebuf_free(&d->ids);
    memset(d, 0, sizeof *d);
    d->ids.fd = -1;
}

static uint32_t lookup(const w2v_dict *d, const char *word, uint32_t len, uint64_t h, uint64_t *slot) {
    uint64_t s = h & (d->n_slots - 1);
    for (;;) {
        uint64_t v = d->slots[s];
        if (!v) break;
        uint32_t i = (uint32_t)v - 1;
        if ((v & TAG_BITS) == (h & TAG_BITS) && d->length[i] == len &&
            same_bytes(d->arena + d->offset[i], word, len)) {
            *slot = s;
            return i;
        }
        s = (s + 1) & (d->n_slots - 1);
    }
    *slot = s;
    return W2V_NO_ID;
}

uint32_t w2v_dict_find(const w2v_dict *d, const char *word, uint32_t len) {
    uint64_t slot;
    return lookup(d, word, len, hash_bytes((const unsigned char *)word, len), &slot);
}

static uint32_t insert(w2v_dict *d, const char *word, uint32_t len, uint64_t h, uint64_t slot) {
    uint64_t cap = d->cap_words;
    if (d->n_words == UINT32_MAX - 1) return W2V_NO_ID;
    if (d->n_words + 1 > cap) {
        uint64_t c = cap;
        if (grow((void **)&d->offset, &c, d->n_words + 1, sizeof *d->offset)) return W2V_NO_ID;
        c = cap;
        if (grow((void **)&d->length, &c, d->n_words + 1, sizeof *d->length)) return W2V_NO_ID;
        c = cap;
        if (grow((void **)&d->count, &c, d->n_words + 1, sizeof *d->count)) return W2V_NO_ID;
        c = cap;
        if (grow((void **)&d->hash, &c, d->n_words + 1, sizeof *d->hash)) return W2V_NO_ID;
        d->cap_words = (uint32_t)(c > UINT32_MAX ? UINT32_MAX : c);
    }
    if (grow((void **)&d->arena, &d->arena_cap, d->arena_len + len, 1)) return W2V_NO_ID;
    uint32_t i = d->n_words++;
    memcpy(d->arena + d->arena_len, word, len);
    d->offset[i] = d->arena_len;
    d->arena_len += len;
    d->length[i] = len;
    d->count[i] = 0;
    d->hash[i] = h;
    d->slots[slot] = slot_value(h, i);
    if ((uint64_t)d->n_words * 2 > d->n_slots && rehash(d, d->n_slots * 2)) return W2V_NO_ID;
    return i;
}

uint32_t w2v_dict_add(w2v_dict *d, const char *word, uint32_t len, uint64_t count) {
    uint64_t h = hash_bytes((const unsigned char *)word, len), slot;
    uint32_t i = lookup(d, word, len, h, &slot);
    if (i == W2V_NO_ID) i = insert(d, word, len, h, slot);
    if (i == W2V_NO_ID) {
        d->status = W2V_ENOMEM;
        return W2V_NO_ID;
    }
    d->count[i] += count;
    return i;
}

/* word2vec.c's ReduceVocab: drop every word seen at most min_reduce times, then raise the bar.
 * Ids already in the stream for dropped words become W2V_NO_ID (a word pruned early and seen
 * often later keeps only its later occurrences, as with word2vec.c's counts). */
static int prune(w2v_dict *d) {
    uint32_t *remap = malloc((uint64_t)d->n_words * sizeof *remap);
    if (!remap) return W2V_ENOMEM;
    uint32_t kept = 0;
    uint64_t arena_len = 0;
    for (uint32_t i = 0; i < d->n_words; i++) {
        if (i != 0 && d->count[i] <= d->min_reduce) {
            remap[i] = W2V_NO_ID;
            continue;
        }
        memmove(d->arena + arena_len, d->arena + d->offset[i], d->length[i]);
        d->offset[kept] = arena_len;
        arena_len += d->length[i];
        d->length[kept] = d->length[i];
        d->count[kept] = d->count[i];
        d->hash[kept] = d->hash[i];
        remap[i] = kept++;
    }
    d->n_words = kept;
    d->arena_len = arena_len;
    /* drop the pruned words' tokens from the stream; kept ids only get smaller, so the stream
     * can be rewritten in place (the write position never passes the read position) */
    uint64_t rd = 0;
    uint8_t *wr = d->ids.data;
    uint64_t n = 0;
    while (rd < d->ids.len) {
        uint32_t id = remap[w2v_varint_get(d->ids.data, &rd)];
        if (id == W2V_NO_ID) continue;
        wr = w2v_varint_put(wr, id);
        n++;
    }
    d->ids.len = (uint64_t)(wr - d->ids.data);
    d->n_ids = n;
    free(remap);
    d->min_reduce++;
    d->n_prunes++;
    return rehash(d, d->n_slots);
}

/* Count a token of at most W2V_MAX_TOKEN bytes whose hash is h, and record its id. */
static int count_token(w2v_dict *d, const char *tok, uint32_t len, uint64_t h) {
    uint64_t slot;
    d->n_tokens++;
    uint32_t i = lookup(d, tok, len, h, &slot);
    if (i == W2V_NO_ID) {
        if (d->frozen) return W2V_OK; /* unknown word under -read-vocab: skipped, as word2vec.c */
        i = insert(d, tok, len, h, slot);
        if (i == W2V_NO_ID) return W2V_ENOMEM;
    }
    if (!d->frozen) d->count[i]++;
    if (d->record_ids) {
        w2v_bytebuf *b = &d->ids;
        if (b->len + 5 > b->cap) {
            int rc = w2v_bytebuf_reserve(b, b->len + 5);
            if (rc) return rc;
        }
        b->len = (uint64_t)(w2v_varint_put_fast(b->data + b->len, i) - b->data);
        d->n_ids++;
    }
    if (d->max_vocab && d->n_words > d->max_vocab) {
        while (d->n_words > d->max_vocab) {
            int rc = prune(d);
            if (rc) return rc;
        }
    }
    return W2V_OK;
}

/* The end of a token of any length: apply the length cut, then count it.  tok holds at least
 * min(len, W2V_MAX_TOKEN + 1) bytes. */
static int emit(w2v_dict *d, const char *tok, uint32_t len) {
    if (len > W2V_MAX_TOKEN) {
        /* tok holds W2V_MAX_TOKEN + 1 bytes; if the first byte past the cut continues a UTF-8
         * character, back off to that character's first byte so it is dropped whole */
        uint32_t cut = W2V_MAX_TOKEN;
        while (cut > 0 && ((unsigned char)tok[cut] & 0xC0) == 0x80) cut--;
        /* no character start at all (not UTF-8): there is no character to keep whole */
        len = cut > 0 ? cut : W2V_MAX_TOKEN;
        d->n_truncated++;
    }
    return count_token(d, tok, len, hash_bytes((const unsigned char *)tok, len));
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
        uint64_t x = load8(p + k);
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

/* Tokens are looked up in batches: all the batch's hashes are known before the first lookup, so
 * their slots are prefetched together and the cache misses of rare words overlap instead of
 * queueing one after another.  Counting stays in corpus order, so ids are as if one by one. */
#define W2V_TOKEN_BATCH 16

typedef struct {
    const char *tok;
    uint32_t len;
    uint64_t h;
} pending_token;

static int count_batch(w2v_dict *d, const pending_token *batch, int n) {
    for (int j = 0; j < n; j++) __builtin_prefetch(d->slots + (batch[j].h & (d->n_slots - 1)));
    for (int j = 0; j < n; j++) {
        int rc = count_token(d, batch[j].tok, batch[j].len, batch[j].h);
        if (rc) return rc;
    }
    return W2V_OK;
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
    const unsigned char *p = (const unsigned char *)buf;
    const uint64_t eos_hash = hash_bytes((const unsigned char *)EOS, 4);
    pending_token batch[W2V_TOKEN_BATCH];
    int n_batch = 0, rc = W2V_OK;
    uint64_t k = 0;
    if (d->token_len) { /* a token carried over from the previous chunk */
        k = continue_token(d, p, 0, n);
        if (k < n) rc = emit_held_token(d);
    }
    while (k < n && rc == W2V_OK) {
        int cls = byte_class[p[k]];
        if (cls != WORD_BYTE) {
            if (cls == NEWLINE) batch[n_batch++] = (pending_token){EOS, 4, eos_hash};
            k++;
        } else {
            uint64_t start = k;
            k = word_end(p, k, n);
            uint64_t len = k - start;
            if (k < n && byte_class[p[k]] != CARRIAGE_RETURN && len <= W2V_MAX_TOKEN) {
                batch[n_batch++] = (pending_token){(const char *)p + start, (uint32_t)len,
                                                   hash_bytes(p + start, (uint32_t)len)};
            } else {
                /* the rare token: it goes on into the next chunk, holds a '\r', or is cut.  It
                 * goes byte by byte through d->token, after the tokens before it. */
                if ((rc = count_batch(d, batch, n_batch))) break;
                n_batch = 0;
                memcpy(d->token, p + start, len < W2V_MAX_TOKEN + 1 ? len : W2V_MAX_TOKEN + 1);
                d->token_len = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
                k = continue_token(d, p, k, n);
                if (k < n) rc = emit_held_token(d);
                continue;
            }
        }
        if (n_batch == W2V_TOKEN_BATCH) {
            rc = count_batch(d, batch, n_batch);
            n_batch = 0;
        }
    }
    if (rc == W2V_OK) rc = count_batch(d, batch, n_batch);
    if (last && d->token_len && rc == W2V_OK) rc = emit_held_token(d);
    if (rc) d->status = rc;
    return rc;
}

/* Sort key: count descending, then first occurrence (the provisional id) ascending.  A total
 * order, so the vocabulary does not depend on the sort algorithm (word2vec.c's qsort orders ties
 * arbitrarily). */
typedef struct {
    uint64_t count;
    uint32_t id;
} ranked_word;

static int by_count_then_first(const void *a, const void *b) {
    const ranked_word *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

int w2v_dict_order(w2v_dict *d, uint64_t min_count, int keep_order, uint32_t *remap) {
    uint32_t n = d->n_words;
    ranked_word *order = malloc((uint64_t)n * sizeof *order);
    if (!order) return W2V_ENOMEM;
    uint32_t m = 0;
    uint64_t kept_bytes = d->length[0];
    for (uint32_t i = 1; i < n; i++)
        if (d->count[i] >= min_count) {
            order[m].count = d->count[i];
            order[m++].id = i;
            kept_bytes += d->length[i];
        }
    if (!keep_order) qsort(order, m, sizeof *order, by_count_then_first);
    /* the kept words only: on a large corpus most distinct words are rare and go */
    char *arena = malloc(kept_bytes ? kept_bytes : 1);
    uint64_t *offset = malloc(((uint64_t)m + 1) * sizeof *offset);
    uint32_t *length = malloc(((uint64_t)m + 1) * sizeof *length);
    uint64_t *count = malloc(((uint64_t)m + 1) * sizeof *count);
    uint64_t *hash = malloc(((uint64_t)m + 1) * sizeof *hash);
    if (!arena || !offset || !length || !count || !hash) {
        free(order); free(arena); free(offset); free(length); free(count); free(hash);
        return W2V_ENOMEM;
    }

    for (uint32_t i = 0; i < n; i++) remap[i] = W2V_NO_ID;
    uint64_t arena_len = 0;
    for (uint32_t k = 0; k <= m; k++) {
        uint32_t i = k == 0 ? 0 : order[k - 1].id;
        remap[i] = k;
        memcpy(arena + arena_len, d->arena + d->offset[i], d->length[i]);
        offset[k] = arena_len;
        arena_len += d->length[i];
        length[k] = d->length[i];
        count[k] = d->count[i];
        hash[k] = d->hash[i];
    }
    free(order);
    free(d->arena); free(d->offset); free(d->length); free(d->count); free(d->hash);
    d->arena = arena; d->offset = offset; d->length = length; d->count = count; d->hash = hash;
    d->arena_len = arena_len;
    d->n_words = m + 1;
    d->cap_words = m + 1;
    d->arena_cap = kept_bytes;
    uint64_t slots = 1 << 16;
    while (slots < 2 * (uint64_t)d->n_words) slots *= 2;
    return rehash(d, slots);
}

int w2v_ids_renumber(const w2v_bytebuf *in, const uint32_t *remap, w2v_bytebuf *out, uint64_t *n_ids) {
    int rc = W2V_OK;
    uint64_t rd = 0, n = 0, released = 0;
    while (rd < in->len) {
        if (w2v_bytebuf_spilled(in) && rd - released >= W2V_BYTEBUF_WINDOW) {
            w2v_pages_release(in->data, released, rd); /* read: back to the page cache */
            released = rd;
        }
        uint32_t id = remap[w2v_varint_next(in->data, in->len, &rd)];
        if (id == W2V_NO_ID) continue;
        if (out->len + 5 > out->cap && (rc = w2v_bytebuf_reserve(out, out->len + 5))) break;
        out->len = (uint64_t)(w2v_varint_put_fast(out->data + out->len, id) - out->data);
        n++;
    }
    *n_ids = n;
    return rc;
}

int w2v_dict_renumber_ids(w2v_dict *d, const uint32_t *remap) {
    /* a new id may take more bytes than the old one, so the stream goes to a new buffer */
    w2v_bytebuf ids;
    uint64_t n_ids = 0;
    int rc = w2v_bytebuf_init_like(&ids, &d->ids);
    if (rc == W2V_OK) rc = w2v_ids_renumber(&d->ids, remap, &ids, &n_ids);
    if (rc) {
        d->ids.err = ids.err;
        w2v_bytebuf_free(&ids);
        return rc;
    }
    w2v_bytebuf_free(&d->ids);
    w2v_bytebuf_trim(&ids); /* give back the slack */
    d->ids = ids;
    d->n_ids = n_ids;
    return W2V_OK;
}

int w2v_dict_finalize(w2v_dict *d, uint64_t min_count, int keep_order) {
    uint32_t *remap = malloc(((uint64_t)d->n_words + 1) * sizeof *remap);
    if (!remap) return W2V_ENOMEM;
    int rc = w2v_dict_order(d, min_count, keep_order, remap);
    if (rc == W2V_OK) rc = w2v_dict_renumber_ids(d, remap);
    free(remap);
    return rc;
}

int w2v_dict_append_ids(w2v_dict *d, const uint8_t *ids, uint64_t len, uint64_t n_ids) {
    int rc = w2v_bytebuf_reserve(&d->ids, d->ids.len + len);
    if (rc) return rc;
    if (len) memcpy(d->ids.data + d->ids.len, ids, len);
    d->ids.len += len;
    d->n_ids += n_ids;
    return W2V_OK;
}

int w2v_dict_append_stream(w2v_dict *d, const w2v_bytebuf *src, uint64_t n_ids) {
    for (uint64_t at = 0; at < src->len;) {
        uint64_t n = src->len - at < W2V_BYTEBUF_WINDOW ? src->len - at : W2V_BYTEBUF_WINDOW;
        int rc = w2v_dict_append_ids(d, src->data + at, n, 0);
        if (rc) return rc;
        if (w2v_bytebuf_spilled(src)) w2v_pages_release(src->data, at, at + n);
        at += n;
    }
    d->n_ids += n_ids;
    return W2V_OK;
}

int w2v_dict_append_remapped(w2v_dict *dst, const w2v_dict *src, const uint32_t *remap) {
    uint64_t n_ids = 0;
    int rc = w2v_ids_renumber(&src->ids, remap, &dst->ids, &n_ids);
    dst->n_ids += n_ids;
    if (rc == W2V_OK) w2v_bytebuf_trim(&dst->ids);
    return rc;
}

int w2v_dict_merge_words(w2v_dict *dst, const w2v_dict *src, uint32_t *remap) {
    for (uint32_t i = 0; i < src->n_words; i++) {
        const char *word = src->arena + src->offset[i];
        uint64_t slot;
        uint32_t j = lookup(dst, word, src->length[i], src->hash[i], &slot);
        if (j == W2V_NO_ID) j = insert(dst, word, src->length[i], src->hash[i], slot);
        if (j == W2V_NO_ID) return W2V_ENOMEM;
        dst->count[j] += src->count[i];
        remap[i] = j;
    }
    dst->n_tokens += src->n_tokens;
    dst->n_truncated += src->n_truncated;
    return W2V_OK;
}

int w2v_dict_merge(w2v_dict *dst, const w2v_dict *src) {
    uint32_t *remap = malloc(((uint64_t)src->n_words + 1) * sizeof *remap);
    if (!remap) return W2V_ENOMEM;
    int rc = w2v_dict_merge_words(dst, src, remap);
    if (rc == W2V_OK) rc = w2v_dict_append_remapped(dst, src, remap);
    free(remap);
    return rc;
}

void w2v_dict_decode(const w2v_dict *d, uint32_t *out) {
    uint64_t rd = 0, k = 0;
    while (rd < d->ids.len) out[k++] = w2v_varint_get(d->ids.data, &rd);
}
