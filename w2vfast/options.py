"""Every option of a training run, written once: name, type, default, check and help.

The schema below is the single source: the `train` command's flags are made from it
(cli/flags.py), `w2vfast.train(**kw)` takes its keywords, `resolve` fills in its defaults and
checks values before any corpus is read or memory allocated, the C config struct is filled from
its training options (_core.Trainer.CONFIG_OPTIONS), and a model directory stores those options.
Names follow word2vec.c's flags with dashes turned into underscores (`-min-count` is
`min_count`); a bad value fails with a message naming the flag as the CLI spells it.
"""
import math
import os
from dataclasses import dataclass
from typing import Callable, Optional, Tuple


def default_threads():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class OptionError(ValueError):
    """An option has a bad value; the message names the flag as the CLI spells it."""


def flag(name):
    return "-" + name.replace("_", "-")


# What an option is for, which decides where it goes:
MODEL = "model"    # a training option: stored with the model, fills the C config (resolve)
OUTPUT = "output"  # a file the run writes, or how
RUN = "run"        # how the run goes (checkpoints, memory, the corpus's ids); not stored
CLI = "cli"        # what the command line alone does (reporting, word classes, MPI shards)

# What `--resume` does with an option the user gives (Option.on_resume; by default its group's):
KEPT = "kept"        # must equal the checkpoint's: the resumed run is the same run
FREE = "free"        # may change: where the files go, checkpointing, memory, reporting
REFUSED = "refused"  # has no place in a resumed run: the corpus and vocabulary are the checkpoint's
RESUME_RULE = {MODEL: KEPT, OUTPUT: FREE, RUN: FREE, CLI: FREE}

# The commands that train, and so take the schema's options (Option.commands): `train` (word
# vectors) and `doc2vec` (paragraph vectors, with the word vectors beside them).
TRAIN, DOC2VEC = "train", "doc2vec"
BOTH = (TRAIN, DOC2VEC)


@dataclass(frozen=True)
class Option:
    """One option.  `kind` is int, float, str (a path or word), bool (an on/off flag), "size"
    (bytes: 800M, 4G) or a tuple of choices.  `check(value)` returns what a bad value must be
    (for the message), or None.  `flag` is the CLI spelling without dashes (None: the Python API
    only); `cli_range` (low, high, low_open), when given, is checked by the CLI's parser, with
    its own message.  `default_text` replaces the shown default where it is computed (threads,
    alpha).  Every option is a keyword of `w2vfast.train` as well.  `on_resume`: what
    `--resume` does with it when given (KEPT, FREE, REFUSED; by default its group's,
    RESUME_RULE).  `commands`: the training commands that take it (`train`, `doc2vec`);
    a model's options are those of the command that trained it."""
    name: str
    group: str
    kind: object
    default: object
    help: str
    check: Optional[Callable[[object], Optional[str]]] = None
    flag: Optional[str] = "auto"
    metavar: Optional[str] = None
    default_text: Optional[str] = None
    cli_range: Optional[Tuple] = None
    cli_dest: Optional[str] = None
    cli_scale: float = 1.0  # API value = flag value x cli_scale (minutes on the CLI, seconds here)
    short: Optional[str] = None  # a one-letter flag as well (`-o`)
    on_resume: Optional[str] = None  # KEPT, FREE or REFUSED; None: the group's (RESUME_RULE)
    commands: Tuple[str, ...] = BOTH  # the commands (TRAIN, DOC2VEC) that take it

    @property
    def resume_rule(self):
        return self.on_resume or RESUME_RULE[self.group]

    @property
    def spelling(self):
        """The flag without dashes, as the CLI and the messages spell it (an option of the
        Python API alone is named as a flag would be)."""
        return self.name.replace("_", "-") if self.flag in ("auto", None) else self.flag


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _whole(low):
    def check(v):
        if _is_int(v) and v >= low:
            return None
        return "must be a whole number of at least 1" if low == 1 else "must be a whole number, 0 or more"
    return check


def _either(v):
    return None if v in (0, 1) else "must be 0 or 1"


def _limit(check, high, text):
    def both(v):
        return check(v) or (f"must be {text}" if v > high else None)
    return both


# how the corpus is split into tokens (csrc/tokenize.c, csrc/tokenize_words.c)
TOKENIZERS = ("space", "words")
TAG_SOURCES = ("line", "first")

