/* input.h: what forms the input vector of an example, and how its gradient goes back.
 *
 * Skip-gram: each context word's row predicts the centre word, pair by pair as word2vec.c
 * (w2v_train_sg_pair), or the whole window as blocks (w2v_train_sg_window, block.h).  CBOW: the
 * mean or sum of the context rows predicts the centre word (w2v_train_cbow).  Each runs every
 * loss of the model, in order, on the same input (loss.h).  `learn` (a constant in word2vec's
 * loops, so they compile without a test of it) is 0 only when paragraph vectors are inferred
 * for new documents: then the words' rows and the output rows stay, and the documents' learn.
 */
#ifndef W2V_INPUT_H
#define W2V_INPUT_H

#include <string.h>

#include "block.h"
#include "loss.h"
#include "simd.h"
#include "w2v.h"

/* Skip-gram, one (word, context) pair: as word2vec.c, the context word's input vector predicts
 * the centre word (the pairs are symmetric within a window, and this order lets one row of syn0
 * take the accumulated update once).  targets: the drawn targets of the example (loss.h). */
W2V_INLINE void w2v_train_sg_pair(const w2v_model *m, const w2v_thread *t, uint32_t word, uint32_t context,
                                  const uint32_t *targets, float alpha, float *restrict neu1e, double *loss,
                                  const int learn) {
    const int D = m->dim;
    float *l1 = m->syn0 + (size_t)context * D;
    memset(neu1e, 0, (size_t)D * sizeof *neu1e);
    for (int k = 0; k < m->n_losses; k++)
        w2v_loss_update(m, t, &m->loss[k], l1, word, targets, alpha, neu1e, loss, learn);
    w2v_axpy(1.0f, neu1e, l1, D);
}

/* CBOW, one centre word: the mean (or sum) of the context input vectors predicts the word, and
 * the input-side gradient goes unscaled to every context row (word2vec.c does not divide it by the
 * window size even for the mean).  word2vec's CBOW takes the targets one after another as
 * word2vec.c (w2v_loss_update); PV-DM (`one_pass`, a constant at each call) as a block of one
 * context, the input vector (w2v_loss_one: every score first, then one pass over the rows; the
 * same steps but that a noise word drawn twice is scored twice before its first step). */
W2V_INLINE void w2v_train_cbow(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                               int n_context, const uint32_t *targets, float alpha, float *restrict neu1,
                               float *restrict neu1e, double *loss, const int learn, const int one_pass) {
    const int D = m->dim;
    if (n_context == 0) return;
    memset(neu1, 0, (size_t)D * sizeof *neu1);
    if (!one_pass) memset(neu1e, 0, (size_t)D * sizeof *neu1e); /* w2v_loss_one sets it */
    for (int c = 0; c < n_context; c++) w2v_axpy(1.0f, m->syn0 + (size_t)context[c] * D, neu1, D);
    if (m->cbow_mean) {
        float inv = 1.0f / (float)n_context;
#pragma omp simd
        for (int i = 0; i < D; i++) neu1[i] *= inv;
    }
    for (int k = 0; k < m->n_losses; k++)
        if (one_pass)
            w2v_loss_one(m, t, &m->loss[k], word, targets, neu1, alpha, neu1e, k > 0, loss, learn);
        else
            w2v_loss_update(m, t, &m->loss[k], neu1, word, targets, alpha, neu1e, loss, learn);
    for (int c = 0; c < n_context; c++)
        if (learn || context[c] >= m->doc_row0) /* inferring: the documents' rows alone learn */
            w2v_axpy(1.0f, neu1e, m->syn0 + (size_t)context[c] * D, D);
}

/* PV-DBOW's document example: the document's row alone predicts the word, a block of one
 * context (block.h, w2v_block_one).  Each loss adds its share of the row's update to dM (the
 * first sets it), then dM goes to the row, which learns even when inferring. */
W2V_INLINE void w2v_train_one_context(const w2v_model *m, w2v_thread *t, uint32_t word, uint32_t context,
                                      const uint32_t *targets, float alpha, double *loss, const int learn) {
    const int D = m->dim;
    float *x = m->syn0 + (size_t)context * D;
    float *restrict dM = t->block_din;
    for (int k = 0; k < m->n_losses; k++) w2v_loss_one(m, t, &m->loss[k], word, targets, x, alpha, dM, k > 0, loss, learn);
    w2v_axpy(1.0f, dM, x, D);
}

/* Skip-gram, the whole window of centre word `word` in blocks of at most W2V_BLOCK_CONTEXTS
 * contexts (one block for any window up to 8; later blocks see the earlier blocks' updates).
 * Each loss adds its share of the contexts' updates to dM (the first sets it), then dM goes to
 * the context rows. */
W2V_INLINE void w2v_train_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *ctx,
                                    int n_ctx, const uint32_t *targets, float alpha, double *loss) {
    const int D = m->dim;
    float *restrict dM = t->block_din;
    const uint32_t *rows[W2V_MAX_LOSSES];
    const float *labels[W2V_MAX_LOSSES];
    int n_rows[W2V_MAX_LOSSES];
    float *label_at = t->block_labels;
    for (int k = 0; k < m->n_losses; k++) {
        labels[k] = label_at;
        n_rows[k] = w2v_loss_block_targets(&m->loss[k], word, targets, t->block_targets, label_at, &rows[k]);
        label_at += m->loss[k].max_targets;
    }
    for (int c0 = 0; c0 < n_ctx; c0 += W2V_BLOCK_CONTEXTS) {
        int n = n_ctx - c0 < W2V_BLOCK_CONTEXTS ? n_ctx - c0 : W2V_BLOCK_CONTEXTS;
        /* the first loss sets dM, the others add to it; `add` a constant in each call, so the
         * block updates' column loops compile without a test of it (a runtime flag there makes
         * GCC version those loops, doubling their code) */
        w2v_loss_block(m, t, &m->loss[0], rows[0], labels[0], n_rows[0], ctx + c0, n, alpha, dM, 0, loss);
        for (int k = 1; k < m->n_losses; k++)
            w2v_loss_block(m, t, &m->loss[k], rows[k], labels[k], n_rows[k], ctx + c0, n, alpha, dM, 1, loss);
        for (int j = 0; j < n; j++) w2v_axpy(1.0f, dM + (size_t)j * D, m->syn0 + (size_t)ctx[c0 + j] * D, D);
    }
}

#endif
