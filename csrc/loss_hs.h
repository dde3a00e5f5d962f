/* loss_hs.h: hierarchical softmax (Morin & Bengio 2005, as word2vec.c trains it).
 *
 * p(word | l1) = prod_j s((1 - 2 code_j) l2_j . l1) over the inner nodes j on word's path in the
 * Huffman tree (huffman.h), so with f_j = l2_j . l1 the loss -log p has
 *     dL/df_j = s(f_j) - (1 - code_j)
 * and the step is
 *     l2_j += g l1,  l1 += g l2_j  with  g = (1 - code_j - s(f_j)) alpha.
 * Nodes with |f| >= MAX_EXP get no step, as in word2vec.c (their gradient is nearly 0, or the
 * prediction is confidently wrong and the table has no value there).
 *
 * The loss's output rows are the inner nodes (V - 1 of them, in a V-row matrix); its tables,
 * in this order: code_offset (V + 1 uint32: word w's path is entries [code_offset[w],
 * code_offset[w + 1]) of the next two), codes (uint8 branch bits from the root down) and points
 * (uint32 inner nodes).
 */
#ifndef W2V_LOSS_HS_H
#define W2V_LOSS_HS_H

#include "block.h"
#include "sigmoid.h"
#include "simd.h"
#include "w2v.h"

W2V_INLINE const uint32_t *w2v_hs_code_offset(const w2v_loss *l) { return (const uint32_t *)l->table[0]; }
W2V_INLINE const uint8_t *w2v_hs_codes(const w2v_loss *l) { return (const uint8_t *)l->table[1]; }
W2V_INLINE const uint32_t *w2v_hs_points(const w2v_loss *l) { return (const uint32_t *)l->table[2]; }

/* Checks the tables against a vocabulary of V words and sets max_targets to the longest path. */
static int w2v_hs_init(w2v_loss *l, uint32_t vocab_size) {
    if (l->table_len[0] != (uint64_t)vocab_size + 1 || l->table_len[1] != l->table_len[2] ||
        l->out_rows < vocab_size)
        return W2V_EINVAL;
    const uint32_t *offset = w2v_hs_code_offset(l);
    const uint32_t *points = w2v_hs_points(l);
    uint32_t longest = 0;
    if (offset[0] != 0 || offset[vocab_size] != l->table_len[1]) return W2V_EINVAL;
    for (uint32_t w = 0; w < vocab_size; w++) {
        if (offset[w + 1] < offset[w]) return W2V_EINVAL;
        if (offset[w + 1] - offset[w] > longest) longest = offset[w + 1] - offset[w];
    }
    for (uint64_t j = 0; j < l->table_len[2]; j++)
        if (points[j] >= l->out_rows) return W2V_EINVAL;
    l->max_targets = (int)longest;
    return W2V_OK;
}

/* The row of inner node `node`: the thread's own copy for the hot nodes near the root (hot.h),
 * else the shared row. */
W2V_INLINE float *w2v_node_row(const w2v_model *m, const w2v_thread *t, const w2v_loss *l, uint32_t node) {
    uint32_t k = node - t->hot_lo; /* wraps around for nodes below hot_lo */
    return k < t->hot_n ? t->hot + (size_t)k * m->dim : l->out + (size_t)node * m->dim;
}

/* One input vector l1 predicting `word`: the path's steps, l1's share added to neu1e. */
W2V_INLINE void w2v_hs_update(const w2v_model *m, const w2v_thread *t, const w2v_loss *l,
                              const float *restrict l1, uint32_t word, float alpha, float *restrict neu1e,
                              double *loss, const int learn_out) {
    const int D = m->dim;
    const uint32_t *code_offset = w2v_hs_code_offset(l), *points = w2v_hs_points(l);
    const uint8_t *codes = w2v_hs_codes(l);
    for (uint32_t j = code_offset[word]; j < code_offset[word + 1]; j++) {
        float *l2 = w2v_node_row(m, t, l, points[j]);
        float f = w2v_dot(l1, l2, D);
        *loss += w2v_target_loss(m->sigmoid, f, 1.0f - (float)codes[j]);
        if (!(f > -W2V_MAX_EXP && f < W2V_MAX_EXP)) continue; /* NaN too */
        float g = (1.0f - (float)codes[j] - w2v_sigmoid(m->sigmoid, f)) * alpha;
        w2v_axpy(g, l2, neu1e, D);
        if (learn_out) w2v_axpy(g, l1, l2, D);
    }
}

/* The next words' paths are read at the start of their windows: for a rare word those are cache
 * misses, so the code and path of the word after sen[i] and the offset of the one after that
 * are asked for one window ahead. */
W2V_INLINE void w2v_hs_prefetch(const w2v_loss *l, const uint32_t *sen, int i, int len) {
    if (i + 1 >= len) return;
    uint32_t next = w2v_hs_code_offset(l)[sen[i + 1]];
    __builtin_prefetch(w2v_hs_codes(l) + next, 0, 3);
    __builtin_prefetch(w2v_hs_points(l) + next, 0, 3);
    if (i + 2 < len) __builtin_prefetch(w2v_hs_code_offset(l) + sen[i + 2], 0, 3);
}

