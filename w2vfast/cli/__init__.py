"""The `w2vfast` command line: Click commands that parse, call the package, and print.

The commands live one concern a module (`train`, `demo`, the vector queries, the vector tools,
the corpus tools) and share the rules of `common`; this module gathers them into one group.
"""
import click

from .console import show_corpus_warnings
from .corpus import phrases, vocab
from .demo import demo
from .doc2vec import doc2vec, infer
from .grammar import Word2vecGroup
from .query import analogy, similar
from .pictures import plot, plot_loss
from .train import train
from .vectors import classes, convert, eval_command


@click.group(cls=Word2vecGroup,
             context_settings={"help_option_names": ["-h", "-help", "--help"], "max_content_width": 100})
@click.version_option(None, "-version", "--version", package_name="w2vfast")
def main():
    """w2vfast: train word2vec embeddings from raw text, fast.

    Flags and file formats are those of the original C word2vec; see `w2vfast train --help`.
    """
    show_corpus_warnings()


for command in (train, doc2vec, infer, demo, similar, analogy, eval_command, convert, vocab, classes, plot, plot_loss,
                phrases):
    main.add_command(command)
