/* isa.h: the builds of the training loop, one per instruction set, and the choice among them. */
#ifndef W2V_ISA_H
#define W2V_ISA_H

#include "w2v.h"

/* The training loop compiled for one instruction set (train_loop.h). */
typedef struct w2v_isa {
    const char *name;  /* "avx512", "avx2" or "generic" */
    int floats;        /* floats per vector register it uses */
    int (*train_thread)(const w2v_model *m, w2v_thread *t);
} w2v_isa;

/* The same build's single updates, for the kernel tests (probe_loop.h). */
typedef struct {
    const char *name;
    float (*sg_pair)(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                     float alpha, float *neu1e);
    float (*sg_window)(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                       int n_context, const uint32_t *targets, float alpha);
    float (*cbow)(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                  const uint32_t *targets, float alpha, float *neu1, float *neu1e);
    float (*one_context)(const w2v_model *m, w2v_thread *t, uint32_t word, uint32_t context,
                         const uint32_t *targets, float alpha, int learn);
} w2v_probe;

/* The build for `name` ("avx512", "avx2", "generic"), or with NULL or "" the widest this CPU
 * runs; NULL when this CPU cannot run the one named. */
const w2v_isa *w2v_isa_select(const char *name);
/* The probes of a build (m->isa's, for the kernel tests). */
const w2v_probe *w2v_probe_of(const w2v_isa *isa);

/* Train thread `t` until no block of the run is left: it finishes its block (t->pos up to
 * t->end; a new thread starts with pos = end = 0), then takes the next one (w2v_claim_block).
 * Runs without the GIL.  Returns W2V_OK when done, W2V_ESTOPPED when m->shared->stop was raised
 * or the shared word count reached m->shared->pause_at (the thread stops between two sentences
 * and can be run again to continue), or W2V_EDIVERGED.  Runs m->isa's build. */
int w2v_train_thread(const w2v_model *m, w2v_thread *t);

#endif
