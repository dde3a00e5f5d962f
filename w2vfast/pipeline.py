"""The one training pipeline: corpus -> vocabulary -> matrices -> tables -> trainer -> outputs.

Every way to train goes through `run`: the Python API (`w2vfast.train`), the `train` command
(a fresh run, `--resume`, `--init-model`, counting only for `-save-vocab`) and each rank of a
distributed run.  What differs between one process and the ranks of an MPI job is a `World`
(this module's `Solo`, or distributed.MpiWorld): how the vocabulary is counted, how errors are
shared, the random seed, the exchanges between ranks and who writes.  Checkpoints are the
other hook: `Trainer.run` calls back while no thread runs.
"""
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from . import _core, options as opts
from .documents import Documents
from .paragraphs import ParagraphModel
from .errors import TrainingError
from .memory import IdsStorage, available_memory, describe_bytes
from .model_io import load_model, mark_finished, save_model
from .outputs import Outputs
from .progress import JsonLog, reporter
from .start import continued, fresh, resumed, saved_options
from .tables import TableError
from .vectors import Model
from .vocab import build_vocabulary, reading

__all__ = ["Job", "Solo", "run", "TrainingError"]


@dataclass
class Job:
    """One training run as asked for: `corpus` (a path, "-" for standard input, or a list of
    paths), the training options as given (unresolved: None takes the schema's default; with
    `resume`, only those the user gave, which must be the checkpoint's), the files to write, and
    how the run goes.  `progress(info)` is called a few times a second, `on_vocab(dictionary)`
    once the vocabulary is built, `inform(message)` with what the start did (words added to a
    model), `warn(message)` for warnings."""
    corpus: object = None
    options: dict = field(default_factory=dict)
    outputs: Outputs = Outputs()
    read_vocab: Optional[str] = None
    checkpoint: Optional[str] = None
    checkpoint_every: Optional[float] = None  # seconds
    resume: Optional[str] = None
    init_model: Optional[str] = None
    update_vocab: bool = False
    ids_memory: Optional[int] = None
    tmp_dir: Optional[str] = None
    progress: Optional[Callable] = None
    on_vocab: Optional[Callable] = None
    inform: Optional[Callable] = None
    warn: Optional[Callable] = None
    # the `train` command: it must write something, and -save-vocab alone counts the corpus and
    # trains nothing, as word2vec.c; the Python API (False) trains for whatever it is asked to
    # write, nothing included, and returns the model
    command: bool = True
    trains: str = opts.TRAIN  # what is trained: word vectors (TRAIN) or paragraph vectors (DOC2VEC)

    @property
    def checkpoint_dir(self):
        """Where the state goes: --checkpoint, or a resumed run's own checkpoint, which it goes on
        saving (an interrupted resumed run is resumed from where it stopped)."""
        return self.checkpoint if self.checkpoint is not None else self.resume

    def corpus_files(self):
        return [c for c in (self.corpus if isinstance(self.corpus, list) else [self.corpus]) if c is not None]


class Solo:
    """A run in one process: the World hooks as a single process has them."""
    rank = 0
    ranks = 1
    matrix_copies = 1  # copies of the matrices the run holds (memory check)

    def together(self, step, *args):
        """step(*args) on every rank; in a distributed run, every rank learns of an error any
        rank had."""
        return step(*args)

    def lead(self, step, *args):
        """step(*args) on the first rank alone (checks of the outputs, writing them); in a
        distributed run the other ranks get None, or its error."""
        return step(*args)

    def begin(self, o, warn):
        """Before the corpus is read (a distributed run checks its ranks' CPUs)."""

    def vocabulary(self, corpus, o, read_vocab, storage, record_ids=True):
        return build_vocabulary(corpus, min_count=o["min_count"], max_vocab=o["max_vocab"],
                                read_vocab=read_vocab, threads=o["threads"], storage=storage,
                                record_ids=record_ids, **reading(o))

    def vocabulary_report(self, d):
        """What on_vocab is told: the vocabulary of the whole corpus."""
        return d

    def seed(self, seed):
        return seed

    def exchanges(self, kind, matrices, d, o):
        """(sync(trainer, k), number of synchronisation points, progress scale): none here."""
        return None, 0, None

    def total(self, value):
        return value

    def stats(self):
        return {}


def check_isa():
    """A W2VFAST_ISA the CPU cannot run is an error before any work, not a traceback later."""
    wanted, runs = os.environ.get("W2VFAST_ISA"), _core.available_isas()
    if wanted and wanted not in runs:
        raise TrainingError(f"W2VFAST_ISA={wanted!r}: this CPU runs the {', '.join(runs)} training "
                            "loops; unset it or name one of those")


