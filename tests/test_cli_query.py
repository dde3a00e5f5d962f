"""`w2vfast --help`, and the query commands `similar` and `analogy`: every vector format, words
from the arguments, standard input or an interactive prompt, text or JSON lines, unknown words
and non-UTF-8 words.

They run `w2vfast.cli.main` in process with click's CliRunner on the hand-made vectors of known_vectors.py,
whose answers are worked out here by a plain loop; two tests pipe queries to `python -m w2vfast`
in a subprocess.
"""
import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from w2vfast.cli import query as cli_query
from w2vfast.formats import write_vectors

from clitools import cli as run, ok  # tests/clitools.py
from known_vectors import VOCAB, WORDS, unit  # tests/known_vectors.py


def cosine(a, b):
    return float(np.dot(unit(WORDS[a]), unit(WORDS[b])))


def ranked(query_words, exclude=()):
    """Every other word by cosine with the sum of the unit query vectors (a loop, as distance.c)."""
    q = unit(sum(unit(WORDS[w]) for w in query_words))
    out = [(w, float(np.dot(q, unit(v)))) for w, v in WORDS.items()
           if w not in query_words and w not in exclude]
    return sorted(out, key=lambda p: -p[1])


def rows(text):
    return [(line.split()[0], float(line.split()[1])) for line in text.splitlines() if line.strip()]


def test_group_lists_the_commands():
    out = ok(run("--help")).stdout
    for name in ("similar", "analogy", "eval", "convert", "vocab", "classes", "plot", "train"):
        assert re.search(rf"^\s+{name}\s", out, re.M), name


# ---------------------------------------------------------------------------
# similar
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vec.txt", "vec.bin", "vec.bin.gz", "vec.vec"])
def test_similar_reads_every_format(files, name):
    r = ok(run("similar", files / name, "apple", "-n", "3"))
    got = rows(r.stdout)
    assert [w for w, _ in got] == ["pear", "banana", "lemon"]
    for w, s in got:
        assert s == pytest.approx(cosine("apple", w), abs=1e-5)


def test_similar_default_shows_up_to_40_and_sums_words(files):
    r = ok(run("similar", files / "vec.txt", "king", "woman"))
    got = rows(r.stdout)
    assert len(got) == len(VOCAB) - 2
    expected = ranked(["king", "woman"])
    assert [w for w, _ in got] == [w for w, _ in expected]
    assert got[0][0] == "queen"
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)


def test_similar_json(files):
    r = ok(run("similar", files / "vec.bin", "paris", "-n", "2", "--json"))
    [obj] = [json.loads(line) for line in r.stdout.splitlines()]
    assert obj["query"] == ["paris"]
    assert [x["word"] for x in obj["results"]] == [w for w, _ in ranked(["paris"])[:2]]
    assert obj["results"][0]["word"] == "berlin"
    assert obj["results"][0]["score"] == pytest.approx(cosine("paris", "berlin"), abs=1e-5)


def test_similar_unknown_word_from_arguments(files):
    r = run("similar", files / "vec.txt", "king", "robot")
    assert r.exit_code == 1
    assert r.stderr == "w2vfast: unknown word 'robot'\n"
    assert r.stdout == ""
    r = run("similar", files / "vec.txt", "robot", "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["error"] == "unknown word 'robot'"


def test_similar_queries_from_stdin(files):
    r = ok(run("similar", files / "vec.txt", "-n", "2", input="apple\n\nrobot\nking woman\nzz yy\nparis"))
    assert r.stderr == "w2vfast: unknown word 'robot'\nw2vfast: unknown words 'zz', 'yy'\n"
    blocks = r.stdout.split("\n\n")
    assert blocks[0].splitlines()[0] == "query: apple"
    assert [w for w, _ in rows("\n".join(blocks[0].splitlines()[1:]))] == ["pear", "banana"]
    assert blocks[1].splitlines()[0] == "query: king woman"
    assert blocks[1].splitlines()[1].split()[0] == "queen"
    assert blocks[2].splitlines()[0] == "query: paris"


def test_similar_stdin_json_lines_keep_the_order(files):
    r = ok(run("similar", files / "vec.bin", "-n", "1", "--json", input="apple\nrobot\nking\n"))
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["query"] for o in objs] == [["apple"], ["robot"], ["king"]]
    assert [o["results"][0]["word"] if o["results"] else o["error"] for o in objs] == \
        ["pear", "unknown word 'robot'", "prince"]


def test_similar_interactive_prompt(files, monkeypatch):
    monkeypatch.setattr(cli_query, "_stdin_is_terminal", lambda: True)
    r = ok(run("similar", files / "vec.txt", "-n", "1", input="apple\nrobot\nEXIT\nking\n"))
    assert r.stderr.count(cli_query.PROMPT) == 3
    assert "w2vfast: unknown word 'robot'" in r.stderr
    assert r.stdout.split() == ["query:", "apple", "pear", f"{cosine('apple', 'pear'):.6f}"]


def test_similar_with_limit_reads_the_head(files):
    r = ok(run("similar", files / "vec.txt", "man", "--limit", "5"))
    assert {w for w, _ in rows(r.stdout)} == {"</s>", "woman", "king", "queen"}


