"""Commands that use trained vectors: similar, analogy, eval, convert, vocab, classes, plot.

They join the `w2vfast` group of `cli.py` and follow its rules: data on stdout, messages on
stderr, one-line errors (exit 1 at run time, 2 for usage), no tracebacks.  Every command reads
what `w2vfast.load` reads (text or binary, word2vec/gensim/fastText variants, compressed).

`similar` and `analogy` take their query from the arguments or, without one, one query per line
from standard input (with a prompt when it is a terminal); `--json` prints one JSON object per
query (JSON lines).  A query with an unknown word gets one line `w2vfast: unknown word 'xyz'` on
stderr and the others are still answered; the exit status is then 1 for a query given as
arguments, 0 when reading queries from standard input.
"""
import json
import math
import os
import sys

import click
import numpy as np

from . import api, options as opts
from . import query as queries
from .atomic import check_writable
from .cli import Word2vecCommand, fail, flag, handle_errors, main
from .formats import VectorFileError, read_vectors, write_vectors

PROMPT = "Enter word or sentence (EXIT to break): "
ANALOGY_PROMPT = "Enter three words A B C, for A is to B as C is to ? (EXIT to break): "

# Bytes of standard input read at once in pipe mode: every complete line in them is one batch.
_STDIN_CHUNK = 1 << 16


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _bytes(text):
    # words are str with surrogate escapes for bytes that are not UTF-8: write them back as read
    return text.encode("utf-8", "surrogateescape")


def _out(text):
    click.echo(_bytes(text))


def _out_json(obj):
    # a non-UTF-8 byte becomes the JSON escape \udcXX, so every line is valid UTF-8 JSON
    click.echo(json.dumps(obj, ensure_ascii=False).encode("utf-8", "backslashreplace"))


def _warn(message):
    click.echo(_bytes(f"w2vfast: {message}"), err=True)


def _finite(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _read_error(path, e):
    return VectorFileError(f"cannot read {'standard input' if path == '-' else repr(path)}: "
                           f"{e.strerror or e}")


def load_vectors(path, limit=None):
    """`w2vfast.load(path)`, with an unreadable file reported as a VectorFileError."""
    try:
        return api.load(path, limit=limit or None)
    except VectorFileError:
        raise
    except OSError as e:
        raise _read_error(path, e) from None


def _read_raw(path, limit=None):
    try:
        return read_vectors(path, limit=limit or None)
    except VectorFileError:
        raise
    except OSError as e:
        raise _read_error(path, e) from None


def _split(line):
    """Words of one query line (bytes), as str with surrogate escapes."""
    return line.decode("utf-8", "surrogateescape").split()


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
        _out_json(result.to_json())
        return
    if result.unknown:
        return
    lines = [f"query: {' '.join(result.query)}"] if header else []
    width = max([24] + [len(w) for w, _ in result.results])
    lines += [f"{w:<{width}s} {s:.6f}" for w, s in result.results]
    if header:
        lines.append("")
    if lines:
        _out("\n".join(lines))


def _answer(items, answer_batch, as_json, header):
    """Answer a batch of parsed query lines, in order; return the number of failed queries.

    An item is a list of words (a query) or a tuple (words, error) for a line that is no query.
    """
    results = iter(answer_batch([q for q in items if not isinstance(q, tuple)]))
    failed = 0
    for item in items:
        if isinstance(item, tuple):
            failed += 1
            _warn(item[1])
            if as_json:
                _out_json({"query": item[0], "results": [], "error": item[1]})
            continue
        r = next(results)
        if r.unknown:
            failed += 1
            _warn(r.error)
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


# --------------------------------------------------------------------------
# similar
# --------------------------------------------------------------------------


@main.command()
@click.argument("vectors", metavar="VECTORS")
@click.argument("words", nargs=-1, metavar="[WORD]...")
@click.option("-n", "--topn", type=click.IntRange(min=1), default=40, show_default=True,
              help="Number of words to show.")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="Read only the first N vectors (the most frequent words); 0 = all.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (JSON lines).")
@handle_errors
def similar(vectors, words, topn, limit, as_json):
    """Nearest words to WORD by cosine, with scores (word2vec's `distance`).

    Several words are summed (their unit vectors) into one query.  With no WORD, every line of
    standard input is a query (a prompt is shown when it is a terminal).

    \b
    Examples:
      w2vfast similar vec.bin king
      w2vfast similar vec.bin king woman -n 10 --json
      printf 'paris\\nberlin\\n' | w2vfast similar vec.bin -n 5
    """
    _check_stdin_free(vectors, words)
    vec = load_vectors(vectors, limit)

    def parse(line):
        return _split(line) or None

    _run_queries(words, lambda batch: queries.similar(vec, batch, topn=topn), parse, PROMPT,
                 as_json)


