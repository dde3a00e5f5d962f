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

Nothing here is imported unless the process was started by an MPI launcher (`launched()`).
"""
import os
import time
from types import SimpleNamespace

import numpy as np

from . import _core, api, options as opts
from .corpus import CorpusError, read_file_list, shard_range
from .vocab import VocabularyError, build_vocabulary, sources, spill_error

# Environment variables MPI launchers set in the processes they start: Open MPI (mpiexec, prterun),
# PMIx-based launchers, MPICH/Hydra and Intel MPI.
LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK", "MPI_LOCALNRANKS")

SYNC_DEFAULTS = {"sync_interval": 100_000, "sync_rows": 16384}  # measured: BENCHMARKS.md
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

    def vocabulary(self, shard, o, read_vocab=None, ids_memory=None, tmp_dir=None, heap_limit=None):
        """Count the shard, agree on one vocabulary (identical on every rank, ordered as one
        process would order it) and return this rank's corpus in it: a finalized Dictionary."""
        d, error = None, None
        try:
            if read_vocab is not None:  # the same file on every rank: the same vocabulary
                d = build_vocabulary(shard, min_count=o["min_count"], read_vocab=read_vocab,
                                     ids_memory=ids_memory, ids_heap_limit=heap_limit, tmp_dir=tmp_dir)
            else:
                d = build_vocabulary(shard, max_vocab=o["max_vocab"], ids_memory=ids_memory,
                                     ids_heap_limit=heap_limit, tmp_dir=tmp_dir, finalize=False)
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
            mine = _core.Dictionary.from_shard(words, counts, d, remap, spill_above=ids_memory,
                                               spill_dir=tmp_dir, heap_limit=heap_limit)
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

    def exchange(self, matrices, reference, V, hot_rows, full):
        """Sum every rank's updates since the last exchange into every rank's matrices."""
        t0 = time.perf_counter()
        sent = 0
        for name, m in matrices.items():
            ref = reference[name]
            if full:
                ranges = [(i, min(i + _BLOCK_ROWS, len(m))) for i in range(0, len(m), _BLOCK_ROWS)]
            elif name == "syn1":  # inner nodes: the root is row V - 2, its neighbours just below
                ranges = [(max(V - 1 - hot_rows, 0), max(V - 1, 0))]
            else:
                ranges = [(0, min(hot_rows, len(m)))]
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


