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

W2V_INLINE float w2v_dot(const float *restrict a, const float *restrict b, int n) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* y += a x */
W2V_INLINE void w2v_axpy(float a, const float *restrict x, float *restrict y, int n) {
#pragma omp simd
    for (int i = 0; i < n; i++) y[i] += a * x[i];
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
                                 int n_targets, float alpha, float *restrict neu1e) {
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
                                 float alpha, float *restrict neu1e) {
    const int D = m->dim;
    for (uint32_t j = m->code_offset[word]; j < m->code_offset[word + 1]; j++) {
        float *l2 = m->syn1 + (size_t)m->points[j] * D;
        float f = w2v_dot(l1, l2, D);
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
                                     const uint32_t *targets, float alpha, float *restrict neu1e) {
    const int D = m->dim;
    float *l1 = m->syn0 + (size_t)context * D;
    memset(neu1e, 0, (size_t)D * sizeof *neu1e);
    if (m->hs) w2v_hs_update(m, l1, word, alpha, neu1e);
    if (m->negative) w2v_ns_update(m, l1, targets, m->negative + 1, alpha, neu1e);
    w2v_axpy(1.0f, neu1e, l1, D);
}

/* CBOW, one centre word: the mean (or sum) of the context input vectors predicts the word, and
 * the input-side gradient goes unscaled to every context row (word2vec.c does not divide it by the
 * window size even for the mean). */
W2V_INLINE void w2v_train_cbow(const w2v_model *m, uint32_t word, const uint32_t *context,
                                  int n_context, const uint32_t *targets, float alpha,
                                  float *restrict neu1, float *restrict neu1e) {
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
    if (m->hs) w2v_hs_update(m, neu1, word, alpha, neu1e);
    if (m->negative) w2v_ns_update(m, neu1, targets, m->negative + 1, alpha, neu1e);
    for (int c = 0; c < n_context; c++) w2v_axpy(1.0f, neu1e, m->syn0 + (size_t)context[c] * D, D);
}

#endif
