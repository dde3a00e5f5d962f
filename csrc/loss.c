/* loss.c: filling a model's losses from the Python registry (loss.h). */
#include <string.h>

#include "loss.h"

int w2v_loss_init(w2v_loss *l, const char *name, int param, float *out, uint64_t out_rows, int n_tables,
                  const void *const *tables, const uint64_t *table_len, uint32_t vocab_size) {
    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < sizeof W2V_LOSS_KINDS / sizeof W2V_LOSS_KINDS[0]; i++) {
        const w2v_loss_kind *k = &W2V_LOSS_KINDS[i];
        if (strcmp(k->name, name) != 0) continue;
        if (n_tables != k->n_tables || n_tables > W2V_LOSS_TABLES || out == NULL) return W2V_EINVAL;
        l->kind = k->kind;
        l->param = param;
        l->out = out;
        l->out_rows = out_rows;
        for (int j = 0; j < n_tables; j++) {
            if (tables[j] == NULL && table_len[j] > 0) return W2V_EINVAL;
            l->table[j] = tables[j];
            l->table_len[j] = table_len[j];
        }
        return k->init(l, vocab_size);
    }
    return W2V_EINVAL;
}
