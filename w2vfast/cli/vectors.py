"""Commands that use trained vectors as a whole: eval, convert, classes.

Every command reads what `w2vfast.load` reads (text or binary, word2vec/gensim/fastText
variants, compressed).
"""
import math
import os

import click

from ..atomic import check_writable
from ..formats import VectorFileError, detect_format, format_for_binary, write_vectors
from ..vecmath import normalise_rows
from .common import fail, handle_errors
from .grammar import Word2vecCommand
from .console import finite, load_vectors, out, out_json, read_raw, same_file
from .flags import flag


def _analogy_json(r):
    return {
        "file": r.questions_path,
        "restrict": r.restrict,
        "sections": [{"name": s.name, "semantic": s.semantic, "correct": s.correct,
                      "seen": s.seen, "total": s.total, "accuracy": finite(s.accuracy)}
                     for s in r.sections],
        "correct": r.correct, "seen": r.seen, "total": r.total,
        "accuracy": finite(r.accuracy),
        "semantic_accuracy": finite(r.semantic_accuracy),
        "syntactic_accuracy": finite(r.syntactic_accuracy),
    }


def _pairs_line(r):
    def f(x):
        return "n/a" if math.isnan(x) else f"{x:.4f}"
    return (f"{os.path.basename(r.pairs_path)}: Spearman {f(r.spearman)}  Pearson {f(r.pearson)}"
            f"  (pairs {r.found} / {r.total})")


@click.command("eval", cls=Word2vecCommand)
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
    from ..evaluate import default_pairs_path, evaluate_analogies, evaluate_word_pairs

    vec = load_vectors(vectors)
    report = {"vectors": vectors}
    try:
        if not no_analogies:
            r = evaluate_analogies(vec.index_to_key, vec.vectors, analogies, restrict=restrict,
                                   case_insensitive=case_insensitive)
            report["analogies"] = _analogy_json(r)
            if not as_json:
                out(r.format())
        if not no_similarity:
            report["similarity"] = []
            for path in similarity or [str(default_pairs_path())]:
                p = evaluate_word_pairs(vec.index_to_key, vec.vectors, path,
                                        case_insensitive=case_insensitive)
                report["similarity"].append({
                    "file": p.pairs_path, "spearman": finite(p.spearman),
                    "pearson": finite(p.pearson), "found": p.found, "total": p.total})
                if not as_json:
                    out(_pairs_line(p))
    except OSError as e:
        fail(f"cannot read {e.filename!r}: {e.strerror}")
    if as_json:
        out_json(report)


# --------------------------------------------------------------------------
# convert
# --------------------------------------------------------------------------


def _is_text_file(path):
    """Whether the formats' sniffer takes a vector file for text (else binary, or a file that
    reading then reports as broken)."""
    try:
        return detect_format(path).name == "text"
    except (VectorFileError, OSError, ValueError):
        return False


@click.command(cls=Word2vecCommand)
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
    if same_file(source, dest):
        raise click.UsageError(f"OUT {dest!r} is IN itself: write to another file")
    check_writable(dest)
    if binary is None:
        binary = 0 if source == "-" or not _is_text_file(source) else 1
    words, vectors = read_raw(source, limit)
    if normalize:
        vectors = normalise_rows(vectors)
    out_format = format_for_binary(binary)
    try:
        write_vectors(dest, words, vectors, fmt=out_format)
    except ValueError as e:  # a word the formats cannot hold (a binary file's word with a tab)
        fail(f"cannot write {dest!r}: {e} (no reader could split it back out)")
    click.echo(f"Wrote {len(words)} x {vectors.shape[1]} vectors"
               f"{' (unit length)' if normalize else ''} in {out_format.name} "
               f"format to {'standard output' if dest == '-' else dest}", err=True)


@click.command(cls=Word2vecCommand)
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
    from ..classes import compute_classes, write_classes

    check_writable(output)
    if same_file(output, vectors):
        raise click.UsageError(f"output {output!r} is VECTORS itself: it would be overwritten")
    words, matrix = read_raw(vectors)
    ids = compute_classes(matrix, k, iterations=iterations)
    write_classes(output, words, ids)
    empty = k - len(set(ids.tolist()))
    if empty:
        click.echo(f"w2vfast: note: {empty} of the {k} classes are empty (k-means, as word2vec's, "
                   f"leaves a class empty when no word is nearest its centre); "
                   f"{k - empty} classes hold the {len(words)} words", err=True)
