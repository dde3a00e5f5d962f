"""Saved models and checkpoints: an open directory of NumPy `.npy` files and JSON.

    DIR/model.json    {"format": "w2vfast-model", "version": 1, "vocab_size": V, "dim": D,
                       "kind": {"input": "skipgram", "objectives": ["hs", "ns"]},
                       "options": {...training options...}, "matrices": ["syn0", ...],
                       "stats": {...}}
    DIR/vocab.txt     the vocabulary, `word count` lines in row order (as -save-vocab writes)
    DIR/syn0.npy      input (word) vectors, V x D float32
    DIR/syn1neg.npy   negative-sampling output vectors, V x D (when trained with -negative)
    DIR/syn1.npy      hierarchical-softmax inner-node vectors, V x D (when trained with -hs)

A checkpoint is a model directory plus where training stands:

    DIR/state.json    {"words_done": N, "threads": [{"epoch", "pos", "rng", ...}, ...],
                       "n_ids": N, "ids_tag": "...", "corpus": "..."}
    DIR/ids.bin       the corpus as word ids (LEB128 varints), so a resumed run needs no corpus

The id stream never changes during a run, and may be gigabytes: a checkpoint whose `ids_tag`
matches the one it replaces hard-links the previous ids.bin instead of writing it again.

A checkpoint whose run finished (its outputs written) is replaced by a note of where they went,
so that a later `--resume` says so instead of training the run again from its last state:

    DIR/finished.json {"format": "w2vfast-finished-run", "outputs": {"output": "/abs/vec.bin", ...}}

The kind (kinds.py) says which matrices the model trains; a directory without it (written
before model.json recorded kinds) gets the kind its options ask for.  Everything can be read
without w2vfast: `numpy.load` and `json.load`.  A directory is written
beside its target and swapped in by renames, so at every moment a complete one exists (after a
crash mid-swap, the previous one is at DIR.old and `load_model` finds it there).
"""
import json
import mmap
import os
import shutil

import numpy as np

from .atomic import OutputError
from .kinds import DOC_MATRIX, MATRICES, saved_kind
from .vocab import read_vocab_file, save_vocab_file

FORMAT = "w2vfast-model"
VERSION = 1
FINISHED = "finished.json"


class ModelFileError(Exception):
    """A saved model or checkpoint is missing or damaged; the message names the file."""


class RunFinished(ModelFileError):
    """The directory is the checkpoint of a run that finished: it holds only where the run's
    outputs went."""


def save_model(path, words, counts, matrices, options, stats=None, state=None, id_stream=None,
               kind=None, tags=None, line_doc=None):
    """Write a model (and with `state` and `id_stream`, a checkpoint) to directory `path`.

    `words` are bytes, `counts` integers, `matrices` a dict name -> V x D float32 array (None
    entries are skipped; paragraph vectors' docvecs has a row per tag), `kind` the model's kind
    (kinds.ModelKind), `tags` a paragraph-vector model's documents' tags (bytes, tags.txt), and
    for a checkpoint of a -tags first run `line_doc`, each corpus line's document (uint32,
    line_docs.npy: the checkpoint's ids no longer hold the tags)."""
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise OutputError(f"cannot write {path!r}: directory {parent!r} does not exist")
    tmp = f"{path}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        os.mkdir(tmp)
        present = []
        for name in MATRICES:
            m = matrices.get(name)
            if m is not None:
                np.save(os.path.join(tmp, name + ".npy"), np.ascontiguousarray(m, dtype=np.float32))
                present.append(name)
        save_vocab_file(os.path.join(tmp, "vocab.txt"), words, counts)
        if tags is not None:
            with open(os.path.join(tmp, TAGS), "wb") as f:
                f.writelines(t + b"\n" for t in tags)
        meta = {"format": FORMAT, "version": VERSION, "vocab_size": len(words),
                "dim": int(matrices["syn0"].shape[1]), "options": _jsonable(options),
                "matrices": present, "stats": _jsonable(stats or {})}
        if kind is not None:
            meta["kind"] = kind.describe()
        _write_json(os.path.join(tmp, "model.json"), meta)
        if state is not None and line_doc is not None:
            np.save(os.path.join(tmp, LINE_DOCS), np.asarray(line_doc, dtype=np.uint32))
        if state is not None:
            _save_id_stream(os.path.join(tmp, "ids.bin"), id_stream, path, state.get("ids_tag"))
            _write_json(os.path.join(tmp, "state.json"), _jsonable(state))
        _swap_in(tmp, path)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {path!r}: {e.strerror or e}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


TAGS = "tags.txt"  # a paragraph-vector model's documents' tags, one a line, in row order
LINE_DOCS = "line_docs.npy"  # a -tags first checkpoint's document of each corpus line


def _read_tags(path):
    file = os.path.join(path, TAGS)
    if not os.path.exists(file):
        return None
    try:
        with open(file, "rb") as f:
            return f.read().split(b"\n")[:-1]
    except OSError as e:
        raise ModelFileError(f"cannot read {file!r}: {e.strerror}") from None


