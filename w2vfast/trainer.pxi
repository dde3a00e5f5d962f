# The worker threads and the model they train (csrc/w2v.h, scratch.h, isa.h): part of _core.pyx.

# The options the C model is filled from.  Their defaults and checks live in the options schema
# (options.py); a missing one is an error here, never a second default.
CONFIG_OPTIONS = ("size", "window", "cbow", "cbow_mean", "iter", "max_sentence_length", "batch",
                  "alpha", "min_alpha_ratio", "seed")

# The C input kinds (csrc/w2v.h), by the names kinds.py gives them.
INPUT_KINDS = {"skipgram": W2V_INPUT_SKIPGRAM, "cbow": W2V_INPUT_CBOW, "pv-dbow": W2V_INPUT_PV_DBOW,
               "pv-dm": W2V_INPUT_PV_DM}


def count_lines(Dictionary corpus):
    """(lines, empty lines) of a finalized corpus's id stream (csrc/documents.h)."""
    cdef uint64_t empty = 0
    cdef uint64_t lines = w2v_count_lines(corpus.d.ids.data, corpus.d.ids.len, &empty)
    return lines, empty


def empty_lines(Dictionary corpus):
    """A bool per line of a finalized corpus's id stream: whether it holds no id (its byte
    length is that of its end, a single 0, or nothing for an unended last line)."""
    cdef uint64_t n = w2v_count_lines(corpus.d.ids.data, corpus.d.ids.len, NULL)
    starts = np.zeros(max(n, 1), dtype=np.uint64)
    cdef uint64_t[::1] view = starts
    if n:
        w2v_line_starts(corpus.d.ids.data, corpus.d.ids.len, &view[0], n)
    ends = np.append(starts[1:n], np.uint64(corpus.d.ids.len))
    lengths = ends - starts[:n]
    last_ended = corpus.d.ids.len > 0 and corpus.d.ids.data[corpus.d.ids.len - 1] == 0
    empty = lengths <= 1
    if n and not last_ended:  # the unended last line holds ids, however few bytes they take
        empty[n - 1] = False
    return empty


def hot_node_count(uint64_t vocab_size, uint64_t dim, uint64_t threads):
    """The HS nodes each of `threads` threads trains in its own copies (csrc/hot.h)."""
    return w2v_hot_node_count(vocab_size, dim, threads)


def _wait_all(events):
    """Wait until every worker has returned (they stop within a sentence once asked); a second
    Ctrl-C meanwhile does not cut the wait short."""
    for ev in events:
        while True:
            try:
                if ev.wait(0.1):
                    break
            except KeyboardInterrupt:
                pass


cdef float *row_pointer(object matrix, int dim, str name) except? NULL:
    cdef float[:, ::1] view
    if matrix is None:
        return NULL
    view = matrix
    if view.shape[1] != dim:
        raise ValueError(f"{name} has {view.shape[1]} columns, expected {dim}")
    return &view[0, 0] if view.shape[0] else NULL


