/* huffman.h: the Huffman tree behind hierarchical softmax, built as word2vec.c's CreateBinaryTree. */
#ifndef W2V_HUFFMAN_H
#define W2V_HUFFMAN_H

#include "w2v.h"

/* counts: n >= 2 word counts in vocabulary order (count descending after word 0, as
 * word2vec.c assumes).  On return the path of word w is entries [code_offset[w], code_offset[w+1])
 * of `codes` (the branch bits from the root down) and `points` (the inner nodes on the way,
 * numbered 0..n-2, root = n-2), so syn1 needs n - 1 rows.
 * code_offset has n + 1 entries; codes and points need room for sum of code lengths, which
 * callers learn from w2v_huffman_total_length first.  Scratch: 3 n uint64 + 2 n uint32.
 * Returns W2V_EINVAL when n < 2, W2V_ENOMEM on allocation failure. */
int w2v_huffman_total_length(const uint64_t *counts, uint32_t n, uint64_t *total);
int w2v_huffman_build(const uint64_t *counts, uint32_t n, uint32_t *code_offset, uint8_t *codes,
                      uint32_t *points);

#endif
