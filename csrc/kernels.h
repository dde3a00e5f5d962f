/* kernels.h: the four word2vec updates, as small inline functions over one model and one thread.
 *
 * They are `static inline` so that each one is compiled into train.c's per-ISA clones of the
 * training loop (AVX-512, AVX2+FMA, baseline): the vector loops below are written plainly with
 * `omp simd` and the compiler emits the widest instructions of the clone being built.
 *
 * Notation: l1 is the input-side vector (a word's row of syn0 for skip-gram, the mean or sum of the
 * context rows for CBOW), l2 an output-side row (syn1neg for negative sampling, an inner node of
 * the Huffman tree in syn1 for hierarchical softmax), alpha the learning rate.
 */
#ifndef W2V_KERNELS_H
#define W2V_KERNELS_H

#include <string.h>

#include "sigmoid.h"
#include "w2v.h"

/* Forced inlining: the kernels must end up inside each per-ISA clone of the training loop. */
#if defined(__GNUC__)
#define W2V_INLINE static inline __attribute__((always_inline))
#else
#define W2V_INLINE static inline
#endif

/* Vectors of 16 floats in GCC/Clang's generic vector extension: one zmm register in the
 * AVX-512 clone, two ymm in the AVX2 clone, four xmm in the baseline one.  Loads and stores go
 * through memcpy, which compiles to unaligned vector moves and keeps strict aliasing intact. */
typedef float w2v_vf __attribute__((vector_size(64)));
typedef float w2v_vf8 __attribute__((vector_size(32)));
typedef float w2v_vf4 __attribute__((vector_size(16)));
#define W2V_VW 16

