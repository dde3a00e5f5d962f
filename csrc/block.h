/* block.h: skip-gram windows trained as blocks (pWord2Vec's "HogBatch", Ji et al. 2019): what
 * the losses' block updates (loss_hs.h, loss_ns.h) share.
 *
 * All n context words of a centre word predict the same targets: the centre word and its noise
 * words for NS, the inner nodes of its Huffman path for HS.  Writing the context rows as a matrix
 * M (n x D) and the target rows as T (m x D), the scores are S = M T' (n x m), the gradient
 * factors G = (labels - s(S)) alpha, and the updates
 *     M += G T    and    T += G' M.
 * Each target row is read and written once per block instead of once per pair, and the products
 * run as small dense tiles (w2v_dot_tiles, w2v_gemm_acc) with the m + n rows in L1.
 *
 * Negative sampling takes every pair's update from the rows as they were before the block, and
 * the noise words are drawn once per window and shared by its pairs (word2vec.c draws them per
 * pair).  Measured to be at least as accurate as the exact path (BENCHMARKS.md).
 *
 * Hierarchical softmax gives word2vec.c's sequential result instead.  There context c (in window
 * order) updates each node, T_j += g_cj M_c, before context c + 1 scores it, so context c sees
 *     T_j(c) = T_j + sum_{c'<c} g_c'j M_c'
 * and its score and its own update are
 *     f_cj   = M_c . T_j(c)            = S_cj + sum_{c'<c} g_c'j K_cc'        with K = M M'
 *     dM_c   = sum_j g_cj T_j(c)       = (G T)_c + sum_{c'<c} H_cc' M_c'     with H = G G'
 * So one Gram matrix K (n(n-1)/2 dot products) turns the block scores into the sequential ones,
 * row by row, and the lower triangle of H adds n more terms to the G T product.  The final T is
 * T + G' M either way; both products are made in one pass over T (w2v_hs_apply).  The result
 * equals the pair-by-pair path up to float rounding, except where one word is the context twice
 * in a block: the exact path lets the second occurrence see the first one's update of its row,
 * here both see the row as before the block.  (Without this correction, delayed updates to the
 * few nodes near the root that every window shares cost 0.7 points of analogy accuracy; without
 * only its H part, 0.6 points on enwiki and 0.5 on wiki_raw, for 12 % more speed: BENCHMARKS.md.)
 *
 * A loss's block update takes its m target rows (`rows`) and their labels; dM (n x D)
 * accumulates the context rows' updates, and the caller (input.h) applies it once every loss has
 * added its share.
 */
#ifndef W2V_BLOCK_H
#define W2V_BLOCK_H

#include "sigmoid.h"
#include "simd.h"
#include "w2v.h"

W2V_INLINE int w2v_round16(int n) { return (n + 15) & ~15; }
W2V_INLINE int w2v_round4(int n) { return (n + 3) & ~3; }

/* The context rows of a block, after the L target rows in t->block_x: n rows of syn0, then 4
 * padding pointers (the tiles of S read up to 3 rows past the targets, those of K past the
 * contexts).  Returns where they start. */
W2V_INLINE const float **w2v_block_context_rows(const w2v_model *m, w2v_thread *t, int L, const uint32_t *ctx,
                                                int n) {
    const float **Mr = t->block_x + L;
    for (int c = 0; c < n; c++) Mr[c] = m->syn0 + (size_t)ctx[c] * m->dim;
    for (int p = 0; p < 4; p++) Mr[n + p] = Mr[n - 1];
    return Mr;
}

/* Gradient factors of one context's scores f[0..m): g = (label - s(f)) alpha, with the HS or NS
 * rule past the table (HS: a zero step; NS: the sigmoid clipped to 0 or 1), also into g2 unless
 * it is NULL; returns the loss.  With `prev`, the score is f + k_prev prev first (the last term
 * of the HS correction, see w2v_hs_factors).  Free of branches on the data: HS labels (the
 * path's code bits) are random, so a branch on the label is mispredicted about every other
 * score, and HS blocks train 1.16 x faster with the loss as arithmetic (labels are 0 or 1).
 * (NS rows are 6 scores: AVX-512 gathers over rows rounded up to 16 are slower, so this runs
 * over m exactly; the HS blocks of the AVX-512 build use gathers, w2v_hs_factors.) */
