/* hot.c: a thread's copies of the most visited output rows (hot.h). */
#include <string.h>

#include "hot.h"

uint32_t w2v_hot_node_count(uint64_t vocab_size, uint64_t dim, uint64_t threads) {
    if (threads < 2 || vocab_size < 2 || dim == 0) return 0;
    uint64_t n = W2V_HOT_NODES;
    if (vocab_size - 1 < n) n = vocab_size - 1;
    if (W2V_HOT_COPY_BYTES / (4 * dim) < n) n = W2V_HOT_COPY_BYTES / (4 * dim);
    if (W2V_HOT_ALL_BYTES / (threads * 2 * 4 * dim) < n) n = W2V_HOT_ALL_BYTES / (threads * 2 * 4 * dim);
    return (uint32_t)n;
}

static float *shared_rows(const w2v_model *m, const w2v_thread *t) {
    return m->loss[t->hot_loss].out + (size_t)t->hot_lo * m->dim;
}

void w2v_hot_load(const w2v_model *m, w2v_thread *t) {
    if (!t->hot_n) return;
    size_t bytes = (size_t)t->hot_n * m->dim * sizeof(float);
    memcpy(t->hot, shared_rows(m, t), bytes);
    memcpy(t->hot_base, t->hot, bytes);
    t->hot_windows = 0;
}

void w2v_hot_merge(const w2v_model *m, w2v_thread *t) {
    if (!t->hot_n) return;
    size_t n = (size_t)t->hot_n * m->dim;
    /* the shared rows: a Hogwild read-modify-write (another thread merging the same row at
     * the same moment may lose a few of these additions, as any Hogwild update may).  The
     * copy plus what the others changed, not the row plus what this thread changed: the same
     * sum, but where no other thread changed it the copy goes back unrounded, so that one
     * thread's run is exactly its run without copies (tests) */
    float *shared = shared_rows(m, t);
    for (size_t i = 0; i < n; i++) {
        float now = t->hot[i] + (shared[i] - t->hot_base[i]);
        shared[i] = now;
        t->hot[i] = now;
        t->hot_base[i] = now;
    }
    t->hot_windows = 0;
}