# --------------------------------------------------------------------------
# analogy
# --------------------------------------------------------------------------


@main.command()
@click.argument("vectors", metavar="VECTORS")
@click.argument("words", nargs=-1, metavar="[A B C]")
@click.option("-n", "--topn", type=click.IntRange(min=1), default=10, show_default=True,
              help="Number of answers to show.")
@click.option("--method", type=click.Choice(["add", "mul"]), default="add", show_default=True,
              help="3CosAdd (as word2vec's word-analogy) or 3CosMul (Levy & Goldberg 2014).")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="Read only the first N vectors (the most frequent words); 0 = all.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (JSON lines).")
@handle_errors
def analogy(vectors, words, topn, method, limit, as_json):
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

    def answer(batch):
        return queries.analogy(vec, batch, topn=topn, method=method)

    def parse(line):
        ws = _split(line)
        if not ws:
            return None
        if len(ws) != 3:
            return ws, f"expected three words A B C, got {len(ws)}: '{' '.join(ws)}'"
        return ws

    _run_queries(words, answer, parse, ANALOGY_PROMPT, as_json)


# --------------------------------------------------------------------------
# eval
# --------------------------------------------------------------------------


def _analogy_json(r):
    return {
        "file": r.questions_path,
        "restrict": r.restrict,
        "sections": [{"name": s.name, "semantic": s.semantic, "correct": s.correct,
                      "seen": s.seen, "total": s.total, "accuracy": _finite(s.accuracy)}
                     for s in r.sections],
        "correct": r.correct, "seen": r.seen, "total": r.total,
        "accuracy": _finite(r.accuracy),
        "semantic_accuracy": _finite(r.semantic_accuracy),
        "syntactic_accuracy": _finite(r.syntactic_accuracy),
    }


def _pairs_line(r):
    def f(x):
        return "n/a" if math.isnan(x) else f"{x:.4f}"
    return (f"{os.path.basename(r.pairs_path)}: Spearman {f(r.spearman)}  Pearson {f(r.pearson)}"
            f"  (pairs {r.found} / {r.total})")


@main.command("eval")
@click.argument("vectors", metavar="VECTORS")
@click.option("--analogies", "analogies", type=click.Path(exists=True, dir_okay=False),
              metavar="FILE", help="Analogy questions (`: section` lines, then `a b c d`).  "
              "[default: the bundled Google analogies, 19,544 questions]")
@click.option("--similarity", "similarity", multiple=True,
              type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Word pairs with human scores (`word1 word2 score`); may be repeated.  "
              "[default: the bundled WordSim-353]")
@click.option("--no-analogies", is_flag=True, help="Skip the analogy test.")
@click.option("--no-similarity", is_flag=True, help="Skip the word-pair test.")
@click.option("--restrict", type=click.IntRange(min=0), default=30000, show_default=True,
              help="Answer analogies among the first N words only, as compute-accuracy; 0 = all.")
@click.option("--case-insensitive/--case-sensitive", default=True, show_default=True,
              help="Compare words upper-cased (as compute-accuracy does).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with all results.")
@handle_errors
def eval_command(vectors, analogies, similarity, no_analogies, no_similarity, restrict,
                 case_insensitive, as_json):
    """Analogy accuracy and word-pair similarity of VECTORS.

    Analogies are counted exactly as word2vec's compute-accuracy counts them: per section and
    in total, with the questions seen (all 4 words among the first --restrict words) out of the
    total.  Word pairs give Spearman's rho and Pearson's r between cosine and human scores,
    with the pairs found out of the total.

    \b
    Examples:
      w2vfast eval vec.bin
      w2vfast eval vec.bin --restrict 0 --similarity simlex.txt --json
    """
    from .evaluate import default_pairs_path, evaluate_analogies, evaluate_word_pairs

    vec = load_vectors(vectors)
    report = {"vectors": vectors}
    try:
        if not no_analogies:
            r = evaluate_analogies(vec.index_to_key, vec.vectors, analogies, restrict=restrict,
                                   case_insensitive=case_insensitive)
            report["analogies"] = _analogy_json(r)
            if not as_json:
                _out(r.format())
        if not no_similarity:
            report["similarity"] = []
            for path in similarity or [str(default_pairs_path())]:
                p = evaluate_word_pairs(vec.index_to_key, vec.vectors, path,
                                        case_insensitive=case_insensitive)
                report["similarity"].append({
                    "file": p.pairs_path, "spearman": _finite(p.spearman),
                    "pearson": _finite(p.pearson), "found": p.found, "total": p.total})
                if not as_json:
                    _out(_pairs_line(p))
    except OSError as e:
        fail(f"cannot read {e.filename!r}: {e.strerror}")
    if as_json:
        _out_json(report)


