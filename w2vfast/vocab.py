"""Building the vocabulary from a corpus, and word2vec's `word count` vocabulary files."""
import os

from . import _core, options as opts
from .corpus import describe, is_compressed, iter_chunks, shard_range
from .atomic import atomic_output
from .memory import IdsStorage


class VocabularyError(Exception):
    """The vocabulary cannot be built; the message says why and what to try."""


EOS = b"</s>"

def read_vocab_file(path):
    """(word, count) pairs from a word2vec vocabulary file (`word count` per line)."""
    pairs = []
    try:
        f = open(path, "rb")
    except OSError as e:
        raise VocabularyError(f"cannot read vocabulary file {describe(path)}: {e.strerror}") from None
    with f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or not fields[1].isdigit():
                raise VocabularyError(
                    f"vocabulary file {describe(path)}, line {lineno}: expected `word count`, "
                    f"got {line[:80]!r}")
            pairs.append((fields[0], int(fields[1])))
    if not pairs:
        raise VocabularyError(f"vocabulary file {describe(path)} is empty")
    return pairs


def save_vocab_file(path, words, counts):
    """Write `word count` lines, as word2vec.c's -save-vocab, atomically."""
    with atomic_output(path) as f:
        for w, c in zip(words, counts):
            f.write(b"%s %d\n" % (w, c))


def spill_error(e):
    """The message for a temporary file of the id stream that could not be written."""
    return VocabularyError(
        f"cannot keep the corpus ids in a temporary file in {e.filename!r}: {e.strerror}; "
        "free space there or choose another directory with --tmp-dir")


def sources(corpus):
    """(path, byte_range) pairs of a corpus: a path ("-": stdin), or a list of paths and
    (path, (start, end)) pairs (a distributed run's share)."""
    if isinstance(corpus, (list, tuple)):
        return [(c, None) if isinstance(c, (str, os.PathLike)) else (c[0], tuple(c[1])) for c in corpus]
    return [(corpus, None)]


def describe_corpus(corpus):
    parts = sources(corpus)
    if len(parts) == 1 and parts[0][1] is None:
        return describe(parts[0][0])
    return f"{describe(parts[0][0])} and {len(parts) - 1} more" if len(parts) > 1 else \
        f"{describe(parts[0][0])} (bytes {parts[0][1][0]}-{parts[0][1][1]})"


def new_dictionary(tokenizer=opts.default("tokenizer"), lowercase=opts.default("lowercase"),
                   tags_first=False, **kw):
    """An empty `_core.Dictionary` that tokenizes as the -tokenizer and -lowercase options say
    (and with `tags_first`, takes each line's first field as its tag: -tags first); `kw` go to
    the Dictionary (max_vocab, record_ids, storage)."""
    opts.check("tokenizer", tokenizer)
    opts.check("lowercase", lowercase)
    return _core.Dictionary(split_words=tokenizer == "words", lowercase=bool(lowercase),
                            tags_first=bool(tags_first), **kw)


def reading(o):
    """How resolved options `o` say a corpus's text is read: build_vocabulary's tokenizer,
    lowercase and tags_first."""
    return dict(tokenizer=o["tokenizer"], lowercase=o["lowercase"], tags_first=o.get("tags") == "first")


def build_vocabulary(corpus, min_count=opts.default("min_count"), max_vocab=opts.default("max_vocab"),
                     read_vocab=None, record_ids=True,
                     on_chunk=None, known=None, storage=None, finalize=True, threads=1,
                     tokenizer=opts.default("tokenizer"), lowercase=opts.default("lowercase"),
                     tags_first=False):
    """Read the corpus once: count words and keep it as word ids.

    With `read_vocab` (path of a vocabulary file) the counts come from that file and corpus
    tokens not in it are skipped, as in word2vec.c.  With `known` (words, counts) the vocabulary
    is exactly those words in that order (continuing a saved model) and other tokens are skipped.
    Returns a finalized `_core.Dictionary`.  `on_chunk(bytes_read)` is called after every chunk.
    `storage` (memory.IdsStorage) says where the ids go (None: in memory).  `corpus` may be a
    list of sources (see `sources`).  With finalize=False the dictionary is returned fed but not finalized
    (its words in first-occurrence order), for a distributed run to merge.  With `threads` > 1
    a large plain file is tokenized by that many threads and the parts merged: the result is the
    same as one pass's (see _parallel_parts for when it stays one pass).  `tokenizer` and
    `lowercase` say how the text is split into words (the options of the same names), and
    `tags_first` that each line's first field is a document's tag (-tags first), which keeps
    it one pass (the parts' tags are not merged).
    """
    def make(**kw):
        return new_dictionary(tokenizer, lowercase, tags_first, **kw)
    try:
        return _build(corpus, min_count, max_vocab, read_vocab, record_ids, on_chunk, known,
                      storage or IdsStorage(), finalize, 1 if tags_first else threads, make)
    except _core.SpillError as e:
        raise spill_error(e) from None