def check_memory(kind, n_words, o, copies=1, n_docs=0):
    """Refuse, before the matrices are allocated, a model that cannot fit in memory."""
    need = kind.memory(n_words, o, n_docs) * copies
    avail = available_memory()
    if avail is not None and need > avail:
        per_word = kind.memory(n_words, o) * copies
        docs = f" and {n_docs * copies} documents' rows" if n_docs else ""
        raise TrainingError(
            f"the model needs {describe_bytes(need)} ({n_words * copies} words x {o['size']} dims x "
            f"{per_word // (n_words * copies * o['size'] * 4)} matrices{docs} of float32) but only "
            f"{describe_bytes(avail)} is available; use a smaller -size, a larger -min-count or -max-vocab")


def diverged(o):
    return TrainingError(f"training diverged (NaN or infinity in the vectors) at -alpha {o['alpha']}; "
                         "use a smaller -alpha")


def check_finite(matrices, o, rows=1 << 14):
    """The threads check a row every few thousand words; this makes sure of every trained value
    (in blocks: no full-size temporary)."""
    for m in matrices.values():
        if not all(np.isfinite(m[i:i + rows]).all() for i in range(0, len(m), rows)):
            raise diverged(o)


def prepare(job):
    """The checks made before any reading, in the order a user meets them; returns the
    checkpoint to resume (read once) and the outputs (a resumed run's completed from it)."""
    if job.resume is not None and (job.corpus or job.init_model):
        raise opts.OptionError("--resume continues a saved run: give no CORPUS and no --init-model")
    saved, outputs = None, job.outputs
    if job.resume is not None:
        saved = load_model(job.resume, with_state=True)
        if opts.command_of(saved["options"]) != job.trains:
            raise opts.OptionError(f"--resume {job.resume!r}: the checkpoint is a "
                                   f"`{opts.command_of(saved['options'])}` run; resume it with that command")
        conflict = opts.resume_conflict(saved_options(saved), {**job.options, "read_vocab": job.read_vocab,
                                                               "update_vocab": job.update_vocab})
        if conflict:
            raise opts.OptionError(conflict)
        outputs = outputs.completed_by(saved["options"].get("outputs", {}))
    if job.update_vocab and not job.init_model:
        raise opts.OptionError("--update-vocab needs --init-model DIR")
    if job.command:
        outputs.check_given()
    opts.resolve(job.trains, **job.options)  # bad values fail before any reading
    outputs.check_paths(job.corpus_files())
    if job.tmp_dir is not None and not os.path.isdir(job.tmp_dir):
        raise opts.OptionError(f"--tmp-dir {job.tmp_dir!r} is not a directory")
    if job.checkpoint_every is not None:
        opts.check("checkpoint_every", job.checkpoint_every)
    return saved, outputs


def count_only(job, outputs, world):
    """-save-vocab alone: count the corpus and write its vocabulary, as word2vec.c."""
    o = opts.resolve(job.trains, **job.options)
    d = world.vocabulary(job.corpus, o, job.read_vocab, None, record_ids=False)
    if job.on_vocab is not None:
        job.on_vocab(world.vocabulary_report(d))
    world.lead(outputs.write_vocabulary, d.words(), d.counts())


def run(job, world=None):
    """Train as `job` asks; returns the Model (None for a count-only run).  In a distributed
    run every rank calls it, and every rank returns the whole model."""
    world = world or Solo()
    saved, outputs = world.lead(prepare, job) or (None, job.outputs)
    if outputs.vocabulary_only and job.command:
        count_only(job, outputs, world)
        return None
    log = JsonLog(outputs.log_json) if outputs.log_json and world.rank == 0 else None
    try:
        start = begin(job, world, saved)
        if start.kind.input.documents and start.documents is None:
            start.documents = Documents.of_run(start.dictionary, start.options)
        matrices = start.matrices if start.matrices is not None else make_matrices(start, world)
        outputs.check_classes(len(start.words))
        if job.on_vocab is not None:
            job.on_vocab(world.vocabulary_report(start.dictionary))
        if start.documents is not None and job.inform is not None:
            job.inform(start.documents.summary())
        if start.note is not None and job.inform is not None:
            job.inform(start.note)
        model = train(job, world, start, matrices, outputs, log)
        start.dictionary = None  # the corpus ids are no longer needed: free them before writing
        # outputs only once training succeeded: an interrupted or failed run writes nothing
        o, words, counts, docs = start.options, start.words, start.counts, start.documents
        save = lambda path: save_model(path, words, counts, matrices, o, model.stats, kind=start.kind,
                                       tags=docs.tags if docs is not None else None)
        if docs is None:
            world.lead(outputs.write, words, counts, model.vectors, model.context_vectors(), save)
        else:
            world.lead(outputs.write_documents, docs.tags, model.docvecs.vectors, words, counts,
                       model.vectors, save)
        if log is not None:
            log.summary(model)
    finally:
        if log is not None:
            log.close()
    # only now that the outputs are written: a checkpoint left to resume would train the run again
    for path in {job.checkpoint_dir, job.resume} - {None}:
        world.lead(mark_finished, path, outputs.saved())
    return model