W2V_INLINE w2v_vf w2v_load(const float *p) {
    w2v_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

W2V_INLINE void w2v_store(float *p, w2v_vf v) { memcpy(p, &v, sizeof v); }

/* Sum of the 16 lanes as a tree of halvings (3 shuffles and adds, then 4 scalars); left to
 * itself the compiler spills the vector and adds 16 scalars in a dependent chain. */
W2V_INLINE float w2v_hsum(w2v_vf v) {
    w2v_vf8 h8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                 __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    w2v_vf4 h4 = __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
    return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

/* In the kernels that only read rows (dot products), a row whose length is not a multiple of 16
 * (D = 100: 6 x 16 + 4) ends with one more full vector that overlaps the previous one, its
 * overlapping lanes multiplied by 0: no scalar loop.  This mask has 1.0 in the last `rem` lanes.
 * Rows shorter than a vector take the scalar path.  (Kernels that store use smaller vectors for
 * the rest instead: see w2v_axpy.) */
typedef int32_t w2v_vi __attribute__((vector_size(64)));
W2V_INLINE w2v_vf w2v_tail_mask(int rem) {
    const w2v_vi lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    w2v_vi first = lane * 0 + (W2V_VW - rem);
    return __builtin_convertvector(-(lane >= first), w2v_vf);
}

W2V_INLINE float w2v_dot(const float *a, const float *b, int n) {
    w2v_vf acc = {0};
    int i = 0;
    for (; i + W2V_VW <= n; i += W2V_VW) acc += w2v_load(a + i) * w2v_load(b + i);
    if (i < n && n >= W2V_VW) {
        acc += w2v_tail_mask(n - i) * w2v_load(a + n - W2V_VW) * w2v_load(b + n - W2V_VW);
        i = n;
    }
    float s = w2v_hsum(acc);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Four dot products of `a` with b0..b3: each load of `a` serves four independent FMA chains. */
W2V_INLINE void w2v_dot4(const float *a, const float *b0, const float *b1, const float *b2,
                         const float *b3, int n, float *out) {
    w2v_vf c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    int i = 0;
    for (; i + W2V_VW <= n; i += W2V_VW) {
        w2v_vf x = w2v_load(a + i);
        c0 += x * w2v_load(b0 + i);
        c1 += x * w2v_load(b1 + i);
        c2 += x * w2v_load(b2 + i);
        c3 += x * w2v_load(b3 + i);
    }
    if (i < n && n >= W2V_VW) {
        int t = n - W2V_VW;
        w2v_vf x = w2v_tail_mask(n - i) * w2v_load(a + t);
        c0 += x * w2v_load(b0 + t);
        c1 += x * w2v_load(b1 + t);
        c2 += x * w2v_load(b2 + t);
        c3 += x * w2v_load(b3 + t);
        i = n;
    }
    out[0] = w2v_hsum(c0);
    out[1] = w2v_hsum(c1);
    out[2] = w2v_hsum(c2);
    out[3] = w2v_hsum(c3);
    for (; i < n; i++) {
        out[0] += a[i] * b0[i];
        out[1] += a[i] * b1[i];
        out[2] += a[i] * b2[i];
        out[3] += a[i] * b3[i];
    }
}

/* Functions that store into a row finish its last n % 16 floats with 8- and 4-float vectors,
 * not with the overlapping 16-float tail the read-only kernels use: that tail would load the
 * lanes the main loop has just stored, which cannot be forwarded from the store buffer and stalls
 * until the store reaches the cache (perf put a fifth of all SG-NS samples on that one store). */
W2V_INLINE w2v_vf8 w2v_load8(const float *p) {
    w2v_vf8 v;
    memcpy(&v, p, sizeof v);
    return v;
}
W2V_INLINE w2v_vf4 w2v_load4(const float *p) {
    w2v_vf4 v;
    memcpy(&v, p, sizeof v);
    return v;
}
W2V_INLINE void w2v_store8(float *p, w2v_vf8 v) { memcpy(p, &v, sizeof v); }
W2V_INLINE void w2v_store4(float *p, w2v_vf4 v) { memcpy(p, &v, sizeof v); }

/* y += a x */
W2V_INLINE void w2v_axpy(float a, const float *restrict x, float *restrict y, int n) {
    int i = 0;
    for (; i + W2V_VW <= n; i += W2V_VW) w2v_store(y + i, w2v_load(y + i) + a * w2v_load(x + i));
    if (i + 8 <= n) {
        w2v_store8(y + i, w2v_load8(y + i) + a * w2v_load8(x + i));
        i += 8;
    }
    if (i + 4 <= n) {
        w2v_store4(y + i, w2v_load4(y + i) + a * w2v_load4(x + i));
        i += 4;
    }
    for (; i < n; i++) y[i] += a * x[i];
}

/* y += sum_k g[k gs] base[idx[k]]: a weighted sum of k matrix rows added to y, each slice of y
 * held in a register while all rows contribute (one load and store of y instead of k). */
W2V_INLINE void w2v_combine(float *restrict y, const float *g, int gs, const float *base,
                            const uint32_t *idx, int k, int n) {
    int i = 0;
    /* two slices of y at once: two independent FMA chains, since one chain of k dependent
     * FMAs per slice leaves the core waiting on FMA latency */
    for (; i + 2 * W2V_VW <= n; i += 2 * W2V_VW) {
        w2v_vf acc0 = w2v_load(y + i), acc1 = w2v_load(y + i + W2V_VW);
        for (int q = 0; q < k; q++) {
            const float *row = base + (size_t)idx[q] * n + i;
            float gq = g[q * gs];
            acc0 += gq * w2v_load(row);
            acc1 += gq * w2v_load(row + W2V_VW);
        }
        w2v_store(y + i, acc0);
        w2v_store(y + i + W2V_VW, acc1);
    }
    for (; i + W2V_VW <= n; i += W2V_VW) {
        w2v_vf acc = w2v_load(y + i);
        for (int q = 0; q < k; q++) acc += g[q * gs] * w2v_load(base + (size_t)idx[q] * n + i);
        w2v_store(y + i, acc);
    }
    if (i + 8 <= n) {
        w2v_vf8 acc = w2v_load8(y + i);
        for (int q = 0; q < k; q++) acc += g[q * gs] * w2v_load8(base + (size_t)idx[q] * n + i);
        w2v_store8(y + i, acc);
        i += 8;
    }
    if (i + 4 <= n) {
        w2v_vf4 acc = w2v_load4(y + i);
        for (int q = 0; q < k; q++) acc += g[q * gs] * w2v_load4(base + (size_t)idx[q] * n + i);
        w2v_store4(y + i, acc);
        i += 4;
    }
    for (; i < n; i++) {
        float acc = y[i];
        for (int q = 0; q < k; q++) acc += g[q * gs] * base[(size_t)idx[q] * n + i];
        y[i] = acc;
    }
}

/* Negative sampling for one input vector.
 *
 * targets[0] is the word to predict (label 1), targets[1..n-1] are noise words (label 0).  The loss
 * is  L = -log s(l2_0 . l1) - sum_k log s(-l2_k . l1),  s the logistic function.  With
 * f = l2 . l1 and label y, dL/df = s(f) - y, so a gradient step of size alpha is
 *     l2 += g l1   and   l1 += g l2   with   g = (y - s(f)) alpha.
 * The l1 part is accumulated in neu1e and applied by the caller after all targets, as word2vec.c
 * does, so every target sees the same l1.  Beyond |f| > MAX_EXP the sigmoid is taken as 0 or 1.
 * A noise word equal to the positive word is skipped (word2vec.c). */
W2V_INLINE void w2v_ns_update(const w2v_model *m, const float *restrict l1, const uint32_t *targets,
                                 int n_targets, float alpha, float *restrict neu1e, double *loss) {
    const int D = m->dim;
    for (int d = 0; d < n_targets; d++) {
        uint32_t target = targets[d];
        if (d > 0 && target == targets[0]) continue;
        float *l2 = m->syn1neg + (size_t)target * D;
        float f = w2v_dot(l1, l2, D);
        float label = d == 0 ? 1.0f : 0.0f;
        /* written so that a NaN f (a diverged run) takes the clipped branch, never the table */
        float s = (f > -W2V_MAX_EXP && f < W2V_MAX_EXP) ? w2v_sigmoid(m->sigmoid, f) : (f > 0 ? 1.0f : 0.0f);
        float g = (label - s) * alpha;
        *loss += w2v_target_loss(m->sigmoid, f, label);
        w2v_axpy(g, l2, neu1e, D);
        w2v_axpy(g, l1, l2, D);
    }
}

/* Hierarchical softmax for one input vector.
 *
 * p(word | l1) = prod_j s((1 - 2 code_j) l2_j . l1) over the inner nodes j on word's path, so with
 * f_j = l2_j . l1 the loss -log p has dL/df_j = s(f_j) - (1 - code_j) and the step is
 *     l2_j += g l1,  l1 += g l2_j  with  g = (1 - code_j - s(f_j)) alpha.
 * Nodes with |f| >= MAX_EXP are skipped, as word2vec.c does (their gradient is nearly 0 or the
 * prediction is confidently wrong and the table has no value there). */
W2V_INLINE void w2v_hs_update(const w2v_model *m, const float *restrict l1, uint32_t word,
                                 float alpha, float *restrict neu1e, double *loss) {
    const int D = m->dim;
    for (uint32_t j = m->code_offset[word]; j < m->code_offset[word + 1]; j++) {
        float *l2 = m->syn1 + (size_t)m->points[j] * D;
        float f = w2v_dot(l1, l2, D);
        *loss += w2v_target_loss(m->sigmoid, f, 1.0f - (float)m->codes[j]);
        if (!(f > -W2V_MAX_EXP && f < W2V_MAX_EXP)) continue; /* NaN too */
        float g = (1.0f - (float)m->codes[j] - w2v_sigmoid(m->sigmoid, f)) * alpha;
        w2v_axpy(g, l2, neu1e, D);
        w2v_axpy(g, l1, l2, D);
    }
}

/* Skip-gram, one (word, context) pair: as word2vec.c, the context word's input vector predicts
 * the centre word (the pairs are symmetric within a window, and this order lets one row of syn0
 * take the accumulated update once).  targets: word, then m->negative noise words. */
W2V_INLINE void w2v_train_sg_pair(const w2v_model *m, uint32_t word, uint32_t context,
                                     const uint32_t *targets, float alpha, float *restrict neu1e,
                                     double *loss) {
    const int D = m->dim;
    float *l1 = m->syn0 + (size_t)context * D;
    memset(neu1e, 0, (size_t)D * sizeof *neu1e);
    if (m->hs) w2v_hs_update(m, l1, word, alpha, neu1e, loss);
    if (m->negative) w2v_ns_update(m, l1, targets, m->negative + 1, alpha, neu1e, loss);
    w2v_axpy(1.0f, neu1e, l1, D);
}

/* CBOW, one centre word: the mean (or sum) of the context input vectors predicts the word, and
 * the input-side gradient goes unscaled to every context row (word2vec.c does not divide it by the
 * window size even for the mean). */
W2V_INLINE void w2v_train_cbow(const w2v_model *m, uint32_t word, const uint32_t *context,
                                  int n_context, const uint32_t *targets, float alpha,
                                  float *restrict neu1, float *restrict neu1e, double *loss) {
    const int D = m->dim;
    if (n_context == 0) return;
    memset(neu1, 0, (size_t)D * sizeof *neu1);
    memset(neu1e, 0, (size_t)D * sizeof *neu1e);
    for (int c = 0; c < n_context; c++) w2v_axpy(1.0f, m->syn0 + (size_t)context[c] * D, neu1, D);
    if (m->cbow_mean) {
        float inv = 1.0f / (float)n_context;
#pragma omp simd
        for (int i = 0; i < D; i++) neu1[i] *= inv;
    }
    if (m->hs) w2v_hs_update(m, neu1, word, alpha, neu1e, loss);
    if (m->negative) w2v_ns_update(m, neu1, targets, m->negative + 1, alpha, neu1e, loss);
    for (int c = 0; c < n_context; c++) w2v_axpy(1.0f, neu1e, m->syn0 + (size_t)context[c] * D, D);
}

/* Skip-gram, one whole window as a block (pWord2Vec's "HogBatch", Ji et al. 2019).
 *
 * All n context words of a centre word predict the same targets: the centre word and its noise
 * words for NS, the inner nodes of its Huffman path for HS.  Writing the context rows as a matrix
 * M (n x D) and the target rows as T (m x D), the n x m scores are S = M T', the gradient factors
 * G = (labels - s(S)) alpha (0 where HS skips a node), and the updates are
 *     M += G T    and    T += G' M,
 * both computed from the values before the block, as word2vec.c computes each pair's two updates
 * from the values before that pair.  Each target row is thus read and written once per window
 * instead of once per pair, and the m + n rows stay in L1 for all n m dot products.  For NS the
 * noise words are drawn once per window and shared by its pairs (word2vec.c draws them per pair);
 * `-batch 0` keeps word2vec.c's exact pair-by-pair path.
 *
 * `out` is syn1neg or syn1, `rows` the m target rows, `labels` their labels; `hs` selects the HS
 * rule for saturated scores (skip the node) over the NS rule (clip the sigmoid).  dM (n x D)
 * accumulates the context rows' updates; the caller applies it once every loss has added its
 * share. */
W2V_INLINE float w2v_block_gradient(float f, float label, int hs, const float *sigmoid, float alpha) {
    if (f > -W2V_MAX_EXP && f < W2V_MAX_EXP) return (label - w2v_sigmoid(sigmoid, f)) * alpha;
    if (hs) return 0.0f; /* HS skips saturated nodes; NaN lands here too */
    return (label - (f > 0 ? 1.0f : 0.0f)) * alpha;
}

W2V_INLINE void w2v_block_update(const w2v_model *m, w2v_thread *t, float *out, const uint32_t *rows,
                                 const float *labels, int n_rows, int hs, const uint32_t *ctx,
                                 int n_ctx, float alpha, float *restrict dM, double *loss) {
    const int D = m->dim;
    float *restrict G = t->block_g; /* n_ctx x n_rows */
    /* 1. scores S = M T' and factors G, four targets at a time */
    float block_loss = 0.0f;
    for (int j = 0; j < n_ctx; j++) {
        const float *mj = m->syn0 + (size_t)ctx[j] * D;
        float *gj = G + (size_t)j * n_rows;
        int r = 0;
        for (; r + 4 <= n_rows; r += 4) {
            float f[4];
            w2v_dot4(mj, out + (size_t)rows[r] * D, out + (size_t)rows[r + 1] * D,
                     out + (size_t)rows[r + 2] * D, out + (size_t)rows[r + 3] * D, D, f);
            for (int q = 0; q < 4; q++) {
                gj[r + q] = w2v_block_gradient(f[q], labels[r + q], hs, m->sigmoid, alpha);
                block_loss += w2v_target_loss(m->sigmoid, f[q], labels[r + q]);
            }
        }
        for (; r < n_rows; r++) {
            float f = w2v_dot(mj, out + (size_t)rows[r] * D, D);
            gj[r] = w2v_block_gradient(f, labels[r], hs, m->sigmoid, alpha);
            block_loss += w2v_target_loss(m->sigmoid, f, labels[r]);
        }
    }
    *loss += block_loss;
    /* 2. context updates from the old target rows: dM_j += sum_r G_jr T_r */
    for (int j = 0; j < n_ctx; j++) w2v_combine(dM + (size_t)j * D, G + (size_t)j * n_rows, 1, out, rows, n_rows, D);
    /* 3. target updates from the (unchanged) context rows, added in place: T_r += sum_j G_jr M_j.
     * A row listed twice gets both increments; a concurrent Hogwild update is not overwritten. */
    for (int r = 0; r < n_rows; r++) w2v_combine(out + (size_t)rows[r] * D, G + r, n_rows, m->syn0, ctx, n_ctx, D);
}

/* The whole skip-gram window of centre word `word` as one block; targets[1..negative] hold its
 * noise words.  Noise words equal to the centre word get no update, as in w2v_ns_update. */
W2V_INLINE void w2v_train_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *ctx,
                                    int n_ctx, const uint32_t *targets, float alpha, double *loss) {
    const int D = m->dim;
    float *restrict dM = t->block_din;
    if (n_ctx == 0) return;
    memset(dM, 0, (size_t)n_ctx * D * sizeof(float));
    if (m->hs) {
        uint32_t lo = m->code_offset[word], len = m->code_offset[word + 1] - lo;
        float *labels = t->block_labels;
        for (uint32_t r = 0; r < len; r++) labels[r] = 1.0f - (float)m->codes[lo + r];
        w2v_block_update(m, t, m->syn1, m->points + lo, labels, (int)len, 1, ctx, n_ctx, alpha, dM, loss);
    }
    if (m->negative) {
        uint32_t *rows = t->block_rows;
        float *labels = t->block_labels;
        int n = 0;
        for (int d = 0; d <= m->negative; d++) {
            if (d > 0 && targets[d] == word) continue;
            rows[n] = targets[d];
            labels[n++] = d == 0 ? 1.0f : 0.0f;
        }
        w2v_block_update(m, t, m->syn1neg, rows, labels, n, 0, ctx, n_ctx, alpha, dM, loss);
    }
    for (int j = 0; j < n_ctx; j++) w2v_axpy(1.0f, dM + (size_t)j * D, m->syn0 + (size_t)ctx[j] * D, D);
}

/* Ask for a row's cache lines ahead of use (a hint: no effect on results). */
W2V_INLINE void w2v_prefetch_row(const float *row, int dim) {
    for (int i = 0; i < dim; i += 16) __builtin_prefetch(row + i, 1, 3);
}

#endif
