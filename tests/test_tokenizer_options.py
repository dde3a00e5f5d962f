"""-tokenizer and -lowercase as options: on `train`, `vocab` and `phrases` (both flag forms), in
the Python API, stored in the model and kept by a resumed or continued run; and the warning for
a corpus that is not text as the tokenizers read it (UTF-16, binary data), from files and stdin.
"""
import gzip
import json
import warnings

import pytest

import w2vfast
from w2vfast.corpus import CorpusWarning, iter_chunks, not_text

from clitools import run_module  # tests/clitools.py

RAW = ("The Cat sat, on the MAT. The cat's hat!\n" * 40 + "Don't stop; well-known 3.14 (yes)\n" * 40)
FAST = ["-min-count", "1", "-iter", "1", "-size", "8", "-threads", "1", "-debug", "0"]


def assert_ok(result):
    assert result.returncode == 0, result.stderr.decode()


def vocab_lines(path):
    return [line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def raw(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text(RAW, encoding="utf-8")
    return path


@pytest.mark.parametrize("dashes", ["-", "--"])
def test_train_takes_both_flag_forms(raw, tmp_path, dashes):
    out = tmp_path / "v.txt"
    r = run_module("train", str(raw), *FAST, f"{dashes}tokenizer", "words", f"{dashes}lowercase", "1",
                   "-save-vocab", str(out))
    assert_ok(r)
    words = vocab_lines(out)
    assert {"the", "cat", "cat's", "don't", "well-known", "3.14"} <= set(words)
    assert not any(w != w.lower() or w[-1] in ",.;!" for w in words)


def test_train_defaults_keep_word2vecs_tokens(raw, tmp_path):
    out = tmp_path / "v.txt"
    assert_ok(run_module("train", str(raw), *FAST, "-save-vocab", str(out)))
    assert {"MAT.", "sat,", "The", "hat!"} <= set(vocab_lines(out))


@pytest.mark.parametrize("dashes", ["-", "--"])
def test_vocab_command_takes_the_flags(raw, dashes):
    r = run_module("vocab", str(raw), "-min-count", "1", f"{dashes}tokenizer", "words",
                   f"{dashes}lowercase", "1", "-q")
    assert_ok(r)
    words = [line.split()[0] for line in r.stdout.decode().splitlines()]
    assert words[:3] == ["</s>", "the", "cat"] or {"the", "cat"} <= set(words)
    assert "MAT." not in words and "mat" in words


def test_phrases_command_takes_the_flags(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("New York, is big. NEW YORK!\n" * 50 + "a b c d\n" * 5, encoding="utf-8")
    r = run_module("phrases", str(path), "-min-count", "2", "-threshold", "1", "-passes", "1",
                   "-tokenizer", "words", "-lowercase", "1", "-debug", "0")
    assert_ok(r)
    first = r.stdout.decode().splitlines()[0].split()
    assert first[0] == first[-1] == "new_york" and all(w.isalpha() for w in "_".join(first).split("_"))


@pytest.mark.parametrize("flags, message", [
    (["-tokenizer", "chars"], "chars"),
    (["-lowercase", "2"], "-lowercase"),
])
def test_bad_values_are_usage_errors(raw, flags, message):
    for command in (["train", str(raw), *FAST, "-output", "x.txt"], ["vocab", str(raw)]):
        r = run_module(*command, *flags)
        assert r.returncode == 2 and message in r.stderr.decode(), r.stderr


def test_the_api_takes_the_keywords_and_the_model_stores_them(raw, tmp_path):
    m = w2vfast.train(str(raw), tokenizer="words", lowercase=True, size=8, iter=1, min_count=1,
                      threads=1, save_model=str(tmp_path / "m"))
    assert "cat's" in m and "MAT." not in m and "The" not in m
    options = json.loads((tmp_path / "m" / "model.json").read_text())["options"]
    assert options["tokenizer"] == "words" and options["lowercase"] == 1
    assert w2vfast.load_model(str(tmp_path / "m")).options["tokenizer"] == "words"


def test_the_api_rejects_a_bad_tokenizer(raw):
    with pytest.raises(ValueError, match="-tokenizer"):
        w2vfast.train(str(raw), tokenizer="chars", min_count=1)


def test_a_continued_model_keeps_its_tokenizer(raw, tmp_path):
    w2vfast.train(str(raw), tokenizer="words", lowercase=1, size=8, iter=1, min_count=1, threads=1,
                  save_model=str(tmp_path / "m"))
    more = tmp_path / "more.txt"
    more.write_text("Zebra, ZEBRA! zebra. The CAT\n" * 10, encoding="utf-8")
    m = w2vfast.train(str(more), init_model=str(tmp_path / "m"), update_vocab=True, iter=1, min_count=1,
                      threads=1)
    assert "zebra" in m and "Zebra," not in m and m.options["tokenizer"] == "words"
    with pytest.raises(ValueError, match="-tokenizer .*trained with -tokenizer words"):
        w2vfast.train(str(more), init_model=str(tmp_path / "m"), tokenizer="space", iter=1, threads=1)


def test_a_resumed_run_keeps_its_tokenizer(raw, tmp_path):
    ck, out = tmp_path / "ck", tmp_path / "v.txt"
    raw.write_text(RAW * 100, encoding="utf-8")  # long enough for a first progress report

    def stop(report):  # stops the threads and saves the state, as Ctrl-C does
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w2vfast.train(str(raw), output=str(out), checkpoint=str(ck), progress=stop, tokenizer="words",
                      lowercase=1, size=32, iter=40, sample=0, min_count=1, threads=1)
    assert json.loads((ck / "model.json").read_text())["options"]["tokenizer"] == "words"
    assert_ok(run_module("train", "--resume", str(ck), "-debug", "0"))
    words = [line.split()[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert "cat's" in words and "MAT." not in words


# --------------------------------------------------------------------------
# A corpus that is not text
# --------------------------------------------------------------------------

def test_not_text_tells_utf16_utf32_and_binary():
    text = "Hello world, plain text.\n" * 20
    assert not_text(text.encode()) is None
    assert not_text(text.encode("utf-16")) == "UTF-16"  # with its byte-order mark
    assert not_text(text.encode("utf-16-le")) == "UTF-16"
    assert not_text(text.encode("utf-16-be")) == "UTF-16"
    assert not_text(text.encode("utf-32")) == "UTF-32"
    assert not_text(bytes(range(256)) * 4) == "binary"
    assert not_text(b"\x00" * 100) == "binary"
    assert not_text("Ünïcödé ▶ 中文 text\tand\f\r\n".encode() * 10) is None
    assert not_text("日本語の文章".encode("utf-8") * 50) is None


def read_all(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        b"".join(iter_chunks(str(path)))
    return [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]


def test_reading_warns_once_naming_the_file_and_the_fix(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_bytes(("word " * 300000).encode("utf-16"))  # more than one chunk
    assert read_all(path) == [f"corpus '{path}' looks like UTF-16 text; convert it first: "
                              f"iconv -f UTF-16 -t UTF-8 {path} > {tmp_path / 'corpus.utf8.txt'}"]
    gz = tmp_path / "corpus.txt.gz"
    gz.write_bytes(gzip.compress("word ".encode("utf-16-le") * 100))
    [message] = read_all(gz)
    assert "once decompressed with gzip" in message and f"gzip -dc {gz} | iconv" in message
    plain = tmp_path / "plain.txt"
    plain.write_text("just text\n")
    assert read_all(plain) == []


@pytest.mark.parametrize("command", [["train", "{}", *FAST, "-output", "{out}"], ["vocab", "{}", "-min-count", "1"],
                                     ["phrases", "{}", "-o", "{out}"]])
def test_each_command_warns_and_goes_on(tmp_path, command):
    path = tmp_path / "corpus.txt"
    path.write_bytes(RAW.encode("utf-16"))
    args = [a.replace("{}", str(path)).replace("{out}", str(tmp_path / "out.txt")) for a in command]
    r = run_module(*args)
    lines = [line for line in r.stderr.decode().splitlines() if "warning" in line]
    assert lines == [f"w2vfast: warning: corpus '{path}' looks like UTF-16 text; convert it first: "
                     f"iconv -f UTF-16 -t UTF-8 {path} > {tmp_path / 'corpus.utf8.txt'}"], r.stderr


def test_stdin_binary_data_warns(tmp_path):
    data = bytes(range(256)) * 64 + RAW.encode()
    r = run_module("vocab", "-", "-min-count", "1", input=data)
    lines = [line for line in r.stderr.decode().splitlines() if "warning" in line]
    assert lines == ["w2vfast: warning: standard input looks like binary data, not text; give a text "
                     "file (UTF-8 or ASCII, words separated by spaces, a sentence a line)"]
    r = run_module("vocab", "-", "-min-count", "1", input=RAW.encode("utf-16-le"))
    assert "w2vfast: warning: standard input looks like UTF-16 text; convert it first: " \
           "... | iconv -f UTF-16 -t UTF-8 | w2vfast ..." in r.stderr.decode()
