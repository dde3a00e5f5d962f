"""The Python API: `train` a model from a corpus, `load` vectors, and the `Vectors` class."""
import os
import time
import uuid

import numpy as np

from . import _core, options as opts
from .formats import read_vectors, write_vectors
from .vectors import Model, Vectors
from .vocab import build_vocabulary, save_vocab_file, spill_error


def load(path, binary=None, limit=None):
    """Read a word2vec text or binary file (also gensim and fastText .vec variants)."""
    words, vectors = read_vectors(path, binary=binary, limit=limit)
    return Vectors(words, vectors)


def memory_needed(n_words, options):
    """Bytes of the parameter matrices of a run: syn0 plus one output matrix per loss, plus the
    copy that `-vectors sum` or `concat` writes."""
    n_matrices = 1 + (options["negative"] > 0) + (options["hs"] > 0)
    n_matrices += {"in": 0, "sum": 1, "concat": 2}.get(options.get("vectors", "in"), 0)
    return n_words * options["size"] * 4 * n_matrices


def _own_cgroups():
    """(mount, path) of this process's cgroups that can limit memory: the v2 one, the v1
    memory one, from /proc/self/cgroup (in a container's namespace, usually "/")."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return [("/sys/fs/cgroup", "/"), ("/sys/fs/cgroup/memory", "/")]
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            found.append(("/sys/fs/cgroup", path))
        elif "memory" in controllers.split(","):
            found.append(("/sys/fs/cgroup/memory", path))
    return found


def _cgroup_memory_left():
    """Bytes the memory cgroups (v2, v1) still allow this process, or None: the least over its
    cgroup and that cgroup's ancestors, each of whose limits applies.  File cache charged to a
    cgroup counts as free: the kernel reclaims it before failing an allocation."""
    names = {"/sys/fs/cgroup": ("memory.max", "memory.current", "file"),
             "/sys/fs/cgroup/memory": ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_cache")}
    left = []
    for mount, path in _own_cgroups():
        limit_name, usage_name, cache_key = names[mount]
        parts = [p for p in path.split("/") if p]
        for depth in range(len(parts), -1, -1):
            directory = os.path.join(mount, *parts[:depth])
            try:
                with open(os.path.join(directory, limit_name)) as f:
                    limit = f.read().strip()
                with open(os.path.join(directory, usage_name)) as f:
                    usage = int(f.read().strip())
            except (OSError, ValueError):
                continue
            if not limit.isdigit() or int(limit) >= 1 << 60:  # "max" or a huge number: no limit
                continue
            cache = 0
            try:
                with open(os.path.join(directory, "memory.stat")) as f:
                    for line in f:
                        key, _, value = line.partition(" ")
                        if key == cache_key:
                            cache = int(value)
                            break
            except (OSError, ValueError):
                pass
            left.append(max(int(limit) - max(usage - cache, 0), 0))
    return min(left) if left else None


def _address_space_left():
    """Bytes the address-space limit (`ulimit -v`) still allows this process, or None."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        return max(soft - used, 0)
    except (ImportError, OSError, ValueError, AttributeError):
        return None


def available_memory():
    """Bytes a new allocation may take: the least of the free memory (MemAvailable), what the
    memory cgroup still allows (containers) and what `ulimit -v` still allows; None if unknown."""
    found = [_cgroup_memory_left(), _address_space_left()]
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
                    break
    except OSError:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            pass
    found = [x for x in found if x is not None]
    return min(found) if found else None


class TrainingError(Exception):
    """Training could not run or finish; the message says why and what to try."""


def huffman_codes(counts):
    """Huffman codes for words in any order: the tree is built on the counts sorted descending
    (word2vec.c's construction assumes that order; the sentence end </s>, first whatever its
    count, would otherwise get a place its count does not earn), then mapped back to the words."""
    counts = np.asarray(counts, dtype=np.uint64)
    order = np.argsort(-counts.astype(np.float64), kind="stable")
    offset, codes, points = _core.huffman(np.ascontiguousarray(counts[order]))
    if (order == np.arange(len(counts))).all():
        return offset, codes, points
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))  # word w's path is the sorted table's path rank[w]
    lengths = np.diff(offset.astype(np.int64))[rank]
    new_offset = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_offset[1:])
    src = np.repeat(offset[:-1].astype(np.int64)[rank] - new_offset[:-1], lengths) + np.arange(new_offset[-1])
    return new_offset.astype(np.uint32), codes[src], points[src]


