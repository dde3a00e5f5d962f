# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The one place where Python meets the C core in csrc/.

Python objects stay on this side: functions here take NumPy arrays and plain values, fill the C
structs of w2v.h once, and release the GIL for everything that walks the corpus.  Threads are
Python threads, each spending its whole life inside one `nogil` call of `w2v_train_thread`; the
main thread only polls the race-free progress counters, so Ctrl-C is seen within one poll.
"""
import os
import threading

import numpy as np

cimport numpy as cnp
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t
from libc.stdlib cimport free, malloc, calloc
from libc.string cimport memset
from posix.stdlib cimport posix_memalign

from w2vfast._csrc cimport *

cnp.import_array()

MAX_EXP = W2V_MAX_EXP
MAX_TOKEN_BYTES = W2V_MAX_TOKEN


class TrainingDiverged(RuntimeError):
    """NaN or infinity appeared in the vectors: the learning rate is too high for this data."""


class TrainingStopped(RuntimeError):
    """The run was stopped (Ctrl-C, SIGTERM) before it finished."""


class SpillError(OSError):
    """The temporary file holding a large id stream could not be created or grown."""


cdef raise_for(int rc, str what, int err=0, str where=None):
    if rc == W2V_EIO:
        # the file the core keeps a large id stream in: errno and directory come along
        raise SpillError(err, os.strerror(err), where)
    if rc == W2V_ENOMEM:
        raise MemoryError(f"out of memory while {what}")
    if rc == W2V_EINVAL:
        raise ValueError(f"invalid input while {what}")
    if rc != W2V_OK:
        raise RuntimeError(f"error {rc} while {what}")


def run_in_threads(work, int n, str name="w2vfast"):
    """work(0) in the calling thread and work(1) .. work(n - 1) in threads of their own (they run
    at once where work releases the GIL), then raise the first exception any of them raised."""
    errors = []

    def guarded(i):
        try:
            work(i)
        except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(e)

    workers = [threading.Thread(target=guarded, args=(i,), name=f"{name}-{i}", daemon=True)
               for i in range(1, n)]
    for t in workers:
        t.start()
    guarded(0)
    for t in workers:
        t.join()
    if errors:
        raise errors[0]


cdef class Dictionary:
    """Word counts and the corpus as word ids, built by one pass of the byte tokenizer.

    Feed the corpus with `feed(chunk)` (chunks of any size, a token may straddle two), then
    `finalize(min_count)` orders the vocabulary and rewrites the stored ids to final ids.

    The id stream stays in memory up to `spill_above` bytes, then moves to an unlinked
    temporary file in `spill_dir` (default $TMPDIR or /tmp) mapped into memory, so a corpus
    larger than RAM still trains (csrc/bytebuf.h).  None: never.  When the file cannot be made,
    the stream stays on the heap up to `heap_limit` bytes (default: `spill_above`), and
    `spill_fallback` says why.
    """
    cdef w2v_dict d
    cdef readonly bint finalized
    cdef readonly str spill_dir

    def __cinit__(self, uint64_t max_vocab=0, bint record_ids=True, spill_above=None,
                  spill_dir=None, heap_limit=None):
        cdef uint64_t above = 0xFFFFFFFFFFFFFFFF if spill_above is None else spill_above
        cdef uint64_t limit = above if heap_limit is None else heap_limit
        cdef bytes dir_bytes = os.fsencode(spill_dir) if spill_dir is not None else None
        self.spill_dir = spill_dir if spill_dir is not None else (os.environ.get("TMPDIR") or "/tmp")
        if w2v_dict_init(&self.d, max_vocab, record_ids, above, limit,
                         <const char *>dir_bytes if dir_bytes is not None else NULL) != W2V_OK:
            raise MemoryError("out of memory creating the vocabulary")

    cdef check(self, int rc, str what):
        raise_for(rc, what, self.d.ids.err, self.spill_dir)

    def __dealloc__(self):
        w2v_dict_free(&self.d)

    def feed(self, const unsigned char[::1] chunk not None, bint last=False):
        """Tokenize and count a chunk of raw corpus bytes; `last` ends a pending token."""
        cdef uint64_t n = chunk.shape[0]
        cdef const char *p = <const char *>&chunk[0] if n else NULL
        cdef int rc
        if self.finalized:
            raise RuntimeError("the vocabulary is already finalized")
        with nogil:
            rc = w2v_dict_feed(&self.d, p, n, last)
        self.check(rc, "storing the corpus as word ids")

    def add(self, bytes word not None, uint64_t count):
        """Add a word with a count (reading a vocabulary file)."""
        if w2v_dict_add(&self.d, word, len(word), count) == 0xFFFFFFFF:
            raise MemoryError("out of memory building the vocabulary")

    def freeze(self):
        """From now on, feed only looks words up: unknown tokens are skipped, counts stay."""
        self.d.frozen = 1

    def finalize(self, uint64_t min_count, bint keep_order=False, parts=()):
        """Order by count (</s> first; with keep_order, as the words were added), drop words
        under min_count, renumber the stored ids.

        `parts`: (dictionary, remap) pairs from merge_words, in corpus order: their ids follow
        this dictionary's, as after merge(), but each part's stream is renumbered in a thread of
        its own (the parallel first pass: merge() and then finalize() renumbered everything
        twice, one thread after the other)."""
        if self.finalized:
            raise RuntimeError("the vocabulary is already finalized")
        if not parts:
            self.check(w2v_dict_finalize(&self.d, min_count, keep_order), "sorting the vocabulary")
            self.finalized = True
            return
        cdef cnp.ndarray[uint32_t, ndim=1] final = np.empty(self.d.n_words + 1, dtype=np.uint32)
        self.check(w2v_dict_order(&self.d, min_count, keep_order, &final[0]), "sorting the vocabulary")
        jobs = [(self, final)] + [(part, final[remap]) for part, remap in parts]
        run_in_threads(lambda i: jobs[i][0]._renumber_ids(jobs[i][1]), len(jobs), "w2vfast-renumber")
        cdef Dictionary part
        for part, _ in parts:  # then one stream: the parts' bytes after this one's
            self.check(w2v_dict_append_stream(&self.d, &part.d.ids, part.d.n_ids),
                       "joining the corpus parts")
            part._drop_ids()
        w2v_bytebuf_trim(&self.d.ids)
        self.finalized = True

    def _renumber_ids(self, const uint32_t[::1] remap not None):
        """Rewrite the stored ids, id i as remap[i] (GIL released): a part of finalize()."""
        cdef int rc
        with nogil:
            rc = w2v_dict_renumber_ids(&self.d, &remap[0])
        self.check(rc, "renumbering the corpus")

    def _drop_ids(self):
        """Free the stored stream of a part copied into the whole; the part is spent."""
        w2v_bytebuf_free(&self.d.ids)
        self.d.n_ids = 0
        self.finalized = True

    def merge_words(self, Dictionary other not None):
        """The words and counts of `other` (fed, not finalized) into this dictionary, as merge()
        does, leaving its ids where they are; returns the map from its ids to this dictionary's,
        for finalize(parts=...)."""
        if self.finalized or other.finalized:
            raise RuntimeError("merge_words needs two dictionaries that are not finalized")
        cdef cnp.ndarray[uint32_t, ndim=1] remap = np.empty(other.d.n_words + 1, dtype=np.uint32)
        cdef int rc
        with nogil:
            rc = w2v_dict_merge_words(&self.d, &other.d, &remap[0])
        self.check(rc, "merging the vocabulary")
        return remap[:other.d.n_words]

    def words(self):
        """The words as bytes, in vocabulary order."""
        cdef uint32_t i
        return [self.d.arena[self.d.offset[i]:self.d.offset[i] + self.d.length[i]]
                for i in range(self.d.n_words)]

    def counts(self):
        cdef cnp.ndarray[uint64_t, ndim=1] out = np.empty(self.d.n_words, dtype=np.uint64)
        cdef uint32_t i
        for i in range(self.d.n_words):
            out[i] = self.d.count[i]
        return out

    def ids(self):
        """A copy of the stored id stream (the corpus as word ids, 0 = end of sentence)."""
        cdef cnp.ndarray[uint32_t, ndim=1] out = np.empty(self.d.n_ids, dtype=np.uint32)
        if self.d.n_ids:
            w2v_dict_decode(&self.d, &out[0])
        return out

    def id_stream(self):
        """The stored ids as their encoded bytes (LEB128 varints), for checkpoints: a view, not
        a copy (the stream may be larger than memory), valid while this dictionary lives."""
        if not self.d.ids.len:
            return memoryview(b"")
        return memoryview(<uint8_t[:self.d.ids.len]> self.d.ids.data)

    @classmethod
    def _of_words(cls, words, counts, spill_above, spill_dir, heap_limit=None):
        """A finalized dictionary of exactly `words` (in this order) with `counts`, no ids yet."""
        cdef Dictionary d = cls(record_ids=False, spill_above=spill_above, spill_dir=spill_dir,
                                heap_limit=heap_limit)
        for w, c in zip(words, counts):
            d.add(w, int(c))
        d.finalize(0, keep_order=True)
        if d.n_words != len(words):
            raise ValueError("the vocabulary has repeated words")
        return d

    @classmethod
    def restore(cls, words, counts, const unsigned char[::1] id_stream not None, uint64_t n_ids,
                spill_above=None, spill_dir=None, heap_limit=None):
        """A finalized dictionary from saved words (in vocabulary order), counts and id stream
        (any buffer: a memory-mapped file is copied in pieces, spilling as it grows)."""
        cdef Dictionary d = cls._of_words(words, counts, spill_above, spill_dir, heap_limit)
        cdef uint64_t start, stop, size = id_stream.shape[0], piece = 1 << 24
        for start in range(0, size, piece):
            stop = min(start + piece, size)
            d.check(w2v_dict_append_ids(&d.d, &id_stream[start], stop - start, 0),
                    "restoring the corpus")
        d.d.n_ids = n_ids
        return d

    def merge(self, Dictionary other not None):
        """Add `other` (fed, not finalized), as if its text had been fed to this dictionary after
        its own (w2v_dict_merge): the parallel vocabulary pass joins its parts with this."""
        if self.finalized or other.finalized:
            raise RuntimeError("merge needs two dictionaries that are not finalized")
        cdef int rc
        with nogil:
            rc = w2v_dict_merge(&self.d, &other.d)
        self.check(rc, "merging the vocabulary")

    @classmethod
    def from_shard(cls, words, counts, Dictionary shard not None, const uint32_t[::1] remap not None,
                   spill_above=None, spill_dir=None, heap_limit=None):
        """A finalized dictionary of `words` (in vocabulary order) with `counts`, holding the ids of
        `shard` (fed, not finalized) renumbered by `remap` (shard's id -> index in words, or
        0xFFFFFFFF to drop): a rank's corpus in the vocabulary all ranks agreed on."""
        if shard.finalized:
            raise ValueError("the shard's dictionary must not be finalized")
        if remap.shape[0] != shard.d.n_words:
            raise ValueError(f"remap has {remap.shape[0]} entries for {shard.d.n_words} words")
        cdef Dictionary d = cls._of_words(words, counts, spill_above, spill_dir, heap_limit)
        cdef uint32_t i
        for i in range(remap.shape[0]):
            if remap[i] != 0xFFFFFFFF and remap[i] >= d.d.n_words:
                raise ValueError(f"remap[{i}] = {remap[i]} is not a word")
        d.check(w2v_dict_append_remapped(&d.d, &shard.d, &remap[0] if remap.shape[0] else NULL),
                "renumbering the corpus")
        d.d.n_tokens = shard.d.n_tokens
        return d

    def find(self, bytes word not None):
        """The id of a word, or -1."""
        cdef uint32_t i = w2v_dict_find(&self.d, word, len(word))
        return -1 if i == 0xFFFFFFFF else i

    @property
    def n_words(self):
        return self.d.n_words

    @property
    def n_tokens(self):
        """Tokens read from the corpus, sentence ends included."""
        return self.d.n_tokens

    @property
    def n_ids(self):
        """Tokens stored for training (after finalize: the in-vocabulary ones)."""
        return self.d.n_ids

    @property
    def ids_bytes(self):
        """Size of the stored id stream (varint-encoded)."""
        return self.d.ids.len

    @property
    def spilled(self):
        """Whether the id stream lives in a temporary file rather than on the heap."""
        return bool(w2v_bytebuf_spilled(&self.d.ids))

    @property
    def spill_fallback(self):
        """None, or why the stream stayed on the heap although it was meant to go to a file
        (the OSError that making the file gave)."""
        if self.d.ids.spill_failed and not w2v_bytebuf_spilled(&self.d.ids):
            return OSError(self.d.ids.err, os.strerror(self.d.ids.err), self.spill_dir)
        return None

    @property
    def n_truncated(self):
        return self.d.n_truncated

    @property
    def n_prunes(self):
        return self.d.n_prunes


