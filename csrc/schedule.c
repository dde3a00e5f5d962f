/* schedule.c: the corpus blocks, the learning-rate schedule and the progress counters. */
#include "schedule.h"
#include "documents.h"
#include "varint.h"

float w2v_alpha_at(const w2v_model *m, uint64_t words_done) {
    double total = (double)m->iter * (double)m->n_ids + 1.0;
    double a = m->alpha * (1.0 - (double)words_done / total);
    double floor = (double)m->alpha * m->min_alpha_ratio;
    return (float)(a < floor ? floor : a);
}

uint64_t w2v_slice_start(const w2v_model *m, uint64_t i, uint64_t n) {
    if (i >= n) return m->ids_len;
    return w2v_varint_align(m->ids, m->ids_len, m->ids_len / n * i + m->ids_len % n * i / n);
}

uint64_t w2v_block_count(uint64_t ids_len, uint64_t block_bytes) {
    uint64_t n = (ids_len + block_bytes - 1) / block_bytes;
    return n ? n : 1;
}

/* Make block c (over all epochs) t's block, with t at its start. */
static void take_block(const w2v_model *m, w2v_thread *t, uint64_t c) {
    uint64_t k = c % m->n_blocks;
    t->block = c;
    t->epoch = (int)(c / m->n_blocks);
    t->begin = t->pos = w2v_slice_start(m, k, m->n_blocks);
    t->end = w2v_slice_start(m, k + 1, m->n_blocks);
    if (m->line_starts) t->line = w2v_line_at(m, t->pos);
}

int w2v_claim_block(const w2v_model *m, w2v_thread *t) {
    uint64_t all = (uint64_t)m->iter * m->n_blocks;
    /* a load first, so that threads with nothing left do not push the counter on and on */
    if (__atomic_load_n(&m->shared->next_block, __ATOMIC_RELAXED) >= all) return 0;
    uint64_t c = __atomic_fetch_add(&m->shared->next_block, 1, __ATOMIC_RELAXED);
    if (c >= all) return 0;
    take_block(m, t, c);
    return 1;
}

int w2v_extend_block(const w2v_model *m, w2v_thread *t) {
    uint64_t c = t->block + 1;
    if (c % m->n_blocks == 0 || c >= (uint64_t)m->iter * m->n_blocks) return 0; /* next epoch */
    uint64_t expected = c;
    if (!__atomic_compare_exchange_n(&m->shared->next_block, &expected, c + 1, 0, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return 0; /* another thread has it */
    t->block = c;
    t->end = w2v_slice_start(m, c % m->n_blocks + 1, m->n_blocks);
    return 1;
}

uint64_t w2v_words_done(const w2v_shared *s) { return __atomic_load_n(&s->words_done, __ATOMIC_RELAXED); }

uint64_t w2v_thread_words_done(const w2v_thread *t) {
    return __atomic_load_n(&t->words_done, __ATOMIC_RELAXED);
}

void w2v_thread_loss(const w2v_thread *t, double *loss, uint64_t *examples) {
    __atomic_load(&t->loss_published, loss, __ATOMIC_RELAXED);
    *examples = __atomic_load_n(&t->examples_published, __ATOMIC_RELAXED);
}

void w2v_request_stop(w2v_shared *s) { __atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED); }