cdef class Trainer:
    """Fills one w2v_model from a run's options, its matrices and its losses' tables, then runs
    the worker threads.

    `config` holds every option of CONFIG_OPTIONS.  `syn0` is the input rows (V x D); `losses`
    are (name, param, out, tables) in training order, as kinds.py makes them: the C kind of the
    loss (csrc/loss.h), its whole-number option, its output rows (V x D) and its tables in the
    order its loss_*.h takes them.  `keep`: the subsampling thresholds (None keeps every word);
    `corpus`: a finalized Dictionary.  `input` is the C input kind by name (INPUT_KINDS;
    by default config's "cbow" says skip-gram or CBOW).  The paragraph-vector inputs take
    `documents` = (words, line_doc, doc_words): syn0's first `words` rows are the words', the
    rest the documents'; line_doc (uint32, one per line of the corpus, or None: a document per
    line) gives each line's document; doc_words: PV-DBOW trains the word windows as well.
    `frozen`: only the documents' rows learn (inferring vectors for new documents).  The arrays
    are borrowed, not copied: the rows are updated in place.
    """
    cdef w2v_model model
    cdef w2v_shared shared
    cdef w2v_thread *threads
    cdef int n_threads
    cdef uint64_t seed
    cdef list _arrays  # everything whose memory the model points into
    cdef Dictionary corpus
    cdef list _rcs
    cdef object hot_nodes

    @property
    def isa(self):
        """The build of the training loop this trainer runs: "avx512", "avx2" or "generic"."""
        return (<const w2v_isa *>self.model.isa).name.decode()

    def __cinit__(self):
        self.threads = NULL
        self.n_threads = 0

    def __init__(self, dict config, syn0, losses, *, keep=None, Dictionary corpus=None, sigmoid=None,
                 isa=None, hot_nodes=None, block_bytes=None, input=None, documents=None, frozen=False):
        cdef w2v_model *m = &self.model
        # HS nodes each thread trains in its own copies (csrc/hot.h): by default
        # hot_node_count(), none for one thread; a number forces that many (tests: with one
        # thread, the copies must change nothing at all)
        self.hot_nodes = hot_nodes
        # the threads take the corpus in blocks of about this many bytes (csrc/schedule.h; tests
        # use other sizes: with one thread the blocks must change nothing at all)
        block_bytes = W2V_BLOCK_BYTES if block_bytes is None else block_bytes
        if block_bytes < 1:
            raise ValueError("block_bytes must be at least 1")
        memset(m, 0, sizeof(w2v_model))
        memset(&self.shared, 0, sizeof(w2v_shared))
        m.isa = _select_isa(isa)
        m.dim = config["size"]
        m.window = config["window"]
        m.input = INPUT_KINDS[input] if input is not None else (
            W2V_INPUT_CBOW if config["cbow"] else W2V_INPUT_SKIPGRAM)
        m.cbow_mean = config["cbow_mean"]
        m.iter = config["iter"]
        m.max_sentence_length = config["max_sentence_length"]
        m.batch = config["batch"]
        m.alpha = config["alpha"]
        m.min_alpha_ratio = config["min_alpha_ratio"]
        self.seed = config["seed"]
        if m.dim < 1 or m.window < 1 or m.iter < 0 or m.max_sentence_length < 1:
            raise ValueError("invalid training options")

        self._arrays = [syn0]
        m.vocab_size = syn0.shape[0]
        m.syn0 = row_pointer(syn0, m.dim, "syn0")
        paragraphs = m.input in (W2V_INPUT_PV_DBOW, W2V_INPUT_PV_DM)
        if paragraphs != (documents is not None):
            raise ValueError("the paragraph-vector inputs, and only they, take documents")
        if paragraphs:
            words, line_doc, doc_words = documents
            if not 0 < words <= syn0.shape[0]:
                raise ValueError(f"syn0 has {syn0.shape[0]} rows, fewer than the {words} words")
            m.vocab_size = words
            m.doc_row0 = words
            m.doc_words = bool(doc_words)
        if frozen and not (paragraphs and not m.doc_words):
            raise ValueError("only the documents' rows of paragraph vectors, without word windows, "
                             "can learn alone (frozen)")
        m.frozen = bool(frozen)

        cdef const float[::1] sig
        sig = sigmoid if sigmoid is not None else sigmoid_table()
        m.sigmoid = &sig[0]
        self._arrays.append(sig)

        cdef const uint64_t[::1] kv
        if keep is not None:
            kv = keep
            m.keep_threshold = &kv[0] if kv.shape[0] else NULL
            self._arrays.append(kv)

        losses = list(losses)
        if not 1 <= len(losses) <= W2V_MAX_LOSSES:
            raise ValueError(f"a model trains 1 to {W2V_MAX_LOSSES} losses, not {len(losses)}")
        for k, (name, param, out, tables) in enumerate(losses):
            self._add_loss(k, name, param, out, tables)
        m.n_losses = len(losses)

        self.corpus = corpus
        if corpus is not None:
            if not corpus.finalized:
                raise ValueError("the corpus vocabulary is not finalized")
            m.ids = corpus.d.ids.data
            m.ids_len = corpus.d.ids.len
            m.ids_in_file = w2v_bytebuf_spilled(&corpus.d.ids)
            m.n_ids = corpus.d.n_ids
        m.n_blocks = w2v_block_count(m.ids_len, block_bytes)
        m.shared = &self.shared
        if paragraphs:
            self._set_documents(syn0.shape[0] - m.doc_row0, line_doc)

    cdef _set_documents(self, uint64_t n_docs, line_doc):
        """Where each line of the corpus starts and which document (row) it is."""
        cdef w2v_model *m = &self.model
        cdef cnp.ndarray[uint64_t, ndim=1] starts
        cdef const uint32_t[::1] docs
        m.n_lines = w2v_count_lines(m.ids, m.ids_len, NULL)
        starts = np.zeros(max(m.n_lines, 1), dtype=np.uint64)
        w2v_line_starts(m.ids, m.ids_len, &starts[0], m.n_lines)
        m.line_starts = &starts[0]
        self._arrays.append(starts)
        if line_doc is None:
            if m.n_lines > n_docs:
                raise ValueError(f"the corpus has {m.n_lines} lines, but syn0 rows for {n_docs} documents")
            return
        docs = np.ascontiguousarray(line_doc, dtype=np.uint32)
        if <uint64_t>docs.shape[0] != m.n_lines:
            raise ValueError(f"line_doc has {docs.shape[0]} entries, the corpus {m.n_lines} lines")
        if docs.shape[0] and np.asarray(docs).max() >= n_docs:
            raise ValueError(f"line_doc names a document beyond syn0's {n_docs}")
        m.line_doc = &docs[0] if docs.shape[0] else NULL
        self._arrays.append(docs)

    cdef _add_loss(self, int k, str name, int param, out, tables):
        cdef const void *pointers[4]
        cdef uint64_t lengths[4]
        cdef cnp.ndarray array
        if out is None:
            raise ValueError(f"the {name} loss needs its output rows")
        if len(tables) > W2V_LOSS_TABLES:
            raise ValueError(f"the {name} loss has {len(tables)} tables, at most {W2V_LOSS_TABLES}")
        for j, table in enumerate(tables):
            array = np.ascontiguousarray(table)
            self._arrays.append(array)
            pointers[j] = <const void *>cnp.PyArray_DATA(array) if array.size else NULL
            lengths[j] = array.shape[0]
        rows = row_pointer(out, self.model.dim, name)
        self._arrays.append(out)
        if w2v_loss_init(&self.model.loss[k], name.encode(), param, rows, out.shape[0], len(tables),
                         pointers, lengths, self.model.vocab_size) != W2V_OK:
            raise ValueError(f"the {name} loss (option {param}) does not fit its tables and a "
                             f"vocabulary of {self.model.vocab_size} words")

    def __dealloc__(self):
        self._free_threads()

    cdef _free_threads(self):
        w2v_threads_free(self.threads, self.n_threads)
        self.threads = NULL
        self.n_threads = 0

    cdef _alloc_threads(self, int n):
        cdef uint32_t hot = (w2v_hot_node_count(self.model.vocab_size, self.model.dim, n)
                             if self.hot_nodes is None else self.hot_nodes)
        self._free_threads()
        self.threads = w2v_threads_new(&self.model, n, self.seed, hot)
        if self.threads == NULL:
            raise MemoryError("out of memory starting threads")
        self.n_threads = n

    @property
    def total_words(self):
        """Words the whole run reads: iter x corpus ids (the learning-rate schedule's length)."""
        return self.model.iter * self.model.n_ids

    def progress(self):
        """A dict of the run's progress, safe to read while the threads run: words (done, all
        threads), total, alpha (current learning rate), per_thread (words of each thread), loss
        and examples (summed over threads, as of each thread's last report)."""
        cdef uint64_t done = w2v_words_done(&self.shared)
        cdef double loss, loss_sum = 0.0
        cdef uint64_t examples, examples_sum = 0
        cdef int i
        per_thread = []
        for i in range(self.n_threads):
            per_thread.append(w2v_thread_words_done(&self.threads[i]))
            w2v_thread_loss(&self.threads[i], &loss, &examples)
            loss_sum += loss
            examples_sum += examples
        return {"words": done, "total": self.total_words, "alpha": w2v_alpha_at(&self.model, done),
                "per_thread": per_thread, "loss": loss_sum, "examples": examples_sum}

    def stop(self):
        """Ask every thread to return at its next check (every ~10k words)."""
        w2v_request_stop(&self.shared)

    def _work(self, int i, done):
        cdef int rc
        try:
            with nogil:
                rc = w2v_train_thread(&self.model, &self.threads[i])
            self._rcs[i] = rc
        finally:
            done.set()

    @property
    def finished(self):
        """Whether every block of every epoch has been trained."""
        return (self.threads != NULL
                and self.shared.next_block >= <uint64_t>self.model.iter * self.model.n_blocks
                and all(self.threads[i].pos >= self.threads[i].end for i in range(self.n_threads)))

    def state(self):
        """Where training is: the shared word and block counts, and each thread's block, position,
        RNG and counters.
        Only meaningful while no thread runs (before run, after it, or in a checkpoint callback)."""
        cdef int i
        cdef w2v_thread *t
        per_thread = []
        for i in range(self.n_threads):
            t = &self.threads[i]
            per_thread.append({"epoch": t.epoch, "block": t.block, "pos": t.pos, "begin": t.begin,
                               "end": t.end, "rng": t.rng, "unreported": t.unreported,
                               "words_done": t.words_done, "loss": t.loss, "examples": t.examples})
        return {"words_done": self.shared.words_done, "next_block": self.shared.next_block,
                "blocks": self.model.n_blocks, "threads": per_thread}

    def set_state(self, dict state):
        """Put the threads where `state` (from state()) says; the thread count must match."""
        cdef int i
        cdef w2v_thread *t
        n = len(state["threads"])
        if self.threads == NULL:
            self._alloc_threads(n)
        if n != self.n_threads:
            raise ValueError(f"the state has {n} threads, the trainer {self.n_threads}")
        if state.get("blocks") != self.model.n_blocks:
            raise ValueError("the saved state does not match this corpus (or is from a version "
                             "that split it into fixed slices)")
        for i, ts in enumerate(state["threads"]):
            t = &self.threads[i]
            if not (ts["begin"] <= ts["pos"] <= ts["end"] <= self.model.ids_len):
                raise ValueError("the saved thread positions do not match this corpus")
            t.block, t.begin, t.end = ts["block"], ts["begin"], ts["end"]
            t.epoch, t.pos, t.rng, t.unreported = ts["epoch"], ts["pos"], ts["rng"], ts["unreported"]
            t.words_done, t.loss, t.examples = ts["words_done"], ts["loss"], ts["examples"]
            if self.model.line_starts != NULL:
                t.line = w2v_line_at(&self.model, t.pos)
        self.shared.words_done = state["words_done"]
        self.shared.next_block = state["next_block"]

    def run(self, int threads=1, progress=None, double interval=0.5, checkpoint=None,
            checkpoint_every=None, sync=None, int sync_points=0):
        """Train with `threads` workers until every thread has done all its epochs.

        Calls progress(self.progress()) every `interval` s.  With `checkpoint_every` (seconds),
        the threads are paused about that often, `checkpoint(self)` is called while none runs,
        and training goes on.  With `sync` and `sync_points` = R, the threads pause when the word
        count reaches k/R of the run (k = 1..R) and `sync(self, k)` is called, exactly once for
        each k, while none runs: the synchronisation points of a distributed run, where every
        rank calls sync the same number of times whatever the size of its shard.  A trainer that was stopped (or restored with set_state) continues
        where it was.  Raises TrainingDiverged on NaN/inf and TrainingStopped if stop() was
        called; on KeyboardInterrupt or any other exception (from `progress`, say) the workers
        are stopped, `checkpoint(self)` is called if given, and the exception re-raised.
        """
        import time as _time
        if threads < 1:
            raise ValueError("threads must be at least 1")
        if self.model.n_ids == 0:
            raise ValueError("the corpus has no words to train on")
        if self.threads == NULL:
            self._alloc_threads(threads)
        elif threads != self.n_threads:
            raise ValueError(f"this trainer runs {self.n_threads} threads, not {threads}")
        n_syncs = sync_points if sync is not None else 0
        total = self.total_words

        def point(k):  # the word count of the k-th synchronisation
            return k * total // n_syncs

        synced = 0
        while synced < n_syncs and self.shared.words_done >= point(synced + 1):
            synced += 1  # a resumed trainer: points already passed
        while not self.finished:
            self.shared.stop = 0
            self.shared.pause_at = max(point(synced + 1), 1) if synced < n_syncs else 0
            self._rcs = [W2V_OK] * threads
            # Completion is tracked with our own events, not Thread.join: a join interrupted by
            # Ctrl-C can make a later join return while the thread still runs, and the state
            # saved then would be torn.
            done = [threading.Event() for _ in range(threads)]
            for i in range(threads):
                threading.Thread(target=self._work, args=(i, done[i]), name=f"w2vfast-{i}",
                                 daemon=True).start()
            due = _time.monotonic() + checkpoint_every if checkpoint_every else None
            paused = False
            try:
                for ev in done:
                    while not ev.wait(interval):
                        if progress is not None:
                            progress(self.progress())
                        if due is not None and not paused and _time.monotonic() >= due:
                            self.stop()  # threads pause at their next sentence
                            paused = True
            except BaseException:
                self.stop()
                _wait_all(done)
                if checkpoint is not None and W2V_EDIVERGED not in self._rcs:
                    checkpoint(self)
                raise
            if W2V_EDIVERGED in self._rcs or self.shared.status == W2V_EDIVERGED:
                raise TrainingDiverged("training diverged: NaN or infinity in the vectors")
            reached = synced < n_syncs and self.shared.words_done >= point(synced + 1)
            if W2V_ESTOPPED in self._rcs and not paused and not reached:
                raise TrainingStopped("training was stopped before the end")
            while synced < n_syncs and self.shared.words_done >= point(synced + 1):
                synced += 1
                sync(self, synced)
            if paused and checkpoint is not None and not self.finished:
                checkpoint(self)
        self.shared.pause_at = 0
        while synced < n_syncs:  # points the count never reached (threads end a little short)
            synced += 1
            sync(self, synced)
        if progress is not None:
            try:  # Ctrl-C here still leaves a checkpoint: a resume only writes the outputs
                progress(self.progress())
            except BaseException:
                if checkpoint is not None:
                    checkpoint(self)
                raise