def train(cluster, corpus=None, *, train_files=None, output=None, binary=False, save_vocab=None,
          read_vocab=None, save_context=None, save_model=None, progress=None, on_vocab=None,
          ids_memory=None, tmp_dir=None, sync_interval=None, sync_rows=None, warn=None, **options):
    """api.train for one rank of a distributed run: every rank calls it; rank 0 writes the outputs
    and its return value has the whole model (other ranks return it too, identical).

    `sync_interval`: words of each rank between exchanges (0: only at epoch ends); `sync_rows`:
    frequent rows exchanged after every round.  `progress(info)` sees global figures;
    `warn(message)` is told (on rank 0) when a rank has fewer CPUs than threads."""
    from .vocab import save_vocab_file
    error = None
    try:
        api.check_isa()
    except api.TrainingError as e:
        error = e
    cluster.agree(error)
    _core.map_large_blocks()  # as api.train
    start = time.perf_counter()
    o = opts.resolve(**options)
    sync_interval = SYNC_DEFAULTS["sync_interval"] if sync_interval is None else sync_interval
    sync_rows = SYNC_DEFAULTS["sync_rows"] if sync_rows is None else sync_rows
    ids_memory, heap_limit = api.ids_limits(ids_memory)

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = o["threads"]
    fewest = cluster.comm.allreduce(cpus, op=cluster.MPI.MIN)
    if fewest < o["threads"] and cluster.rank == 0 and warn is not None:
        # Open MPI binds each rank to one core unless told otherwise
        warn(f"warning: a rank may run on only {fewest} CPU(s) but has -threads {o['threads']}: "
             "the launcher bound it; start with `mpiexec --bind-to none` "
             f"(or `--map-by slot:PE={o['threads']}`)")

    error, shard = None, None
    try:
        shard = cluster.shard(corpus, train_files)
    except CorpusError as e:
        error = e
    cluster.agree(error)
    d = cluster.vocabulary(shard, o, read_vocab=read_vocab, ids_memory=ids_memory, tmp_dir=tmp_dir,
                           heap_limit=heap_limit)
    words, counts = d.words(), d.counts()
    error = None
    if d.n_ids == 0:
        error = VocabularyError(f"nothing to train on: no word of this rank's share of the corpus "
                                "is in the vocabulary; use fewer processes or a larger corpus")
    else:
        try:
            api._check_memory(2 * len(words), o)  # the matrices and their copy as of the last sync
        except api.TrainingError as e:
            error = e
    cluster.agree(error)
    vocab_seconds = time.perf_counter() - start
    global_ids = cluster.comm.allreduce(d.n_ids)
    spilled = cluster.comm.allreduce(int(d.spilled))
    ids_bytes = cluster.comm.allreduce(d.ids_bytes)
    if on_vocab is not None:  # what one process would report, for the whole corpus
        on_vocab(SimpleNamespace(n_words=d.n_words, n_ids=global_ids, spilled=spilled > 0,
                                 ids_bytes=ids_bytes, spill_dir=d.spill_dir))
    if output is None and save_context is None and save_model is None:  # -save-vocab alone
        error = None
        if cluster.rank == 0:
            try:
                save_vocab_file(save_vocab, words, counts)
            except Exception as e:  # noqa: BLE001 - shared with the other ranks, then re-raised
                error = e
        cluster.agree(error, kind=type(error) if error is not None else None)
        return None

    matrices = api._new_matrices(len(words), o)  # the same seed: the same start on every rank
    syn0, syn1, syn1neg = matrices["syn0"], matrices["syn1"], matrices["syn1neg"]
    trained = {k: v for k, v in matrices.items() if v is not None}
    reference = {k: v.copy() for k, v in trained.items()}
    trainer = _core.Trainer({**o, "seed": _rank_seed(o["seed"], cluster.rank)}, syn0, syn1, syn1neg,
                            corpus=d, **api._tables(counts, o))
    per_epoch = cluster.plan(d.n_ids, o, sync_interval)
    rounds = per_epoch * o["iter"] if cluster.size > 1 else 0  # one rank: nothing to exchange
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    def global_counts(st):
        # every rank is at the same fraction of its work at each exchange: this rank's
        # fraction times the global total is the global count (exact there, close between)
        fraction = st["words"] / st["total"] if st["total"] else 1.0
        return fraction * global_ids * o["iter"], global_ids * o["iter"]

    report = api.progress_reporter(progress, t0, scale=global_counts)

    def sync(tr, k):
        cluster.exchange(trained, reference, len(words), sync_rows, full=k % per_epoch == 0)

    try:
        trainer.run(threads=o["threads"], progress=report, interval=0.25,
                    sync=sync if rounds else None, sync_points=rounds)
    except _core.TrainingDiverged:
        raise api.TrainingError(
            f"training diverged (NaN or infinity in the vectors) at -alpha {o['alpha']}; "
            "use a smaller -alpha") from None
    train_seconds = time.perf_counter() - t0
    del reference
    error = None
    if not all(api._all_finite(m) for m in trained.values()):
        error = api.TrainingError(f"training diverged (NaN or infinity in the vectors) at -alpha "
                                  f"{o['alpha']}; use a smaller -alpha")
    cluster.agree(error)

    vectors = api._written_vectors(matrices, o)
    total_words = cluster.comm.allreduce(trainer.total_words)
    n_tokens = cluster.comm.allreduce(d.n_tokens)
    stats = {"vocab_size": len(words), "corpus_tokens": n_tokens, "train_words": global_ids,
             "truncated_tokens": cluster.comm.allreduce(d.n_truncated),
             "vocab_seconds": vocab_seconds, "train_seconds": train_seconds,
             "cpu_seconds": time.process_time() - cpu0,
             "words_per_sec": total_words / train_seconds if train_seconds > 0 else 0.0,
             "ranks": cluster.size, "rounds": rounds, "syncs": cluster.syncs,
             "sync_interval": sync_interval, "sync_rows": sync_rows,
             "bytes_per_sync": cluster.bytes_per_sync, "bytes_sent": cluster.bytes_sent,
             "sync_seconds": cluster.sync_seconds}
    del trainer, d
    model = api.Model(words, vectors, counts, syn0, syn1neg, syn1, o, stats)
    error = None
    if cluster.rank == 0:  # outputs only once every rank has finished, and only from rank 0
        try:
            api.write_outputs(model, matrices, output=output, binary=binary, save_vocab=save_vocab,
                              save_context=save_context, save_model=save_model)
        except Exception as e:  # noqa: BLE001 - shared with the other ranks, then re-raised
            error = e
    cluster.agree(error, kind=type(error) if error is not None else None)
    return model
