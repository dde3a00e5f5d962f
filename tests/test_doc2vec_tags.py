"""`-tags first`: documents tagged by their line's first field, as `word2vec -sentence-vectors 1`
reads them (`_*123 the text`).  The tokenizer's split of tag and text in chunks cut anywhere
(csrc/tags.c), tags that are no words, repeated tags sharing one vector, blank lines, resume,
stdin and compressed input, and `infer -tags first`."""
import lzma

import numpy as np
import pytest

import w2vfast
from w2vfast.vocab import new_dictionary
from clitools import cli, ok, run_module  # tests/clitools.py
from test_doc2vec import FAST, same_topic_share, topic_corpus

TEXT = (b"_*a sun1 sun2 ice1\n"
        b"  _*b\tice2 ice3  \r\n"
        b"\n"
        b"_*Long-Tag.x Sun3, ice1!\n"
        b"_*a sun4\n"
        b"_*tag-alone\n"
        b"_*c last line sun1")


def fed(text, cuts=(), **kw):
    """A tags_first dictionary fed `text` in the pieces `cuts` make: (line tags, words, ids)."""
    d = new_dictionary(tags_first=True, **kw)
    bounds = [0, *cuts, len(text)]
    for a, b in zip(bounds, bounds[1:]):
        d.feed(text[a:b])
    d.feed(b"", last=True)
    d.finalize(1)
    return d.line_tags(), d.words(), d.ids().tolist()


@pytest.mark.parametrize("reading", [dict(), dict(tokenizer="words", lowercase=1)], ids=["space", "words"])
def test_the_first_field_is_the_tag_in_chunks_cut_anywhere(reading):
    whole = fed(TEXT, **reading)
    tags, words, ids = whole
    assert tags == [b"_*a", b"_*b", b"", b"_*Long-Tag.x", b"_*a", b"_*tag-alone", b"_*c"]
    assert not any(w.startswith(b"_*") for w in words)  # a tag is no word
    assert ids.count(0) == len(tags)  # every line ends, the last one (no newline) too
    if reading:  # the words tokenizer splits the text, never the tag, and lowercases only words
        assert b"sun3" in words and b"Sun3," not in words
    else:
        assert b"Sun3," in words
    for cut in range(1, len(TEXT)):
        assert fed(TEXT, (cut,), **reading) == whole, cut
    assert fed(TEXT, tuple(range(1, len(TEXT))), **reading) == whole  # a byte at a time


def tagged_corpus(path, n_docs=60, repeat=False):
    """The topic corpus with `_*N` tags; with `repeat`, each document's text split over two lines
    with the same tag, the second half after all first halves."""
    lines = topic_corpus(path, n_docs=n_docs).read_text().splitlines()
    if repeat:
        halves = [line.split() for line in lines]
        text = [f"_*{i} {' '.join(w[:len(w) // 2])}" for i, w in enumerate(halves)] + \
               [f"_*{i} {' '.join(w[len(w) // 2:])}" for i, w in enumerate(halves)]
    else:
        text = [f"_*{i} {line}" for i, line in enumerate(lines)]
    path.write_text("\n".join(text) + "\n")
    return path


def test_tags_name_the_rows_and_train_exactly_the_untagged_text(tmp_path):
    plain = topic_corpus(tmp_path / "plain.txt", n_docs=40)
    tagged = tagged_corpus(tmp_path / "tagged.txt", n_docs=40)
    by_line = w2vfast.doc2vec(str(plain), **FAST)
    by_tag = w2vfast.doc2vec(str(tagged), tags="first", **FAST)
    assert by_tag.docvecs.index_to_key == [f"_*{i}" for i in range(40)]
    assert by_tag.index_to_key == by_line.index_to_key  # the tags are not words
    np.testing.assert_array_equal(by_tag.docvecs.vectors, by_line.docvecs.vectors)


def test_lines_with_one_tag_are_one_document(tmp_path):
    corpus = tagged_corpus(tmp_path / "docs.txt", n_docs=60, repeat=True)
    out = tmp_path / "dv.txt"
    r = ok(cli("doc2vec", corpus, "-tags", "first", "-output", out, "-size", "16", "-iter", "10",
               "-min-count", "1", "-threads", "1", "-sample", "0", "-seed", "2", "-debug", "1"))
    assert "Documents: 60" in r.stderr
    vectors = w2vfast.load(str(out))
    assert vectors.index_to_key == [f"_*{i}" for i in range(60)]
    assert same_topic_share(vectors.vectors) >= 0.9  # both halves trained the one vector


