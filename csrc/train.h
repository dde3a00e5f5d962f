/* train.h: one worker's loop over its slice of the corpus, and the shared progress counters. */
#ifndef W2V_TRAIN_H
#define W2V_TRAIN_H

#include "w2v.h"

/* Words between two updates of the shared counter and the learning rate (word2vec.c: 10000). */
#define W2V_REPORT_EVERY 10000

/* The training loop and step functions compiled for one instruction set (train_loop.h). */
typedef struct w2v_isa {
    const char *name;  /* "avx512", "avx2" or "generic" */
    int floats;        /* floats per vector register it uses */
    int (*train_thread)(const w2v_model *m, w2v_thread *t);
    float (*step_sg)(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                     float alpha, float *neu1e);
    float (*step_sg_window)(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                            int n_context, const uint32_t *targets, float alpha);
    float (*step_cbow)(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                       const uint32_t *targets, float alpha, float *neu1, float *neu1e);
} w2v_isa;

/* The build of the training loop for `name` ("avx512", "avx2", "generic"), or with NULL or ""
 * the widest this CPU runs; NULL when this CPU cannot run the one named. */
const w2v_isa *w2v_isa_select(const char *name);

/* Train thread `t` until no block of the run is left: it finishes its block (t->pos up to
 * t->end; a new thread starts with pos = end = 0), then takes the next one (w2v_claim_block).
 * Runs without the GIL.  Returns W2V_OK when done, W2V_ESTOPPED when m->shared->stop was raised
 * or the shared word count reached m->shared->pause_at (the thread stops between two sentences
 * and can be run again to continue), or W2V_EDIVERGED. */
int w2v_train_thread(const w2v_model *m, w2v_thread *t);

/* The corpus is trained in blocks of about this many bytes of ids (~40k words), handed out in
 * order to whichever thread is free: a thread that runs slower (a busy core) takes fewer, so
 * the threads finish together, where fixed equal slices left one core idle while the other
 * finished (0.1-0.25 s of an 8 s run on a quiet machine, more on a busy one). */
#define W2V_BLOCK_BYTES ((uint64_t)64 << 10)

/* Blocks per epoch for a stream of ids_len bytes with blocks of about block_bytes. */
uint64_t w2v_block_count(uint64_t ids_len, uint64_t block_bytes);

/* Give t the next block of the run (0 when every block of every epoch is taken).  A sentence
 * that reaches the end of t's block goes on into the next block of the stream when that block is
 * still free: w2v_extend_block takes it (returns 1) or leaves it (0).  So one thread alone reads
 * each epoch as one stream, exactly as an unbroken slice, and several threads break a sentence
 * only where one thread's blocks meet another's. */
int w2v_claim_block(const w2v_model *m, w2v_thread *t);
int w2v_extend_block(const w2v_model *m, w2v_thread *t);

/* The learning rate after `words_done` of the run's iter * n_ids words. */
float w2v_alpha_at(const w2v_model *m, uint64_t words_done);

/* Split the id stream into n slices of about equal size at id boundaries: slice i is
 * [w2v_slice_start(m, i, n), w2v_slice_start(m, i + 1, n)).  Block k of an epoch is slice k of
 * m->n_blocks. */
uint64_t w2v_slice_start(const w2v_model *m, uint64_t i, uint64_t n);

/* Race-free access to the shared state, for the polling Python thread. */
uint64_t w2v_words_done(const w2v_shared *s);
uint64_t w2v_thread_words_done(const w2v_thread *t);
void w2v_request_stop(w2v_shared *s);
/* The loss summed over a thread's examples so far, and their number (as of its last report). */
void w2v_thread_loss(const w2v_thread *t, double *loss, uint64_t *examples);

/* How many of the inner nodes nearest the root each thread trains in its own copies when
 * several threads run hierarchical softmax, and the windows between two merges of them into
 * syn1 (train.c). */
#define W2V_HOT_NODES 255
#define W2V_HOT_MERGE_EVERY 256
/* ... but at most so many bytes per copy (they are meant to stay in the thread's cache: 255
 * rows for -size 128, 32 for -size 1000), and at most so many for all threads' copies and
 * bases together (4096 threads would otherwise hold 800 MB of them at -size 100). */
#define W2V_HOT_COPY_BYTES (128 * 1024)
#define W2V_HOT_ALL_BYTES (64 * 1024 * 1024)

/* Copy the thread's hot HS nodes from syn1 (before it trains), and add its changes to them back
 * into syn1, taking syn1's rows as the new copies (every W2V_HOT_MERGE_EVERY windows and
 * whenever it stops).  Both do nothing for a thread without hot nodes (t->hot_n == 0). */
void w2v_hot_load(const w2v_model *m, w2v_thread *t);
void w2v_hot_merge(const w2v_model *m, w2v_thread *t);

/* One update of each kind with given targets, for tests against a NumPy reference; each
 * returns the loss of the example before the update.  These and w2v_train_thread run m->isa's
 * build. */
float w2v_step_sg(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                  float alpha, float *neu1e);
float w2v_step_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                         int n_context, const uint32_t *targets, float alpha);
float w2v_step_cbow(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                    const uint32_t *targets, float alpha, float *neu1, float *neu1e);

#endif