SIGMOID_TABLE_SIZE = W2V_SIGMOID_TABLE_SIZE

ISAS = ("avx512", "avx2", "generic")


def available_isas():
    """The builds of the training loop this CPU can run, widest first (train_loop.h)."""
    return [name for name in ISAS if w2v_isa_select(name.encode()) != NULL]


cdef const w2v_isa *_select_isa(name) except NULL:
    """The named build, or by default the widest this CPU runs; the environment variable
    W2VFAST_ISA names one (for benchmarks and tests of the narrower builds)."""
    if name is None:
        name = os.environ.get("W2VFAST_ISA") or None
    cdef bytes wanted = name.encode() if name is not None else b""
    cdef const w2v_isa *isa = w2v_isa_select(wanted)
    if isa == NULL:
        raise ValueError(f"this CPU cannot run the {name!r} training loop; it runs "
                         f"{', '.join(available_isas())}")
    return isa


def sigmoid_table():
    """The tables the kernels use: sigma at SIGMOID_TABLE_SIZE points, then log sigma."""
    cdef cnp.ndarray[float, ndim=1] t = np.empty(2 * W2V_SIGMOID_TABLE_SIZE, dtype=np.float32)
    w2v_sigmoid_table_fill(&t[0])
    return t


def huffman(const uint64_t[::1] counts not None):
    """Huffman codes of hierarchical softmax: (code_offset, codes, points) as in huffman.h."""
    cdef uint32_t n = counts.shape[0]
    cdef uint64_t total = 0
    if n < 2:
        raise ValueError("hierarchical softmax needs at least 2 words in the vocabulary")
    raise_for(w2v_huffman_total_length(&counts[0], n, &total), "building the Huffman tree")
    cdef cnp.ndarray[uint32_t, ndim=1] offset = np.empty(n + 1, dtype=np.uint32)
    cdef cnp.ndarray[uint8_t, ndim=1] codes = np.empty(total, dtype=np.uint8)
    cdef cnp.ndarray[uint32_t, ndim=1] points = np.empty(total, dtype=np.uint32)
    raise_for(w2v_huffman_build(&counts[0], n, &offset[0], &codes[0], &points[0]),
              "building the Huffman tree")
    return offset, codes, points


