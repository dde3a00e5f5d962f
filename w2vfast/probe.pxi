# The kernel tests' entry points (csrc/probe_loop.h): one update with given targets through
# the same build of the training loop a Trainer runs; part of _core.pyx, never used in training.


cdef class Probe:
    """Single updates of a trainer's model, for the tests against a NumPy reference.  Each
    returns the loss of the example before the update."""
    cdef Trainer trainer
    cdef const w2v_probe *probe

    def __init__(self, Trainer trainer not None):
        self.trainer = trainer
        self.probe = w2v_probe_of(<const w2v_isa *>trainer.model.isa)

    def sg_pair(self, uint32_t word, uint32_t context, const uint32_t[::1] targets not None, float alpha):
        """One skip-gram (word, context) pair, word2vec.c's path (-batch 0)."""
        self._check_step(word, targets)
        self._check_word(context)
        cdef cnp.ndarray[float, ndim=1] neu1e = np.zeros(self.trainer.model.dim, dtype=np.float32)
        return self.probe.sg_pair(&self.trainer.model, word, context, &targets[0], alpha, &neu1e[0])

    def sg_window(self, uint32_t word, const uint32_t[::1] context not None,
                  const uint32_t[::1] targets not None, float alpha):
        """One skip-gram window as a block (the -batch 1 path)."""
        self._check_step(word, targets)
        if context.shape[0] > 2 * self.trainer.model.window:
            raise ValueError("more context words than the window holds")
        for c in context:
            self._check_word(c)
        if self.trainer.n_threads == 0:
            self.trainer._alloc_threads(1)
        return self.probe.sg_window(&self.trainer.model, &self.trainer.threads[0], word,
                                    &context[0] if context.shape[0] else NULL, context.shape[0],
                                    &targets[0], alpha)

    def cbow(self, uint32_t word, const uint32_t[::1] context not None,
             const uint32_t[::1] targets not None, float alpha):
        """One CBOW example."""
        self._check_step(word, targets)
        for c in context:
            self._check_word(c)
        cdef cnp.ndarray[float, ndim=1] neu1 = np.zeros(self.trainer.model.dim, dtype=np.float32)
        cdef cnp.ndarray[float, ndim=1] neu1e = np.zeros(self.trainer.model.dim, dtype=np.float32)
        return self.probe.cbow(&self.trainer.model, word, &context[0] if context.shape[0] else NULL,
                               context.shape[0], &targets[0], alpha, &neu1[0], &neu1e[0])

    def one_context(self, uint32_t word, uint32_t context, const uint32_t[::1] targets not None, float alpha,
                    bint learn=True):
        """PV-DBOW's document example: one row (`context`, any row of the input matrix) predicts
        the word as a block of one context; with learn False the output rows stay."""
        self._check_step(word, targets)
        self._check_word(context)
        if self.trainer.n_threads == 0:
            self.trainer._alloc_threads(1)
        return self.probe.one_context(&self.trainer.model, &self.trainer.threads[0], word, context,
                                      &targets[0], alpha, learn)

    cdef _check_word(self, uint32_t w):
        if w >= self.trainer.model.vocab_size:
            raise IndexError(f"word {w} outside the vocabulary")

    cdef _check_step(self, uint32_t word, const uint32_t[::1] targets):
        """targets: the word and the noise words of the model's NS loss (the word alone without)."""
        cdef int k, wanted = 1
        for k in range(self.trainer.model.n_losses):
            if self.trainer.model.loss[k].kind == W2V_LOSS_NS:
                wanted = self.trainer.model.loss[k].param + 1
        self._check_word(word)
        if targets.shape[0] != wanted:
            raise ValueError("targets must hold the word and `negative` noise words")
        for t in targets:
            self._check_word(t)


def hot_merge(float[:, ::1] syn1 not None, float[:, ::1] copies not None, float[:, ::1] base not None,
              uint32_t lo):
    """One merge of a thread's copies of HS nodes lo.. into syn1 (csrc/hot.h: w2v_hot_merge), on
    arrays, for tests: syn1 gets the copies' changes since `base`, and copies and base become
    syn1's new rows."""
    if copies.shape[0] != base.shape[0] or copies.shape[1] != syn1.shape[1] or base.shape[1] != syn1.shape[1]:
        raise ValueError("copies, base and syn1 rows differ in shape")
    if lo + copies.shape[0] > syn1.shape[0]:
        raise ValueError("the copied rows run past syn1")
    cdef w2v_model m
    cdef w2v_thread t
    memset(&m, 0, sizeof(m))
    memset(&t, 0, sizeof(t))
    m.dim = syn1.shape[1]
    if copies.shape[0] == 0 or m.dim == 0:
        return
    m.n_losses = 1
    m.loss[0].out = &syn1[0, 0]
    t.hot_loss = 0
    t.hot, t.hot_base, t.hot_lo, t.hot_n = &copies[0, 0], &base[0, 0], lo, copies.shape[0]
    w2v_hot_merge(&m, &t)


def sample_noise(const uint32_t[::1] threshold not None, const uint32_t[::1] alias not None,
                 uint64_t n, uint64_t seed):
    """n draws from an alias table, with the sampler the kernels use (for tests)."""
    cdef w2v_alias table
    table.n = threshold.shape[0]
    table.threshold = &threshold[0]
    table.alias = &alias[0]
    cdef uint64_t rng = seed
    cdef cnp.ndarray[uint32_t, ndim=1] out = np.empty(n, dtype=np.uint32)
    cdef uint64_t i
    with nogil:
        for i in range(n):
            out[i] = w2v_sample_noise(&table, &rng)
    return out