# --------------------------------------------------------------------------
# convert
# --------------------------------------------------------------------------


def _is_text_file(path):
    """Whether the first row of a vector file is text (else binary, or broken)."""
    try:
        read_vectors(path, binary=False, limit=1)
        return True
    except (VectorFileError, OSError, ValueError):
        return False


def _same_file(a, b):
    if a == "-" or b == "-":
        return False
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@main.command(cls=Word2vecCommand)
@click.argument("source", metavar="IN")
@click.argument("dest", metavar="OUT")
@flag("binary", type=click.IntRange(0, 1), default=None, metavar="0|1",
      help="Output format: 1 = binary, 0 = text.  [default: the other format than IN's]")
@flag("limit", type=click.IntRange(min=0), default=0, help="Write only the first N vectors; 0 = all.")
@flag("normalize", is_flag=True, help="Write unit-length vectors (a zero vector stays zero).")
@handle_errors
def convert(source, dest, binary, limit, normalize):
    """Convert vectors between text and binary word2vec format ('-' = stdin / stdout).

    Words go out exactly as they came in (bytes are never re-encoded); OUT is written
    atomically.

    \b
    Examples:
      w2vfast convert vec.bin vec.txt
      w2vfast convert vec.txt vec.bin -binary 1 -limit 100000 --normalize
    """
    if _same_file(source, dest):
        raise click.UsageError(f"OUT {dest!r} is IN itself: write to another file")
    check_writable(dest)
    if binary is None:
        binary = 0 if source == "-" or not _is_text_file(source) else 1
    words, vectors = _read_raw(source, limit)
    if normalize:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1)
    try:
        write_vectors(dest, words, vectors, binary=bool(binary))
    except ValueError as e:  # a word the formats cannot hold (a binary file's word with a tab)
        fail(f"cannot write {dest!r}: {e} (no reader could split it back out)")
    click.echo(f"Wrote {len(words)} x {vectors.shape[1]} vectors"
               f"{' (unit length)' if normalize else ''} in {'binary' if binary else 'text'} "
               f"format to {'standard output' if dest == '-' else dest}", err=True)


# --------------------------------------------------------------------------
# vocab
# --------------------------------------------------------------------------


@main.command(cls=Word2vecCommand)
@click.argument("corpus", metavar="CORPUS")
@flag("min-count", type=click.IntRange(min=1), default=opts.DEFAULTS["min_count"],
      help="Discard words occurring fewer times.")
@flag("max-vocab", type=click.IntRange(min=0), default=opts.DEFAULTS["max_vocab"],
      help="Prune rare words while counting to keep at most this many (0 = no limit).")
