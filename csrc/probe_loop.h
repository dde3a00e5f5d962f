/* probe_loop.h: one update of each input path with given targets, compiled into each build of
 * the training loop after train_loop.h, for the tests that check the kernels against a NumPy
 * reference.  They sit in a table of their own (w2v_probe, isa.h), apart from the builds'
 * production tables.  Each returns the loss of the example before the update. */

static float probe_sg_pair(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                           float alpha, float *neu1e) {
    double loss = 0.0;
    const w2v_thread none = {0}; /* no hot rows */
    w2v_train_sg_pair(m, &none, word, context, targets, alpha, neu1e, &loss, 1);
    return (float)loss;
}

static float probe_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                             int n_context, const uint32_t *targets, float alpha) {
    double loss = 0.0;
    w2v_train_sg_window(m, t, word, context, n_context, targets, alpha, &loss);
    return (float)loss;
}

static float probe_cbow(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                        const uint32_t *targets, float alpha, float *neu1, float *neu1e) {
    double loss = 0.0;
    w2v_thread none = {0};
    w2v_train_cbow(m, &none, word, context, n_context, targets, alpha, neu1, neu1e, &loss, 1, 0);
    return (float)loss;
}

static float probe_one_context(const w2v_model *m, w2v_thread *t, uint32_t word, uint32_t context,
                               const uint32_t *targets, float alpha, int learn) {
    double loss = 0.0;
    w2v_train_one_context(m, t, word, context, targets, alpha, &loss, learn);
    return (float)loss;
}

const w2v_probe W2V_ISA_FN(probe) = {W2V_ISA_LABEL, probe_sg_pair, probe_sg_window, probe_cbow,
                                     probe_one_context};
