"""Data-parallel training across processes and hosts with MPI (mpi4py).

    mpiexec -n 4 --hostfile hosts w2vfast train corpus.txt -cbow 0 -output vec.bin

Each rank (process) trains its own share of the corpus with its own threads (Hogwild inside the
rank) and the ranks combine their work at synchronisation points:

1. **Shards.** A plain corpus file is cut into equal byte ranges, each moved to the next token
   start (`corpus.shard_range`); with `-train-files` each rank reads its own files (file i goes to
   rank i mod n).
2. **Vocabulary.** Every rank counts its shard; rank 0 adds up the counts and orders the words
   exactly as one process would (count descending, ties by first occurrence, which in rank order
   is corpus order) and sends the result to all.  Each rank then renumbers its ids into it.
3. **Training.** Every rank starts from the same matrices (same seed) and splits its run into
   the same number R of rounds: R = iter x ceil(largest shard / -sync-interval).  After each round
   the ranks exchange their *updates* since the previous synchronisation and every rank applies
   the sum: row = row_at_last_sync + sum over ranks of (row_r - row_at_last_sync).  Summing, not
   averaging, keeps the step of a word that only one rank saw (most words, most of the time) as it
   would be in one process; it is what Hogwild does with more threads, with a bounded delay.
4. **What is exchanged.** Most updates hit the frequent words, so after every round only the
   `-sync-rows` most frequent rows of syn0 and syn1neg (and, for HS, the inner nodes nearest the
   root, which every path crosses) are exchanged: a fixed cost per round.  At the end of every
   epoch all rows are, in blocks, so rare words meet too.  Each rank keeps the matrices as of the
   last exchange to compute its updates: memory is that of one process plus one copy of them.
5. **Learning rate.** Every rank's round k ends at k/R of its own work, so at each synchronisation
   every rank's progress (and learning rate, a function of it) equals the global one.
6. **Failures.** Errors before training (a missing file on one host, an empty shard) are agreed
   on: every rank learns of them and all exit with the same message from rank 0.  A rank that
   fails or dies during training ends the whole job (MPI_Abort, or the launcher's own reaction
   to a dead rank).  Only rank 0 writes outputs, atomically, once all ranks have finished.

The run itself is the one training pipeline (pipeline.py); MpiWorld gives it a rank's hooks.
Nothing here is imported unless the process was started by an MPI launcher (`launched()`).
"""
import os
import time
from types import SimpleNamespace

import numpy as np

from . import _core, options as opts
from .corpus import CorpusError, read_file_list, shard_range
from .vocab import VocabularyError, build_vocabulary, reading, spill_error

# Environment variables MPI launchers set in the processes they start: Open MPI (mpiexec, prterun),
# PMIx-based launchers, MPICH/Hydra and Intel MPI.
LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK", "MPI_LOCALNRANKS")
_BLOCK_ROWS = 1 << 15  # full exchanges go in blocks of rows, so temporaries stay small


class ClusterError(Exception):
    """A distributed run cannot go on; every rank raises it with the same message."""


def launched(environ=os.environ):
    """Whether this process was started by an MPI launcher (then, and only then, mpi4py is used)."""
    return any(v in environ for v in LAUNCHER_VARIABLES)


