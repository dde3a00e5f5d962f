/* kernels.h: the four word2vec updates, as small inline functions over one model and one thread.
 *
 * They are `static inline` so that each one is compiled into each per-ISA build of the
 * training loop (AVX-512, AVX2+FMA, baseline): the vector loops below are written plainly with
 * `omp simd` and the compiler emits the instructions of the build's target (train_loop.h).
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

/* Forced inlining: the kernels must end up inside each per-ISA build of the training loop. */
#if defined(__GNUC__)
#define W2V_INLINE static inline __attribute__((always_inline))
#else
#define W2V_INLINE static inline
#endif

/* Vectors of W2V_VW floats in GCC/Clang's generic vector extension, one register of the build
 * (train_loop.h): 16 for AVX-512 (zmm), 8 for AVX2 (ymm), 4 otherwise.  Loads and stores go
 * through memcpy, which compiles to unaligned vector moves and keeps strict aliasing intact. */
#ifndef W2V_VW
#define W2V_VW 16
#endif
typedef float w2v_vf __attribute__((vector_size(W2V_VW * sizeof(float))));
typedef int32_t w2v_vi __attribute__((vector_size(W2V_VW * sizeof(float))));
typedef float w2v_vf8 __attribute__((vector_size(32)));
typedef float w2v_vf4 __attribute__((vector_size(16)));
#define W2V_STORE1(p, v) (*(p) = (v))

W2V_INLINE w2v_vf w2v_load(const float *p) {
    w2v_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

W2V_INLINE void w2v_store(float *p, w2v_vf v) { memcpy(p, &v, sizeof v); }

/* Sum of the lanes as a tree of halvings (shuffles and adds down to 4 lanes, then scalars);
 * left to itself the compiler spills the vector and adds the lanes in a dependent chain. */
W2V_INLINE float w2v_hsum4(w2v_vf4 h4) { return (h4[0] + h4[2]) + (h4[1] + h4[3]); }

W2V_INLINE float w2v_hsum(w2v_vf v) {
#if W2V_VW == 16
    w2v_vf8 h8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                 __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    return w2v_hsum4(__builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7));
#elif W2V_VW == 8
    return w2v_hsum4(__builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7));
#else
    return w2v_hsum4(v);
#endif
}

/* In the kernels that only read rows (dot products), a row whose length is not a multiple of the
 * vector width (D = 100: 6 x 16 + 4) ends with one more full vector that overlaps the previous one, its
 * overlapping lanes multiplied by 0: no scalar loop.  This mask has 1.0 in the last `rem` lanes.
 * Rows shorter than a vector take the scalar path.  (Kernels that store use smaller vectors for
 * the rest instead: see w2v_axpy.) */