_HELP_ALPHA = "Starting learning rate."
_HELP_BATCH = ("Skip-gram: train each window as one block (fast; noise words shared by the window, "
               "HS updates in word2vec.c's order); 0 = word2vec.c's pair-by-pair path.")

SCHEMA = (
    Option("train_file", CLI, str, None, "Corpus file (as word2vec.c); same as CORPUS.",
           flag="train", metavar="FILE", on_resume=REFUSED),
    Option("output", OUTPUT, str, None, "Write the word vectors here ('-' for stdout).", metavar="FILE",
           short="o"),
    Option("size", MODEL, int, 100,
           "Dimension of the word vectors (with --init-model: the model's).",
           check=_limit(_whole(1), 1 << 20, "at most 1048576")),
    Option("window", MODEL, int, 5, "Maximum context radius (the radius is drawn in 1..window).",
           check=_limit(_whole(1), 1 << 16, "at most 65536")),
    Option("sample", MODEL, float, 1e-3, "Subsampling threshold for frequent words; 0 = off.",
           check=lambda v: None if _is_real(v) and v >= 0 else
           "must be 0 (off) or a positive number such as 1e-3"),
    Option("hs", MODEL, int, 0, "Hierarchical softmax: 1 = on.", check=_either),
    Option("negative", MODEL, int, 5, "Noise words per example for negative sampling; 0 = off.",
           check=_limit(_whole(0), 1 << 16, "at most 65536")),
    # beyond +-10, count**exponent overflows or vanishes for real counts (1e9**40 > 1e308)
    Option("ns_exponent", MODEL, float, 0.75, "Noise distribution: unigram counts to this power.",
           check=lambda v: None if _is_real(v) and -10 <= v <= 10 else
           "must be a number from -10 to 10, such as 0.75"),
    Option("threads", MODEL, int, None, "Worker threads.", default_text="number of CPUs",
           check=_limit(_whole(1), 4096, "at most 4096")),
    Option("iter", MODEL, int, 5, "Training epochs.", check=_limit(_whole(1), 1_000_000, "at most 1000000")),
    Option("min_count", MODEL, int, 5, "Discard words occurring fewer times.",
           check=_limit(_whole(1), (1 << 63) - 1, "below 2**63")),
    Option("max_vocab", MODEL, int, 0,
           "Prune rare words while counting to keep at most this many (0 = no limit).",
           check=_limit(_whole(0), (1 << 32) - 1, "below 2**32")),
    Option("alpha", MODEL, float, None, _HELP_ALPHA, default_text="0.025 skip-gram, 0.05 CBOW",
           check=lambda v: None if _is_real(v) and v > 0 else "the learning rate must be a positive number"),
    Option("cbow", MODEL, int, 1, "1 = CBOW, 0 = skip-gram.", check=_either, commands=(TRAIN,)),
    Option("cbow_mean", MODEL, int, 1, "CBOW input: 1 = mean of the context vectors, 0 = sum.",
           check=_either, commands=(TRAIN,)),
    Option("lowercase", MODEL, int, 0,
           "1 = lowercase every token (ASCII, Latin, Greek, Cyrillic, Armenian capitals in UTF-8).",
           check=_either),
    Option("tokenizer", MODEL, TOKENIZERS, "space",
           "space: split at whitespace only (word2vec.c); words: split off punctuation too, keeping "
           "words (don't, well-known) and numbers (3.14, 1,000) whole (README: Training on raw text).",
           check=lambda v: None if v in TOKENIZERS else "must be space or words"),
    Option("max_sentence_length", MODEL, int, 1000, "Cut sentences after this many words.",
           check=_limit(_whole(1), 1 << 24, "at most 16777216")),
    Option("batch", MODEL, int, 1, _HELP_BATCH, check=_either),
    Option("binary", OUTPUT, int, 0, "Output format: 1 = binary, 0 = text.", check=_either),
    Option("save_vocab", OUTPUT, str, None, "Write the vocabulary (`word count` lines).", metavar="FILE"),
    Option("read_vocab", RUN, str, None,
           "Take the vocabulary and counts from this file instead of counting the corpus.", metavar="FILE",
           on_resume=REFUSED),
    Option("save_context", OUTPUT, str, None, "Also write the output (context) vectors.", metavar="FILE", commands=(TRAIN,)),
    Option("vectors", MODEL, ("in", "sum", "concat"), "in",
           "Written word vectors: input vectors, input+output, or both concatenated.",
           check=lambda v: None if v in ("in", "sum", "concat") else "must be in, sum or concat", commands=(TRAIN,)),
    Option("classes", CLI, int, 0,
           "Write K k-means word classes (`word classid` lines) to -output instead of vectors, as word2vec.c.",
           cli_range=(0, None, False), commands=(TRAIN,)),
    Option("seed", MODEL, int, 1, "Random seed; with -threads 1 runs are reproducible.",
           check=_limit(_whole(0), (1 << 64) - 1, "below 2**64")),
    Option("save_model", OUTPUT, str, None,
           "Also save the whole model (vocabulary, both matrices, options) for --init-model or "
           "w2vfast.load_model.", metavar="DIR"),
    Option("checkpoint", RUN, str, None,
           "Save the training state here every --checkpoint-every minutes and on Ctrl-C/SIGTERM.",
           metavar="DIR"),
    Option("checkpoint_every", RUN, float, 600.0, "Minutes between checkpoints.", metavar="MINUTES",
           cli_range=(0, None, True), cli_scale=60.0,
           check=lambda v: None if _is_real(v) and v > 0 else "must be a positive number of seconds"),
    Option("resume", RUN, str, None,
           "Continue the run saved in this checkpoint (its corpus, options and outputs).", metavar="DIR"),
    Option("init_model", RUN, str, None, "Continue training a model saved with --save-model on CORPUS.",
           metavar="DIR", on_resume=REFUSED, commands=(TRAIN,)),
    Option("update_vocab", RUN, bool, False,
           "With --init-model: add the corpus's new words that reach -min-count.", on_resume=REFUSED, commands=(TRAIN,)),
    Option("log_json", CLI, str, None,
           "Write progress records and a final summary as JSON lines (see plot-loss).", metavar="FILE"),
    Option("ids_memory", RUN, "size", None,
           "Keep the corpus read as word ids (about 1.6 bytes a word) in memory up to SIZE, then "
           "in a temporary file.",
           default_text="in the file from the start, read through the page cache, so the run holds "
                        "only a few MB of it; in memory if no file can be made"),
    Option("tmp_dir", RUN, "dir", None,
           "Directory for the corpus ids' temporary file (deleted however the run ends).",
           default_text="$TMPDIR or /tmp", metavar="DIR"),
    Option("train_files", CLI, str, None,
           "Corpus as several files: @LIST (a file naming one a line) or a,b,c; under mpiexec each "
           "process trains its own.", metavar="@LIST", on_resume=REFUSED, commands=(TRAIN,)),
    # measured: BENCHMARKS.md, "Distributed training"
    Option("sync_interval", CLI, int, 100_000,
           "Under mpiexec: words each process trains between exchanges of the frequent rows; 0 = only at epoch ends.",
           metavar="WORDS", cli_range=(0, None, False), commands=(TRAIN,)),
    Option("sync_rows", CLI, int, 16384,
           "Under mpiexec: how many of the most frequent words' rows are exchanged every interval "
           "(all rows at epoch ends).", metavar="N", cli_range=(0, None, False), commands=(TRAIN,)),
    Option("debug", CLI, int, 2, "0: errors only, 1: summary, 2: summary and progress.",
           cli_range=(0, 2, False)),
    Option("quiet", CLI, bool, False, "Same as -debug 0.", flag="q"),
    # paragraph vectors (Le & Mikolov 2014), as gensim's Doc2Vec names them
    Option("dm", MODEL, int, 0, "0 = PV-DBOW (a document's vector predicts its words), 1 = PV-DM "
           "(it predicts each word with the word's context vectors).", check=_either, commands=(DOC2VEC,)),
    Option("dm_mean", MODEL, int, 1, "PV-DM input: 1 = mean of the document and context vectors, "
           "0 = their sum (gensim's default).", check=_either, commands=(DOC2VEC,)),
    Option("dbow_words", MODEL, int, 0, "PV-DBOW: 1 = also train skip-gram word vectors, "
           "interleaved.", check=_either, commands=(DOC2VEC,)),
    Option("tags", MODEL, TAG_SOURCES, "line",
           "A document's tag: line = its line number, from 0; first = the line's first field "
           "(`_*123 text...`, the C tool's form), which lines repeat to share one vector.",
           check=lambda v: None if v in TAG_SOURCES else "must be line or first", commands=(DOC2VEC,)),
    Option("save_words", OUTPUT, str, None, "Also write the word vectors.", metavar="FILE",
           commands=(DOC2VEC,)),
    # the learning rate decays linearly to alpha x this (word2vec.c: 1e-4); the Python API only
    Option("min_alpha_ratio", MODEL, float, 1e-4, "Final learning rate as a fraction of -alpha.",
           flag=None, check=lambda v: None if _is_real(v) and 0 <= v <= 1 else "must be in [0, 1]"),
)

