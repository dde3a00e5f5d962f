#include <stdlib.h>

#include "huffman.h"

/* word2vec.c's two-queue construction: leaves sorted by count descending are consumed from the
 * end (smallest first), merged nodes are appended after them in increasing count order, so each
 * step takes the two smallest heads in O(1) and the whole tree costs O(n).  parent[] and bit[]
 * describe the tree; node n + k is the k-th merge and 2n - 2 the root. */
static int build_tree(const uint64_t *counts, uint32_t n, uint32_t *parent, uint8_t *bit) {
    uint64_t *count = malloc(2 * (uint64_t)n * sizeof *count);
    if (!count) return W2V_ENOMEM;
    for (uint32_t a = 0; a < n; a++) count[a] = counts[a];
    for (uint64_t a = n; a < 2 * (uint64_t)n; a++) count[a] = UINT64_MAX;
    int64_t pos1 = (int64_t)n - 1;
    uint64_t pos2 = n;
    for (uint32_t a = 0; a + 1 < n; a++) {
        uint64_t pick[2];
        for (int k = 0; k < 2; k++) {
            if (pos1 >= 0 && count[pos1] < count[pos2]) pick[k] = (uint64_t)pos1--;
            else pick[k] = pos2++;
        }
        count[n + a] = count[pick[0]] + count[pick[1]];
        parent[pick[0]] = n + a;
        parent[pick[1]] = n + a;
        bit[pick[0]] = 0;
        bit[pick[1]] = 1;
    }
    free(count);
    return W2V_OK;
}

static uint32_t path_length(const uint32_t *parent, uint32_t n, uint32_t w) {
    uint32_t len = 0;
    for (uint64_t b = w; b != 2 * (uint64_t)n - 2; b = parent[b]) len++;
    return len;
}

/* Allocate and build the tree; on success the caller frees *parent and *bit. */
static int make_tree(const uint64_t *counts, uint32_t n, uint32_t **parent, uint8_t **bit) {
    if (n < 2) return W2V_EINVAL;
    *parent = malloc(2 * (uint64_t)n * sizeof **parent);
    *bit = malloc(2 * (uint64_t)n);
    int rc = (*parent && *bit) ? build_tree(counts, n, *parent, *bit) : W2V_ENOMEM;
    if (rc != W2V_OK) {
        free(*parent);
        free(*bit);
    }
    return rc;
}

int w2v_huffman_total_length(const uint64_t *counts, uint32_t n, uint64_t *total) {
    uint32_t *parent;
    uint8_t *bit;
    int rc = make_tree(counts, n, &parent, &bit);
    if (rc != W2V_OK) return rc;
    *total = 0;
    for (uint32_t w = 0; w < n; w++) *total += path_length(parent, n, w);
    free(parent);
    free(bit);
    return W2V_OK;
}

int w2v_huffman_build(const uint64_t *counts, uint32_t n, uint32_t *code_offset, uint8_t *codes,
                      uint32_t *points) {
    uint32_t *parent;
    uint8_t *bit;
    int rc = make_tree(counts, n, &parent, &bit);
    if (rc != W2V_OK) return rc;
    uint32_t off = 0;
    for (uint32_t w = 0; w < n; w++) {
        uint32_t len = path_length(parent, n, w);
        code_offset[w] = off;
        /* walk leaf -> root, filling the path back to front so it reads root -> leaf */
        uint64_t b = w;
        for (uint32_t i = len; i > 0; i--) {
            codes[off + i - 1] = bit[b];
            b = parent[b];
            points[off + i - 1] = (uint32_t)(b - n); /* the inner node above this branch */
        }
        off += len;
    }
    code_offset[n] = off;
    free(parent);
    free(bit);
    return W2V_OK;
}