def _check_memory(n_words, o):
    """Refuse, before the matrices are allocated, a model that cannot fit in memory."""
    need = memory_needed(n_words, o)
    avail = available_memory()
    if avail is not None and need > avail:
        raise TrainingError(
            f"the model needs {_gib(need)} ({n_words} words x {o['size']} dims x "
            f"{need // (n_words * o['size'] * 4)} matrices of float32) but only {_gib(avail)} "
            "is available; use a smaller -size, a larger -min-count or -max-vocab")


def _all_finite(m, rows=1 << 14):
    """Whether a matrix holds no NaN or infinity (checked in blocks: no full-size temporary)."""
    return all(np.isfinite(m[i:i + rows]).all() for i in range(0, len(m), rows))


def _gib(n):
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 / 10 else f"{n / 2**20:.1f} MiB"


def _tables(counts, o):
    """The sampling tables training needs, all derived from the counts and options."""
    noise = None
    if o["negative"]:
        weights = counts.astype(np.float64) ** o["ns_exponent"]
        weights[0] = 0.0  # never draw the sentence end as a noise word
        if not np.any(weights > 0):
            raise TrainingError("negative sampling needs at least one word besides </s>")
        noise = _core.alias_table(weights)
    huffman = huffman_codes(counts) if o["hs"] else None
    keep = _core.keep_thresholds(counts, o["sample"]) if o["sample"] > 0 else None
    return {"noise": noise, "huffman": huffman, "keep": keep}


# Matrices from this size on go on huge pages (measured, BENCHMARKS.md: 1.13 x faster with 200 MB
# matrices; about 1 % with 27 MB ones, where 2 MiB pages also make the rows training never
# touches resident, +19 MB of RSS, so smaller matrices keep 4 KiB pages).
HUGE_PAGE_MIN_BYTES = 64 << 20


def parameter_matrix(rows, dim):
    """A zeroed rows x dim float32 matrix for training; a large one on transparent huge pages
    where the kernel offers them (`madvise` mode, the common default, gives them only to memory
    that asks).  Training reads rows at random: with 4 KiB pages nearly every row is a TLB miss
    once the matrix is far beyond the TLB's reach; 2 MiB pages cover it."""
    size = rows * dim * 4
    if size < HUGE_PAGE_MIN_BYTES:
        return np.zeros((rows, dim), dtype=np.float32)
    import mmap
    # private (a shared anonymous mapping is shmem, which THP leaves alone), anonymous, zeroed;
    # Linux aligns mappings this large to 2 MiB
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        try:
            buf.madvise(mmap.MADV_HUGEPAGE)
        except OSError:
            pass  # no THP in this kernel: ordinary pages
    return np.frombuffer(buf, dtype=np.float32).reshape(rows, dim)


def _new_matrices(V, o):
    D = o["size"]
    return {"syn0": _core.init_uniform(V, D, o["seed"], out=parameter_matrix(V, D)),
            "syn1neg": parameter_matrix(V, D) if o["negative"] else None,
            "syn1": parameter_matrix(V, D) if o["hs"] else None}


def _continued_matrices(saved, V_old, V, o, same_tree):
    """A saved model's matrices grown to V rows (new words initialised as a new model's) for
    continued training; an output matrix the model lacks starts at zero."""
    fresh = _new_matrices(V, o)
    m = {}
    for name in ("syn0", "syn1neg", "syn1"):
        if fresh[name] is None:
            m[name] = None
            continue
        old = saved["matrices"].get(name)
        if name == "syn1" and not same_tree:
            old = None  # a new Huffman tree: the old inner-node vectors belong to other nodes
        if old is not None:
            fresh[name][:V_old] = old
        m[name] = fresh[name]
    return m


