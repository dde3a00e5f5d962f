"""Vector files with more damage than test_cli_vector_files.py's: infinite and out-of-range
values, bad headers, a binary file cut inside a word, text and binary rows mixed up; every
command that reads vectors names the line or row, in one line.  Also: the format is told by
content, not by name; a binary row whose bytes spell numbers still reads as binary; a word with
a tab is a clear error when converted.
"""
import struct

import numpy as np
import pytest

from w2vfast import formats

from clitools import assert_ok, assert_one_error_line, cli, listing  # tests/clitools.py
from shared import VECTOR_COMMANDS  # tests/shared.py


# --------------------------------------------------------------------------
# Vector files: more damage, every command, the line or row named
# --------------------------------------------------------------------------

def _bin_row(word, *values):
    return word + b" " + struct.pack(f"<{len(values)}f", *values) + b"\n"


BAD_VECTOR_FILES = {
    # name: (content, fragments of the message)
    "inf.txt": (b"2 2\na 1 2\nb inf 1\n", ["line 3", "b'inf'", "infinite"]),
    "minus-inf.txt": (b"2 2\na 1 -inf\nb 1 2\n", ["line 2", "infinite"]),
    "huge.txt": (b"2 2\na 1 2\nb 1 1e300\n", ["line 3", "float32 range"]),
    "inf.bin": (b"2 2\n" + _bin_row(b"a", 1, 2) + _bin_row(b"b", float("inf"), 0),
                ["row 2", "b'b'", "NaN or infinity"]),
    "header3.txt": (b"2 2 2\na 1 2\nb 3 4\n", ["line 1", "bad header"]),
    "header-neg.txt": (b"-2 2\na 1 2\n", ["line 1", "bad header"]),
    "header-zero.txt": (b"2 0\na\nb\n", ["line 1", "counts must be positive"]),
    "cut-in-word.bin": (b"3 2\n" + _bin_row(b"a", 1, 2) + _bin_row(b"b", 3, 4) + b"cc",
                        ["row 3", "middle of the row"]),
    # a text file whose second row is binary: the text reader names the line
    "text-then-binary.txt": (b"2 2\na 1 2\n" + _bin_row(b"b", 1.5, 2.5), ["line 3"]),
    # a binary file with text rows from another tool spliced in: the binary reader names a row
    "binary-then-text.bin": (b"3 2\n" + _bin_row(b"a", 1, 2) + b"b 0.100000 0.200000\n",
                             ["row "]),
}



@pytest.mark.parametrize("name", list(BAD_VECTOR_FILES))
@pytest.mark.parametrize("command", VECTOR_COMMANDS, ids=[c[0] for c in VECTOR_COMMANDS])
def test_damaged_vector_file_names_the_line_or_row(tmp_path, name, command):
    if command[0] == "plot":
        pytest.importorskip("matplotlib", reason="plot stops before reading without matplotlib")
    content, fragments = BAD_VECTOR_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = cli(*[a.format(path, out=out) for a in command])
    assert_one_error_line(result, 1, name, *fragments)
    assert result.stdout == ""
    assert not out.exists() and not (tmp_path / "out.png").exists()


def test_format_is_told_by_content_not_by_name(tmp_path):
    """A binary file named .txt and a text file named .bin read as what they are."""
    words = [b"a", b"b", b"c"]
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    formats.write_vectors(str(tmp_path / "binary.txt"), words, vectors, binary=True)
    formats.write_vectors(str(tmp_path / "text.bin"), words, vectors, binary=False)
    answers = []
    for name in ("binary.txt", "text.bin"):
        result = cli("similar", tmp_path / name, "a", "-n", "1")
        assert_ok(result)
        answers.append(result.stdout.split()[0])
    assert answers == ["b", "b"]


def test_binary_row_whose_floats_spell_numbers_reads_as_binary():
    """Regression (found by fuzz/fuzz_vectors.py): a binary row whose float bytes happen to be
    ASCII digits and spaces looked like a text row, so read_vectors(binary=True) refused a file
    that write_vectors had just written."""
    import io
    values = np.frombuffer(b"0.1 -02 3e-2", dtype="<f4").reshape(1, 3)
    out = io.BytesIO()
    formats.write_vectors(out, [b"the"], values, binary=True)
    words, again = formats.read_vectors(io.BytesIO(out.getvalue()), binary=True)
    assert words == [b"the"] and again.tobytes() == values.tobytes()
    # a real text file read as binary is still refused with the hint
    with pytest.raises(formats.VectorFileError, match="row 1: this is a text-format row"):
        formats.read_vectors(io.BytesIO(b"2 2\na 1 2\nb 3 4\n"), binary=True)


def test_convert_of_a_word_with_a_tab_is_a_clear_error(tmp_path):
    """A binary file may hold a word with a tab (the binary reader splits at spaces only); no
    format can write it back, so convert says so instead of raising."""
    source = tmp_path / "tab.bin"
    source.write_bytes(b"2 2\n" + _bin_row(b"a\tb", 1, 2) + _bin_row(b"c", 3, 4))
    out = tmp_path / "out.txt"
    result = cli("convert", source, out)
    assert_one_error_line(result, 1, f"cannot write '{out}'", "contains whitespace")
    assert listing(tmp_path) == ["tab.bin"]