W2V_INLINE w2v_vf w2v_tail_mask(int rem) {
#if W2V_VW == 16
    const w2v_vi lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#elif W2V_VW == 8
    const w2v_vi lane = {0, 1, 2, 3, 4, 5, 6, 7};
#else
    const w2v_vi lane = {0, 1, 2, 3};
#endif
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

/* Small dense products over matrix rows given by pointers, for the window blocks below:
 *     Y_a += sum_b W[a wy + b] X_b      (a < R, b < nx, rows of n floats)
 * or, with add = 0, Y_a = sum_b ... (Y's old values unread: no zeroing pass before a first product)
 * for R = 4, 2 or 1 output rows at a time (a constant where this is inlined, so the loops over
 * a unroll and the accumulators stay in registers).  Each slice of X_b is loaded once for R
 * FMAs, and two slices of each output are kept in registers: with R = 4, eight independent FMA
 * chains, enough to hide FMA latency (one chain per row left the core waiting); R = 2 keeps
 * four.  The Y rows must be distinct (a row twice in one group would lose one increment); X
 * rows may repeat. */
#define W2V_GEMM_COLUMNS(VT, LOAD, STORE, WIDTH)                                                    \
    for (; i + (WIDTH) <= n; i += (WIDTH)) {                                                       \
        VT acc[4];                                                                                 \
        for (int a = 0; a < R; a++) acc[a] = add ? LOAD(Y[a] + i) : (VT){0};                       \
        for (int b = 0; b < nx; b++) {                                                             \
            VT x = LOAD(X[b] + i);                                                                 \
            for (int a = 0; a < R; a++) acc[a] += W[a * wy + b] * x;                               \
        }                                                                                          \
        for (int a = 0; a < R; a++) STORE(Y[a] + i, acc[a]);                                       \
    }

W2V_INLINE void w2v_gemm_rows(float *const *Y, const int R, const float *const *X, int nx, const float *W,
                              int wy, int n, int add) {
    int i = 0;
    for (; i + 2 * W2V_VW <= n; i += 2 * W2V_VW) {
        w2v_vf acc[4], acc2[4];
        for (int a = 0; a < R; a++) {
            acc[a] = add ? w2v_load(Y[a] + i) : (w2v_vf){0};
            acc2[a] = add ? w2v_load(Y[a] + i + W2V_VW) : (w2v_vf){0};
        }
        for (int b = 0; b < nx; b++) {
            w2v_vf x = w2v_load(X[b] + i), z = w2v_load(X[b] + i + W2V_VW);
            for (int a = 0; a < R; a++) {
                acc[a] += W[a * wy + b] * x;
                acc2[a] += W[a * wy + b] * z;
            }
        }
        for (int a = 0; a < R; a++) {
            w2v_store(Y[a] + i, acc[a]);
            w2v_store(Y[a] + i + W2V_VW, acc2[a]);
        }
    }
    /* the rest in 16-, 8- and 4-float vectors, then scalars (no overlapping vector: see w2v_axpy) */
    W2V_GEMM_COLUMNS(w2v_vf, w2v_load, w2v_store, W2V_VW)
    W2V_GEMM_COLUMNS(w2v_vf8, w2v_load8, w2v_store8, 8)
    W2V_GEMM_COLUMNS(w2v_vf4, w2v_load4, w2v_store4, 4)
    W2V_GEMM_COLUMNS(float, *, W2V_STORE1, 1)
}

/* The product for ny rows (add as in w2v_gemm_rows), four at a time, then two, then one. */
W2V_INLINE void w2v_gemm_acc(float *const *Y, int ny, const float *const *X, int nx, const float *W, int wy,
                             int n, int add) {
    int a = 0;
    for (; a + 4 <= ny; a += 4) w2v_gemm_rows(Y + a, 4, X, nx, W + (size_t)a * wy, wy, n, add);
    for (; a + 2 <= ny; a += 2) w2v_gemm_rows(Y + a, 2, X, nx, W + (size_t)a * wy, wy, n, add);
    for (; a < ny; a++) w2v_gemm_rows(Y + a, 1, X, nx, W + (size_t)a * wy, wy, n, add);
}

/* Sums of eight vectors, lane k of the result holding the sum of v_k's lanes: a tree of
 * two-source shuffles (for 16 lanes, 7 shuffle-add pairs and a last one) instead of eight
 * separate w2v_hsum. */
W2V_INLINE w2v_vf8 w2v_hsum8(w2v_vf v0, w2v_vf v1, w2v_vf v2, w2v_vf v3, w2v_vf v4, w2v_vf v5,
                             w2v_vf v6, w2v_vf v7) {
#if W2V_VW == 16
#define W2V_HALVES(a, b)                                                                            \
    (__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +         \
     __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31))
#define W2V_QUARTERS(a, b)                                                                          \
    (__builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +       \
     __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31))
#define W2V_EIGHTHS(a, b)                                                                           \
    (__builtin_shufflevector(a, b, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29) +       \
     __builtin_shufflevector(a, b, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31))
    /* [v0 folded to 8 lanes | v1 folded to 8], ..., then 4 groups of 4, then 8 pairs */
    w2v_vf pairs = W2V_EIGHTHS(W2V_QUARTERS(W2V_HALVES(v0, v1), W2V_HALVES(v2, v3)),
                               W2V_QUARTERS(W2V_HALVES(v4, v5), W2V_HALVES(v6, v7)));
#undef W2V_HALVES
#undef W2V_QUARTERS
#undef W2V_EIGHTHS
    return __builtin_shufflevector(pairs, pairs, 0, 2, 4, 6, 8, 10, 12, 14) +
           __builtin_shufflevector(pairs, pairs, 1, 3, 5, 7, 9, 11, 13, 15);
#elif W2V_VW == 8
    /* [v0 folded to 4 | v1 folded to 4], ..., then 4 pairs of 2, then the 8 sums */
#define W2V_HALVES(a, b)                                                                            \
    (__builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11) + __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15))
