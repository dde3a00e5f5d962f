/* scratch.c: allocating the threads' buffers for a model (scratch.h). */
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "sampling.h"
#include "scratch.h"

/* count x size zeroed bytes in whole cache lines of their own. */
static void *zeros64(size_t count, size_t size) {
    void *p = NULL;
    size_t n = (count * size + 63) / 64 * 64;
    if (n == 0) n = 64;
    if (posix_memalign(&p, 64, n) != 0) return NULL;
    memset(p, 0, n);
    return p;
}

static void free_buffers(w2v_thread *t) {
    free(t->neu1); free(t->neu1e); free(t->sentence); free(t->targets); free(t->next_targets); free(t->ahead);
    free(t->context); free(t->block_din); free(t->block_s); free(t->block_k); free(t->block_g);
    free(t->block_gt); free(t->block_gp); free(t->block_labels); free(t->block_targets);
    free(t->block_x); free(t->block_y); free(t->hot); free(t->hot_base);
}

static int hs_loss_index(const w2v_model *m) {
    for (int k = 0; k < m->n_losses; k++)
        if (m->loss[k].kind == W2V_LOSS_HS) return k;
    return -1;
}

static int alloc_buffers(const w2v_model *m, w2v_thread *t, uint32_t hot_rows) {
    const size_t D = (size_t)m->dim;
    /* window blocks (block.h): B contexts against at most R targets of one loss */
    size_t R = 1, labels = 0;
    for (int k = 0; k < m->n_losses; k++) {
        size_t r = (size_t)m->loss[k].max_targets;
        if (r > R) R = r;
        labels += r;
    }
    size_t B = (size_t)(2 * m->window < W2V_BLOCK_CONTEXTS ? 2 * m->window : W2V_BLOCK_CONTEXTS);
    size_t R16 = (R + 15) / 16 * 16, B4 = (B + 3) / 4 * 4;
    t->neu1 = zeros64(D, sizeof(float));
    t->neu1e = zeros64(D, sizeof(float));
    t->sentence = zeros64((size_t)m->max_sentence_length, sizeof(uint32_t));
    t->targets = zeros64(R, sizeof(uint32_t));
    t->next_targets = zeros64(R, sizeof(uint32_t));
    t->ahead = zeros64(R * W2V_DRAW_AHEAD, sizeof(uint32_t));
    t->context = zeros64(2 * (size_t)m->window + 1, sizeof(uint32_t));
    t->block_din = zeros64(B * D, sizeof(float));
    t->block_s = zeros64((B + 1) * R16, sizeof(float));
    t->block_gp = zeros64(B * R16, sizeof(float));
    t->block_k = zeros64((B + 1) * B4, sizeof(float));
    t->block_g = zeros64(B * R, sizeof(float));
    t->block_gt = zeros64(R * B, sizeof(float));
    t->block_labels = zeros64(labels, sizeof(float));
    t->block_targets = zeros64(R, sizeof(uint32_t));
    t->block_x = zeros64(R + B + 4, sizeof(float *));
    t->block_y = zeros64((R > B ? R : B) + 3, sizeof(float *));
    int ok = t->neu1 && t->neu1e && t->sentence && t->targets && t->next_targets && t->ahead && t->context &&
             t->block_din && t->block_s && t->block_gp && t->block_k && t->block_g && t->block_gt &&
             t->block_labels && t->block_targets && t->block_x && t->block_y;
    /* HS with several threads: each trains its own copies of the nodes nearest the root, the
     * last inner nodes (the tree over V words has V - 1) */
    int hs = hs_loss_index(m);
    t->hot_loss = hs < 0 ? 0 : hs;
    if (ok && hs >= 0 && hot_rows && m->vocab_size > 1) {
        uint32_t n = hot_rows < m->vocab_size - 1 ? hot_rows : m->vocab_size - 1;
        t->hot_n = n;
        t->hot_lo = m->vocab_size - 1 - n;
        t->hot = zeros64((size_t)n * D, sizeof(float));
        t->hot_base = zeros64((size_t)n * D, sizeof(float));
        ok = t->hot && t->hot_base;
    }
    return ok;
}

w2v_thread *w2v_threads_new(const w2v_model *m, int n, uint64_t seed, uint32_t hot_rows) {
    w2v_thread *threads = NULL;
    if (n < 1 || posix_memalign((void **)&threads, 64, (size_t)n * sizeof *threads) != 0) return NULL;
    memset(threads, 0, (size_t)n * sizeof *threads);
    uint64_t rng = seed;
    for (int i = 0; i < n; i++) {
        if (!alloc_buffers(m, &threads[i], hot_rows)) {
            w2v_threads_free(threads, i + 1);
            return NULL;
        }
        threads[i].rng = w2v_rand(&rng);
    }
    return threads;
}

void w2v_threads_free(w2v_thread *threads, int n) {
    if (threads == NULL) return;
    for (int i = 0; i < n; i++) free_buffers(&threads[i]);
    free(threads);
}