def progress_reporter(progress, t0, state=None, scale=None):
    """The callback Trainer.run calls a few times a second: it turns the trainer's counters into
    the dict `progress(info)` expects (words, total, alpha, elapsed, loss, words_per_sec,
    per_thread), where loss is the mean loss per example since the previous report.  `state`:
    the checkpoint a resumed run started from (its words are not this run's speed); `scale`:
    st -> (words, total), the whole job's counts of a distributed run."""
    last = {"loss": 0.0, "examples": 0, "avg": float("nan")}
    if state is not None:
        last["loss"] = sum(t["loss"] for t in state["threads"])
        last["examples"] = sum(t["examples"] for t in state["threads"])

    def report(st):
        if progress is None:
            return
        elapsed = time.perf_counter() - t0
        # the loss since the previous report, per example: the running loss of the current model
        d_examples = st["examples"] - last["examples"]
        if d_examples > 0:
            last["avg"] = (st["loss"] - last["loss"]) / d_examples
            last["loss"], last["examples"] = st["loss"], st["examples"]
        words, total = (st["words"], st["total"]) if scale is None else scale(st)
        done = words - (state["words_done"] if state else 0)
        progress({"words": words, "total": total, "alpha": st["alpha"],
                  "elapsed": elapsed, "loss": last["avg"],
                  "words_per_sec": done / elapsed if elapsed > 0 else 0.0,
                  "per_thread": [w / elapsed if elapsed > 0 else 0.0 for w in st["per_thread"]]})
    return report


def _merged_vocabulary(corpus, saved, o, max_vocab):
    """--update-vocab: the saved words (rows unchanged, counts plus the new corpus's), then the
    new corpus's words that reach min_count, by count.  Returns (words, counts)."""
    new = build_vocabulary(corpus, min_count=o["min_count"], max_vocab=max_vocab, record_ids=False,
                           threads=o["threads"])
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


