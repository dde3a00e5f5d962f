/* idstream.c: the corpus as word ids: renumbering, appending, joining parts, decoding
 * (dictionary.h). */
#include <stdlib.h>
#include <string.h>

#include "dictionary.h"
#include "varint.h"

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
