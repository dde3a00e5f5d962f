"""How a training run begins: from a corpus, from a checkpoint (--resume) or from a saved model
(--init-model).  Each gives the pipeline the run's options, vocabulary, corpus as word ids,
matrices and, for a resumed run, where its threads were."""
import time
import uuid
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _core, options as opts
from .corpus import spool_stdin
from .documents import Documents
from .kinds import ModelKind
from .vocab import build_vocabulary, reading, spill_error


@dataclass
class Start:
    """`options`: the run's training options, resolved; `dictionary`: the vocabulary and the
    corpus as ids; `matrices`: a resumed run's, else None for the pipeline to make (after its
    memory check): fresh ones, or for a continued run `grow_from` (the saved model's) grown to
    the new vocabulary; `state`: where a resumed run's threads were; `ids_tag`: names the id
    stream, so a checkpoint can link the previous one's instead of writing it again;
    `corpus_stats`: a resumed run's corpus counts (tokens, truncated), which a restored
    dictionary does not have; `note`: what the start did worth telling (words added);
    `documents`: a paragraph-vector run's (documents.Documents), which the pipeline finds."""
    options: dict
    kind: ModelKind
    dictionary: object
    words: list
    counts: np.ndarray
    matrices: Optional[dict] = None
    grow_from: Optional[dict] = None
    state: Optional[dict] = None
    ids_tag: Optional[str] = None
    vocab_seconds: float = 0.0
    corpus_stats: Optional[dict] = None
    note: Optional[str] = None
    documents: Optional[object] = None

    def __post_init__(self):
        if self.ids_tag is None:
            self.ids_tag = uuid.uuid4().hex


def saved_options(saved):
    """The resolved training options a checkpoint or saved model was made with."""
    return opts.resolve(**{k: v for k, v in saved["options"].items() if k in opts.MODEL_OPTIONS})


def resumed(saved, storage):
    """The run a checkpoint (model_io.load_model(path, with_state=True)) left: its options,
    vocabulary, corpus ids, matrices and thread states (the options given were checked against
    it: options.resume_conflict)."""
    t0 = time.perf_counter()
    o = saved_options(saved)
    words, counts = saved["words"], saved["counts"]
    try:
        d = _core.Dictionary.restore(words, counts, saved["id_stream"], saved["state"]["n_ids"],
                                     storage=storage)
    except _core.SpillError as e:
        raise spill_error(e) from None
    corpus = {k: v for k, v in saved["stats"].items() if k in ("corpus", "corpus_tokens", "truncated_tokens")}
    documents = (Documents.restored(saved["tags"], saved.get("line_doc"), d)
                 if saved["kind"].input.documents else None)
    return Start(o, saved["kind"], d, words, counts, matrices=saved["matrices"], state=saved["state"],
                 ids_tag=saved["state"].get("ids_tag"), vocab_seconds=time.perf_counter() - t0,
                 corpus_stats=corpus, documents=documents)


def fresh(corpus, o, read_vocab, storage, vocabulary):
    """A run on a corpus from scratch; `vocabulary(corpus, o, read_vocab, storage)` counts it
    (pipeline.World: one process's pass, or a distributed run's agreed vocabulary)."""
    t0 = time.perf_counter()
    d = vocabulary(corpus, o, read_vocab, storage)
    return Start(o, ModelKind.of(o), d, d.words(), d.counts(), vocab_seconds=time.perf_counter() - t0)


def continued(saved, path, corpus, o, given, update_vocab, storage):
    """A saved model (model_io.load_model(path)) trained further on `corpus`: its words keep
    their rows; with update_vocab the corpus's new words reaching -min-count get rows too.
    `given`: the options as given (None where not), which may only repeat the model's size and
    tokenizing."""
    t0 = time.perf_counter()
    D = saved["matrices"]["syn0"].shape[1]
    given_size = given.get("size")
    if given_size not in (None, D):
        raise opts.OptionError(f"invalid -size {given_size}: the model {path!r} has {D} dimensions")
    o = {**o, "size": D, **saved_tokenizing(saved["options"], given, path)}
    known, note = (saved["words"], saved["counts"]), None
    if update_vocab:
        if corpus == "-":
            corpus = spool_stdin(storage.tmp_dir)  # read twice: count, then map to the merged rows
        known = merged_vocabulary(corpus, saved, o)
        old = len(saved["words"])
        note = (f"Added {len(known[0]) - old:,} new words to the model's {old:,} "
                f"(min-count {o['min_count']})")
    d = build_vocabulary(corpus, known=known, storage=storage, **reading(o))
    return Start(o, ModelKind.of(o), d, d.words(), d.counts(), grow_from=saved["matrices"],
                 vocab_seconds=time.perf_counter() - t0, note=note)


def saved_tokenizing(saved_options, given, path):
    """The model's -tokenizer and -lowercase, which a continued run keeps: its words are tokens
    as those made them (a model saved before the options existed: their defaults)."""
    out = {}
    for name in ("tokenizer", "lowercase"):
        was = saved_options.get(name, opts.default(name))
        if given.get(name) not in (None, was):
            spelling = opts.flag(name)
            raise opts.OptionError(f"invalid {spelling} {given[name]!r}: the model {path!r} was trained "
                                   f"with {spelling} {was}; continue it with the same, or leave {spelling} out")
        out[name] = was
    return out


def merged_vocabulary(corpus, saved, o):
    """--update-vocab: the saved words (rows unchanged, counts plus the new corpus's), then the
    new corpus's words that reach min_count, by count.  Returns (words, counts)."""
    new = build_vocabulary(corpus, min_count=o["min_count"], max_vocab=o["max_vocab"], record_ids=False,
                           threads=o["threads"], **reading(o))
    index = {w: i for i, w in enumerate(saved["words"])}
    counts = saved["counts"].astype(np.uint64).copy()
    words = list(saved["words"])
    extra_words, extra_counts = [], []
    for w, c in zip(new.words(), new.counts()):
        if w in index:
            counts[index[w]] += c
        else:
            extra_words.append(w)
            extra_counts.append(c)
    return words + extra_words, np.concatenate([counts, np.array(extra_counts, dtype=np.uint64)])
