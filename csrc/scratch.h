/* scratch.h: the worker threads' state, sized for a model and owned by C.
 *
 * Every buffer a thread writes while it trains is allocated here once, before training, in
 * whole cache lines of its own: a thread's small buffers are written every window, and two
 * threads writing one line stall each other (malloc packs small blocks side by side).  Nothing
 * is allocated while training.
 */
#ifndef W2V_SCRATCH_H
#define W2V_SCRATCH_H

#include "w2v.h"

/* n threads for model m (its options and losses fixed: the sizes come from them), each with its
 * own random stream, the seed's splitmix64 sequence one value per thread, and no block yet (each
 * takes its first from the shared counter).  hot_rows: the output rows of m's HS loss each
 * thread copies (hot.h), 0 for none.  NULL when memory runs out. */
w2v_thread *w2v_threads_new(const w2v_model *m, int n, uint64_t seed, uint32_t hot_rows);
void w2v_threads_free(w2v_thread *threads, int n);

#endif
