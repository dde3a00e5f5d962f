"""bin/benchlib reads the vector files of a benchmark run with w2vfast's own reader, and keeps
the names the bench scripts import from it."""
import gzip
import sys
from pathlib import Path

import numpy as np
import pytest

from w2vfast.formats import VectorFileError, write_vectors

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bin"))
import benchlib  # noqa: E402

WORDS = [b"king", "k\u00f6nig".encode(), b"\xff"]
VECTORS = np.arange(12, dtype=np.float32).reshape(3, 4) / 8


@pytest.mark.parametrize("binary", [True, False])
def test_benchlib_reads_vectors_with_the_package_reader(tmp_path, binary):
    path = tmp_path / "vec"
    write_vectors(path, WORDS, VECTORS, binary=binary)
    words, vectors = benchlib.read_vectors(path, binary)
    assert words == ["king", "k\u00f6nig", "\ufffd"]
    np.testing.assert_allclose(vectors, VECTORS, rtol=0, atol=1e-6)
    # the package reader decompresses by content and names the place of damage
    path.write_bytes(gzip.compress(path.read_bytes()))
    assert benchlib.read_vectors(path, binary)[0] == words
    path.write_bytes(b"3 4\nking 1 2 3 4\n")
    with pytest.raises(VectorFileError, match="the header declares 3" if not binary else "row 1"):
        benchlib.read_vectors(path, binary)


def test_benchlib_keeps_the_names_the_scripts_import():
    for name in ("log", "make_scratch", "md_table", "tail", "train_seconds_from_log",
                 "read_vectors", "prepare_corpus", "load_evaluate", "fmt_stat", "fmt_rate",
                 "write_outputs", "MODES", "RunResult", "run_one", "merge_flags", "flag_value"):
        assert name in benchlib.__all__ and hasattr(benchlib, name), name
    assert set(benchlib.__all__) <= set(dir(benchlib))