W2V_INLINE float w2v_block_gradients(const float *f, const float *labels, int m, int hs, const float *table,
                                     float alpha, float *restrict g, float *restrict g2, const float *prev,
                                     float k_prev) {
    float loss = 0.0f;
    for (int r = 0; r < m; r++) {
        float x = f[r], label = labels[r];
        if (prev) x += k_prev * prev[r];
        int inside = x > -W2V_MAX_EXP && x < W2V_MAX_EXP; /* false for NaN */
        int idx = w2v_sigmoid_index(inside ? x : 0.0f);
        float s = table[idx], log_s = table[W2V_SIGMOID_TABLE_SIZE + idx];
        float clipped = hs ? label : (x > 0 ? 1.0f : 0.0f);
        g[r] = (label - (inside ? s : clipped)) * alpha;
        if (g2) g2[r] = g[r];
        log_s = inside ? log_s : (x > 0 ? 0.0f : x); /* as w2v_target_loss */
        loss += (1.0f - label) * x - log_s;         /* label 1: -log_s, label 0: x - log_s */
    }
    return loss;
}

/* A block of one context row x against the L target rows T_r (PV-DBOW's document example): with
 * n = 1 there is no sequential correction and G is a vector g, so the block is the scores
 * f = T x, the factors g, and then the two updates in one pass over each row,
 *     dx = g' T   (into dM, or added to it with add_dM)   and, with learn,   T_r += g_r x,
 * R = 4, 2 or 1 rows at a time (a constant where this is inlined: the row pointers and factors
 * stay in registers and the loop over the rows unrolls).  T needs three valid row pointers past
 * L (the scores are made four rows at a time); f and g hold L rounded up to 4.  A row listed
 * twice (a noise word drawn twice) takes both updates: its second load follows the first's
 * store.  Returns the loss. */
#define W2V_ONE_COLUMNS(VT, LOAD, STORE, WIDTH)                                                     \
    for (; i + (WIDTH) <= D; i += (WIDTH)) {                                                       \
        VT xi = LOAD(x + i), acc = add ? LOAD(dM + i) : (VT){0};                                   \
        for (int r = 0; r < R; r++) {                                                              \
            VT y = LOAD(T[r] + i);                                                                 \
            acc += g[r] * y;                                                                       \
            if (learn) STORE(T[r] + i, y + g[r] * xi);                                             \
        }                                                                                          \
        STORE(dM + i, acc);                                                                        \
    }

W2V_INLINE void w2v_one_rows(const float *x, float *const *T, const float *g, const int R, int D, float *dM,
                             int add, const int learn) {
    int i = 0;
    W2V_ONE_COLUMNS(w2v_vf, w2v_load, w2v_store, W2V_VW)
#if W2V_VW > 8
    W2V_ONE_COLUMNS(w2v_vf8, w2v_load8, w2v_store8, 8)
#endif
#if W2V_VW > 4
    W2V_ONE_COLUMNS(w2v_vf4, w2v_load4, w2v_store4, 4)
#endif
    W2V_ONE_COLUMNS(float, *, W2V_STORE1, 1)
}
#undef W2V_ONE_COLUMNS

W2V_INLINE float w2v_block_one(const float *x, float *const *T, const float *labels, int L, int hs,
                               const float *table, float alpha, float *restrict f, float *restrict g,
                               float *dM, int add_dM, int D, const int learn) {
    for (int r = 0; r < L; r += 4) w2v_dot_row4(x, (const float *const *)T + r, D, f + r);
    float loss = w2v_block_gradients(f, labels, L, hs, table, alpha, g, NULL, NULL, 0.0f);
    int r = 0;
    for (; r + 4 <= L; r += 4, add_dM = 1) w2v_one_rows(x, T + r, g + r, 4, D, dM, add_dM, learn);
    for (; r + 2 <= L; r += 2, add_dM = 1) w2v_one_rows(x, T + r, g + r, 2, D, dM, add_dM, learn);
    if (r < L) w2v_one_rows(x, T + r, g + r, 1, D, dM, add_dM, learn);
    return loss;
}

#endif
