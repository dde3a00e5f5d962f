#include <math.h>

#include "sampling.h"

int w2v_alias_build(const double *weights, uint32_t n, uint32_t *threshold, uint32_t *alias,
                    uint32_t *work_index, double *work_prob) {
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) total += weights[i];
    if (n == 0 || !(total > 0.0)) return W2V_EINVAL;

    /* Vose's method: scale so the mean bucket holds 1, then pair each under-full bucket with an
     * over-full one.  `small` grows from the front of work_index, `large` from the back. */
    uint32_t *small = work_index, *large = work_index + n;
    uint32_t n_small = 0, n_large = 0;
    for (uint32_t i = 0; i < n; i++) {
        work_prob[i] = weights[i] * n / total;
        alias[i] = i;
        if (work_prob[i] < 1.0) small[n_small++] = i;
        else large[n_large++] = i;
    }
    while (n_small > 0 && n_large > 0) {
        uint32_t s = small[--n_small], l = large[--n_large];
        alias[s] = l;
        threshold[s] = (uint32_t)ldexp(work_prob[s], 32);
        work_prob[l] -= 1.0 - work_prob[s];
        if (work_prob[l] < 1.0) small[n_small++] = l;
        else large[n_large++] = l;
    }
    /* What is left holds 1 up to rounding: always accept. */
    while (n_large > 0) threshold[large[--n_large]] = UINT32_MAX;
    while (n_small > 0) threshold[small[--n_small]] = UINT32_MAX;
    return W2V_OK;
}

void w2v_keep_thresholds(const uint64_t *counts, uint32_t n, double sample, uint64_t *threshold) {
    const uint64_t always = (uint64_t)1 << 32;
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) total += (double)counts[i];
    for (uint32_t i = 0; i < n; i++) {
        double c = (double)counts[i];
        if (sample <= 0.0 || c <= 0.0) {
            threshold[i] = always;
            continue;
        }
        double st = sample * total;
        double keep = (sqrt(c / st) + 1.0) * st / c;
        threshold[i] = keep >= 1.0 ? always : (uint64_t)ldexp(keep, 32);
    }
}

void w2v_init_uniform(float *m, uint64_t rows, int dim, uint64_t seed) {
    uint64_t rng = seed;
    uint64_t n = rows * (uint64_t)dim;
    for (uint64_t i = 0; i < n; i++) {
        /* [0, 1); the constant product equals ldexp(x, -53) exactly, without a libm call per
         * value (which would take most of a run's set-up) */
        double u = (double)(w2v_rand(&rng) >> 11) * 0x1.0p-53;
        m[i] = (float)((u - 0.5) / dim);
    }
}