# a plain file at least this large is tokenized by several threads (build_vocabulary's `threads`)
PARALLEL_MIN_BYTES = 16 << 20


def _parallel_parts(corpus, threads, max_vocab, read_vocab, known):
    """The byte ranges for a parallel first pass, or None when it must be a single pass: stdin or
    compressed input (not splittable), a vocabulary given in advance, -max-vocab (its pruning
    depends on the order of the whole pass), or a small file."""
    if threads < 2 or max_vocab or read_vocab is not None or known is not None:
        return None
    if not isinstance(corpus, (str, os.PathLike)) or corpus == "-":
        return None
    try:
        if not os.path.isfile(corpus) or os.path.getsize(corpus) < PARALLEL_MIN_BYTES \
                or is_compressed(corpus):
            return None
    except OSError:
        return None  # the single pass reports it
    return [shard_range(corpus, i, threads) for i in range(threads)]


def _feed_parts(corpus, parts, record_ids, storage, on_chunk, finalize, make):
    """Tokenize byte ranges of a file in parallel threads (the GIL is released while reading and
    tokenizing), one dictionary each, then merge them in file order: the same vocabulary and id
    stream as one pass.  Returns the first part's dictionary and, when it is to be finalized,
    the other parts with their maps for Dictionary.finalize (else they are merged in)."""
    dicts = [make(record_ids=record_ids, storage=storage.share(len(parts)) if i else storage)
             for i in range(len(parts))]
    done = [0] * len(parts)

    def work(i):
        for chunk in iter_chunks(corpus, byte_range=parts[i]):
            dicts[i].feed(chunk)
            done[i] += len(chunk)
            if on_chunk is not None and i == 0:
                on_chunk(sum(done))
        dicts[i].feed(b"", last=True)

    _core.run_in_threads(work, len(parts), "w2vfast-vocab")
    d = dicts[0]
    parts = []
    for other in dicts[1:]:
        if finalize:  # the words now; the ids are joined as finalize renumbers them in parallel
            parts.append((other, d.merge_words(other)))
        else:
            d.merge(other)
    if on_chunk is not None:
        on_chunk(sum(done))
    return d, parts


def _build(corpus, min_count, max_vocab, read_vocab, record_ids, on_chunk, known, storage,
           finalize, threads, make):
    parts = _parallel_parts(corpus, threads, max_vocab, read_vocab, known)
    if parts is not None:
        d, fed = _feed_parts(corpus, parts, record_ids, storage, on_chunk, finalize, make)
        return _checked(d, corpus, min_count, read_vocab, record_ids, known, finalize, fed)
    d = make(max_vocab=max_vocab, record_ids=record_ids, storage=storage)
    if read_vocab is not None:
        for word, count in read_vocab_file(read_vocab):
            d.add(word, count)
        d.freeze()
    if known is not None:
        for word, count in zip(*known):
            d.add(word, int(count))
        d.freeze()
    n_bytes = 0
    for path, byte_range in sources(corpus):
        for chunk in iter_chunks(path, byte_range=byte_range):
            d.feed(chunk)
            n_bytes += len(chunk)
            if on_chunk is not None:
                on_chunk(n_bytes)
        d.feed(b"", last=True)  # a token never runs from one file into the next
    return _checked(d, corpus, min_count, read_vocab, record_ids, known, finalize)


def _checked(d, corpus, min_count, read_vocab, record_ids, known, finalize, parts=()):
    """Finalize a fed dictionary (with the `parts` of a parallel pass: see Dictionary.finalize),
    with the errors an unusable corpus deserves."""
    if not finalize:
        return d
    if d.n_tokens == 0:
        raise VocabularyError(f"corpus {describe_corpus(corpus)} is empty: it has no words")
    if d.n_tokens == _eos_count(d) and read_vocab is None and known is None:
        lines = "blank lines and tags" if d.tags_first else "blank lines"  # -tags first: a tag is no word
        raise VocabularyError(f"corpus {describe_corpus(corpus)} has only {lines}: it has no words")
    if known is not None:
        d.finalize(0, keep_order=True)
    else:
        d.finalize(min_count, parts=parts)
    if d.n_words < 2:
        if read_vocab is not None:
            raise VocabularyError(
                f"empty vocabulary: no word of {describe(read_vocab)} occurs {min_count} times there; "
                "try a smaller -min-count")
        raise VocabularyError(
            f"empty vocabulary: no word occurs {min_count} times in {describe_corpus(corpus)}; "
            "try a smaller -min-count")
    if record_ids and d.n_ids == 0:
        raise VocabularyError(
            f"nothing to train on: no word of {describe_corpus(corpus)} is in the vocabulary"
            + (f" of {describe(read_vocab)}" if read_vocab is not None else "")
            + (" of the model; add --update-vocab to learn new words" if known is not None else ""))
    return d


def _eos_count(d):
    i = d.find(EOS)
    return int(d.counts()[i]) if i >= 0 else 0
