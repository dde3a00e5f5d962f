/* sigmoid.h: the precomputed logistic function, as word2vec.c's expTable.
 *
 * 1024 floats (4 KiB) stay in L1.  word2vec.c indexes its 1000-entry table with the integer
 * quotient 1000 / 6 / 2 = 83 instead of 83.33, so its lookups are skewed by up to 0.4 % of the
 * range; we use the exact scale and round to the nearest entry (max error ~1.5e-3, see tests).
 */
#ifndef W2V_SIGMOID_H
#define W2V_SIGMOID_H

#include "w2v.h"

/* Fills 2 W2V_SIGMOID_TABLE_SIZE floats: sigma(x_i), then log sigma(x_i) (for the loss). */
void w2v_sigmoid_table_fill(float *table);

static inline int w2v_sigmoid_index(float x) {
    const float scale = (float)(W2V_SIGMOID_TABLE_SIZE - 1) / (2.0f * W2V_MAX_EXP);
    return (int)((x + (float)W2V_MAX_EXP) * scale + 0.5f);
}

/* sigma(x) for |x| < W2V_MAX_EXP; callers clip first. */
static inline float w2v_sigmoid(const float *table, float x) { return table[w2v_sigmoid_index(x)]; }

/* The loss -log p(label | f) of one target with score f: -log sigma(f) for label 1 and
 * -log sigma(-f) = f - log sigma(f) for label 0.  Past the table, log sigma(f) is 0 (f large) or
 * f (f very negative) to within 2.5e-3. */
static inline float w2v_target_loss(const float *table, float f, float label) {
    float log_s = (f > -W2V_MAX_EXP && f < W2V_MAX_EXP)
                      ? table[W2V_SIGMOID_TABLE_SIZE + w2v_sigmoid_index(f)]
                      : (f > 0 ? 0.0f : f);
    return (1.0f - label) * f - log_s; /* label is 0 or 1; no branch: HS labels are random bits */
}

#endif
