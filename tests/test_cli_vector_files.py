"""Vector files through the commands: `convert` between the text and binary formats (--limit,
--normalize, any bytes and zero rows kept, never over its own input), and a damaged, missing or
directory vector file refused in one line naming it by every command that reads vectors.
test_robustness_vectors.py adds more kinds of damage.

They run `w2vfast.cli.main` in process with click's CliRunner on the hand-made vectors of known_vectors.py.
"""
import importlib.util
import io
import os
import shutil
import struct

import numpy as np
import pytest

from w2vfast.formats import read_vectors, write_vectors

from clitools import cli as run, ok  # tests/clitools.py
from known_vectors import MATRIX, VOCAB, WORDS, unit  # tests/known_vectors.py
from shared import VECTOR_COMMANDS  # tests/shared.py


# ---------------------------------------------------------------------------
# convert
# ---------------------------------------------------------------------------


def test_convert_text_binary_round_trip(files, tmp_path):
    b = tmp_path / "out.bin"
    r = ok(run("convert", files / "vec.txt", b))  # text in: binary out by default
    assert "binary format" in r.stderr
    words, vecs = read_vectors(str(b), binary=True)
    assert words == [w.encode() for w in VOCAB]
    np.testing.assert_allclose(vecs, MATRIX, atol=1e-6)
    t = tmp_path / "out.txt"
    ok(run("convert", b, t))  # binary in: text out
    assert t.read_bytes() == (files / "vec.txt").read_bytes()
    ok(run("convert", files / "vec.bin.gz", t, "-binary", "0"))
    assert t.read_bytes() == (files / "vec.txt").read_bytes()
    ok(run("convert", files / "vec.txt", t, "--binary", "0"))  # text to text is allowed
    assert t.read_bytes() == (files / "vec.txt").read_bytes()


def test_convert_limit_normalize_stdout(files):
    r = ok(run("convert", files / "vec.bin", "-", "--limit", "4", "--normalize", "--binary", "0"))
    words, vecs = read_vectors(io.BytesIO(r.stdout_bytes))
    assert words == [w.encode() for w in VOCAB[:4]]
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vecs[2], unit(WORDS["woman"]), atol=1e-6)


def test_convert_keeps_bytes_and_zero_rows(tmp_path):
    src = tmp_path / "in.bin"
    write_vectors(str(src), [b"caf\xe9", b"\xff\xfe"], np.array([[3, 4], [0, 0]], dtype=np.float32),
                  binary=True)
    out = tmp_path / "out.txt"
    ok(run("convert", src, out, "--normalize"))
    assert out.read_bytes() == b"2 2\ncaf\xe9 0.600000 0.800000 \n\xff\xfe 0.000000 0.000000 \n"


def test_convert_refuses_to_overwrite_its_input(files, tmp_path):
    src = tmp_path / "v.txt"
    shutil.copy(files / "vec.txt", src)
    before = src.read_bytes()
    r = run("convert", src, src)
    assert r.exit_code == 2 and "is IN itself" in r.stderr
    os.symlink(src, tmp_path / "link.txt")
    r = run("convert", src, tmp_path / "link.txt")
    assert r.exit_code == 2
    assert src.read_bytes() == before
    r = run("convert", files / "vec.txt", tmp_path / "no" / "dir.bin")
    assert r.exit_code == 1 and "does not exist" in r.stderr


# ---------------------------------------------------------------------------
# Bad vector files: one clear line, exit 1, for every command
# ---------------------------------------------------------------------------

BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "header.txt": (b"hello world\n", "bad header"),
    "short.txt": (b"3 2\na 1 2\nb 3 4\n", "file ends after 2 rows"),
    "values.txt": (b"2 3\na 1 2 3\nb 1 2\n", "expected a word and 3 values"),
    "number.txt": (b"2 2\na 1 2\nb 1 x\n", "'x' is not a number"),
    "nan.txt": (b"2 2\na 1 2\nb 1 nan\n", "NaN"),
    "cut.bin": (b"2 2\na " + struct.pack("<2f", 1, 2) + b"\nb " + b"\x00\x00", "middle of the row"),
    "missing.txt": (None, "No such file or directory"),
}

COMMANDS = VECTOR_COMMANDS


@pytest.mark.parametrize("name", list(BAD_FILES))
@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_bad_vector_file(tmp_path, name, command):
    if command[0] == "plot" and importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed: plot stops before reading the vectors")
    content, message = BAD_FILES[name]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    r = run(*[a.format(path, out=out) for a in command])
    assert r.exit_code == 1, (r.exit_code, r.stdout, r.stderr, r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2vfast: error: "), r.stderr
    assert name in lines[0] and message in lines[0]
    assert r.stdout == ""
    assert not out.exists() and not (tmp_path / "out.png").exists()


def test_directory_as_vectors(tmp_path):
    r = run("similar", tmp_path, "a")
    assert r.exit_code == 1
    assert r.stderr.startswith("w2vfast: error: cannot read") and str(tmp_path) in r.stderr
