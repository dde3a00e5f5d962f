/* loss.h: the objectives a model trains, and the one place that dispatches on their kind.
 *
 * Each kind lives in a file of its own (loss_hs.h, loss_ns.h) with its init function (checks its
 * tables, sets max_targets) and its kernels: the update of one input vector (the pair and CBOW
 * paths), the targets of a skip-gram window and the window's block update (block.h).  The
 * training loop and the inputs (input.h) reach them only through the functions below, so a new
 * objective is a new loss_*.h, an entry in W2V_LOSS_KINDS and a case in each switch here, and
 * its registry entry on the Python side (w2vfast/kinds.py).
 */
#ifndef W2V_LOSS_H
#define W2V_LOSS_H

#include <string.h>

#include "loss_hs.h"
#include "loss_ns.h"
#include "w2v.h"

enum { W2V_LOSS_HS = 1, W2V_LOSS_NS = 2 };

typedef struct {
    const char *name; /* as the Python registry names it */
    int kind;
    int n_tables;
    int (*init)(w2v_loss *l, uint32_t vocab_size);
} w2v_loss_kind;

__attribute__((unused)) static const w2v_loss_kind W2V_LOSS_KINDS[] = {
    {"hs", W2V_LOSS_HS, 3, w2v_hs_init},
    {"ns", W2V_LOSS_NS, 2, w2v_ns_init},
};

/* Fill l as a loss of kind `name` over a vocabulary of vocab_size words: its whole-number
 * option, output rows and tables (loss_*.h says which, in which order).  Returns W2V_EINVAL for
 * an unknown kind or tables that do not fit. */
int w2v_loss_init(w2v_loss *l, const char *name, int param, float *out, uint64_t out_rows, int n_tables,
                  const void *const *tables, const uint64_t *table_len, uint32_t vocab_size);

/* The loss whose targets are drawn at random for each example (NS), or NULL. */
W2V_INLINE const w2v_loss *w2v_drawn_loss(const w2v_model *m) {
    for (int k = 0; k < m->n_losses; k++)
        if (m->loss[k].kind == W2V_LOSS_NS) return &m->loss[k];
    return NULL;
}

/* Draw the targets of an example of `word` into targets, and ask for their rows ahead. */
W2V_INLINE void w2v_loss_draw(w2v_thread *t, const w2v_loss *l, uint32_t *targets, uint32_t word) {
    w2v_ns_draw(t, l, targets, word);
}

W2V_INLINE void w2v_loss_prefetch_targets(const w2v_model *m, const w2v_loss *l, const uint32_t *targets) {
    w2v_ns_prefetch(m, l, targets);
}

/* What the loss reads for the next words of the sentence, asked for while sen[i] trains. */
W2V_INLINE void w2v_loss_prefetch_next(const w2v_loss *l, const uint32_t *sen, int i, int len) {
    if (l->kind == W2V_LOSS_HS) w2v_hs_prefetch(l, sen, i, len);
}

/* One input vector l1 predicting `word` (with the drawn `targets`); l1's gradient added to neu1e.
 * learn_out says whether the output rows learn too (not when
 * paragraph vectors are inferred for new documents: train_loop.h). */
W2V_INLINE void w2v_loss_update(const w2v_model *m, const w2v_thread *t, const w2v_loss *l,
                                const float *restrict l1, uint32_t word, const uint32_t *targets, float alpha,
                                float *restrict neu1e, double *loss, const int learn_out) {
    switch (l->kind) {
    case W2V_LOSS_HS: w2v_hs_update(m, t, l, l1, word, alpha, neu1e, loss, learn_out); break;
    case W2V_LOSS_NS: w2v_ns_update(m, l, l1, targets, alpha, neu1e, loss, learn_out); break;
    default: break;
    }
}

/* A skip-gram window's targets for the block updates: their rows (*rows, in `buf` or the loss's
 * tables) and labels; returns how many. */
W2V_INLINE int w2v_loss_block_targets(const w2v_loss *l, uint32_t word, const uint32_t *targets, uint32_t *buf,
                                      float *labels, const uint32_t **rows) {
    switch (l->kind) {
    case W2V_LOSS_HS: return w2v_hs_block_targets(l, word, labels, rows);
    case W2V_LOSS_NS: return w2v_ns_block_targets(l, word, targets, buf, labels, rows);
    default: return 0;
    }
}

/* One context row x against the targets of an example of `word` (w2v_block_one): dM (+)= x's
 * update, and with learn the targets' rows take theirs. */
W2V_INLINE void w2v_loss_one(const w2v_model *m, w2v_thread *t, const w2v_loss *l, uint32_t word,
                             const uint32_t *targets, const float *x, float alpha, float *dM, int add_dM,
                             double *loss, const int learn) {
    const uint32_t *rows;
    float *labels = t->block_labels;
    float **T = t->block_y;
    int L = w2v_loss_block_targets(l, word, targets, t->block_targets, labels, &rows);
    if (L == 0) {
        if (!add_dM) memset(dM, 0, (size_t)m->dim * sizeof *dM);
        return;
    }
    for (int r = 0; r < L; r++)
        T[r] = l->kind == W2V_LOSS_HS ? w2v_node_row(m, t, l, rows[r]) : l->out + (size_t)rows[r] * m->dim;
    for (int p = 0; p < 3; p++) T[L + p] = T[L - 1];
    *loss += w2v_block_one(x, T, labels, L, l->kind == W2V_LOSS_HS, m->sigmoid, alpha, t->block_s, t->block_g,
                           dM, add_dM, m->dim, learn);
}

/* One block of n contexts against L targets (block.h); dM (+)= the contexts' updates. */
W2V_INLINE void w2v_loss_block(const w2v_model *m, w2v_thread *t, const w2v_loss *l, const uint32_t *rows,
                               const float *labels, int L, const uint32_t *ctx, int n, float alpha,
                               float *restrict dM, int add_dM, double *loss) {
    switch (l->kind) {
    case W2V_LOSS_HS: w2v_hs_block(m, t, l, rows, labels, L, ctx, n, alpha, dM, add_dM, loss); break;
    case W2V_LOSS_NS: w2v_ns_block(m, t, l, rows, labels, L, ctx, n, alpha, dM, add_dM, loss); break;
    default: break;
    }
}

#endif