#define W2V_QUARTERS(a, b)                                                                          \
    (__builtin_shufflevector(a, b, 0, 1, 4, 5, 8, 9, 12, 13) + __builtin_shufflevector(a, b, 2, 3, 6, 7, 10, 11, 14, 15))
#define W2V_EIGHTHS(a, b)                                                                           \
    (__builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14) + __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15))
    w2v_vf sums = W2V_EIGHTHS(W2V_QUARTERS(W2V_HALVES(v0, v1), W2V_HALVES(v2, v3)),
                              W2V_QUARTERS(W2V_HALVES(v4, v5), W2V_HALVES(v6, v7)));
#undef W2V_HALVES
#undef W2V_QUARTERS
#undef W2V_EIGHTHS
    return sums;
#else
    return (w2v_vf8){w2v_hsum(v0), w2v_hsum(v1), w2v_hsum(v2), w2v_hsum(v3),
                     w2v_hsum(v4), w2v_hsum(v5), w2v_hsum(v6), w2v_hsum(v7)};
#endif
}

/* Dot products of rows a0 and a1 with b[0..3]: s0[q] = a0 . b[q], s1[q] = a1 . b[q].  Eight
 * independent FMA chains; each loaded slice serves four (a) or two (b) products. */
W2V_INLINE void w2v_dot_tile(const float *a0, const float *a1, const float *const *b, int n, float *s0,
                             float *s1) {
    w2v_vf c00 = {0}, c01 = {0}, c02 = {0}, c03 = {0}, c10 = {0}, c11 = {0}, c12 = {0}, c13 = {0};
    const float *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
    int i = 0;
#define W2V_TILE_STEP(X0, X1, AT)                                                                   \
    do {                                                                                            \
        w2v_vf y0 = w2v_load(b0 + (AT)), y1 = w2v_load(b1 + (AT)), y2 = w2v_load(b2 + (AT)),        \
               y3 = w2v_load(b3 + (AT));                                                            \
        c00 += (X0) * y0; c01 += (X0) * y1; c02 += (X0) * y2; c03 += (X0) * y3;                     \
        c10 += (X1) * y0; c11 += (X1) * y1; c12 += (X1) * y2; c13 += (X1) * y3;                     \
    } while (0)
    for (; i + W2V_VW <= n; i += W2V_VW) W2V_TILE_STEP(w2v_load(a0 + i), w2v_load(a1 + i), i);
    if (i < n && n >= W2V_VW) { /* the overlapping last vector, its repeated lanes masked off */
        w2v_vf mask = w2v_tail_mask(n - i);
        W2V_TILE_STEP(mask * w2v_load(a0 + n - W2V_VW), mask * w2v_load(a1 + n - W2V_VW), n - W2V_VW);
        i = n;
    }
#undef W2V_TILE_STEP
    w2v_vf8 r = w2v_hsum8(c00, c01, c02, c03, c10, c11, c12, c13);
    /* two 4-float stores (GCC wrote the eight lanes one by one, each extracted by a shuffle) */
    w2v_store4(s0, __builtin_shufflevector(r, r, 0, 1, 2, 3));
    w2v_store4(s1, __builtin_shufflevector(r, r, 4, 5, 6, 7));
    for (; i < n; i++) /* rows shorter than one vector */
        for (int q = 0; q < 4; q++) {
            s0[q] += a0[i] * b[q][i];
            s1[q] += a1[i] * b[q][i];
        }
}

/* S[i ss + j] = A_i . B_j for i < na and j < nb, in tiles of 2 x 4.  A must have a valid row
 * pointer at index na (when na is odd) and B three past nb: their products land in S's padding
 * (na rounded up to 2 rows, ss >= nb rounded up to 4) and are never read.  With `lower`, only
 * the tiles holding some j < i are computed (the strictly lower triangle, for a Gram matrix). */
