/* tags.c: -tags first, the C tool's document format (`_*123 the text of document 123`): the
 * first field of each line, up to the first blank, is the line's document tag, and the rest of
 * the line is its text, which goes to the tokenizer as any line does.  A tag is split only at
 * blanks whatever -tokenizer says (the words tokenizer would cut `_*123` in three), is never
 * lowercased, and is not a word: it is neither counted nor in the id stream.
 *
 * Chunks may end anywhere, in a tag too: where the current line is (d->tag_state) carries over.
 * Each line's tag goes to d->tags ended by '\n' (tags hold no blank and no newline), so the
 * tags' line i is the id stream's line i (documents.h); a line with no field at all (blank)
 * gets an empty tag.  A last line with no newline is ended with one, so that it is a line of
 * the id stream whatever its words (an unended line of unknown words would leave no trace).
 */
#include <stdlib.h>
#include <string.h>

#include "dictionary.h"

enum { BEFORE_TAG, IN_TAG, IN_TEXT };

static int tag_bytes(w2v_dict *d, const char *p, uint64_t n) {
    if (d->tags_len + n > d->tags_cap) {
        uint64_t cap = d->tags_cap ? d->tags_cap : 4096;
        while (cap < d->tags_len + n) cap *= 2;
        char *grown = realloc(d->tags, cap);
        if (!grown) return W2V_ENOMEM;
        d->tags = grown;
        d->tags_cap = cap;
    }
    memcpy(d->tags + d->tags_len, p, n);
    d->tags_len += n;
    return W2V_OK;
}

static int is_blank(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f'; /* the tokenizers' blanks */
}

int w2v_dict_feed_tagged(w2v_dict *d, const char *buf, uint64_t n, int last) {
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t k = 0;
    int rc = W2V_OK;
    while (k < n && rc == W2V_OK) {
        if (d->tag_state == IN_TEXT) { /* the rest of the line, its newline included */
            const unsigned char *nl = memchr(p + k, '\n', n - k);
            uint64_t end = nl ? (uint64_t)(nl - p) + 1 : n;
            rc = w2v_dict_feed_text(d, buf + k, end - k, 0);
            if (nl) d->tag_state = BEFORE_TAG;
            k = end;
            continue;
        }
        uint64_t start = k; /* the tag's bytes in this chunk: up to a blank, newline or '\r' */
        while (k < n && !is_blank(p[k]) && p[k] != '\n' && p[k] != '\r') k++;
        if (k > start) {
            rc = tag_bytes(d, buf + start, k - start);
            d->tag_state = IN_TAG;
            if (rc || k == n) break;
        }
        if (p[k] == '\r') { /* dropped wherever it is, as the tokenizers drop it */
            k++;
        } else if (p[k] == '\n') { /* the line ends with its tag, or had none */
            if ((rc = tag_bytes(d, "\n", 1)) == W2V_OK) rc = w2v_dict_feed_text(d, "\n", 1, 0);
            d->tag_state = BEFORE_TAG;
            k++;
        } else if (d->tag_state == IN_TAG) { /* a blank ends the tag */
            rc = tag_bytes(d, "\n", 1);
            d->tag_state = IN_TEXT;
        } else {
            k++; /* a blank before the tag */
        }
    }
    if (last && rc == W2V_OK) {
        if (d->tag_state == IN_TAG) rc = tag_bytes(d, "\n", 1);
        if (d->tag_state != BEFORE_TAG && rc == W2V_OK) rc = w2v_dict_feed_text(d, "\n", 1, 0);
        d->tag_state = BEFORE_TAG;
        if (rc == W2V_OK) rc = w2v_dict_feed_text(d, "", 0, 1);
    }
    if (rc) d->status = rc;
    return rc;
}
