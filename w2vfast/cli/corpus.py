"""Commands that read a corpus without training on it: `vocab` (word counts) and `phrases`
(word2phrase)."""
import os

import click

from .. import phrases as ph
from ..atomic import check_writable
from ..progress import vocabulary_summary, words_in_train_file
from .common import handle_errors
from .grammar import Word2vecCommand
from .flags import flag, schema_option
from .console import same_file


@click.command(cls=Word2vecCommand)
@click.argument("corpus", metavar="CORPUS")
@schema_option("min_count", type=click.IntRange(min=1))
@schema_option("max_vocab", type=click.IntRange(min=0))
@schema_option("lowercase")
@schema_option("tokenizer")
@click.option("-o", "-output", "--output", "output", default="-", show_default=True,
              metavar="FILE", help="Where to write the vocabulary ('-' = stdout).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@handle_errors
def vocab(corpus, min_count, max_vocab, lowercase, tokenizer, output, quiet):
    """Count CORPUS and write its vocabulary as `word count` lines (word2vec's -save-vocab).

    The tokenizer and the order (`</s>` first, then by count, ties by first occurrence) are
    those of `train`, so the file works with `train -read-vocab`.

    \b
    Examples:
      w2vfast vocab corpus.txt -min-count 5 -o vocab.txt
      xz -dc corpus.xz | w2vfast vocab - | head
    """
    from ..vocab import build_vocabulary, save_vocab_file

    check_writable(output)
    if output != "-" and corpus != "-" and same_file(output, corpus):
        raise click.UsageError(f"output {output!r} is the corpus itself: it would be overwritten")
    from ..options import default_threads
    d = build_vocabulary(corpus, min_count=min_count, max_vocab=max_vocab, record_ids=False,
                         threads=default_threads(), tokenizer=tokenizer, lowercase=lowercase)
    save_vocab_file(output, d.words(), d.counts())
    if not quiet:
        for line in vocabulary_summary(d):
            click.echo(line, err=True)
        left_out = d.n_tokens - words_in_train_file(d)
        click.echo(f"Tokens read: {d.n_tokens} ({left_out} of them in words left out by "
                   f"-min-count {min_count}{' and -max-vocab' if max_vocab else ''})", err=True)


def _clock(seconds):
    return f"{seconds:.1f} s"


@click.command(cls=Word2vecCommand)
@click.argument("corpus", required=False, metavar="CORPUS")
@flag("train", "train_file", metavar="FILE", help="Corpus file (as word2phrase.c); same as CORPUS.")
@click.option("-o", "-output", "--output", "output", metavar="FILE", default="-", show_default=True,
              help="Write the text with phrases here ('-' for stdout).")
@flag("min-count", type=int, default=ph.DEFAULT_MIN_COUNT,
      help="Words and pairs seen fewer times are never joined.")
@flag("threshold", type=float, default=ph.DEFAULT_THRESHOLD,
      help="Join a pair when its score is above this (higher: fewer phrases); the last pass's threshold.")
@flag("passes", type=int, default=ph.DEFAULT_PASSES,
      help="Passes over the text; pass k of N uses threshold x (N-k+1), so longer phrases form.")
@schema_option("lowercase")
@schema_option("tokenizer")
@flag("debug", type=click.IntRange(0, 2), default=1,
      help="0: errors only, 1: a summary line per pass, 2: and each pass's most frequent phrases.")
@click.option("-q", "--quiet", is_flag=True, help="Same as -debug 0.")
@handle_errors
def phrases(corpus, train_file, output, min_count, threshold, passes, lowercase, tokenizer, debug, quiet):
    """Join frequent collocations of CORPUS into single tokens, as word2vec's word2phrase.

    CORPUS is a text file, '-' for stdin, or .gz/.bz2/.xz.  A pair of adjacent words `a b` scores
    (count(a b) - min_count) / (count(a) * count(b)) * words_in_corpus and is written `a_b` when
    the score is above the threshold; a word just joined cannot start another join in the same
    pass.  Each further pass reads the previous output, forming `new_york_city`; with
    `-threshold 100 -passes 2` the passes use 200 then 100 (word2vec's demo-phrases.sh), and
    `-passes 1` is word2phrase.c.  Line ends are kept; words are written separated by single
    spaces.

    \b
    Example:
      w2vfast phrases text8 -o text8-phrases
      xz -dc corpus.xz | w2vfast phrases - | w2vfast train - -output vec.bin -binary 1
    """
    if corpus and train_file and corpus != train_file:
        raise click.UsageError("give the corpus once: either CORPUS or -train FILE")
    corpus = corpus or train_file
    if not corpus:
        raise click.UsageError("no corpus: give CORPUS (or -train FILE; '-' reads stdin)")
    ph.check_options(min_count, threshold, passes)  # bad values fail before any reading
    if output != "-":
        check_writable(output)
        if corpus != "-" and os.path.exists(output) and os.path.exists(corpus) \
                and os.path.samefile(output, corpus):
            raise click.UsageError(f"output {output!r} is the corpus itself: it would be overwritten")
    if quiet:
        debug = 0

    def on_pass(k, n, s):
        if debug < 1:
            return
        click.echo(f"Pass {k}/{n}: threshold {s.threshold:g}, {s.train_words:,} words "
                   f"({s.distinct_words:,} distinct): {s.phrases:,} phrases above the threshold, "
                   f"{s.joins:,} joined in the text ({_clock(s.seconds)})", err=True)
        if debug >= 2 and s.top:
            click.echo("  most frequent: " + ", ".join(
                f"{p.decode('utf-8', 'backslashreplace')} {c}" for p, c, _ in s.top), err=True)

    ph.phrases(corpus, output, min_count=min_count, threshold=threshold, passes=passes,
               on_pass=on_pass, top=20 if debug >= 2 else 0, tokenizer=tokenizer, lowercase=lowercase)
