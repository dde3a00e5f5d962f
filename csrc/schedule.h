/* schedule.h: how the threads share a run: the corpus handed out in blocks, the learning-rate
 * schedule, and the race-free progress counters the Python side polls. */
#ifndef W2V_SCHEDULE_H
#define W2V_SCHEDULE_H

#include "w2v.h"

/* Words between two updates of the shared counter and the learning rate (word2vec.c: 10000). */
#define W2V_REPORT_EVERY 10000

/* The corpus is trained in blocks of about this many bytes of ids (~40k words), handed out in
 * order to whichever thread is free: a thread that runs slower (a busy core) takes fewer, so
 * the threads finish together, where fixed equal slices leave one core idle while the other
 * finishes (0.1-0.25 s of an 8 s run on a quiet machine, more on a busy one). */
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

#endif
