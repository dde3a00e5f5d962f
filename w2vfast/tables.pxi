# The tables the kernels read (sigmoid, Huffman codes, noise, subsampling), the initial
# vectors, and the choice of the training loop's build: part of _core.pyx.

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


def keep_thresholds(const uint64_t[::1] counts not None, double sample):
    """Subsampling thresholds on 32 random bits (2**32 = always keep)."""
    cdef uint32_t n = counts.shape[0]
    cdef cnp.ndarray[uint64_t, ndim=1] out = np.empty(n, dtype=np.uint64)
    if n:
        w2v_keep_thresholds(&counts[0], n, sample, &out[0])
    return out


def map_large_blocks(int bytes=256 << 10):
    """From now on, malloc blocks of `bytes` or more get their own mapping, unmapped when freed
    (csrc/heap.h says why)."""
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
