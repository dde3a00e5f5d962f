#include <math.h>

#include "sigmoid.h"

/* Entry i holds sigma (and entry SIZE + i log sigma) at x_i = -MAX_EXP + i * 2 MAX_EXP / (SIZE - 1), so both ends are exact. */
void w2v_sigmoid_table_fill(float *table) {
    for (int i = 0; i < W2V_SIGMOID_TABLE_SIZE; i++) {
        double x = -W2V_MAX_EXP + (2.0 * W2V_MAX_EXP) * i / (W2V_SIGMOID_TABLE_SIZE - 1);
        table[i] = (float)(1.0 / (1.0 + exp(-x)));
        table[W2V_SIGMOID_TABLE_SIZE + i] = (float)-log1p(exp(-x));
    }
}
