"""`w2vfast similar` and `w2vfast analogy`: word2vec's `distance` and `word-analogy`.

They take their query from the arguments or, without one, one query per line from standard
input (with a prompt when it is a terminal); `--json` prints one JSON object per query (JSON
lines).  A query with an unknown word gets one line `w2vfast: unknown word 'xyz'` on stderr and
the others are still answered; the exit status is then 1 for a query given as arguments, 0 when
reading queries from standard input.
"""
import sys

import click

from .. import query as queries
from .common import handle_errors
from .grammar import Word2vecCommand
from .console import load_vectors, out, out_json, split_words, warn

PROMPT = "Enter word or sentence (EXIT to break): "
ANALOGY_PROMPT = "Enter three words A B C, for A is to B as C is to ? (EXIT to break): "

# Bytes of standard input read at once in pipe mode: every complete line in them is one batch.
_STDIN_CHUNK = 1 << 16


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _stdin_batches():
    """Batches of query lines from a pipe or file: all complete lines read so far.

    `read1` returns what is available without waiting for more, so a program that writes one
    query and waits for its answer gets it at once, and a long file is answered in big batches.
    """
    stream = sys.stdin.buffer
    read = getattr(stream, "read1", stream.read)
    pending = b""
    while True:
        chunk = read(_STDIN_CHUNK)
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        if lines:
            yield lines
    if pending:
        yield [pending]


def _interactive_lines(prompt):
    stream = sys.stdin.buffer
    while True:
        click.echo(prompt, nl=False, err=True)
        line = stream.readline()
        if not line:
            click.echo("", err=True)
            return
        if line.strip() == b"EXIT":
            return
        yield line


def _stdin_is_terminal():
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _print_results(result, as_json, header):
    if as_json:
        out_json(result.to_json())
        return
    if result.unknown:
        return
    lines = [f"query: {' '.join(result.query)}"] if header else []
    width = max([24] + [len(w) for w, _ in result.results])
    lines += [f"{w:<{width}s} {s:.6f}" for w, s in result.results]
    if header:
        lines.append("")
    if lines:
        out("\n".join(lines))


def _answer(items, answer_batch, as_json, header):
    """Answer a batch of parsed query lines, in order; return the number of failed queries.

    An item is a list of words (a query) or a tuple (words, error) for a line that is no query.
    """
    results = iter(answer_batch([q for q in items if not isinstance(q, tuple)]))
    failed = 0
    for item in items:
        if isinstance(item, tuple):
            failed += 1
            warn(item[1])
            if as_json:
                out_json({"query": item[0], "results": [], "error": item[1]})
            continue
        r = next(results)
        if r.matched and not as_json:
            warn(", ".join(f"'{typed}' matched '{word}'" for typed, word in r.matched.items()))
        if r.unknown:
            failed += 1
            warn(r.error)
        _print_results(r, as_json, header)
    return failed


def _run_queries(words, answer_batch, parse_line, prompt, as_json):
    """Answer the query in `words`, or those on stdin; exit 1 if an argument query failed.

    `parse_line(bytes)` gives a query (list of words), None for a blank line, or a tuple
    (words, error message) for a line that is no query.
    """
    if words:
        if _answer([list(words)], answer_batch, as_json, header=False):
            sys.exit(1)
        return
    if _stdin_is_terminal():
        for line in _interactive_lines(prompt):
            item = parse_line(line)
            if item is not None:
                _answer([item], answer_batch, as_json, header=True)
        return
    for lines in _stdin_batches():
        items = [q for q in (parse_line(line) for line in lines) if q is not None]
        if items:
            _answer(items, answer_batch, as_json, header=True)


def _check_stdin_free(vectors, words):
    if vectors == "-" and not words:
        raise click.UsageError("VECTORS is standard input, so the queries must be arguments")


@click.command(cls=Word2vecCommand)
@click.argument("vectors", metavar="VECTORS")
@click.argument("words", nargs=-1, metavar="[WORD]...")
@click.option("-n", "--topn", type=click.IntRange(min=1), default=40, show_default=True,
              help="Number of words to show.")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="Read only the first N vectors (the most frequent words); 0 = all.")
@click.option("-i", "--ignore-case", is_flag=True,
              help="Match a word that is not in the vocabulary as typed to its most frequent "
                   "spelling in another case (France for france), and say so.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (JSON lines).")
@handle_errors
def similar(vectors, words, topn, limit, ignore_case, as_json):
    """Nearest words to WORD by cosine, with scores (word2vec's `distance`).

    Several words are summed (their unit vectors) into one query.  With no WORD, every line of
    standard input is a query (a prompt is shown when it is a terminal).  Words match as typed,
    as in word2vec's tools; -i also matches them in another case.

    \b
    Examples:
      w2vfast similar vec.bin king
      w2vfast similar vec.bin king woman -n 10 --json
      printf 'paris\\nberlin\\n' | w2vfast similar vec.bin -n 5
    """
    _check_stdin_free(vectors, words)
    vec = load_vectors(vectors, limit)
    folded = queries.CaseFolded(vec) if ignore_case else None

    def parse(line):
        return split_words(line) or None

    _run_queries(words, lambda batch: queries.similar(vec, batch, topn=topn, folded=folded), parse,
                 PROMPT, as_json)


# --------------------------------------------------------------------------
# analogy
# --------------------------------------------------------------------------


@click.command(cls=Word2vecCommand)
@click.argument("vectors", metavar="VECTORS")
@click.argument("words", nargs=-1, metavar="[A B C]")
@click.option("-n", "--topn", type=click.IntRange(min=1), default=10, show_default=True,
              help="Number of answers to show.")
@click.option("--method", type=click.Choice(["add", "mul"]), default="add", show_default=True,
              help="3CosAdd (as word2vec's word-analogy) or 3CosMul (Levy & Goldberg 2014).")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="Read only the first N vectors (the most frequent words); 0 = all.")
@click.option("-i", "--ignore-case", is_flag=True,
              help="Match a word that is not in the vocabulary as typed to its most frequent "
                   "spelling in another case (France for france), and say so.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (JSON lines).")
@handle_errors
def analogy(vectors, words, topn, method, limit, ignore_case, as_json):
    """A is to B as C is to ?  (word2vec's `word-analogy`; A, B and C are never answers).

    With no words, every line of standard input is a question `A B C`.

    \b
    Examples:
      w2vfast analogy vec.bin man king woman
      w2vfast analogy vec.bin france paris germany --method mul -n 3 --json
    """
    if words and len(words) != 3:
        raise click.UsageError(f"an analogy needs three words A B C, got {len(words)}")
    _check_stdin_free(vectors, words)
    vec = load_vectors(vectors, limit)
    folded = queries.CaseFolded(vec) if ignore_case else None

    def answer(batch):
        return queries.analogy(vec, batch, topn=topn, method=method, folded=folded)

    def parse(line):
        ws = split_words(line)
        if not ws:
            return None
        if len(ws) != 3:
            return ws, f"expected three words A B C, got {len(ws)}: '{' '.join(ws)}'"
        return ws

    _run_queries(words, answer, parse, ANALOGY_PROMPT, as_json)
