"""`w2vfast doc2vec`: paragraph vectors (Le & Mikolov 2014), trained as `train` trains words.

It takes `train`'s flags (the schema's options for DOC2VEC: options.py), its progress, JSON log,
checkpoints and outputs, and runs the same pipeline with a paragraph-vector kind (kinds.py).
"""
import click

from .. import options as opts
from .common import handle_errors
from .flags import train_options
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
    documents' vectors in word2vec format, keyed by tag (the line number, from 0), so every
    command that reads vectors reads them; -save-words the word vectors.

    \b
    Examples:
      w2vfast doc2vec docs.txt -output docvecs.txt
      w2vfast doc2vec docs.txt -dm 1 -size 100 -iter 20 -output docvecs.bin -binary 1
      w2vfast similar docvecs.txt 42 -n 5      # the documents nearest line 42
    """
    run_command(opts.DOC2VEC, corpus, flags)
