/* simd.h: the vector primitives every kernel is written in: loads and stores, lane sums, dot
 * products, y += a x, and the small dense products of the window blocks.
 *
 * Everything is `static inline`, so that each per-ISA build of the training loop (AVX-512,
 * AVX2+FMA, baseline: train_avx512.c, train_avx2.c, train_generic.c) compiles it with its own
 * target; the loops are written plainly over GCC/Clang's generic vector types and the compiler
 * emits the instructions of the build's target.
 */
#ifndef W2V_SIMD_H
#define W2V_SIMD_H

#include <stdint.h>
#include <string.h>

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
 * until the store reaches the cache (perf puts a fifth of all SG-NS samples on that one store). */
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
    /* two 4-float stores (left to itself, GCC writes the eight lanes one by one, each extracted
     * by a shuffle) */
    w2v_store4(s0, __builtin_shufflevector(r, r, 0, 1, 2, 3));
    w2v_store4(s1, __builtin_shufflevector(r, r, 4, 5, 6, 7));
    for (; i < n; i++) /* rows shorter than one vector */
        for (int q = 0; q < 4; q++) {
            s0[q] += a0[i] * b[q][i];
            s1[q] += a1[i] * b[q][i];
        }
}

/* Dot products of row a with b[0..3], s[q] = a . b[q]: four independent FMA chains, each slice
 * of a loaded once. */
W2V_INLINE void w2v_dot_row4(const float *a, const float *const *b, int n, float *s) {
    w2v_vf c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    const float *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
    int i = 0;
    for (; i + W2V_VW <= n; i += W2V_VW) {
        w2v_vf x = w2v_load(a + i);
        c0 += x * w2v_load(b0 + i); c1 += x * w2v_load(b1 + i);
        c2 += x * w2v_load(b2 + i); c3 += x * w2v_load(b3 + i);
    }
    if (i < n && n >= W2V_VW) { /* the overlapping last vector, its repeated lanes masked off */
        int at = n - W2V_VW;
        w2v_vf x = w2v_tail_mask(n - i) * w2v_load(a + at);
        c0 += x * w2v_load(b0 + at); c1 += x * w2v_load(b1 + at);
        c2 += x * w2v_load(b2 + at); c3 += x * w2v_load(b3 + at);
        i = n;
    }
    s[0] = w2v_hsum(c0); s[1] = w2v_hsum(c1); s[2] = w2v_hsum(c2); s[3] = w2v_hsum(c3);
    for (; i < n; i++) /* rows shorter than one vector */
        for (int q = 0; q < 4; q++) s[q] += a[i] * b[q][i];
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

/* Ask for a row's cache lines ahead of use (a hint: no effect on results). */
W2V_INLINE void w2v_prefetch_row(const float *row, int dim) {
    const char *p = (const char *)row, *end = (const char *)(row + dim);
    for (; p < end; p += 64) __builtin_prefetch(p, 1, 3);
}

#endif