BY_NAME = {o.name: o for o in SCHEMA}
MODEL_OPTIONS = tuple(o.name for o in SCHEMA if o.group == MODEL)
# the training options of paragraph vectors alone: a run that gives one of them is a doc2vec run
DOC_OPTIONS = tuple(n for n in MODEL_OPTIONS if BY_NAME[n].commands == (DOC2VEC,))


def command_of(options):
    """The training command (TRAIN or DOC2VEC) whose run `options` describe."""
    return DOC2VEC if any(options.get(n) is not None for n in DOC_OPTIONS) else TRAIN


def default(name):
    """The schema's default of an option (None where it is computed: threads, alpha)."""
    return BY_NAME[name].default


def resolve(command=None, **given):
    """The training options of `command` (TRAIN or DOC2VEC; by default the one the options
    given belong to) with defaults filled in and every value checked; a new dict."""
    unknown = set(given) - set(MODEL_OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    command = command or command_of(given)
    names = [n for n in MODEL_OPTIONS if command in BY_NAME[n].commands]
    other = [k for k, v in given.items() if v is not None and k not in names]
    if other:
        raise OptionError(f"{flag(BY_NAME[other[0]].spelling)} is not an option of {command}")
    o = {name: BY_NAME[name].default for name in names}
    o.update({k: v for k, v in given.items() if v is not None})
    if o["threads"] is None:
        o["threads"] = default_threads()
    if o["alpha"] is None:
        o["alpha"] = 0.05 if o.get("cbow") else 0.025  # paragraph vectors: gensim's 0.025
    for name in names:
        check(name, o[name])
    from .kinds import ModelKind  # the kinds' own checks: at least one objective
    ModelKind.of(o)
    return o


def resume_conflict(saved, given):
    """The one-line message for the first option in `given` (name -> value: only the options
    the user gave; None or False is not given) that a run resumed from a checkpoint whose
    resolved training options are `saved` cannot take, or None when all fit.  Training options,
    -threads among them (the checkpoint holds each thread's place), must be the checkpoint's."""
    for option in SCHEMA:
        value = given.get(option.name)
        if value is None or value is False:
            continue
        rule = option.resume_rule
        shown = flag(option.spelling)
        if rule == REFUSED:
            return (f"--resume: {shown} has no place in a resumed run (the corpus and vocabulary are "
                    "the checkpoint's); leave it out")
        if rule == KEPT and value != saved.get(option.name):
            return (f"--resume: {shown} {value} differs from the checkpoint's {saved.get(option.name)}; "
                    "a resumed run keeps its training options, -threads included (only outputs, "
                    "checkpointing, memory and reporting may change); leave it out")
    return None


def check(name, value):
    """Raise OptionError when `value` is no good for option `name`."""
    option = BY_NAME[name]
    need = option.check(value) if option.check else None
    if need:
        raise OptionError(f"invalid {flag(option.spelling)} {value!r}: {need}")


_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text):
    """Bytes from a size such as 0, 65536, 512K, 800M, 4G or 1.5T (powers of 1024; a trailing
    B or iB is allowed: 800MB, 800MiB)."""
    t = str(text).strip().upper()
    if t.endswith("IB") and t[-3:-2] in ("K", "M", "G", "T"):
        t = t[:-2]
    elif t.endswith("B"):
        t = t[:-1]
    unit = t[-1:] if t[-1:] in ("K", "M", "G", "T") else ""
    number = t[:-1] if unit else t
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a size: use bytes or a number with K, M, G or T "
                         "(such as 800M)") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{text!r} is not a size: it must be 0 or more")
    return int(value * _SIZE_UNITS[unit])
