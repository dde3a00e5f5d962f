/* sigmoid.h: the precomputed logistic function, as word2vec.c's expTable.
 *
 * 1024 floats (4 KiB) stay in L1.  word2vec.c indexes its 1000-entry table with the integer
 * quotient 1000 / 6 / 2 = 83 instead of 83.33, so its lookups are skewed by up to 0.4 % of the
 * range; we use the exact scale and round to the nearest entry (max error ~1.5e-3, see tests).
 */
#ifndef W2V_SIGMOID_H
#define W2V_SIGMOID_H

#include "w2v.h"

void w2v_sigmoid_table_fill(float *table);

/* sigma(x) for |x| < W2V_MAX_EXP; callers clip first. */
static inline float w2v_sigmoid(const float *table, float x) {
    const float scale = (float)(W2V_SIGMOID_TABLE_SIZE - 1) / (2.0f * W2V_MAX_EXP);
    int i = (int)((x + (float)W2V_MAX_EXP) * scale + 0.5f);
    return table[i];
}

#endif
