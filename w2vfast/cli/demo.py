"""`w2vfast demo`: train on a built-in synthetic corpus and show what was learned."""
import os
import time

import click

from .. import api, options as opts
from ..atomic import check_writable
from ..progress import ProgressPrinter
from .common import handle_errors
from .grammar import Word2vecCommand
from .flags import flag, schema_option

# the demo corpus is the same text on every machine
CORPUS_SEED = 1
# it is raw text, read as `train -tokenizer words -lowercase 1` reads raw text
RAW_TEXT = {"tokenizer": "words", "lowercase": 1}


@click.command(cls=Word2vecCommand)
@schema_option("size", help="Dimension of the word vectors.")
@schema_option("iter")
@schema_option("threads")
@schema_option("cbow")
@flag("tokens", type=click.IntRange(10_000, 100_000_000), default=3_000_000, help="Size of the synthetic corpus.")
@flag("output", metavar="FILE", default="demo-vectors.txt", help="Where to write the vectors ('-' for stdout).")
@flag("binary", type=click.IntRange(0, 1), default=0, help="Output format: 1 = binary, 0 = text.")
@flag("debug", type=click.IntRange(0, 2), default=1, help="0: results only, 1: summary, 2: and progress.")
@handle_errors
def demo(size, iter, threads, cbow, tokens, output, binary, debug):
    """Train on a built-in synthetic corpus and show what was learned (no download).

    The corpus plants country-capital, male-female, singular-plural and present-past
    relations among Zipf-distributed filler words, written as raw text (capitals, full stops),
    which it trains on as `train -tokenizer words -lowercase 1` does; the run prints nearest
    neighbours and the accuracy on the planted analogies, and writes the vectors.
    """
    import tempfile

    from .. import demo as corpus_demo

    opts.resolve(size=size, iter=iter, threads=threads, cbow=cbow)
    check_writable(output)
    with tempfile.TemporaryDirectory(prefix="w2vfast-demo-") as tmp:
        path = os.path.join(tmp, "demo-corpus.txt")
        t0 = time.perf_counter()
        n = corpus_demo.generate_corpus(path, n_tokens=tokens, seed=CORPUS_SEED, raw=True)
        if debug >= 1:
            click.echo(f"Generated a synthetic corpus of {n:,} tokens of raw text (capitals, full "
                       f"stops) in {time.perf_counter() - t0:.1f} s", err=True)
        printer = ProgressPrinter(threads or opts.default_threads()) if debug >= 2 else None
        try:
            model = api.train(path, output=output, binary=bool(binary), size=size, iter=iter,
                              threads=threads, cbow=cbow, progress=printer, **RAW_TEXT)
        finally:
            if printer is not None:
                printer.close()
    s = model.stats
    click.echo(f"Trained {model.options['iter']} epochs ({'CBOW' if cbow else 'skip-gram'}, "
               f"negative {model.options['negative']}, size {size}) on {n:,} tokens, "
               f"{s['vocab_size']:,} distinct words, in {s['train_seconds']:.1f} s "
               f"({s['words_per_sec'] / 1000:.0f}k words/s)")
    click.echo("")
    click.echo("Nearest real words.  The corpus also plants four invented topic words beside each "
               "pair\n(paris and france share theirs); they are nearer still, and listed after.")
    for word in ("paris", "king", "cats", "walked"):
        near = corpus_demo.nearest(model.index_to_key, model.vectors, word, topn=40)
        real = [(w, score) for w, score in near
                if corpus_demo.word_kind(w) in ("relation", "marker")][:4]
        topics = [w for w, _ in near if corpus_demo.word_kind(w) == "topic"][:4]
        click.echo(f"  {word:8s} " + ", ".join(f"{w} {score:.2f}" for w, score in real)
                   + f"   (topic words: {' '.join(topics)})")
    click.echo("")
    click.echo("Analogies (a is to b as c is to ?):")
    for a, b, c in (("france", "paris", "germany"), ("king", "queen", "man"), ("cat", "cats", "dog"),
                    ("walk", "walked", "go")):
        answer = model.most_similar_by_vector(model[b] - model[a] + model[c], exclude=(a, b, c))
        click.echo(f"  {a} : {b} :: {c} : {answer}")
    result = corpus_demo.evaluate_planted(model.index_to_key, model.vectors)
    click.echo("")
    click.echo("Accuracy on the planted analogies:")
    for name, sec in result["sections"].items():
        click.echo(f"  {name:16s} {100 * sec['accuracy']:6.2f} %  ({sec['correct']} / {sec['total']})")
    click.echo(f"  {'total':16s} {100 * result['accuracy']:6.2f} %  ({result['correct']} / {result['total']})")
    if output != "-":
        click.echo(f"\nVectors written to {output}")
