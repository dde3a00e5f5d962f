/* sampling.h: per-thread random numbers, the alias table for noise words, subsampling. */
#ifndef W2V_SAMPLING_H
#define W2V_SAMPLING_H

#include "w2v.h"

/* splitmix64 (Steele et al. 2014): one add and two multiplies, passes BigCrush, and any seed
 * (including 0) is a good state.  Each thread owns one, so no RNG state is shared. */
static inline __attribute__((always_inline)) uint64_t w2v_rand(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [0, n) from the high 32 bits (Lemire's multiply-shift, bias < n / 2^32). */
static inline uint32_t w2v_rand_below(uint64_t r, uint32_t n) {
    return (uint32_t)(((r >> 32) * (uint64_t)n) >> 32);
}

/* One noise word: pick a bucket with the high bits, accept it or take its alias with the low. */
static inline uint32_t w2v_sample_noise(const w2v_alias *table, uint64_t *rng) {
    uint64_t r = w2v_rand(rng);
    uint32_t bucket = w2v_rand_below(r, table->n);
    return (uint32_t)r < table->threshold[bucket] ? bucket : table->alias[bucket];
}

/* Build the alias table for `weights` (n of them, non-negative, not all zero).
 * `work` needs 2 n uint32 and n doubles of scratch.  Returns W2V_EINVAL for all-zero weights. */
int w2v_alias_build(const double *weights, uint32_t n, uint32_t *threshold, uint32_t *alias,
                    uint32_t *work_index, double *work_prob);

/* Subsampling as word2vec.c: keep a word of count c with probability
 * (sqrt(c / (t T)) + 1) (t T) / c, T the corpus size and t = `sample`.  Written as a threshold on
 * 32 random bits (>= 2^32 means always keep); sample <= 0 keeps everything. */
void w2v_keep_thresholds(const uint64_t *counts, uint32_t n, double sample, uint64_t *threshold);

/* Fill a V x D matrix with uniform values in [-0.5 / D, 0.5 / D), as word2vec.c initialises syn0. */
void w2v_init_uniform(float *m, uint64_t rows, int dim, uint64_t seed);

#endif
