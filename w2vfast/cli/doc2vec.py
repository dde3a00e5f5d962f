"""`w2vfast doc2vec`: paragraph vectors (Le & Mikolov 2014), trained as `train` trains words.

It takes `train`'s flags (the schema's options for DOC2VEC: options.py), its progress, JSON log,
checkpoints and outputs, and runs the same pipeline with a paragraph-vector kind (kinds.py).
"""
import click

from .. import options as opts
from .common import handle_errors
from .flags import flag, train_options
from .grammar import Word2vecCommand
from .train import run_command


@click.command(cls=Word2vecCommand)
@click.argument("corpus", required=False, metavar="CORPUS")
@train_options(opts.DOC2VEC)
@handle_errors
def doc2vec(corpus, **flags):
    """Train document vectors on CORPUS, one document a line (paragraph vectors).

    PV-DBOW (-dm 0, the default) trains each document's vector to predict its words; PV-DM
    (-dm 1) to predict each word together with the word's context.  -output gets the
    documents' vectors in word2vec format, keyed by tag (the line number, from 0, or with
    -tags first the line's first field, as `_*42 the text`), so every command that reads
    vectors reads them; -save-words the word vectors.

    \b
    Examples:
      w2vfast doc2vec docs.txt -output docvecs.txt
      w2vfast doc2vec docs.txt -dm 1 -size 100 -iter 20 -output docvecs.bin -binary 1
      w2vfast similar docvecs.txt 42 -n 5      # the documents nearest line 42
      w2vfast doc2vec tagged.txt -tags first -output docvecs.txt
    """
    run_command(opts.DOC2VEC, corpus, flags)


@click.command(cls=Word2vecCommand)
@click.argument("model_dir", metavar="MODEL")
@click.argument("documents", metavar="DOCS")
@click.option("-o", "-output", "output", required=True, metavar="FILE",
              help="Write the documents' vectors here, a row per line of DOCS keyed by line number or tag "
                   "('-' for stdout).")
@flag("binary", type=click.IntRange(0, 1), default=0, help="Output format: 1 = binary, 0 = text.")
@flag("iter", type=click.IntRange(min=1), default=None, help="Epochs.  [default: the model's]")
@flag("alpha", type=click.FloatRange(min=0, min_open=True), default=None,
      help="Starting learning rate.  [default: the model's]")
@flag("seed", type=click.IntRange(min=0), default=1, help="Random seed of the new rows.")
@flag("tags", type=click.Choice(opts.TAG_SOURCES), default=opts.default("tags"),
      help="A row's key: line = the line number, from 0; first = the line's first field, not a word "
           "(`_*123 text...`; a blank line then has no row).")
@flag("threads", type=click.IntRange(min=1), default=None, help="Worker threads.  [default: the model's]")
@click.option("-q", "-quiet", "quiet", is_flag=True, help="No warnings or summary on stderr.")
@handle_errors
def infer(model_dir, documents, output, binary, iter, alpha, seed, tags, threads, quiet):
    """Vectors for new documents (DOCS, one a line) from a doc2vec model (MODEL, a --save-model
    directory), with the model's words and output rows frozen, as gensim's infer_vector.

    Words the model does not know are skipped; a line with none it knows gets a zero row and a
    warning, so row i is always line i.  DOCS may be '-' (stdin) or compressed.

    \b
    Example:
      w2vfast doc2vec docs.txt -output docvecs.txt --save-model model
      w2vfast infer model new.txt -output new-vecs.txt
    """
    import time

    from ..api import load_model
    from ..atomic import check_writable
    from ..formats import format_for_binary, write_vectors
    from ..inference import check_model, infer as infer_documents

    check_writable(output)
    model = load_model(model_dir)
    check_model(model, f"MODEL {model_dir!r}")
    t0 = time.perf_counter()
    keys, vectors, empty = infer_documents(model, documents, iter=iter, alpha=alpha, seed=seed,
                                           threads=threads, tags=tags)
    write_vectors(output, keys, vectors, fmt=format_for_binary(bool(binary)).name)
    if not quiet:
        for line in empty[:5]:
            click.echo(f"w2vfast: warning: line {line + 1} of {documents} has no word of the model's "
                       "vocabulary: its vector is zero", err=True)
        if len(empty) > 5:
            click.echo(f"w2vfast: warning: and {len(empty) - 5} more such lines", err=True)
        click.echo(f"Inferred {len(vectors)} document vectors in {time.perf_counter() - t0:.2f} s", err=True)
