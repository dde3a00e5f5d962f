"""The training modes and flag lists of the bench scripts: the modes, the training options
every tool gets alike, and merging flag lists word2vec.c style.

Not part of the w2vfast package (see benchlib).
"""

from __future__ import annotations

MODES = {
    "sg-ns": ["-cbow", "0", "-negative", "{negative}", "-hs", "0"],
    "cbow-ns": ["-cbow", "1", "-negative", "{negative}", "-hs", "0"],
    "sg-hs": ["-cbow", "0", "-negative", "0", "-hs", "1"],
    "cbow-hs": ["-cbow", "1", "-negative", "0", "-hs", "1"],
}

MODES_HELP = """\
Modes (flags added per mode):
  sg-ns    -cbow 0 -negative N -hs 0
  cbow-ns  -cbow 1 -negative N -hs 0
  sg-hs    -cbow 0 -negative 0 -hs 1
  cbow-hs  -cbow 1 -negative 0 -hs 1"""


def parse_modes(text):
    """'sg-ns,cbow-hs' -> list, or raise ValueError naming the bad ones."""
    modes = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ValueError(
            "unknown mode(s) %s; choose among %s" % (", ".join(bad) or "(none)", ", ".join(MODES))
        )
    return modes


def add_training_args(p):
    """The training-flag options shared by both scripts (an argparse group)."""
    g = p.add_argument_group("training flags (passed identically to every tool)")
    g.add_argument("--size", default="100", help="-size (default 100)")
    g.add_argument("--window", default="5", help="-window (default 5)")
    g.add_argument("--sample", default="1e-4", help="-sample (default 1e-4)")
    g.add_argument("--iter", default="1", help="-iter (default 1)")
    g.add_argument("--min-count", default="5", help="-min-count (default 5)")
    g.add_argument("--threads", default="2", help="-threads (default 2)")
    g.add_argument("--negative", default="5", help="-negative in the NS modes (default 5)")
    g.add_argument("--binary", default="1", choices=["0", "1"], help="-binary: vectors file format (default 1)")
    g.add_argument(
        "--extra",
        default="",
        metavar="FLAGS",
        help='more flags for the C tool and w2vfast, e.g. --extra "-alpha 0.05 -seed 7"; '
        "a flag already set (e.g. -iter) is replaced, not repeated (the C tool would "
        "take the first occurrence, w2vfast the last)",
    )
    g.add_argument(
        "--w2vfast-extra",
        default="",
        metavar="FLAGS",
        help='flags for w2vfast only, applied last, e.g. --w2vfast-extra "-batch 0"',
    )
    return g


def common_flags(args):
    return [
        "-size", args.size, "-window", args.window, "-sample", args.sample, "-iter", args.iter,
        "-min-count", args.min_count, "-threads", args.threads, "-binary", args.binary,
    ]


def flag_pairs(tokens):
    """Split a flag list into [(flag, value or None)], word2vec.c style: every
    '-name' takes the next token as value unless that token is another flag."""
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("-") and len(t) > 1 and not is_number(t):
            if i + 1 < len(tokens) and not is_flag(tokens[i + 1]):
                out.append((t, tokens[i + 1]))
                i += 2
                continue
            out.append((t, None))
        else:
            out.append((None, t))  # stray value: keep its place
        i += 1
    return out


def is_number(t):
    try:
        float(t)
        return True
    except ValueError:
        return False


def is_flag(t):
    return t.startswith("-") and len(t) > 1 and not is_number(t)


def norm_flag(flag):
    return "-" + flag.lstrip("-")  # --size and -size are the same flag for w2vfast


def merge_flags(base, *extras):
    """base flags with each extra flag list applied in turn: a flag already
    present gets the new value in place, a new one is appended."""
    pairs = flag_pairs(list(base))
    for extra in extras:
        for flag, value in flag_pairs(list(extra)):
            if flag is not None:
                for k, (f, _) in enumerate(pairs):
                    if f is not None and norm_flag(f) == norm_flag(flag):
                        pairs[k] = (f, value)
                        break
                else:
                    pairs.append((flag, value))
            else:
                pairs.append((None, value))
    out = []
    for f, v in pairs:
        if f is not None:
            out.append(f)
        if v is not None:
            out.append(v)
    return out


def flag_value(flags, name, default=None):
    """Value of -name in a (merged) flag list."""
    for f, v in flag_pairs(list(flags)):
        if f is not None and norm_flag(f) == "-" + name:
            return v
    return default


def mode_flags(mode, negative):
    return [x.format(negative=negative) for x in MODES[mode]]