def test_blank_lines_are_no_documents_and_said(tmp_path):
    corpus = tmp_path / "docs.txt"
    corpus.write_text("_*x a b c a b\n\n   \n_*y b c a\n_*z zzz\n")  # zzz is under -min-count
    r = ok(cli("doc2vec", corpus, "-tags", "first", "-output", tmp_path / "dv.txt", "-min-count", "2",
               "-size", "4", "-iter", "1", "-threads", "1", "-debug", "1"))
    assert "Documents: 3 (1 with no word of the vocabulary" in r.stderr
    assert "2 blank lines have no tag and are no document" in r.stderr
    assert w2vfast.load(str(tmp_path / "dv.txt")).index_to_key == ["_*x", "_*y", "_*z"]


def test_stdin_and_compressed_input_read_tags_as_a_file_does(tmp_path):
    corpus = tagged_corpus(tmp_path / "docs.txt", n_docs=20, repeat=True)
    xz = tmp_path / "docs.txt.xz"
    xz.write_bytes(lzma.compress(corpus.read_bytes()))
    flags = ["-tags", "first", "-size", "8", "-iter", "2", "-min-count", "1", "-threads", "1",
             "-debug", "0", "-binary", "1"]
    outs = []
    for source in (corpus, xz):
        out = tmp_path / f"dv{len(outs)}.bin"
        ok(cli("doc2vec", source, "-output", out, *flags))
        outs.append(out.read_bytes())
    out = tmp_path / "stdin.bin"
    proc = run_module("doc2vec", "-", "-output", out, *flags, input=corpus.read_bytes())
    assert proc.returncode == 0, proc.stderr
    outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_an_interrupted_tagged_run_resumes_to_the_same_vectors(tmp_path):
    corpus = str(tagged_corpus(tmp_path / "docs.txt", n_docs=60, repeat=True))
    options = {**FAST, "iter": 200, "tags": "first"}
    full = w2vfast.doc2vec(corpus, **options)
    ck = tmp_path / "ck"

    def stop(report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w2vfast.doc2vec(corpus, output=str(tmp_path / "out.txt"), checkpoint=str(ck), progress=stop,
                        **options)
    assert (ck / "line_docs.npy").exists()
    resumed = w2vfast.doc2vec(resume=str(ck))
    assert resumed.docvecs.index_to_key == full.docvecs.index_to_key
    np.testing.assert_array_equal(resumed.docvecs.vectors, full.docvecs.vectors)


def test_infer_keys_rows_by_tag(tmp_path):
    corpus = tagged_corpus(tmp_path / "docs.txt", n_docs=20)
    ok(cli("doc2vec", corpus, "-tags", "first", "--save-model", tmp_path / "m", "-output",
           tmp_path / "dv.txt", "-size", "8", "-iter", "2", "-min-count", "1", "-threads", "1", "-debug", "0"))
    new = tmp_path / "new.txt"
    new.write_text("_*n1 sun1 sun2\n\n_*n2 unknown\n_*n1 ice1\n")
    out = tmp_path / "v.txt"
    r = ok(cli("infer", tmp_path / "m", new, "-tags", "first", "-o", out))
    assert r.stderr.splitlines()[0] == (f"w2vfast: warning: line 3 of {new} has no word of the model's "
                                        "vocabulary: its vector is zero")
    rows = w2vfast.load(str(out))
    assert rows.index_to_key == ["_*n1", "_*n2", "_*n1"]  # a row a line; the blank line has none
    assert rows.vectors[0].any() and not rows.vectors[1].any()
    plain = tmp_path / "plain.txt"
    ok(cli("infer", tmp_path / "m", new, "-o", plain, "-q"))  # without -tags first the tag is a word
    assert w2vfast.load(str(plain)).index_to_key == ["0", "1", "2", "3"]


def test_bad_tag_input_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "dv.txt"
    tags_alone = tmp_path / "tags.txt"
    tags_alone.write_text("_*a\n_*b\n")
    r = cli("doc2vec", tags_alone, "-tags", "first", "-output", out, "-min-count", "1")
    assert r.exit_code == 1 and r.stderr.strip().splitlines() == [
        f"w2vfast: error: corpus {str(tags_alone)!r} has only blank lines and tags: it has no words"]
    r = cli("doc2vec", tags_alone, "-tags", "bogus", "-output", out)
    assert r.exit_code == 2 and "'bogus' is not one of 'line', 'first'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    corpus = tagged_corpus(tmp_path / "docs.txt", n_docs=10)
    ok(cli("doc2vec", corpus, "-tags", "first", "--save-model", tmp_path / "m", "-output", out,
           "-size", "8", "-iter", "1", "-min-count", "1", "-threads", "1", "-debug", "0"))
    r = cli("infer", tmp_path / "m", corpus, "-tags", "nope", "-o", tmp_path / "v.txt")
    assert r.exit_code == 2 and "'nope' is not one of 'line', 'first'" in r.stderr
    assert not (tmp_path / "v.txt").exists()
