/* train.c: what every worker shares whatever its vector instructions: the learning-rate
 * schedule, the corpus split, the race-free progress counters, and the choice of the training
 * loop compiled for this CPU (train_loop.h, built once per instruction set by train_avx512.c,
 * train_avx2.c and train_generic.c). */
#include <string.h>

#include "train.h"
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

/* The hot nodes of hierarchical softmax.  Every word's path starts at the root, so the nodes of
 * the top levels are in nearly every window, and with Hogwild threads each write to one of them
 * by one core takes its cache lines from the other's cache before the next read there: measured
 * on enwiki SG-HS, 2 threads spent ~20 % more CPU time than 1 for the same work, all of it on
 * the shared syn1 (a run with a private syn1 per thread used the same CPU time as 1 thread).
 * So each thread trains its own copies of those nodes, exactly as it would the shared rows,
 * and every W2V_HOT_MERGE_EVERY windows adds what it changed to syn1 and takes syn1's rows,
 * which hold the other threads' changes, as its new copies: one transfer of each hot row per
 * merge instead of one for about every other visit.  The 255 nodes of the top 8 levels, merged
 * every 256 windows, took 2 threads on the text8 prefix from 1.6 x one thread's speed to 1.9 x,
 * what a private syn1 per thread gave; the other threads' updates reach a thread up to 256
 * windows later than under plain Hogwild, which, like Hogwild's own races, did not change the
 * accuracy (BENCHMARKS.md).  A single thread has no copies and trains exactly as before.
 *
 * The rows are the highest-numbered inner nodes: word2vec.c's construction numbers the merges
 * in order of increasing count, so the last hot_n of them are the hot_n most visited. */
void w2v_hot_load(const w2v_model *m, w2v_thread *t) {
    if (!t->hot_n) return;
    size_t bytes = (size_t)t->hot_n * m->dim * sizeof(float);
    memcpy(t->hot, m->syn1 + (size_t)t->hot_lo * m->dim, bytes);
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
    float *shared = m->syn1 + (size_t)t->hot_lo * m->dim;
    for (size_t i = 0; i < n; i++) {
        float now = t->hot[i] + (shared[i] - t->hot_base[i]);
        shared[i] = now;
        t->hot[i] = now;
        t->hot_base[i] = now;
    }
    t->hot_windows = 0;
}

extern const w2v_isa w2v_isa_generic;
#if defined(__x86_64__) && defined(__GNUC__)
extern const w2v_isa w2v_isa_avx2;
extern const w2v_isa w2v_isa_avx512;

static int cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

const w2v_isa *w2v_isa_select(const char *name) {
    int any = name == NULL || *name == '\0';
#if defined(__x86_64__) && defined(__GNUC__)
    if ((any || !strcmp(name, "avx512")) && cpu_has_avx512()) return &w2v_isa_avx512;
    if ((any || !strcmp(name, "avx2")) && cpu_has_avx2()) return &w2v_isa_avx2;
#endif
    if (any || !strcmp(name, "generic")) return &w2v_isa_generic;
    return NULL;
}

int w2v_train_thread(const w2v_model *m, w2v_thread *t) { return m->isa->train_thread(m, t); }

float w2v_step_sg(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                  float alpha, float *neu1e) {
    return m->isa->step_sg(m, word, context, targets, alpha, neu1e);
}

float w2v_step_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                         int n_context, const uint32_t *targets, float alpha) {
    return m->isa->step_sg_window(m, t, word, context, n_context, targets, alpha);
}

float w2v_step_cbow(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                    const uint32_t *targets, float alpha, float *neu1, float *neu1e) {
    return m->isa->step_cbow(m, word, context, n_context, targets, alpha, neu1, neu1e);
}
