"""Fixtures shared by several test files."""
import builtins
import gzip

import pytest

from w2vfast.formats import write_vectors

from known_vectors import MATRIX, VOCAB  # tests/known_vectors.py
from shared import CORPUS  # tests/shared.py


@pytest.fixture
def corpus(tmp_path):
    """shared.CORPUS as tmp_path/corpus.txt (files that train on another corpus define their own)."""
    path = tmp_path / "corpus.txt"
    path.write_bytes(CORPUS)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """known_vectors.py's vectors as vec.txt, vec.bin, vec.bin.gz and vec.vec (gensim-style text)."""
    d = tmp_path_factory.mktemp("vectors")
    words = [w.encode() for w in VOCAB]
    write_vectors(str(d / "vec.txt"), words, MATRIX, binary=False)
    write_vectors(str(d / "vec.bin"), words, MATRIX, binary=True)
    with gzip.open(d / "vec.bin.gz", "wb") as f:
        f.write((d / "vec.bin").read_bytes())
    # gensim-style text: no trailing space; fastText .vec style is the same
    lines = [b"%d %d" % MATRIX.shape] + [w + b" " + b" ".join(b"%g" % x for x in row)
                                          for w, row in zip(words, MATRIX)]
    (d / "vec.vec").write_bytes(b"\n".join(lines) + b"\n")
    return d


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make `import matplotlib` (and its submodules) fail, as on a machine without it."""
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