def test_similar_real_pipe(files):
    p = subprocess.run([sys.executable, "-m", "w2vfast", "similar", str(files / "vec.bin"), "-n", "1"],
                       input=b"lemon\nrobot\nberlin\n", capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr == b"w2vfast: unknown word 'robot'\n"
    assert p.stdout.decode().split() == ["query:", "lemon", "banana", f"{cosine('lemon', 'banana'):.6f}",
                                         "query:", "berlin", "paris", f"{cosine('berlin', 'paris'):.6f}"]


def test_non_utf8_words_round_trip(tmp_path):
    path = tmp_path / "latin1.txt"
    write_vectors(str(path), [b"caf\xe9", b"the", b"tea"],
                  np.array([[1, 0], [0, 1], [1, 0.1]], dtype=np.float32), binary=False)
    p = subprocess.run([sys.executable, "-m", "w2vfast", "similar", str(path), "-n", "1"],
                       input=b"caf\xe9\n", capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [b"query:", b"caf\xe9", b"tea", b"%.6f" % (1 / math.sqrt(1.01))]
    r = ok(run("similar", path, "tea", "-n", "1", "--json"))
    assert json.loads(r.stdout)["results"][0]["word"] == "caf\udce9"


# ---------------------------------------------------------------------------
# analogy
# ---------------------------------------------------------------------------


def test_analogy_add(files):
    r = ok(run("analogy", files / "vec.txt", "man", "king", "woman", "-n", "3"))
    got = rows(r.stdout)
    assert got[0][0] == "queen"
    assert {"man", "king", "woman"}.isdisjoint(w for w, _ in got)
    u = {w: unit(v) for w, v in WORDS.items()}
    assert got[0][1] == pytest.approx(float(np.dot(unit(u["king"] - u["man"] + u["woman"]), u["queen"])),
                                      abs=1e-5)


def test_analogy_mul_json(files):
    r = ok(run("analogy", files / "vec.bin", "apple", "pear", "man", "--method", "mul", "-n", "2", "--json"))
    obj = json.loads(r.stdout)
    assert obj["query"] == ["apple", "pear", "man"]
    assert obj["results"][0]["word"] == "woman"
    u = {w: unit(v) for w, v in WORDS.items()}
    c = {x: (float(np.dot(u["woman"], u[x])) + 1) / 2 for x in ("apple", "pear", "man")}
    assert obj["results"][0]["score"] == pytest.approx(c["pear"] * c["man"] / (c["apple"] + 1e-3), abs=1e-5)


def test_analogy_stdin_with_bad_lines(files):
    r = ok(run("analogy", files / "vec.txt", "-n", "1", "--json",
               input="man king woman\nman king\nman robot woman\napple pear man\n"))
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(objs) == 4
    assert objs[0]["results"][0]["word"] == "queen"
    assert objs[1] == {"query": ["man", "king"], "results": [],
                       "error": "expected three words A B C, got 2: 'man king'"}
    assert objs[2]["error"] == "unknown word 'robot'"
    assert objs[3]["results"][0]["word"] == "woman"
    assert r.stderr.splitlines() == ["w2vfast: expected three words A B C, got 2: 'man king'",
                                     "w2vfast: unknown word 'robot'"]


def test_analogy_usage_errors(files):
    r = run("analogy", files / "vec.txt", "man", "king")
    assert r.exit_code == 2 and "three words" in r.stderr
    r = run("analogy", files / "vec.txt", "man", "king", "woman", "--method", "div")
    assert r.exit_code == 2
    r = run("analogy", files / "vec.txt", "man", "king", "robot")
    assert r.exit_code == 1 and r.stderr == "w2vfast: unknown word 'robot'\n"


# ---------------------------------------------------------------------------
# -i / --ignore-case: word2vec's exact match by default, any case on request
# ---------------------------------------------------------------------------


def cased_vectors(tmp_path):
    """known_vectors' words with `Apple` (more frequent, so first) beside `apple`, and `PEAR`."""
    path = tmp_path / "cased.txt"
    words = ["Apple"] + [w.upper() if w == "pear" else w for w in VOCAB]
    matrix = [np.add(WORDS["apple"], WORDS["lemon"])] + [WORDS[w] for w in VOCAB]
    write_vectors(path, [w.encode() for w in words], np.array(matrix, dtype=np.float32), binary=False)
    return path


def test_similar_matches_case_only_when_asked(tmp_path):
    path = cased_vectors(tmp_path)
    r = run("similar", path, "pear")
    assert r.exit_code == 1 and r.stderr == "w2vfast: unknown word 'pear'\n"
    r = ok(run("similar", path, "pear", "-i", "-n", "2"))
    assert r.stderr == "w2vfast: 'pear' matched 'PEAR'\n"
    assert [w for w, _ in rows(r.stdout)] == [w for w, _ in rows(ok(run("similar", path, "PEAR", "-n", "2")).stdout)]
    r = ok(run("similar", path, "apple", "--ignore-case", "-n", "2"))
    assert r.stderr == ""  # an exact match wins over another case
    r = ok(run("similar", path, "APPLE", "-ignore-case", "-n", "2", "--json"))
    answer = json.loads(r.stdout)
    assert answer["matched"] == {"APPLE": "Apple"} and r.stderr == ""  # the first, most frequent


def test_analogy_matches_case_only_when_asked(tmp_path):
    path = cased_vectors(tmp_path)
    assert run("analogy", path, "apple", "PEAR", "Lemon").exit_code == 1
    r = ok(run("analogy", path, "apple", "pear", "Lemon", "-i", "-n", "1"))
    assert r.stderr == "w2vfast: 'pear' matched 'PEAR', 'Lemon' matched 'lemon'\n"
    expected = ok(run("analogy", path, "apple", "PEAR", "lemon", "-n", "1")).stdout
    assert r.stdout == expected
