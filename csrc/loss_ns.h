/* loss_ns.h: negative sampling (Mikolov et al. 2013, as word2vec.c trains it).
 *
 * targets[0] is the word to predict (label 1), targets[1..k] are k noise words drawn from the
 * unigram distribution raised to -ns-exponent (label 0).  The loss is
 *     L = -log s(l2_0 . l1) - sum_k log s(-l2_k . l1),   s the logistic function.
 * With f = l2 . l1 and label y, dL/df = s(f) - y, so a gradient step of size alpha is
 *     l2 += g l1   and   l1 += g l2   with   g = (y - s(f)) alpha.
 * The l1 part is accumulated and applied by the caller after all targets, as word2vec.c does, so
 * every target sees the same l1.  Beyond |f| > MAX_EXP the sigmoid is taken as 0 or 1.  A noise
 * word equal to the word itself gets no step (word2vec.c).
 *
 * The loss's output rows are one per word; `param` is k; its tables, in this order: the alias
 * table's thresholds and aliases (sampling.h), one entry per word.
 */
#ifndef W2V_LOSS_NS_H
#define W2V_LOSS_NS_H

#include "block.h"
#include "sampling.h"
#include "sigmoid.h"
#include "simd.h"
#include "w2v.h"

static int w2v_ns_init(w2v_loss *l, uint32_t vocab_size) {
    if (l->param < 1 || l->table_len[0] != l->table_len[1] || l->table_len[0] == 0 ||
        l->table_len[0] > l->out_rows || l->out_rows < vocab_size)
        return W2V_EINVAL;
    const uint32_t *alias = (const uint32_t *)l->table[1];
    for (uint64_t w = 0; w < l->table_len[1]; w++)
        if (alias[w] >= l->table_len[1]) return W2V_EINVAL;
    l->max_targets = l->param + 1;
    return W2V_OK;
}

/* The word, then its noise words, into targets. */
W2V_INLINE void w2v_ns_draw(w2v_thread *t, const w2v_loss *l, uint32_t *targets, uint32_t word) {
    const w2v_alias noise = {(uint32_t)l->table_len[0], (const uint32_t *)l->table[0],
                             (const uint32_t *)l->table[1]};
    const int n = l->param; /* a local: the stores below may alias an int field */
    targets[0] = word;
    for (int k = 1; k <= n; k++) targets[k] = w2v_sample_noise(&noise, &t->rng);
}

/* The noise words' rows are random, and so likely cache misses: the next window's are drawn one
 * window ahead and asked for while this window trains. */
W2V_INLINE void w2v_ns_prefetch(const w2v_model *m, const w2v_loss *l, const uint32_t *targets) {
    const int D = m->dim, n = l->param;
    const float *out = l->out;
    for (int k = 0; k <= n; k++) w2v_prefetch_row(out + (size_t)targets[k] * D, D);
}

/* One input vector l1 against the word and its noise words; l1's share added to neu1e, and with
 * learn_out (a constant at each call) the targets' rows updated. */
W2V_INLINE void w2v_ns_update(const w2v_model *m, const w2v_loss *l, const float *restrict l1,
                              const uint32_t *targets, float alpha, float *restrict neu1e, double *loss,
                              const int learn_out) {
    const int D = m->dim, n = l->param;
    float *out = l->out;
    for (int d = 0; d <= n; d++) {
        uint32_t target = targets[d];
        if (d > 0 && target == targets[0]) continue;
        float *l2 = out + (size_t)target * D;
        float f = w2v_dot(l1, l2, D);
        float label = d == 0 ? 1.0f : 0.0f;
        /* written so that a NaN f (a diverged run) takes the clipped branch, never the table */
        float s = (f > -W2V_MAX_EXP && f < W2V_MAX_EXP) ? w2v_sigmoid(m->sigmoid, f) : (f > 0 ? 1.0f : 0.0f);
        float g = (label - s) * alpha;
        *loss += w2v_target_loss(m->sigmoid, f, label);
        w2v_axpy(g, l2, neu1e, D);
        if (learn_out) w2v_axpy(g, l1, l2, D);
    }
}

/* A window's block targets: the word and its noise words but those equal to the word (copied
 * into `buf`), with their labels. */
W2V_INLINE int w2v_ns_block_targets(const w2v_loss *l, uint32_t word, const uint32_t *targets, uint32_t *buf,
                                    float *labels, const uint32_t **rows) {
    const int k = l->param;
    int n = 0;
    for (int d = 0; d <= k; d++) {
        if (d > 0 && targets[d] == word) continue;
        buf[n] = targets[d];
        labels[n++] = d == 0 ? 1.0f : 0.0f;
    }
    *rows = buf;
    return n;
}

/* One block of n contexts against the L targets of a window (block.h): every update from the
 * rows as they were before the block. */
W2V_INLINE void w2v_ns_block(const w2v_model *m, w2v_thread *t, const w2v_loss *l, const uint32_t *rows,
                             const float *labels, int L, const uint32_t *ctx, int n, float alpha,
                             float *restrict dM, int add_dM, double *loss) {
    const int D = m->dim;
    const int ss = w2v_round16(L); /* row stride of the scores S */
    const int gs = L;              /* of G */
    float *restrict S = t->block_s, *restrict G = t->block_g;
    const float **X = t->block_x;
    float **Y = t->block_y;
    const float *out = l->out;
    for (int r = 0; r < L; r++) X[r] = out + (size_t)rows[r] * D;
    const float **Mr = w2v_block_context_rows(m, t, L, ctx, n);
    w2v_dot_tiles(Mr, n, X, L, D, 0, S, ss);
    float block_loss = 0.0f;
    for (int c = 0; c < n; c++)
        block_loss += w2v_block_gradients(S + (size_t)c * ss, labels, L, 0, m->sigmoid, alpha,
                                          G + (size_t)c * gs, NULL, NULL, 0.0f);
    *loss += block_loss;
    /* context updates from the target rows as before the block: dM += G T, or dM = ... for the
     * window's first loss (add_dM = 0) */
    for (int c = 0; c < n; c++) Y[c] = dM + (size_t)c * D;
    w2v_gemm_acc(Y, n, X, gs, G, gs, D, add_dM);
    /* target updates, added in place: T += G' M.  A noise word drawn twice is one row whose
     * factors are summed first (the rows of one group of w2v_gemm_rows must be distinct).  Gt
     * holds the factors transposed, one row per distinct target. */
    float *restrict Gt = t->block_gt;
    int n_out = 0;
    for (int r = 0; r < L; r++) {
        float *row = (float *)X[r];
        int u = 0;
        while (u < n_out && Y[u] != row) u++;
        if (u == n_out) {
            Y[n_out] = row;
            for (int c = 0; c < n; c++) Gt[(size_t)n_out * n + c] = G[(size_t)c * gs + r];
            n_out++;
        } else {
            for (int c = 0; c < n; c++) Gt[(size_t)u * n + c] += G[(size_t)c * gs + r];
        }
    }
    w2v_gemm_acc(Y, n_out, Mr, n, Gt, n, D, 1);
}

#endif
