/* dictionary.c: the vocabulary's words and counts in an open-addressing hash table, pruning,
 * and the final order (dictionary.h). */
#include <stdlib.h>
#include <string.h>

#include "dictionary.h"
#include "varint.h"
#include "wordhash.h"

const char W2V_EOS[] = "</s>";

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
    if (w2v_dict_add(d, W2V_EOS, 4, 0) == W2V_NO_ID) return W2V_ENOMEM;
    return W2V_OK;
}

void w2v_dict_free(w2v_dict *d) {
    free(d->arena);
    free(d->offset);
    free(d->length);
    free(d->count);
    free(d->hash);
    free(d->slots);
    free(d->tags);
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
            w2v_same_bytes(d->arena + d->offset[i], word, len)) {
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
    return lookup(d, word, len, w2v_hash_bytes((const unsigned char *)word, len), &slot);
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
    uint64_t h = w2v_hash_bytes((const unsigned char *)word, len), slot;
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
int w2v_dict_count_token(w2v_dict *d, const char *tok, uint32_t len, uint64_t h) {
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

