#include <stdlib.h>
#include <string.h>

#include "dictionary.h"
#include "varint.h"

static const char EOS[] = "</s>";

/* 64-bit FNV-1a: simple, no alignment needs, and good enough spread for word keys. */
static uint64_t hash_bytes(const unsigned char *s, uint32_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint32_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
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

static int rehash(w2v_dict *d, uint64_t n_slots) {
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots) return W2V_ENOMEM;
    for (uint32_t i = 0; i < d->n_words; i++) {
        uint64_t s = d->hash[i] & (n_slots - 1);
        while (slots[s]) s = (s + 1) & (n_slots - 1);
        slots[s] = i + 1;
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
        uint32_t v = d->slots[s];
        if (!v) break;
        uint32_t i = v - 1;
        if (d->hash[i] == h && d->length[i] == len && memcmp(d->arena + d->offset[i], word, len) == 0) {
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
    d->slots[slot] = i + 1;
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

/* The end of a token: apply the length cut, then count it and record its id. */
static int emit(w2v_dict *d, const char *tok, uint32_t len) {
    d->n_tokens++;
    if (len > W2V_MAX_TOKEN) {
        /* tok holds W2V_MAX_TOKEN + 1 bytes; if the first byte past the cut continues a UTF-8
         * character, back off to that character's first byte so it is dropped whole */
        uint32_t cut = W2V_MAX_TOKEN;
        while (cut > 0 && ((unsigned char)tok[cut] & 0xC0) == 0x80) cut--;
        /* no character start at all (not UTF-8): there is no character to keep whole */
        len = cut > 0 ? cut : W2V_MAX_TOKEN;
        d->n_truncated++;
    }
    uint64_t h = hash_bytes((const unsigned char *)tok, len), slot;
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
        b->len = (uint64_t)(w2v_varint_put(b->data + b->len, i) - b->data);
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

int w2v_dict_feed(w2v_dict *d, const char *buf, uint64_t n, int last) {
    if (d->status) return d->status;
    const unsigned char *p = (const unsigned char *)buf;
    unsigned char *tok = d->token;
    uint32_t len = d->token_len;
    int rc = W2V_OK;
    for (uint64_t k = 0; k < n && rc == W2V_OK; k++) {
        unsigned char c = p[k];
        /* word2vec.c splits at space, tab and newline only; vertical tab and form feed split
         * here too, since every reader of the vector files (ours, gensim's, C's fscanf "%s")
         * does, so a word holding one could not be read back (pdftotext puts \f at each page) */
        if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f') {
            if (len) {
                rc = emit(d, (const char *)tok, len);
                len = 0;
            }
            if (c == '\n' && rc == W2V_OK) rc = emit(d, EOS, 4);
        } else if (c != '\r') {
            if (len <= W2V_MAX_TOKEN) tok[len] = c;
            if (len < UINT32_MAX) len++;
        }
    }
    if (last && len && rc == W2V_OK) {
        rc = emit(d, (const char *)tok, len);
        len = 0;
    }
    d->token_len = len;
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

int w2v_dict_finalize(w2v_dict *d, uint64_t min_count, int keep_order) {
    uint32_t n = d->n_words;
    ranked_word *order = malloc((uint64_t)n * sizeof *order);
    uint32_t *remap = malloc((uint64_t)n * sizeof *remap);
    if (!order || !remap) {
        free(order);
        free(remap);
        return W2V_ENOMEM;
    }
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
        free(order); free(remap); free(arena); free(offset); free(length); free(count); free(hash);
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
    free(d->arena); free(d->offset); free(d->length); free(d->count); free(d->hash);
    d->arena = arena; d->offset = offset; d->length = length; d->count = count; d->hash = hash;
    d->arena_len = arena_len;
    d->n_words = m + 1;
    d->cap_words = m + 1;
    d->arena_cap = kept_bytes;

    /* rewrite the stream with final ids, dropping words under min_count; a final id may take
     * more bytes than its provisional one, so it goes to a new buffer */
    w2v_bytebuf ids;
    int rc = w2v_bytebuf_init_like(&ids, &d->ids);
    uint64_t rd = 0, n_ids = 0;
    while (rc == W2V_OK && rd < d->ids.len) {
        uint32_t id = remap[w2v_varint_get(d->ids.data, &rd)];
        if (id == W2V_NO_ID) continue;
        if (ids.len + 5 > ids.cap && (rc = w2v_bytebuf_reserve(&ids, ids.len + 5))) break;
        ids.len = (uint64_t)(w2v_varint_put(ids.data + ids.len, id) - ids.data);
        n_ids++;
    }
    free(order);
    free(remap);
    if (rc) {
        d->ids.err = ids.err;
        w2v_bytebuf_free(&ids);
        return rc;
    }
    w2v_bytebuf_free(&d->ids);
    w2v_bytebuf_trim(&ids); /* give back the slack */
    d->ids = ids;
    d->n_ids = n_ids;
    uint64_t slots = 1 << 16;
    while (slots < 2 * (uint64_t)d->n_words) slots *= 2;
    return rehash(d, slots);
}

int w2v_dict_append_ids(w2v_dict *d, const uint8_t *ids, uint64_t len, uint64_t n_ids) {
    int rc = w2v_bytebuf_reserve(&d->ids, d->ids.len + len);
    if (rc) return rc;
    if (len) memcpy(d->ids.data + d->ids.len, ids, len);
    d->ids.len += len;
    d->n_ids += n_ids;
    return W2V_OK;
}

int w2v_dict_append_remapped(w2v_dict *dst, const w2v_dict *src, const uint32_t *remap) {
    w2v_bytebuf *b = &dst->ids;
    uint64_t rd = 0;
    while (rd < src->ids.len) {
        uint32_t id = remap[w2v_varint_get(src->ids.data, &rd)];
        if (id == W2V_NO_ID) continue;
        if (b->len + 5 > b->cap) {
            int rc = w2v_bytebuf_reserve(b, b->len + 5);
            if (rc) return rc;
        }
        b->len = (uint64_t)(w2v_varint_put(b->data + b->len, id) - b->data);
        dst->n_ids++;
    }
    w2v_bytebuf_trim(b);
    return W2V_OK;
}

int w2v_dict_merge(w2v_dict *dst, const w2v_dict *src) {
    uint32_t *remap = malloc(((uint64_t)src->n_words + 1) * sizeof *remap);
    if (!remap) return W2V_ENOMEM;
    for (uint32_t i = 0; i < src->n_words; i++) {
        const char *word = src->arena + src->offset[i];
        uint64_t slot;
        uint32_t j = lookup(dst, word, src->length[i], src->hash[i], &slot);
        if (j == W2V_NO_ID) j = insert(dst, word, src->length[i], src->hash[i], slot);
        if (j == W2V_NO_ID) {
            free(remap);
            return W2V_ENOMEM;
        }
        dst->count[j] += src->count[i];
        remap[i] = j;
    }
    int rc = w2v_dict_append_remapped(dst, src, remap);
    free(remap);
    if (rc) return rc;
    dst->n_tokens += src->n_tokens;
    dst->n_truncated += src->n_truncated;
    return W2V_OK;
}

void w2v_dict_decode(const w2v_dict *d, uint32_t *out) {
    uint64_t rd = 0, k = 0;
    while (rd < d->ids.len) out[k++] = w2v_varint_get(d->ids.data, &rd);
}