class Cluster:
    """This process's place among the ranks, and the collective steps of a distributed run."""

    current = None  # the Cluster of this process, once made

    def __init__(self):
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise ClusterError(f"started by an MPI launcher but mpi4py cannot be imported ({e}); "
                               "install it with: pip install 'w2vfast[mpi]'") from None
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.bytes_per_sync = 0   # payload of one round's exchange (one rank's contribution)
        self.bytes_sent = 0       # payload this rank contributed to all exchanges so far
        self.syncs = 0
        self.sync_seconds = 0.0   # time spent in exchanges (waiting for other ranks included)
        Cluster.current = self

    def agree(self, error, kind=None):
        """Collective: if any rank had an error, raise on every rank the first failing rank's
        message (naming the rank), as `kind` (default ClusterError) marked `collective`, so
        that only rank 0 reports it; otherwise return."""
        message = None if error is None else str(error)
        messages = self.comm.allgather(message)
        for rank, m in enumerate(messages):
            if m is not None:
                if kind is None and self.size > 1:
                    m = f"rank {rank}: {m}"
                e = (kind or ClusterError)(m)
                e.collective = True
                raise e

    def abort(self, code):
        """End every rank of the job now (after an error this rank cannot share)."""
        self.comm.Abort(code)

    # -- the corpus ----------------------------------------------------------------------------

    def shard(self, corpus, train_files):
        """This rank's sources (see vocab.sources)."""
        if train_files is not None:
            files = read_file_list(train_files)
            if len(files) < self.size:
                raise CorpusError(f"-train-files names {len(files)} files for {self.size} processes; "
                                  "give at least one file per process (or one plain corpus file, "
                                  "which is split)")
            mine = files[self.rank::self.size]
            for f in mine:
                if not os.path.isfile(f):
                    raise CorpusError(f"corpus file {f!r} not found on host {_host()}")
            return mine
        if corpus == "-":
            raise CorpusError("a distributed run cannot read standard input: give a corpus file, "
                              "or shards with -train-files @LIST")
        return [(corpus, shard_range(corpus, self.rank, self.size))]

    def vocabulary(self, shard, o, read_vocab=None, storage=None):
        """Count the shard, agree on one vocabulary (identical on every rank, ordered as one
        process would order it) and return this rank's corpus in it: a finalized Dictionary."""
        d, error = None, None
        try:
            if read_vocab is not None:  # the same file on every rank: the same vocabulary
                d = build_vocabulary(shard, min_count=o["min_count"], read_vocab=read_vocab,
                                     storage=storage, **reading(o))
            else:
                d = build_vocabulary(shard, max_vocab=o["max_vocab"], storage=storage, finalize=False,
                                     **reading(o))
        except (CorpusError, VocabularyError) as e:
            error = e
        self.agree(error)
        if read_vocab is not None:
            return d
        # words with counts and first-occurrence order, from every rank to rank 0
        local = (b" ".join(d.words()), d.counts())
        gathered = self.comm.gather(local, root=0)
        merged, error = None, None
        if self.rank == 0:
            try:
                merged = _merge_counts(gathered, o["min_count"])
            except VocabularyError as e:
                error = e
        merged, error = self.comm.bcast((merged, error and str(error)), root=0)
        self.agree(error)
        words = merged[0].split(b" ")
        counts = merged[1]
        index = {w: i for i, w in enumerate(words)}
        remap = np.array([index.get(w, 0xFFFFFFFF) for w in d.words()], dtype=np.uint32)
        try:
            mine = _core.Dictionary.from_shard(words, counts, d, remap, storage=storage)
        except _core.SpillError as e:
            error = spill_error(e)
        else:
            error = None
        del d
        self.agree(error)
        return mine

    # -- training ------------------------------------------------------------------------------

    def plan(self, n_ids, o, sync_interval):
        """Rounds per epoch (the same on every rank) for shards of n_ids words."""
        largest = self.comm.allreduce(n_ids, op=self.MPI.MAX)
        if sync_interval <= 0:
            return 1
        return max(1, -(-largest // sync_interval))

    def exchange(self, matrices, reference, kind, V, hot_rows, full):
        """Sum every rank's updates since the last exchange into every rank's matrices: all
        rows at a full exchange, else each matrix's `hot_rows` most updated (kinds.py)."""
        t0 = time.perf_counter()
        sent = 0
        for name, m in matrices.items():
            ref = reference[name]
            if full:
                ranges = [(i, min(i + _BLOCK_ROWS, len(m))) for i in range(0, len(m), _BLOCK_ROWS)]
            else:
                ranges = [kind.hot_rows(name, V, hot_rows)]
            for lo, hi in ranges:
                if hi <= lo:
                    continue
                delta = m[lo:hi] - ref[lo:hi]
                self.comm.Allreduce(self.MPI.IN_PLACE, delta, op=self.MPI.SUM)
                delta += ref[lo:hi]
                m[lo:hi] = delta
                ref[lo:hi] = delta
                sent += delta.nbytes
        self.bytes_sent += sent
        self.syncs += 1
        if not full:
            self.bytes_per_sync = sent
        self.sync_seconds += time.perf_counter() - t0
        return sent


def _host():
    import socket
    return socket.gethostname()


def _merge_counts(gathered, min_count):
    """One vocabulary from every rank's (words, counts) in first-occurrence order: counts added,
    words under min_count dropped, </s> first, then count descending, ties by first occurrence
    (rank, then position), as one process reading the shards in rank order would order them.
    Returns (words joined by spaces, counts)."""
    total, first = {}, {}
    for rank, (joined, counts) in enumerate(gathered):
        words = joined.split(b" ")
        for pos, (w, c) in enumerate(zip(words, counts.tolist())):
            if w in total:
                total[w] += c
            else:
                total[w] = c
                first[w] = (rank, pos)
    eos = b"</s>"
    if sum(total.values()) == 0 or all(w == eos for w, c in total.items() if c):
        raise VocabularyError("the corpus has no words")
    kept = [w for w, c in total.items() if w != eos and c >= min_count]
    if not kept:
        raise VocabularyError(f"empty vocabulary: no word occurs {min_count} times in the corpus; "
                              "try a smaller -min-count")
    kept.sort(key=lambda w: (-total[w], first[w]))
    words = [eos] + kept
    return b" ".join(words), np.array([total[w] for w in words], dtype=np.uint64)


def _rank_seed(seed, rank):
    """Each rank's threads draw their own random numbers (noise words, subsampling, windows)."""
    return (seed + rank * 0x9E3779B97F4A7C15) % (1 << 64)


class MpiWorld:
    """The pipeline's World hooks (pipeline.Solo) for one rank of a distributed run: the corpus
    shared out, one vocabulary agreed on, errors shared by every rank, a seed per rank, the
    exchanges of the updates, the job's totals, and rank 0 writing.  `train_files`: the
    -train-files spec (file i goes to rank i mod n), else the corpus file is split;
    `sync_interval`, `sync_rows`: see the module's docstring."""
    matrix_copies = 2  # the matrices and their copy as of the last exchange

    def __init__(self, cluster, train_files=None, sync_interval=None, sync_rows=None):
        self.cluster = cluster
        self.rank, self.ranks = cluster.rank, cluster.size
        self.train_files = train_files
        self.sync_interval = opts.default("sync_interval") if sync_interval is None else sync_interval
        self.sync_rows = opts.default("sync_rows") if sync_rows is None else sync_rows
        self.rounds = 0
        self.global_ids = 0

    def together(self, step, *args):
        error, result = None, None
        try:
            result = step(*args)
        except Exception as e:  # noqa: BLE001 - shared with the other ranks, then raised on each
            error = e
        self.cluster.agree(error)
        return result

    def lead(self, step, *args):
        error, result = None, None
        if self.rank == 0:
            try:
                result = step(*args)
            except Exception as e:  # noqa: BLE001 - shared with the other ranks, then raised on each
                error = e
        self.cluster.agree(error, kind=type(error) if error is not None else None)
        return result

    def begin(self, o, warn):
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = o["threads"]
        fewest = self.cluster.comm.allreduce(cpus, op=self.cluster.MPI.MIN)
        if fewest < o["threads"] and self.rank == 0 and warn is not None:
            # Open MPI binds each rank to one core unless told otherwise
            warn(f"warning: a rank may run on only {fewest} CPU(s) but has -threads {o['threads']}: "
                 "the launcher bound it; start with `mpiexec --bind-to none` "
                 f"(or `--map-by slot:PE={o['threads']}`)")

    def vocabulary(self, corpus, o, read_vocab, storage, record_ids=True):
        error, shard = None, None
        try:
            shard = self.cluster.shard(corpus, self.train_files)
        except CorpusError as e:
            error = e
        self.cluster.agree(error)
        d = self.cluster.vocabulary(shard, o, read_vocab=read_vocab, storage=storage)
        error = None
        if d.n_ids == 0:
            error = VocabularyError("nothing to train on: no word of this rank's share of the corpus "
                                    "is in the vocabulary; use fewer processes or a larger corpus")
        self.cluster.agree(error)
        self.global_ids = self.total(d.n_ids)
        return d

    def vocabulary_report(self, d):
        """What one process would report, for the whole corpus."""
        return SimpleNamespace(n_words=d.n_words, n_ids=self.global_ids, spilled=self.total(int(d.spilled)) > 0,
                               ids_bytes=self.total(d.ids_bytes), spill_dir=d.spill_dir)

    def seed(self, seed):
        return _rank_seed(seed, self.rank)

    def exchanges(self, kind, matrices, d, o):
        if self.ranks == 1:  # one rank: nothing to exchange
            return None, 0, None
        reference = {k: v.copy() for k, v in matrices.items()}
        per_epoch = self.cluster.plan(d.n_ids, o, self.sync_interval)
        self.rounds = per_epoch * o["iter"]
        n_words = len(matrices["syn0"])
        total = self.global_ids * o["iter"]

        def sync(trainer, k):
            self.cluster.exchange(matrices, reference, kind, n_words, self.sync_rows, full=k % per_epoch == 0)

        def scale(st):
            # every rank is at the same fraction of its work at each exchange: this rank's
            # fraction times the global total is the global count (exact there, close between)
            fraction = st["words"] / st["total"] if st["total"] else 1.0
            return fraction * total, total

        return sync, self.rounds, scale

    def total(self, value):
        return self.cluster.comm.allreduce(value)

    def stats(self):
        c = self.cluster
        return {"ranks": self.ranks, "rounds": self.rounds, "syncs": c.syncs,
                "sync_interval": self.sync_interval, "sync_rows": self.sync_rows,
                "bytes_per_sync": c.bytes_per_sync, "bytes_sent": c.bytes_sent,
                "sync_seconds": c.sync_seconds}