/* A window's block targets: the path's nodes (*rows points into the tree) and their labels. */
W2V_INLINE int w2v_hs_block_targets(const w2v_loss *l, uint32_t word, float *labels, const uint32_t **rows) {
    uint32_t lo = w2v_hs_code_offset(l)[word];
    uint32_t len = w2v_hs_code_offset(l)[word + 1] - lo;
    const uint8_t *codes = w2v_hs_codes(l);
    for (uint32_t r = 0; r < len; r++) labels[r] = 1.0f - (float)codes[lo + r];
    *rows = w2v_hs_points(l) + lo;
    return (int)len;
}

/* HS factors of a whole block, context by context: the scores of context c, row c of S, first get
 * the sequential correction f_c += sum_{p<c} K_cp g_p (in this order, as the exact path adds
 * them; see block.h), then give the factors g_c, stored into row c of G (stride gs) and into the
 * zero-padded row Gr[c] = Gp + c ss, which the later contexts' corrections and H read as whole
 * vectors.  Returns the loss.  Two versions with the same factors bit for bit (the loss up to
 * float rounding):
 *
 * AVX-512: everything in 16-float vectors, the sigmoid table read with a gather (and the loss's
 * log sigma as the log of a product of those values, not from the log table).  The factors never
 * pass through scalar stores, so each vector read of them is forwarded from the store that wrote
 * it (SG-HS 1.06 x over the version below, BENCHMARKS.md).
 *
 * Otherwise, scalars, w2v_block_gradients: the correction's terms of the contexts before the
 * last one as whole vectors but stored back a float at a time, since the gradient loop reads
 * them as scalars right after (on AMD Zen 4, a scalar read of a vector just stored waits for
 * the store; the empty asm keeps GCC from merging the stores into one vector store, which
 * `volatile` stores would not do without also rescheduling the code); the last context's term
 * is added inside the gradient loop from the scalars it just stored, which a vector load could
 * not be forwarded from.  (Both steps: SG-HS 1.06-1.08 x.) */
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
     * `prod` and exponents `expo`, whose log is taken once per block (a second gather, of the
     * log table, costs 3 % of SG-HS: BENCHMARKS.md) */
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
        /* the padding [L, ss); the gradient loop writes the rest of gp itself (a memcpy and a
         * memset call per context cost 3 % of SG-HS: BENCHMARKS.md) */
        if (ss >= 16) memset(gp + ss - 16, 0, 16 * sizeof(float));
        loss += w2v_block_gradients(f, labels, L, 1, table, alpha, G + (size_t)c * gs, gp,
                                    c > 0 ? Gr[c - 1] : NULL, c > 0 ? kc[c - 1] : 0.0f);
    }
    return loss;
}
#endif

/* The context and node updates of an HS block in one pass over the target rows (path nodes,
 * all distinct), a column slice at a time:
 *     dM_c (+)= sum_r G_cr T_r + sum_{p<c} H_cp M_p     and     T_r += sum_c G_cr M_c
 * with the n context slices and the n dM accumulators held in registers (N constant: see
 * w2v_hs_apply), so each slice of T_r is loaded once for both products and stored once.  The
 * sums run in the order of two separate products (w2v_gemm_acc, as NS makes them), so the
 * results are those of the two products bit for bit.  H_cp is H[c hstride + p].  Each T_r is read
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
/* One block of n contexts against the L nodes of a path (block.h). */
W2V_INLINE void w2v_hs_block(const w2v_model *m, w2v_thread *t, const w2v_loss *l, const uint32_t *rows,
                             const float *labels, int L, const uint32_t *ctx, int n, float alpha,
                             float *restrict dM, int add_dM, double *loss) {
    const int D = m->dim;
    const int ss = w2v_round16(L);  /* row stride of the scores S */
    const int ks = w2v_round4(n);   /* of the Gram matrix K */
    const int gs = L;               /* of G */
    float *restrict S = t->block_s, *restrict K = t->block_k, *restrict G = t->block_g;
    float *restrict Gp = t->block_gp;        /* G again, rows zero-padded to ss: whole vectors */
    const float *Gr[W2V_BLOCK_CONTEXTS + 4]; /* the rows of Gp, then 4 padding pointers */
    const float **X = t->block_x;
    for (int r = 0; r < L; r++) X[r] = w2v_node_row(m, t, l, rows[r]);
    const float **Mr = w2v_block_context_rows(m, t, L, ctx, n);
    /* scores and the Gram matrix of the context rows; factors with the sequential correction */
    w2v_dot_tiles(Mr, n, X, L, D, 0, S, ss);
    if (n > 1) w2v_dot_tiles(Mr, n, Mr, n, D, 1, K, ks);
    *loss += w2v_hs_factors(S, ss, K, ks, G, gs, Gp, Gr, n, labels, L, m->sigmoid, alpha);
    /* H = G G' (its strict lower triangle) as the Gram matrix of Gp, into K (done with) */
    for (int p = 0; p < 4; p++) Gr[n + p] = Gr[n - 1];
    w2v_dot_tiles(Gr, n, Gr, n, ss, 1, K, ks);
    w2v_hs_apply(X, L, Mr, n, G, gs, K, ks, dM, D, add_dM);
}

#endif
