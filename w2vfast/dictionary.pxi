# The vocabulary and the corpus as word ids (csrc/dictionary.h): part of _core.pyx.

cdef class Dictionary:
    """Word counts and the corpus as word ids, built by one pass of the byte tokenizer.

    Feed the corpus with `feed(chunk)` (chunks of any size, a token may straddle two), then
    `finalize(min_count)` orders the vocabulary and rewrites the stored ids to final ids.

    `storage` (memory.IdsStorage) says where the id stream goes: in memory up to
    `storage.memory` bytes, then an unlinked temporary file in `storage.tmp_dir` (default
    $TMPDIR or /tmp) mapped into memory, so a corpus larger than RAM still trains
    (csrc/bytebuf.h); None: memory only.  When the file cannot be made, the stream stays on the
    heap up to `storage.fallback` bytes, and `spill_fallback` says why.

    `split_words`: the words tokenizer (csrc/tokenize_words.c: punctuation split off) instead of
    word2vec.c's split at whitespace; `lowercase`: each token lowercased (csrc/lowercase.h);
    `tags_first`: each line's first field is its document's tag, not a word (csrc/tags.c).
    """
    cdef w2v_dict d
    cdef readonly bint finalized
    cdef readonly str spill_dir
    cdef readonly object storage

    def __cinit__(self, uint64_t max_vocab=0, bint record_ids=True, storage=None,
                  bint split_words=False, bint lowercase=False, bint tags_first=False):
        memory = None if storage is None else storage.memory
        fallback = None if storage is None else storage.fallback
        tmp_dir = None if storage is None else storage.tmp_dir
        cdef uint64_t above = 0xFFFFFFFFFFFFFFFF if memory is None else memory
        cdef uint64_t limit = above if fallback is None else fallback
        cdef bytes dir_bytes = os.fsencode(tmp_dir) if tmp_dir is not None else None
        self.storage = storage
        self.spill_dir = tmp_dir if tmp_dir is not None else (os.environ.get("TMPDIR") or "/tmp")
        if w2v_dict_init(&self.d, max_vocab, record_ids, above, limit,
                         <const char *>dir_bytes if dir_bytes is not None else NULL) != W2V_OK:
            raise MemoryError("out of memory creating the vocabulary")
        self.d.split_words = split_words
        self.d.lowercase = lowercase
        self.d.tags_first = tags_first

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
        run_in_threads(lambda i: (<Dictionary>jobs[i][0]).renumber_ids(jobs[i][1]), len(jobs),
                       "w2vfast-renumber")
        cdef Dictionary part
        for part, _ in parts:  # then one stream: the parts' bytes after this one's
            self.check(w2v_dict_append_stream(&self.d, &part.d.ids, part.d.n_ids),
                       "joining the corpus parts")
            part.drop_ids()
        w2v_bytebuf_trim(&self.d.ids)
        self.finalized = True

    cdef renumber_ids(self, const uint32_t[::1] remap):
        """Rewrite the stored ids, id i as remap[i] (GIL released): a part of finalize()."""
        cdef int rc
        with nogil:
            rc = w2v_dict_renumber_ids(&self.d, &remap[0])
        self.check(rc, "renumbering the corpus")

    cdef drop_ids(self):
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
    def of_words(cls, words, counts, storage=None):
        """A finalized dictionary of exactly `words` (in this order) with `counts`, no ids yet."""
        cdef Dictionary d = cls(record_ids=False, storage=storage)
        for w, c in zip(words, counts):
            d.add(w, int(c))
        d.finalize(0, keep_order=True)
        if d.n_words != len(words):
            raise ValueError("the vocabulary has repeated words")
        return d

    @classmethod
    def restore(cls, words, counts, const unsigned char[::1] id_stream not None, uint64_t n_ids,
                storage=None):
        """A finalized dictionary from saved words (in vocabulary order), counts and id stream
        (any buffer: a memory-mapped file is copied in pieces, spilling as it grows)."""
        cdef Dictionary d = cls.of_words(words, counts, storage)
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
                   storage=None):
        """A finalized dictionary of `words` (in vocabulary order) with `counts`, holding the ids of
        `shard` (fed, not finalized) renumbered by `remap` (shard's id -> index in words, or
        0xFFFFFFFF to drop): a rank's corpus in the vocabulary all ranks agreed on."""
        if shard.finalized:
            raise ValueError("the shard's dictionary must not be finalized")
        if remap.shape[0] != shard.d.n_words:
            raise ValueError(f"remap has {remap.shape[0]} entries for {shard.d.n_words} words")
        cdef Dictionary d = cls.of_words(words, counts, storage)
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
    def split_words(self):
        return bool(self.d.split_words)

    @property
    def lowercase(self):
        return bool(self.d.lowercase)

    @property
    def tags_first(self):
        return bool(self.d.tags_first)

    def line_tags(self):
        """With tags_first: each line's tag (bytes; b"" for a line with no field), in line order."""
        if not self.d.tags_first:
            raise RuntimeError("this dictionary reads no tags (tags_first is off)")
        if self.d.tags_len == 0:
            return []
        tags = self.d.tags[:self.d.tags_len].split(b"\n")
        return tags[:len(tags) - 1]  # each ends in a newline

    @property
    def n_truncated(self):
        return self.d.n_truncated

    @property
    def n_prunes(self):
        return self.d.n_prunes