def alias_table(const double[::1] weights not None):
    """Alias table (threshold, alias) drawing index i with probability weights[i] / sum."""
    cdef uint32_t n = weights.shape[0]
    if n == 0:
        raise ValueError("the noise distribution is empty")
    cdef cnp.ndarray[uint32_t, ndim=1] threshold = np.empty(n, dtype=np.uint32)
    cdef cnp.ndarray[uint32_t, ndim=1] alias = np.empty(n, dtype=np.uint32)
    cdef cnp.ndarray[uint32_t, ndim=1] work_index = np.empty(2 * n, dtype=np.uint32)
    cdef cnp.ndarray[double, ndim=1] work_prob = np.empty(n, dtype=np.float64)
    cdef int rc = w2v_alias_build(&weights[0], n, &threshold[0], &alias[0], &work_index[0],
                                  &work_prob[0])
    if rc == W2V_EINVAL:
        raise ValueError("the noise distribution has no positive weight")
    raise_for(rc, "building the noise table")
    return threshold, alias


def hot_node_count(uint64_t vocab_size, uint64_t dim, uint64_t threads):
    """The HS nodes each of `threads` threads trains in its own copies (train.c: w2v_hot_merge):
    none for one thread; else W2V_HOT_NODES, fewer for wide rows (W2V_HOT_COPY_BYTES a copy)
    and for many threads (W2V_HOT_ALL_BYTES for all copies and bases), and at most the tree's
    vocab_size - 1 inner nodes."""
    if threads < 2 or vocab_size < 2 or dim == 0:
        return 0
    return int(min(W2V_HOT_NODES, vocab_size - 1, W2V_HOT_COPY_BYTES // (4 * dim),
                   W2V_HOT_ALL_BYTES // (threads * 2 * 4 * dim)))


def hot_merge(float[:, ::1] syn1 not None, float[:, ::1] copies not None, float[:, ::1] base not None,
              uint32_t lo):
    """One merge of a thread's copies of HS nodes lo.. into syn1 (train.c: w2v_hot_merge), on
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
    m.syn1 = &syn1[0, 0]
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


def keep_thresholds(const uint64_t[::1] counts not None, double sample):
    """Subsampling thresholds on 32 random bits (2**32 = always keep)."""
    cdef uint32_t n = counts.shape[0]
    cdef cnp.ndarray[uint64_t, ndim=1] out = np.empty(n, dtype=np.uint64)
    if n:
        w2v_keep_thresholds(&counts[0], n, sample, &out[0])
    return out


cdef extern from *:
    """
    #if defined(__GLIBC__)
    #include <malloc.h>
    static int w2v_map_large_blocks(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
    #else
    static int w2v_map_large_blocks(int bytes) { (void)bytes; return 0; }
    #endif
    """
    int w2v_map_large_blocks(int bytes) nogil


def map_large_blocks(int bytes=256 << 10):
    """From now on, malloc blocks of `bytes` or more get their own mapping, unmapped when freed
    (glibc's mallopt M_MMAP_THRESHOLD).  By default glibc raises that threshold each time such a
    block is freed, up to 32 MB, and then serves large blocks from the heap, which keeps freed
    memory: after the first pass (its provisional id stream, the parallel parts' tables) the
    Huffman tables' temporaries then left 20-30 MB behind, counted in the peak of the whole run
    (BENCHMARKS.md).  Training allocates nothing in its loop, so this costs it nothing."""
    w2v_map_large_blocks(bytes)


def init_uniform(uint64_t rows, int dim, uint64_t seed, out=None):
    """A rows x dim float32 matrix uniform in [-0.5/dim, 0.5/dim), as word2vec.c's syn0 (written
    into `out` when given)."""
    cdef cnp.ndarray[float, ndim=2] m = np.empty((rows, dim), dtype=np.float32) if out is None else out
    if m.shape[0] != rows or m.shape[1] != dim:
        raise ValueError(f"out has shape ({m.shape[0]}, {m.shape[1]}), expected ({rows}, {dim})")
    if rows:
        with nogil:
            w2v_init_uniform(&m[0, 0], rows, dim, seed)
    return m


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


cdef void *zeros64(size_t count, size_t size) noexcept:
    """count x size zeroed bytes in whole cache lines of their own: a thread's small buffers,
    written every window, must not share a line with another thread's (malloc packs small
    blocks side by side, and two threads writing one line stall each other)."""
    cdef void *p = NULL
    cdef size_t n = (count * size + 63) // 64 * 64
    if n == 0:
        n = 64
    if posix_memalign(&p, 64, n) != 0:
        return NULL
    memset(p, 0, n)
    return p


cdef class Trainer:
    """Fills one w2v_model from NumPy arrays and options, then runs the worker threads.

    The arrays are borrowed, not copied: syn0, syn1 and syn1neg are updated in place.
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

    def __init__(self, dict options, syn0, syn1=None, syn1neg=None, *, sigmoid=None,
                 keep=None, huffman=None, noise=None, Dictionary corpus=None, isa=None, hot_nodes=None,
                 block_bytes=None):
        cdef w2v_model *m = &self.model
        # HS nodes each thread trains in its own copies (train.c: w2v_hot_merge): by default
        # hot_node_count(), none for one thread; a number forces that many (tests: with one
        # thread, the copies must change nothing at all)
        self.hot_nodes = hot_nodes
        # the threads take the corpus in blocks of about this many bytes (train.h; tests use
        # other sizes: with one thread the blocks must change nothing at all)
        block_bytes = W2V_BLOCK_BYTES if block_bytes is None else block_bytes
        if block_bytes < 1:
            raise ValueError("block_bytes must be at least 1")
        memset(m, 0, sizeof(w2v_model))
        memset(&self.shared, 0, sizeof(w2v_shared))
        m.isa = _select_isa(isa)
        m.dim = options["size"]
        m.window = options.get("window", 5)
        m.negative = options.get("negative", 0)
        m.hs = options.get("hs", 0)
        m.cbow = options.get("cbow", 0)
        m.cbow_mean = options.get("cbow_mean", 1)
        m.iter = options.get("iter", 1)
        m.max_sentence_length = options.get("max_sentence_length", 1000)
        m.batch = options.get("batch", 1)
        m.alpha = options.get("alpha", 0.025)
        m.min_alpha_ratio = options.get("min_alpha_ratio", 1e-4)
        self.seed = options.get("seed", 1)
        if m.dim < 1 or m.window < 1 or m.negative < 0 or m.iter < 0 or m.max_sentence_length < 1:
            raise ValueError("invalid training options")
        if m.negative and syn1neg is None:
            raise ValueError("negative sampling needs syn1neg")
        if m.hs and (syn1 is None or huffman is None):
            raise ValueError("hierarchical softmax needs syn1 and the Huffman codes")
        if m.negative and noise is None:
            raise ValueError("negative sampling needs a noise table")

        self._arrays = []
        m.vocab_size = syn0.shape[0]
        m.syn0 = row_pointer(syn0, m.dim, "syn0")
        m.syn1 = row_pointer(syn1, m.dim, "syn1")
        m.syn1neg = row_pointer(syn1neg, m.dim, "syn1neg")
        self._arrays += [syn0, syn1, syn1neg]

        cdef const float[::1] sig
        sig = sigmoid if sigmoid is not None else sigmoid_table()
        m.sigmoid = &sig[0]
        self._arrays.append(sig)

        cdef const uint64_t[::1] kv
        if keep is not None:
            kv = keep
            m.keep_threshold = &kv[0] if kv.shape[0] else NULL
            self._arrays.append(kv)

        cdef const uint32_t[::1] off, pts
        cdef const uint8_t[::1] cds
        if huffman is not None:
            off, cds, pts = huffman
            m.code_offset = &off[0]
            m.codes = &cds[0] if cds.shape[0] else NULL
            m.points = &pts[0] if pts.shape[0] else NULL
            m.max_code_length = max(int(np.max(np.diff(np.asarray(off, dtype=np.int64)))), 0)
            self._arrays += [off, cds, pts]

        cdef const uint32_t[::1] nthr, nal
        if noise is not None:
            nthr, nal = noise
            m.noise.n = nthr.shape[0]
            m.noise.threshold = &nthr[0]
            m.noise.alias = &nal[0]
            self._arrays += [nthr, nal]

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

    def __dealloc__(self):
        self._free_threads()

    cdef _free_threads(self):
        cdef int i
        cdef w2v_thread *t
        if self.threads != NULL:
            for i in range(self.n_threads):
                t = &self.threads[i]
                free(t.neu1); free(t.neu1e); free(t.sentence); free(t.targets); free(t.context)
                free(t.next_targets); free(t.block_din); free(t.block_s); free(t.block_k)
                free(t.block_g); free(t.block_gt); free(t.block_gp); free(t.block_labels); free(t.block_targets)
                free(t.block_x); free(t.block_y); free(t.hot); free(t.hot_base)
            free(self.threads)
        self.threads = NULL
        self.n_threads = 0

    cdef _alloc_threads(self, int n):
        cdef w2v_model *m = &self.model
        cdef int i
        cdef w2v_thread *t
        cdef uint64_t rng = self.seed
        # window blocks (kernels.h): B contexts against R targets at a time
        cdef size_t rows = max(m.negative + 1, m.max_code_length)
        cdef size_t B = min(W2V_BLOCK_CONTEXTS, 2 * m.window)
        cdef size_t rows16 = (rows + 15) // 16 * 16, B4 = (B + 3) // 4 * 4
        # HS with several threads: each trains its own copies of the nodes nearest the root
        # (train.c: w2v_hot_merge), the last inner nodes (the tree has vocab_size - 1)
        cdef uint32_t n_hot = 0
        if m.hs and m.vocab_size > 1:
            if self.hot_nodes is None:
                n_hot = hot_node_count(m.vocab_size, m.dim, n)
            else:
                n_hot = min(int(self.hot_nodes), m.vocab_size - 1)
        self._free_threads()
        # cache-line aligned (w2v.h): calloc only promises 16 bytes
        if posix_memalign(<void **>&self.threads, 64, n * sizeof(w2v_thread)) != 0:
            self.threads = NULL
        else:
            memset(self.threads, 0, n * sizeof(w2v_thread))
        if self.threads == NULL:
            raise MemoryError("out of memory starting threads")
        self.n_threads = n
        for i in range(n):
            t = &self.threads[i]
            t.neu1 = <float *>zeros64(m.dim, sizeof(float))
            t.neu1e = <float *>zeros64(m.dim, sizeof(float))
            t.sentence = <uint32_t *>zeros64(m.max_sentence_length, sizeof(uint32_t))
            t.targets = <uint32_t *>zeros64(m.negative + 1, sizeof(uint32_t))
            t.context = <uint32_t *>zeros64(2 * m.window, sizeof(uint32_t))
            t.next_targets = <uint32_t *>zeros64(m.negative + 1, sizeof(uint32_t))
            t.block_din = <float *>zeros64(B * m.dim, sizeof(float))
            t.block_s = <float *>zeros64((B + 1) * rows16, sizeof(float))
            t.block_gp = <float *>zeros64(B * rows16, sizeof(float))
            t.block_k = <float *>zeros64((B + 1) * B4, sizeof(float))
            t.block_g = <float *>zeros64(B * rows, sizeof(float))
            t.block_gt = <float *>zeros64(rows * B, sizeof(float))
            t.block_labels = <float *>zeros64(m.negative + 1 + m.max_code_length, sizeof(float))
            t.block_targets = <uint32_t *>zeros64(m.negative + 1, sizeof(uint32_t))
            t.block_x = <const float **>zeros64(rows + B + 4, sizeof(float *))
            t.block_y = <float **>zeros64(max(rows, B), sizeof(float *))
            if n_hot:
                t.hot_n = n_hot
                t.hot_lo = m.vocab_size - 1 - n_hot
                t.hot = <float *>zeros64(n_hot * m.dim, sizeof(float))
                t.hot_base = <float *>zeros64(n_hot * m.dim, sizeof(float))
            if not (t.neu1 and t.neu1e and t.sentence and t.targets and t.next_targets and t.context
                    and t.block_din and t.block_s and t.block_k and t.block_g and t.block_gt and t.block_gp
                    and t.block_labels and t.block_targets and t.block_x and t.block_y
                    and (not n_hot or (t.hot and t.hot_base))):
                self._free_threads()
                raise MemoryError("out of memory starting threads")
            # each thread its own stream: the seed's splitmix64 sequence, one value per thread
            t.rng = w2v_rand(&rng)
            # no block yet (pos = end = 0): each takes its first from the shared counter;
            # epoch, unreported, loss and examples start at 0 (calloc)

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
            progress(self.progress())

    # one update with given targets, for tests against a NumPy reference
    def step_sg(self, uint32_t word, uint32_t context, const uint32_t[::1] targets not None,
                float alpha):
        self._check_step(word, targets)
        self._check_word(context)
        cdef cnp.ndarray[float, ndim=1] neu1e = np.zeros(self.model.dim, dtype=np.float32)
        return w2v_step_sg(&self.model, word, context, &targets[0], alpha, &neu1e[0])

    def step_sg_window(self, uint32_t word, const uint32_t[::1] context not None,
                       const uint32_t[::1] targets not None, float alpha):
        """One skip-gram window as a block (the -batch 1 path)."""
        self._check_step(word, targets)
        if context.shape[0] > 2 * self.model.window:
            raise ValueError("more context words than the window holds")
        for c in context:
            self._check_word(c)
        if self.n_threads == 0:
            self._alloc_threads(1)
        return w2v_step_sg_window(&self.model, &self.threads[0], word,
                           &context[0] if context.shape[0] else NULL, context.shape[0], &targets[0], alpha)

    def step_cbow(self, uint32_t word, const uint32_t[::1] context not None,
                  const uint32_t[::1] targets not None, float alpha):
        self._check_step(word, targets)
        for c in context:
            self._check_word(c)
        cdef cnp.ndarray[float, ndim=1] neu1 = np.zeros(self.model.dim, dtype=np.float32)
        cdef cnp.ndarray[float, ndim=1] neu1e = np.zeros(self.model.dim, dtype=np.float32)
        return w2v_step_cbow(&self.model, word, &context[0] if context.shape[0] else NULL,
                      context.shape[0], &targets[0], alpha, &neu1[0], &neu1e[0])

    cdef _check_word(self, uint32_t w):
        if w >= self.model.vocab_size:
            raise IndexError(f"word {w} outside the vocabulary")

    cdef _check_step(self, uint32_t word, const uint32_t[::1] targets):
        self._check_word(word)
        if targets.shape[0] != self.model.negative + 1:
            raise ValueError("targets must hold the word and `negative` noise words")
        for t in targets:
            self._check_word(t)