def default_ids_memory():
    """How large the corpus id stream may grow in memory before it moves to a temporary file:
    a quarter of the memory available at start (at least 64 MiB; 1 GiB if that is unknown).
    The rest is left to the matrices, the page cache and the rest of the machine."""
    left = available_memory()
    return 1 << 30 if left is None else max(left // 4, 64 << 20)


def check_isa():
    """A W2VFAST_ISA the CPU cannot run is an error before any work, not a traceback later."""
    wanted, runs = os.environ.get("W2VFAST_ISA"), _core.available_isas()
    if wanted and wanted not in runs:
        raise TrainingError(f"W2VFAST_ISA={wanted!r}: this CPU runs the {', '.join(runs)} training "
                            "loops; unset it or name one of those")


def ids_limits(ids_memory=None):
    """(bytes of ids kept in memory before the temporary file, bytes they may take in memory
    when no file can be made) for a training run's `ids_memory` option.

    By default (None) the ids stream from an unlinked temporary file through the page cache
    from the start, as word2vec.c's text streams from disk every epoch: the run holds only the
    pages around its read positions (csrc/bytebuf.h), and the kernel keeps the rest cached or
    drops it as memory requires.  Where no file can be made, they stay in memory up to
    `default_ids_memory()` (Dictionary.spill_fallback says why).  A given size is a plain
    limit: in memory up to it, then the file (which must then work)."""
    if ids_memory is None:
        return 0, default_ids_memory()
    return ids_memory, ids_memory


def _spool_stdin(tmp_dir=None):
    """Standard input copied to a temporary file (removed at exit) so it can be read twice."""
    import atexit
    import shutil
    import sys
    import tempfile
    f = tempfile.NamedTemporaryFile(prefix="w2vfast-stdin-", delete=False, dir=tmp_dir)
    atexit.register(lambda: os.path.exists(f.name) and os.unlink(f.name))
    with f:
        shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
    return f.name


def load_model(path):
    """A Model from a directory written by `--save-model` (or a checkpoint)."""
    from .model_io import load_model as _load
    saved = _load(path)
    o = opts.resolve(**{k: v for k, v in saved["options"].items() if k in opts.DEFAULTS})
    m = saved["matrices"]
    return Model(saved["words"], _written_vectors(m, o), saved["counts"], m["syn0"], m.get("syn1neg"),
                 m.get("syn1"), o, saved["stats"])


def _written_vectors(m, o):
    if o["vectors"] == "in":
        return m["syn0"]
    out = m["syn1neg"] if m.get("syn1neg") is not None else m["syn1"]
    return m["syn0"] + out if o["vectors"] == "sum" else np.hstack([m["syn0"], out])


def train(corpus=None, *, output=None, binary=False, save_vocab=None, read_vocab=None,
          save_context=None, save_model=None, checkpoint=None, checkpoint_every=None,
          resume=None, init_model=None, update_vocab=False, progress=None, on_vocab=None,
          ids_memory=None, tmp_dir=None, **options):
    """Train word2vec on `corpus` (a path, or "-" for standard input) and return a Model.

    Options are word2vec's flags with underscores: size, window, sample, hs, negative,
    ns_exponent, threads, iter, min_count, max_vocab, alpha, cbow, cbow_mean,
    max_sentence_length, seed, batch, vectors ("in", "sum" or "concat").  `output` and
    `save_context` write vector files (atomically), `save_vocab` the counts, `save_model` a model
    directory (model_io).  `checkpoint` (a directory) is written every `checkpoint_every` seconds
    and on interruption; `resume` continues from one (its options and corpus; `corpus` is then
    not needed).  `init_model` continues training a saved model on `corpus`; with
    `update_vocab` new words reaching min_count get rows.  `progress(info)` is called a few times
    a second with a dict (words, total, alpha, loss, words_per_sec, per_thread, elapsed);
    `on_vocab(dictionary)` once the vocabulary is built.  The corpus, read once, is kept as word
    ids in an unlinked temporary file in `tmp_dir` (default $TMPDIR or /tmp) read through the page
    cache, or with `ids_memory` in memory up to that many bytes and the file beyond (see
    `ids_limits`), so corpora larger than memory train too; nothing is left behind in
    `tmp_dir`, whatever way the run ends.
    """
    from .model_io import load_model as _load, save_model as _save
    check_isa()
    _core.map_large_blocks()  # freed tables go back to the system, not into the run's peak
    start = time.perf_counter()
    state = None
    ids_memory, heap_limit = ids_limits(ids_memory)
    if tmp_dir is not None and not os.path.isdir(tmp_dir):
        raise TrainingError(f"temporary directory {tmp_dir!r} does not exist; create it or "
                            "choose another with --tmp-dir")
    spill = {"ids_memory": ids_memory, "ids_heap_limit": heap_limit, "tmp_dir": tmp_dir}
    ids_tag = None
    if resume is not None:
        saved = _load(resume, with_state=True)
        o = opts.resolve(**{k: v for k, v in saved["options"].items() if k in opts.DEFAULTS})
        if options.get("threads") not in (None, o["threads"]):
            raise TrainingError(f"the checkpoint {resume!r} was made with -threads {o['threads']}; "
                                "resume with the same number of threads")
        words, counts = saved["words"], saved["counts"]
        try:
            d = _core.Dictionary.restore(words, counts, saved["id_stream"], saved["state"]["n_ids"],
                                         spill_above=ids_memory, spill_dir=tmp_dir,
                                         heap_limit=heap_limit)
        except _core.SpillError as e:
            raise spill_error(e) from None
        matrices = saved["matrices"]
        state = saved["state"]
        ids_tag = state.get("ids_tag")
    else:
        o = opts.resolve(**options)
        if corpus is None:
            raise TypeError("train() needs a corpus (or resume=)")
        if init_model is not None:
            saved = _load(init_model)
            D = saved["matrices"]["syn0"].shape[1]
            if options.get("size") not in (None, D):
                raise opts.OptionError(f"invalid -size {options['size']}: the model {init_model!r} "
                                       f"has {D} dimensions")
            o["size"] = D
            known = (saved["words"], saved["counts"])
            if update_vocab:
                if corpus == "-":
                    corpus = _spool_stdin(tmp_dir)  # read twice: count, then map to the merged rows
                known = _merged_vocabulary(corpus, saved, o, o["max_vocab"])
            d = build_vocabulary(corpus, known=known, **spill)
            words, counts = d.words(), d.counts()
            same_tree = len(words) == len(saved["words"])
            _check_memory(len(words), o)
            matrices = _continued_matrices(saved, len(saved["words"]), len(words), o, same_tree)
        else:
            d = build_vocabulary(corpus, min_count=o["min_count"], max_vocab=o["max_vocab"],
                                 read_vocab=read_vocab, threads=o["threads"], **spill)
            words, counts = d.words(), d.counts()
            _check_memory(len(words), o)
            matrices = _new_matrices(len(words), o)
    vocab_seconds = time.perf_counter() - start
    if ids_tag is None:  # names this id stream, so later checkpoints can link rather than copy it
        ids_tag = uuid.uuid4().hex
    if on_vocab is not None:
        on_vocab(d)

    syn0, syn1, syn1neg = matrices["syn0"], matrices.get("syn1"), matrices.get("syn1neg")
    trainer = _core.Trainer(o, syn0, syn1, syn1neg, corpus=d, **_tables(counts, o))
    if state is not None:
        try:
            trainer.set_state(state)
        except (ValueError, KeyError) as e:
            raise TrainingError(f"cannot resume {resume!r}: {e}; start the run again without "
                                "--resume") from None
    outputs = {"output": output, "binary": binary, "save_vocab": save_vocab,
               "save_context": save_context, "save_model": save_model}
    t0 = time.perf_counter()
    cpu0 = time.process_time()

    def save_checkpoint(tr):
        st = tr.state()
        st["n_ids"] = d.n_ids
        st["ids_tag"] = ids_tag
        _save(checkpoint, words, counts, matrices, {**o, "outputs": outputs},
              {"corpus": str(corpus)}, state=st, id_stream=d.id_stream())

    report = progress_reporter(progress, t0, state)

    try:
        trainer.run(threads=o["threads"], progress=report, interval=0.25,
                    checkpoint=save_checkpoint if checkpoint else None,
                    checkpoint_every=checkpoint_every if checkpoint else None)
    except _core.TrainingDiverged:
        raise TrainingError(
            f"training diverged (NaN or infinity in the vectors) at -alpha {o['alpha']}; "
            "use a smaller -alpha") from None
    train_seconds = time.perf_counter() - t0
    # the threads check a row every few thousand words; this makes sure of every trained value
    if not all(m is None or _all_finite(m) for m in (syn0, syn1neg, syn1)):
        raise TrainingError(f"training diverged (NaN or infinity in the vectors) at -alpha "
                            f"{o['alpha']}; use a smaller -alpha")

    vectors = _written_vectors(matrices, o)
    stats = {"vocab_size": len(words), "corpus_tokens": d.n_tokens, "train_words": d.n_ids,
             "truncated_tokens": d.n_truncated, "vocab_seconds": vocab_seconds,
             "train_seconds": train_seconds, "cpu_seconds": time.process_time() - cpu0,
             "words_per_sec": trainer.total_words / train_seconds if train_seconds > 0 else 0.0}
    del trainer, d  # the corpus ids are no longer needed: free them before writing
    model = Model(words, vectors, counts, syn0, syn1neg, syn1, o, stats)
    # outputs only once training succeeded: an interrupted or failed run writes nothing
    write_outputs(model, matrices, output=output, binary=binary, save_vocab=save_vocab,
                  save_context=save_context, save_model=save_model)
    return model


def write_outputs(model, matrices, *, output=None, binary=False, save_vocab=None, save_context=None,
                  save_model=None):
    """Write a trained model's files (each atomically): the vocabulary, the vectors, the context
    vectors and the model directory, those that are asked for."""
    from .model_io import save_model as _save
    words, counts = model._words, model.counts
    if save_vocab is not None:
        save_vocab_file(save_vocab, words, counts)
    if output is not None:
        write_vectors(output, words, model.vectors, binary=binary)
    if save_context is not None:
        write_vectors(save_context, words, model.context_vectors(), binary=binary)
    if save_model is not None:
        _save(save_model, words, counts, matrices, model.options, model.stats)