def begin(job, world, saved):
    """The run's start (start.py): its options, vocabulary and corpus ids."""
    world.together(check_isa)
    world.begin(opts.resolve(job.trains, **job.options), job.warn)
    _core.map_large_blocks()  # freed tables go back to the system, not into the run's peak
    storage = IdsStorage.for_run(job.ids_memory, job.tmp_dir)
    if saved is not None:
        return resumed(saved, storage)
    o = opts.resolve(job.trains, **job.options)
    if job.init_model is not None:
        return continued(load_model(job.init_model), job.init_model, job.corpus, o,
                         job.options, job.update_vocab, storage)
    return fresh(job.corpus, o, job.read_vocab, storage, world.vocabulary)


def make_matrices(start, world):
    """The kind's matrices for the vocabulary (and documents), once the memory check has
    passed: fresh, or a saved model's grown to the new vocabulary."""
    o, kind, n_words = start.options, start.kind, len(start.words)
    n_docs = len(start.documents) if start.documents is not None else 0
    world.together(check_memory, kind, n_words, o, world.matrix_copies, n_docs)
    if start.grow_from is None:
        return kind.new_matrices(n_words, o, n_docs)
    return kind.continued_matrices(start.grow_from, n_words, o, n_words != len(start.grow_from["syn0"]))


def corpus_stats(job, start, world):
    """The corpus's counts: a resumed run's from its checkpoint (its dictionary has only ids)."""
    if start.corpus_stats is not None:
        return start.corpus_stats
    d = start.dictionary
    return {"corpus": str(job.corpus), "corpus_tokens": world.total(d.n_tokens),
            "truncated_tokens": world.total(d.n_truncated)}


def train(job, world, start, matrices, outputs, log=None):
    """The trainer over the matrices, run to the end (checkpoints and exchanges on the way),
    reporting to job.progress and `log` (a JsonLog); returns the Model."""
    o, kind, d, words, counts = start.options, start.kind, start.dictionary, start.words, start.counts
    try:
        trainer = kind.trainer(o, matrices, counts, corpus=d, seed=world.seed(o["seed"]),
                               documents=start.documents)
    except TableError as e:
        raise TrainingError(str(e)) from None
    if start.state is not None:
        try:
            trainer.set_state(start.state)
        except (ValueError, KeyError) as e:
            raise TrainingError(f"cannot resume {job.resume!r}: {e}; start the run again without "
                                "--resume") from None

    def save_checkpoint(tr):
        st = tr.state()
        st["n_ids"] = d.n_ids
        st["ids_tag"] = start.ids_tag
        save_model(checkpoint, words, counts, matrices, {**o, "outputs": outputs.saved()},
                   corpus, state=st, id_stream=d.id_stream(), kind=kind,
                   tags=start.documents.tags if start.documents is not None else None,
                   line_doc=start.documents.line_doc if start.documents is not None else None)

    checkpoint, corpus = job.checkpoint_dir, corpus_stats(job, start, world)
    every = opts.default("checkpoint_every") if job.checkpoint_every is None else job.checkpoint_every
    sync, sync_points, scale = world.exchanges(kind, matrices, d, o)
    listeners = [f for f in (job.progress, log) if f is not None]
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    try:
        trainer.run(threads=o["threads"], interval=0.25,
                    progress=reporter(listeners, t0, o["iter"], start.state, scale) if listeners else None,
                    checkpoint=save_checkpoint if checkpoint else None,
                    checkpoint_every=every if checkpoint else None, sync=sync, sync_points=sync_points)
    except _core.TrainingDiverged:
        raise diverged(o) from None
    train_seconds = time.perf_counter() - t0
    world.together(check_finite, matrices, o)
    # a resumed run's speed counts only the words it trained, not those before the checkpoint
    before = start.state["words_done"] if start.state is not None else 0
    trained = world.total(trainer.total_words) - before
    stats = {"vocab_size": len(words), "corpus_tokens": corpus.get("corpus_tokens"),
             "train_words": world.total(d.n_ids), "truncated_tokens": corpus.get("truncated_tokens"),
             "vocab_seconds": start.vocab_seconds, "train_seconds": train_seconds,
             "cpu_seconds": time.process_time() - cpu0, "words": trained,
             "words_per_sec": trained / train_seconds if train_seconds > 0 else 0.0,
             **({"resumed_words": before} if start.state is not None else {}), **world.stats()}
    if start.documents is not None:
        stats.update(documents=len(start.documents), empty_documents=start.documents.empty)
        return ParagraphModel(words, counts, matrices, kind, o, stats, start.documents.tags)
    return Model(words, kind.written_vectors(matrices, o), counts, matrices, kind, o, stats)