@click.option("-o", "-output", "--output", "output", default="-", show_default=True,
              metavar="FILE", help="Where to write the vocabulary ('-' = stdout).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@handle_errors
def vocab(corpus, min_count, max_vocab, output, quiet):
    """Count CORPUS and write its vocabulary as `word count` lines (word2vec's -save-vocab).

    The tokenizer and the order (`</s>` first, then by count, ties by first occurrence) are
    those of `train`, so the file works with `train -read-vocab`.

    \b
    Examples:
      w2vfast vocab corpus.txt -min-count 5 -o vocab.txt
      xz -dc corpus.xz | w2vfast vocab - | head
    """
    from .vocab import build_vocabulary, save_vocab_file

    check_writable(output)
    if output != "-" and corpus != "-" and _same_file(output, corpus):
        raise click.UsageError(f"output {output!r} is the corpus itself: it would be overwritten")
    from .options import default_threads
    d = build_vocabulary(corpus, min_count=min_count, max_vocab=max_vocab, record_ids=False,
                         threads=default_threads())
    save_vocab_file(output, d.words(), d.counts())
    if not quiet:
        click.echo(f"Vocab size: {d.n_words}", err=True)
        click.echo(f"Words in train file: {d.n_tokens}", err=True)


# --------------------------------------------------------------------------
# classes
# --------------------------------------------------------------------------


@main.command(cls=Word2vecCommand)
@click.argument("vectors", metavar="VECTORS")
@click.option("-k", "-classes", "--classes", "k", type=click.IntRange(min=1), required=True,
              metavar="K", help="Number of classes.")
@flag("iter", "iterations", type=click.IntRange(min=0), default=10, help="k-means iterations.")
@click.option("-o", "-output", "--output", "output", default="-", show_default=True,
              metavar="FILE", help="Where to write `word classid` lines ('-' = stdout).")
@handle_errors
def classes(vectors, k, iterations, output):
    """Word classes by k-means on VECTORS, as word2vec's `-classes K`.

    Writes `word classid` lines sorted by class (vocabulary order within a class).

    \b
    Example:
      w2vfast classes vec.bin -k 500 -o classes.txt
    """
    from .classes import compute_classes, write_classes

    check_writable(output)
    if _same_file(output, vectors):
        raise click.UsageError(f"output {output!r} is VECTORS itself: it would be overwritten")
    words, matrix = _read_raw(vectors)
    ids = compute_classes(matrix, k, iterations=iterations)
    write_classes(output, words, ids)


# --------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------


def _size(ctx, param, value):
    from .plot import parse_size

    try:
        return parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@main.command()
@click.argument("vectors", metavar="VECTORS")
@click.argument("words", nargs=-1, metavar="[WORD]...")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="The picture: .png or .svg ('-' = stdout, with --format).")
@click.option("--method", type=click.Choice(["pca", "tsne"]), default="pca", show_default=True,
              help="2-D projection.")
@click.option("--neighbours", "--neighbors", "neighbours", type=click.IntRange(min=0), default=0,
              show_default=True, help="Also plot the N nearest words of each word, coloured by group.")
@click.option("--top", type=click.IntRange(min=1), default=100, show_default=True,
              help="Without WORD: plot the N most frequent words.")
@click.option("--size", "size", default="1200x900", show_default=True, callback=_size,
              metavar="WxH", help="Picture size in pixels.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default=None,
              help="Picture format.  [default: from the name of FILE]")
@click.option("--title", default=None, help="Title above the plot.")
@click.option("--seed", type=int, default=0, show_default=True, help="t-SNE random seed.")
@handle_errors
def plot(vectors, words, output, method, neighbours, top, size, fmt, title, seed):
    """A labelled 2-D scatter of words of VECTORS, saved as PNG or SVG.

    The words are the WORD arguments ('-' reads them from stdin, whitespace-separated) or the
    --top most frequent.  Needs matplotlib: pip install 'w2vfast[plot]'.

    \b
    Examples:
      w2vfast plot vec.bin -o top100.png
      w2vfast plot vec.bin king queen paris berlin --neighbours 5 --method tsne -o near.svg
    """
    from . import plot as plotting

    if "-" in words:
        if vectors == "-":
            raise click.UsageError("VECTORS is standard input, so the words must be arguments")
        words = [w for w in words if w != "-"] + _split(sys.stdin.buffer.read())
        if not words:
            fail("no word to plot: standard input is empty")
    try:
        plotting.output_format(output, fmt)
        plotting.require_matplotlib()
    except plotting.PlotError as e:
        fail(str(e))
    check_writable(output)
    vec = load_vectors(vectors)
    try:
        info = plotting.plot_words(vec, output, list(words) or None, method=method, top=top,
                                   neighbours=neighbours, size=size, fmt=fmt, title=title,
                                   seed=seed)
    except plotting.PlotError as e:
        for w in _unknown_words(vec, words):
            _warn(queries.unknown_message([w]))
        fail(str(e))
    for w in info["unknown"]:
        _warn(queries.unknown_message([w]))
    n_seed = len(set(info["groups"]))
    click.echo(f"Plotted {len(info['words'])} words ({n_seed} chosen"
               + (f", {len(info['words']) - n_seed} neighbours" if neighbours else "")
               + f", {method}) to {'standard output' if output == '-' else output}", err=True)
    if info["unknown"] and words:
        sys.exit(1)


def _unknown_words(vec, words):
    seen = []
    for w in words:
        if w not in vec.key_to_index and w not in seen:
            seen.append(w)
    return seen


__all__ = ["similar", "analogy", "eval_command", "convert", "vocab", "classes", "plot",
           "load_vectors"]
