"""Commands that draw: `plot` (words of a vector file in 2-D) and `plot-loss` (a training run's
`--log-json`).  Both take `-o FILE` and `--format png|svg`; a picture format that cannot be told
is a usage error found before any work, and a missing matplotlib is named with the command
that installs it."""
import sys

import click

from .. import query as queries
from ..atomic import check_writable
from .common import fail, handle_errors
from .console import load_vectors, split_words, warn
from .grammar import Word2vecCommand

_FORMAT_HELP = "Picture format.  [default: from the name of FILE]"


def _size(ctx, param, value):
    from ..plot import parse_size

    try:
        return parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def _picture_format(output, fmt):
    """The format to draw in, checked before any work: a usage error if it cannot be told."""
    from ..plot import PlotError, output_format

    if output == "-" and fmt is None:
        raise click.UsageError("-o - writes to standard output: give --format png or --format svg")
    try:
        return output_format(output, fmt)
    except PlotError as e:
        raise click.UsageError(str(e)) from None


def _matplotlib():
    from ..plot import PlotError, require_matplotlib

    try:
        require_matplotlib()
    except PlotError as e:
        fail(str(e))


@click.command(cls=Word2vecCommand)
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
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default=None, help=_FORMAT_HELP)
@click.option("--title", default=None, help="Title above the plot.")
@click.option("--seed", type=int, default=0, show_default=True, help="t-SNE random seed.")
@handle_errors
def plot(vectors, words, output, method, neighbours, top, size, fmt, title, seed):
    """A labelled 2-D scatter of words of VECTORS, saved as PNG or SVG.

    The words are the WORD arguments ('-' reads them from stdin, whitespace-separated) or the
    --top most frequent.  Needs matplotlib (pip install matplotlib).

    \b
    Examples:
      w2vfast plot vec.bin -o top100.png
      w2vfast plot vec.bin king queen paris berlin --neighbours 5 --method tsne -o near.svg
    """
    from .. import plot as plotting

    fmt = _picture_format(output, fmt)
    if "-" in words:
        if vectors == "-":
            raise click.UsageError("VECTORS is standard input, so the words must be arguments")
        words = [w for w in words if w != "-"] + split_words(sys.stdin.buffer.read())
        if not words:
            fail("no word to plot: standard input is empty")
    _matplotlib()
    check_writable(output)
    vec = load_vectors(vectors)
    try:
        info = plotting.plot_words(vec, output, list(words) or None, method=method, top=top,
                                   neighbours=neighbours, size=size, fmt=fmt, title=title,
                                   seed=seed)
    except plotting.PlotError as e:
        for w in _unknown_words(vec, words):
            warn(queries.unknown_message([w]))
        fail(str(e))
    for w in info["unknown"]:
        warn(queries.unknown_message([w]))
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


@click.command("plot-loss", cls=Word2vecCommand)
@click.argument("log", metavar="LOG.json")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="The picture: .png or .svg ('-' = stdout, with --format).")
@click.option("--size", default="1200x700", show_default=True, callback=_size, metavar="WxH",
              help="Picture size in pixels.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default=None, help=_FORMAT_HELP)
@handle_errors
def plot_loss(log, output, size, fmt):
    """Draw loss and words/s over time from a `train --log-json` file.

    Needs matplotlib (pip install matplotlib).

    \b
    Example:
      w2vfast plot-loss run.json -o loss.png
    """
    from ..plot import PlotError, plot_loss as draw_loss
    from ..progress import read_log

    fmt = _picture_format(output, fmt)
    _matplotlib()
    check_writable(output)
    try:
        records = read_log(log)
        draw_loss(records, output, size=size, fmt=fmt)
    except FileNotFoundError:
        fail(f"log {log!r} not found")
    except (ValueError, PlotError) as e:
        fail(str(e))