def load_model(path, with_state=False):
    """Read a directory written by save_model: a dict with words (bytes), counts (uint64 array),
    the matrices by name, options, stats, kind (kinds.ModelKind), and with `with_state` also
    state, id_stream and line_doc (None but for a -tags first checkpoint)."""
    path = _existing(os.fspath(path))
    if os.path.exists(os.path.join(path, FINISHED)):
        raise RunFinished(finished_message(path))
    meta = _read_json(os.path.join(path, "model.json"))
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{path!r} is not a w2vfast model directory (model.json format is "
                             f"{meta.get('format')!r})")
    if meta.get("version") != VERSION:
        raise ModelFileError(f"{path!r}: model format version {meta.get('version')} is not supported")
    try:
        pairs = read_vocab_file(os.path.join(path, "vocab.txt"))
    except Exception as e:
        raise ModelFileError(str(e)) from None
    words = [w for w, _ in pairs]
    tags = _read_tags(path)
    try:
        kind = saved_kind(meta.get("kind"), meta["options"])
    except (ValueError, KeyError) as e:
        raise ModelFileError(f"{path!r}: model.json: {e}") from None
    model = {"words": words, "counts": np.array([c for _, c in pairs], dtype=np.uint64),
             "options": meta["options"], "stats": meta.get("stats", {}), "matrices": {},
             "kind": kind, "tags": tags}
    for name in meta["matrices"]:
        file = os.path.join(path, name + ".npy")
        try:
            m = np.load(file)
        except (OSError, ValueError) as e:
            raise ModelFileError(f"cannot read {file!r}: {e}") from None
        rows = len(tags) if name == DOC_MATRIX and tags is not None else len(words)
        if m.dtype != np.float32 or m.ndim != 2 or m.shape != (rows, meta["dim"]):
            raise ModelFileError(f"{file!r} has shape {m.shape} and type {m.dtype}; expected "
                                 f"({rows}, {meta['dim']}) float32")
        model["matrices"][name] = np.ascontiguousarray(m)
    if "syn0" not in model["matrices"]:
        raise ModelFileError(f"{path!r} has no syn0.npy")
    if with_state:
        state_file = os.path.join(path, "state.json")
        if not os.path.exists(state_file):
            raise ModelFileError(f"{path!r} is a saved model, not a checkpoint (no state.json)")
        model["state"] = _read_json(state_file)
        try:
            model["id_stream"] = map_id_stream(os.path.join(path, "ids.bin"))
        except OSError as e:
            raise ModelFileError(f"cannot read {os.path.join(path, 'ids.bin')!r}: {e.strerror}") from None
        model["line_doc"] = None
        if os.path.exists(os.path.join(path, LINE_DOCS)):
            file = os.path.join(path, LINE_DOCS)
            try:
                model["line_doc"] = np.load(file)
            except (OSError, ValueError) as e:
                raise ModelFileError(f"cannot read {file!r}: {e}") from None
            if model["line_doc"].dtype != np.uint32 or model["line_doc"].ndim != 1:
                raise ModelFileError(f"{file!r} has type {model['line_doc'].dtype}; expected a uint32 vector")
    return model


def mark_finished(path, outputs):
    """Replace checkpoint directory `path` by the note that its run finished, with `outputs`
    (name -> path, as Outputs.saved) made absolute.  Called only once the outputs are written:
    a crash before leaves the checkpoint to resume, a crash during leaves the old directory or
    the note (the swap of save_model), never neither."""
    path = os.path.abspath(os.fspath(path))
    if os.path.exists(path) and not (os.path.exists(os.path.join(path, "state.json"))
                                     or os.path.exists(os.path.join(path, FINISHED))):
        return  # not a checkpoint (the run never saved one there): not ours to replace
    where = {k: (v if v == "-" else os.path.abspath(v)) for k, v in outputs.items()
             if isinstance(v, str) and k != "format"}
    tmp = f"{path}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        os.mkdir(tmp)
        _write_json(os.path.join(tmp, FINISHED), {"format": "w2vfast-finished-run", "outputs": where})
        _swap_in(tmp, path)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot mark the checkpoint {path!r} finished: {e.strerror or e}") from None


def finished_message(path):
    """What a finished run's checkpoint says when asked to resume."""
    try:
        where = _read_json(os.path.join(path, FINISHED)).get("outputs", {})
    except ModelFileError:
        where = {}
    first = next((where[k] for k in ("output", "save_model", "save_context", "save_vocab") if k in where),
                 None)
    place = ("standard output" if first == "-" else repr(first)) if first else "the files it was asked for"
    return (f"this run already finished; vectors at {place} ({path!r} keeps only this note); "
            "to train again, start a new run without --resume")


def _save_id_stream(file, id_stream, previous_dir, tag):
    """Write ids.bin, or link the previous checkpoint's when it holds the same stream."""
    if tag is not None:
        try:
            old = os.path.join(previous_dir, "ids.bin")
            if (_read_json(os.path.join(previous_dir, "state.json")).get("ids_tag") == tag
                    and os.path.getsize(old) == len(id_stream)):
                os.link(old, file)
                return
        except (OSError, ModelFileError):
            pass  # no previous checkpoint, another filesystem, no hard links: write it
    with open(file, "wb") as f:
        f.write(id_stream)


def map_id_stream(file):
    """ids.bin mapped read-only (it may be larger than memory); empty bytes for an empty file."""
    with open(file, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _existing(path):
    if os.path.isdir(path):
        return path
    if os.path.isdir(path + ".old"):  # interrupted while swapping in a newer one
        return path + ".old"
    raise ModelFileError(f"model directory {path!r} not found")


def _swap_in(tmp, path):
    old = path + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise OutputError(f"cannot write {path!r}: it exists and is not a directory")
        os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def _write_json(file, obj):
    with open(file, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())


def _read_json(file):
    try:
        with open(file) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ModelFileError(f"{file!r} not found") from None
    except (OSError, ValueError) as e:
        raise ModelFileError(f"cannot read {file!r}: {e}") from None


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
