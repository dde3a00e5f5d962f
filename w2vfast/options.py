"""Training options: names, defaults and validation, shared by the CLI and the Python API.

Names follow word2vec.c's flags with dashes turned into underscores (`-min-count` is
`min_count`).  Validation happens here, before any corpus is read or memory allocated, so a bad
value fails at once with a message naming the flag.
"""
import math
import os


def default_threads():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


DEFAULTS = {
    "size": 100,
    "window": 5,
    "sample": 1e-3,
    "hs": 0,
    "negative": 5,
    "ns_exponent": 0.75,
    "threads": None,  # number of CPUs
    "iter": 5,
    "min_count": 5,
    "max_vocab": 0,
    "alpha": None,  # 0.025 for skip-gram, 0.05 for CBOW
    "min_alpha_ratio": 1e-4,
    "cbow": 1,
    "cbow_mean": 1,
    "max_sentence_length": 1000,
    "seed": 1,
    "batch": 1,  # skip-gram trains windows as blocks (kernels.h, BENCHMARKS.md)
    "vectors": "in",
}


class OptionError(ValueError):
    """An option has a bad value; the message names the flag as the CLI spells it."""


def flag(name):
    return "-" + name.replace("_", "-")


def resolve(**given):
    """Defaults filled in and every value checked; returns a new dict."""
    unknown = set(given) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    o = dict(DEFAULTS)
    o.update({k: v for k, v in given.items() if v is not None})
    if o["threads"] is None:
        o["threads"] = default_threads()
    if o["alpha"] is None:
        o["alpha"] = 0.05 if o["cbow"] else 0.025

    def check(name, ok, need):
        if not ok:
            raise OptionError(f"invalid {flag(name)} {o[name]!r}: {need}")

    for name in ("size", "window", "threads", "iter", "min_count", "max_sentence_length"):
        check(name, _is_int(o[name]) and o[name] >= 1, "must be a whole number of at least 1")
    for name in ("negative", "max_vocab", "seed"):
        check(name, _is_int(o[name]) and o[name] >= 0, "must be a whole number, 0 or more")
    for name in ("hs", "cbow", "cbow_mean", "batch"):
        check(name, o[name] in (0, 1), "must be 0 or 1")
    check("alpha", _is_real(o["alpha"]) and o["alpha"] > 0, "the learning rate must be a positive number")
    check("sample", _is_real(o["sample"]) and o["sample"] >= 0, "must be 0 (off) or a positive number such as 1e-3")
    # beyond +-10, count**exponent overflows or vanishes for real counts (1e9**40 > 1e308)
    check("ns_exponent", _is_real(o["ns_exponent"]) and -10 <= o["ns_exponent"] <= 10,
          "must be a number from -10 to 10, such as 0.75")
    check("min_alpha_ratio", _is_real(o["min_alpha_ratio"]) and 0 <= o["min_alpha_ratio"] <= 1, "must be in [0, 1]")
    check("vectors", o["vectors"] in ("in", "sum", "concat"), "must be in, sum or concat")
    check("size", o["size"] <= 1 << 20, "must be at most 1048576")
    check("window", o["window"] <= 1 << 16, "must be at most 65536")
    check("negative", o["negative"] <= 1 << 16, "must be at most 65536")
    check("threads", o["threads"] <= 4096, "must be at most 4096")
    check("max_sentence_length", o["max_sentence_length"] <= 1 << 24, "must be at most 16777216")
    check("iter", o["iter"] <= 1_000_000, "must be at most 1000000")
    check("min_count", o["min_count"] < 1 << 63, "must be below 2**63")
    check("max_vocab", o["max_vocab"] < 1 << 32, "must be below 2**32")
    check("seed", o["seed"] < 1 << 64, "must be below 2**64")
    if not o["hs"] and not o["negative"]:
        raise OptionError("nothing to train: both -hs 0 and -negative 0; use -negative 5 or -hs 1")
    return o


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


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