W2V_INLINE void w2v_dot_tiles(const float *const *A, int na, const float *const *B, int nb, int n, int lower,
                              float *S, int ss) {
    for (int i = 0; i < na; i += 2)
        for (int j = 0; j < nb && (!lower || j <= i); j += 4)
            w2v_dot_tile(A[i], A[i + 1], B + j, n, S + (size_t)i * ss + j, S + (size_t)(i + 1) * ss + j);
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

/* The row of inner node `node` of the Huffman tree: the thread's own copy for the hot nodes
 * near the root (train.c: w2v_hot_merge), else syn1's. */
W2V_INLINE float *w2v_node_row(const w2v_model *m, const w2v_thread *t, uint32_t node) {
    uint32_t k = node - t->hot_lo; /* wraps around for nodes below hot_lo */
    return k < t->hot_n ? t->hot + (size_t)k * m->dim : m->syn1 + (size_t)node * m->dim;
}

/* Hierarchical softmax for one input vector.
 *
 * p(word | l1) = prod_j s((1 - 2 code_j) l2_j . l1) over the inner nodes j on word's path, so with
 * f_j = l2_j . l1 the loss -log p has dL/df_j = s(f_j) - (1 - code_j) and the step is
 *     l2_j += g l1,  l1 += g l2_j  with  g = (1 - code_j - s(f_j)) alpha.
 * Nodes with |f| >= MAX_EXP are skipped, as word2vec.c does (their gradient is nearly 0 or the
 * prediction is confidently wrong and the table has no value there). */
W2V_INLINE void w2v_hs_update(const w2v_model *m, const w2v_thread *t, const float *restrict l1,
                                 uint32_t word, float alpha, float *restrict neu1e, double *loss) {
    const int D = m->dim;
    for (uint32_t j = m->code_offset[word]; j < m->code_offset[word + 1]; j++) {
        float *l2 = w2v_node_row(m, t, m->points[j]);
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
W2V_INLINE void w2v_train_sg_pair(const w2v_model *m, const w2v_thread *t, uint32_t word, uint32_t context,
                                     const uint32_t *targets, float alpha, float *restrict neu1e,
                                     double *loss) {
    const int D = m->dim;
    float *l1 = m->syn0 + (size_t)context * D;
    memset(neu1e, 0, (size_t)D * sizeof *neu1e);
    if (m->hs) w2v_hs_update(m, t, l1, word, alpha, neu1e, loss);
    if (m->negative) w2v_ns_update(m, l1, targets, m->negative + 1, alpha, neu1e, loss);
    w2v_axpy(1.0f, neu1e, l1, D);
}

/* CBOW, one centre word: the mean (or sum) of the context input vectors predicts the word, and
 * the input-side gradient goes unscaled to every context row (word2vec.c does not divide it by the
 * window size even for the mean). */
W2V_INLINE void w2v_train_cbow(const w2v_model *m, const w2v_thread *t, uint32_t word, const uint32_t *context,
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
    if (m->hs) w2v_hs_update(m, t, neu1, word, alpha, neu1e, loss);
    if (m->negative) w2v_ns_update(m, neu1, targets, m->negative + 1, alpha, neu1e, loss);
    for (int c = 0; c < n_context; c++) w2v_axpy(1.0f, neu1e, m->syn0 + (size_t)context[c] * D, D);
}

/* Skip-gram, one whole window as a block (pWord2Vec's "HogBatch", Ji et al. 2019).
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
 * here both see the row as before the block.
 * (Without this correction, delayed updates to the few nodes near the root that every window
 * shares cost 0.7 points of analogy accuracy; without only its H part, 0.6 points on enwiki and
 * 0.5 on wiki_raw, for 12 % more speed: BENCHMARKS.md.)
 *
 * `out` is syn1neg or syn1 (whose rows come through w2v_node_row), `rows` the m target rows,
 * `labels` their labels; `hs` selects the HS rule for saturated scores (skip the node) over the
 * NS rule (clip the sigmoid).  dM (n x D) accumulates the context rows' updates; the caller
 * applies it once every loss has added its share. */

/* Gradient factors of one context's scores f[0..m): g = (label - s(f)) alpha, with the HS or NS
 * rule past the table, also into g2 unless it is NULL; returns the loss.  With `prev`, the score is
 * f + k_prev prev first (the last term of the HS correction, see w2v_hs_factors).  Free of
 * branches on the data: the loss was written `label > 0.5 ? -log_s : x - log_s`, which GCC
 * compiled to a branch, and HS labels (the path's code bits) are random, so it was mispredicted
 * about every other score; as arithmetic (labels are 0 or 1) HS blocks train 1.16 x faster.
 * (NS rows are 6 scores: AVX-512 gathers over rows rounded up to 16 were slower, so this runs
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
        float clipped = hs ? label : (x > 0 ? 1.0f : 0.0f); /* HS: a zero step */
        g[r] = (label - (inside ? s : clipped)) * alpha;
        if (g2) g2[r] = g[r];
        log_s = inside ? log_s : (x > 0 ? 0.0f : x); /* as w2v_target_loss */
        loss += (1.0f - label) * x - log_s;         /* label 1: -log_s, label 0: x - log_s */
    }
    return loss;
}

/* HS factors of a whole block, context by context: the scores of context c, row c of S, first get
 * the sequential correction f_c += sum_{p<c} K_cp g_p (in this order, as the exact path adds
 * them; see w2v_block_update), then give the factors g_c, stored into row c of G (stride gs) and
 * into the zero-padded row Gr[c] = Gp + c ss, which the later contexts' corrections and H read
 * as whole vectors.  Returns the loss.  Two versions with the same factors bit for bit (the loss
 * up to float rounding):
 *
 * AVX-512: everything in 16-float vectors, the sigmoid table read with a gather (and the loss's
 * log sigma as the log of a product of those values, not from the log table).  The factors never
 * pass through scalar stores, so each vector read of them is forwarded from the store that wrote
 * it.  SG-HS 1.06 x over the version below on this machine (BENCHMARKS.md); the fourth and fifth
 * sessions' gathers had gained nothing, with a score correction whose stores and loads of
 * different widths waited on each other.
 *
 * Otherwise, scalars, w2v_block_gradients: the correction's terms of the contexts before the
 * last one as whole vectors but stored back a float at a time, since the gradient loop reads
 * them as scalars right after (measured on this machine's AMD Zen 4: a scalar read of a vector
 * just stored waited for the store; the empty asm keeps GCC from merging the stores into one
 * vector store, and `volatile` stores instead made GCC schedule the code differently and lost
 * most of the gain); the last context's term is added inside the gradient loop from the scalars
 * it just stored, which a vector load could not have been forwarded from.  (Both steps: SG-HS
 * 1.06-1.08 x.) */
#if W2V_VW == 16 && defined(__AVX512F__)
#include <immintrin.h>
#include <math.h>
W2V_INLINE float w2v_hs_factors(float *S, int ss, const float *K, int ks, float *G, int gs, float *Gp,
                                const float **Gr, int n, const float *labels, int L, const float *table,
                                float alpha) {
    const __m512 six = _mm512_set1_ps((float)W2V_MAX_EXP), minus_six = _mm512_set1_ps(-(float)W2V_MAX_EXP);
    const __m512 scale = _mm512_set1_ps((float)(W2V_SIGMOID_TABLE_SIZE - 1) / (2.0f * W2V_MAX_EXP));
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
    const __m512 step = _mm512_set1_ps(alpha);
    /* the loss, sum (1 - label) x - log s(x), in three parts: the linear terms (with log s(x)
     * taken as 0 or x outside the table), and the product of the table's s(x) as mantissas
     * `prod` and exponents `expo`, whose log is taken once per block (a second gather for the
     * log table cost 3 % of SG-HS, BENCHMARKS.md) */
    __m512 lin = zero, prod = one, expo = zero;
    for (int c = 0; c < n; c++) {
        const float *f = S + (size_t)c * ss, *kc = K + (size_t)c * ks;
        float *g = G + (size_t)c * gs, *gp = Gp + (size_t)c * ss;
        Gr[c] = gp;
        for (int i = 0; i < L; i += 16) { /* i + 16 <= ss: whole vectors of the padded rows */
            __mmask16 k = i + 16 <= L ? (__mmask16)0xFFFF : (__mmask16)((1u << (L - i)) - 1);
            __m512 x = _mm512_maskz_loadu_ps(k, f + i);
            for (int p = 0; p < c; p++) x = _mm512_fmadd_ps(_mm512_set1_ps(kc[p]), _mm512_loadu_ps(Gr[p] + i), x);
            __m512 label = _mm512_maskz_loadu_ps(k, labels + i);
            /* as w2v_block_gradients: the index of x, or of 0 outside the table (NaN too) */
            __mmask16 inside = _mm512_cmp_ps_mask(x, minus_six, _CMP_GT_OQ) & _mm512_cmp_ps_mask(x, six, _CMP_LT_OQ) & k;
            __m512i idx = _mm512_cvttps_epi32(_mm512_fmadd_ps(_mm512_add_ps(_mm512_maskz_mov_ps(inside, x), six), scale, half));
            __m512 s = _mm512_mask_i32gather_ps(zero, inside, idx, table, 4);
            /* g = (label - s) alpha, 0 outside the table (the HS rule) and in the padding */
            __m512 gv = _mm512_maskz_mov_ps(k, _mm512_mul_ps(_mm512_sub_ps(label, _mm512_mask_mov_ps(label, inside, s)), step));
            _mm512_storeu_ps(gp + i, gv);
            _mm512_mask_storeu_ps(g + i, k, gv);
            __mmask16 outside_log_0 = _mm512_cmp_ps_mask(x, zero, _CMP_GT_OQ) | inside;
            lin = _mm512_mask_add_ps(lin, k, lin,
                                     _mm512_fmsub_ps(_mm512_sub_ps(one, label), x, _mm512_mask_mov_ps(x, outside_log_0, zero)));
            prod = _mm512_mask_mul_ps(prod, inside, prod, s);
        }
        /* s(x) >= s(-6) > 2^-9, and a Huffman path of 64-bit counts is at most ~92 nodes (the
         * Fibonacci bound), 6 vectors: the product is above 2^-54 before it is renormalised */
        expo = _mm512_add_ps(expo, _mm512_getexp_ps(prod));
        prod = _mm512_getmant_ps(prod, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
    }
    /* the 16 mantissas' product is in [1, 2^16); log 2^e = e ln 2 */
    const float ln2 = 0.69314718f;
    return _mm512_reduce_add_ps(lin) - (logf(_mm512_reduce_mul_ps(prod)) + ln2 * _mm512_reduce_add_ps(expo));
}
#else
W2V_INLINE void w2v_add_rows_to_scalars(float *f, const float *const *X, int np, const float *w, int n) {
    for (int i = 0; i < n; i += W2V_VW) { /* n a multiple of W2V_VW */
        w2v_vf acc = w2v_load(f + i);
        for (int p = 0; p < np; p++) acc += w[p] * w2v_load(X[p] + i);
        for (int q = 0; q < W2V_VW; q++) {
            f[i + q] = acc[q];
            __asm__ volatile("" ::: "memory");
        }
    }
}

W2V_INLINE float w2v_hs_factors(float *S, int ss, const float *K, int ks, float *G, int gs, float *Gp,
                                const float **Gr, int n, const float *labels, int L, const float *table,
                                float alpha) {
    float loss = 0.0f;
    for (int c = 0; c < n; c++) {
        float *f = S + (size_t)c * ss, *gp = Gp + (size_t)c * ss;
        const float *kc = K + (size_t)c * ks;
        Gr[c] = gp;
        if (c > 1) w2v_add_rows_to_scalars(f, Gr, c - 1, kc, ss);
        if (ss >= 16) memset(gp + ss - 16, 0, 16 * sizeof(float)); /* the padding [L, ss) */
        /* (gp written by the gradient loop itself: a memcpy and a memset call per context were
         * 3 % of SG-HS, BENCHMARKS.md) */
        loss += w2v_block_gradients(f, labels, L, 1, table, alpha, G + (size_t)c * gs, gp,
                                    c > 0 ? Gr[c - 1] : NULL, c > 0 ? kc[c - 1] : 0.0f);
    }
    return loss;
}
#endif

/* HS, steps 3 and 4 of w2v_block_update in one pass over the target rows (path nodes, all
 * distinct), a column slice at a time:
 *     dM_c (+)= sum_r G_cr T_r + sum_{p<c} H_cp M_p     and     T_r += sum_c G_cr M_c
 * with the n context slices and the n dM accumulators held in registers (N constant: see
 * w2v_hs_apply), so each slice of T_r is loaded once for both products and stored once.  The
 * sums run in the order of the two separate products these replaced (w2v_gemm_acc, as NS still
 * does), so the results are the same bit for bit.  H_cp is H[c hstride + p].  Each T_r is read
 * before it is written: dM takes the target rows as before the block. */
#define W2V_APPLY_COLUMNS(VT, LOAD, STORE, WIDTH)                                                  \
    for (; i + (WIDTH) <= D; i += (WIDTH)) {                                                       \
        VT mc[W2V_BLOCK_CONTEXTS], acc[W2V_BLOCK_CONTEXTS];                                        \
        for (int c = 0; c < N; c++) {                                                              \
            mc[c] = LOAD(M[c] + i);                                                                \
            acc[c] = add ? LOAD(dM + (size_t)c * D + i) : (VT){0};                                 \
        }                                                                                          \
        for (int r = 0; r < L; r++) {                                                              \
            float *tr = (float *)T[r] + i;                                                         \
            VT x = LOAD(tr), u = x;                                                                \
            for (int c = 0; c < N; c++) {                                                          \
                float g = G[(size_t)c * gs + r];                                                   \
                acc[c] += g * x;                                                                   \
                u += g * mc[c];                                                                    \
            }                                                                                      \
            STORE(tr, u);                                                                          \
        }                                                                                          \
        for (int c = 1; c < N; c++)                                                                \
            for (int p = 0; p < c; p++) acc[c] += H[(size_t)c * hstride + p] * mc[p];              \
        for (int c = 0; c < N; c++) STORE(dM + (size_t)c * D + i, acc[c]);                         \
    }

W2V_INLINE void w2v_hs_apply_n(const float *const *T, int L, const float *const *M, const int N,
                               const float *G, int gs, const float *H, int hstride, float *restrict dM,
                               int D, int add) {
    int i = 0;
    /* whole vectors, then 8-, 4-float vectors and scalars (no overlapping vector: see w2v_axpy) */
    W2V_APPLY_COLUMNS(w2v_vf, w2v_load, w2v_store, W2V_VW)
    W2V_APPLY_COLUMNS(w2v_vf8, w2v_load8, w2v_store8, 8)
    W2V_APPLY_COLUMNS(w2v_vf4, w2v_load4, w2v_store4, 4)
    W2V_APPLY_COLUMNS(float, *, W2V_STORE1, 1)
}
#undef W2V_APPLY_COLUMNS

/* w2v_hs_apply_n compiled for each block size, so that its loops over the contexts unroll and
 * their slices stay in registers. */
_Static_assert(W2V_BLOCK_CONTEXTS == 16, "w2v_hs_apply needs a case for every block size");
W2V_INLINE void w2v_hs_apply(const float *const *T, int L, const float *const *M, int n, const float *G,
                             int gs, const float *H, int hstride, float *restrict dM, int D, int add) {
    switch (n) {
#define W2V_APPLY_CASE(N)                                                                           \
    case N: w2v_hs_apply_n(T, L, M, N, G, gs, H, hstride, dM, D, add); break;
        W2V_APPLY_CASE(1) W2V_APPLY_CASE(2) W2V_APPLY_CASE(3) W2V_APPLY_CASE(4)
        W2V_APPLY_CASE(5) W2V_APPLY_CASE(6) W2V_APPLY_CASE(7) W2V_APPLY_CASE(8)
        W2V_APPLY_CASE(9) W2V_APPLY_CASE(10) W2V_APPLY_CASE(11) W2V_APPLY_CASE(12)
        W2V_APPLY_CASE(13) W2V_APPLY_CASE(14) W2V_APPLY_CASE(15) W2V_APPLY_CASE(16)
#undef W2V_APPLY_CASE
    default: break;
    }
}

W2V_INLINE int w2v_round16(int n) { return (n + 15) & ~15; }
W2V_INLINE int w2v_round4(int n) { return (n + 3) & ~3; }

W2V_INLINE void w2v_block_update(const w2v_model *m, w2v_thread *t, float *out, const uint32_t *rows,
                                 const float *labels, int n_rows, int hs, const uint32_t *ctx, int n_ctx,
                                 float alpha, float *restrict dM, int add_dM, double *loss) {
    const int D = m->dim, L = n_rows, n = n_ctx;
    const int ss = w2v_round16(L);  /* row stride of the scores S */
    const int ks = w2v_round4(n);   /* of the Gram matrix K */
    const int gs = L;               /* of G */
    float *restrict S = t->block_s, *restrict K = t->block_k, *restrict G = t->block_g;
    /* X: the L target rows, then the n context rows Mr (then 4 padding pointers): the tiles of
     * S read up to 3 rows past the targets, and those of K past the contexts */
    const float **X = t->block_x, **Mr = X + L;
    float **Y = t->block_y;
    for (int r = 0; r < L; r++) X[r] = hs ? w2v_node_row(m, t, rows[r]) : out + (size_t)rows[r] * D;
    for (int c = 0; c < n; c++) Mr[c] = m->syn0 + (size_t)ctx[c] * D;
    for (int p = 0; p < 4; p++) Mr[n + p] = Mr[n - 1];

    /* 1. scores, and for HS the Gram matrix of the context rows */
    w2v_dot_tiles(Mr, n, X, L, D, 0, S, ss);
    if (hs && n > 1) w2v_dot_tiles(Mr, n, Mr, n, D, 1, K, ks);
    /* 2. factors, context by context (for HS each context's scores first get the sequential
     * correction from the contexts before it) */
    float block_loss = 0.0f;
    float *restrict Gp = t->block_gp; /* HS: G again, rows zero-padded to ss: whole vectors */
    const float *Gr[W2V_BLOCK_CONTEXTS + 4]; /* HS: the rows of Gp, then 4 padding pointers */
    if (hs)
        block_loss = w2v_hs_factors(S, ss, K, ks, G, gs, Gp, Gr, n, labels, L, m->sigmoid, alpha);
    else
        for (int c = 0; c < n; c++)
            block_loss += w2v_block_gradients(S + (size_t)c * ss, labels, L, 0, m->sigmoid, alpha,
                                              G + (size_t)c * gs, NULL, NULL, 0.0f);
    *loss += block_loss;
    if (hs) { /* H = G G' (its strict lower triangle) as the Gram matrix of Gp, into K (done with) */
        for (int p = 0; p < 4; p++) Gr[n + p] = Gr[n - 1];
        w2v_dot_tiles(Gr, n, Gr, n, ss, 1, K, ks);
        w2v_hs_apply(X, L, Mr, n, G, gs, K, ks, dM, D, add_dM);
        return;
    }
    /* 3. (NS) context updates from the target rows as before the block: dM += G T, or dM = ...
     * for the block's first loss (add_dM = 0) */
    for (int c = 0; c < n; c++) Y[c] = dM + (size_t)c * D;
    w2v_gemm_acc(Y, n, X, gs, G, gs, D, add_dM);
    /* 4. target updates, added in place: T += G' M.  A noise word drawn twice is one row whose
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

/* The whole skip-gram window of centre word `word` in blocks of at most W2V_BLOCK_CONTEXTS
 * contexts (one block for any window up to 8; later blocks see the earlier blocks' updates);
 * targets[1..negative] hold its noise words.  Noise words equal to the centre word get no
 * update, as in w2v_ns_update. */
W2V_INLINE void w2v_train_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *ctx,
                                    int n_ctx, const uint32_t *targets, float alpha, double *loss) {
    const int D = m->dim;
    float *restrict dM = t->block_din;
    uint32_t *rows = t->block_targets;
    float *labels = t->block_labels;
    int n_neg = 0;
    if (m->negative)
        for (int d = 0; d <= m->negative; d++) {
            if (d > 0 && targets[d] == word) continue;
            rows[n_neg] = targets[d];
            labels[n_neg++] = d == 0 ? 1.0f : 0.0f;
        }
    uint32_t lo = 0, len = 0;
    float *hs_labels = labels + n_neg;
    if (m->hs) {
        lo = m->code_offset[word];
        len = m->code_offset[word + 1] - lo;
        for (uint32_t r = 0; r < len; r++) hs_labels[r] = 1.0f - (float)m->codes[lo + r];
    }
    for (int c0 = 0; c0 < n_ctx; c0 += W2V_BLOCK_CONTEXTS) {
        int n = n_ctx - c0 < W2V_BLOCK_CONTEXTS ? n_ctx - c0 : W2V_BLOCK_CONTEXTS;
        /* the first loss sets dM, the second adds to it (no zeroing pass: 1.5 % of SG-HS) */
        if (m->hs)
            w2v_block_update(m, t, m->syn1, m->points + lo, hs_labels, (int)len, 1, ctx + c0, n, alpha,
                             dM, 0, loss);
        if (m->negative)
            w2v_block_update(m, t, m->syn1neg, rows, labels, n_neg, 0, ctx + c0, n, alpha, dM, m->hs,
                             loss);
        for (int j = 0; j < n; j++) w2v_axpy(1.0f, dM + (size_t)j * D, m->syn0 + (size_t)ctx[c0 + j] * D, D);
    }
}

/* Ask for a row's cache lines ahead of use (a hint: no effect on results). */
W2V_INLINE void w2v_prefetch_row(const float *row, int dim) {
    for (int i = 0; i < dim; i += 16) __builtin_prefetch(row + i, 1, 3);
}

#endif
