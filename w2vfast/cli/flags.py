"""The command line's flags, made from the options schema (options.py).

`train` takes every option of the schema that has a flag, in the schema's order; other
commands take single schema options (with a help or type of their own where they differ).
Each flag is spelled `-name` (word2vec.c) and `--name` (GNU).
"""
import click

from .. import options as opts


class ByteSize(click.ParamType):
    """A size in bytes: 0, 65536, 512K, 800M, 4G."""
    name = "SIZE"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return opts.parse_size(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


def flag(name, *dest, **kw):
    """A Click option spelled `-name` (word2vec.c) and `--name` (GNU)."""
    kw.setdefault("show_default", True)
    return click.option(f"-{name}", f"--{name}", *dest, **kw)


def _click_type(option):
    kind, rng = option.kind, option.cli_range
    if isinstance(kind, tuple):
        return click.Choice(list(kind))
    if kind == "size":
        return ByteSize()
    if kind == "dir":
        return click.Path(file_okay=False)
    if kind in (int, float) and rng is not None:
        low, high, low_open = rng
        cls = click.IntRange if kind is int else click.FloatRange
        extra = {"min_open": True} if low_open else {}
        return cls(min=low, max=high, **extra)
    return kind


# Flags whose value is None unless given, with the default shown in the help: `size`, `lowercase`
# and `tokenizer` (under --init-model the model's are the defaults) and the distributed run's
# exchange settings.
_UNSET = {"size", "sync_interval", "sync_rows", "lowercase", "tokenizer"}


def schema_option(name, unset=False, **override):
    """The Click option of schema option `name`; `override` replaces its Click settings.  With
    `unset`, the value is None unless the flag is given (the help shows the default)."""
    o = opts.BY_NAME[name]
    spelling = o.spelling
    help_text = o.help
    if o.kind is bool:
        names = [f"-{spelling}", f"--{o.name}"] if len(spelling) == 1 else [f"-{spelling}", f"--{spelling}"]
        kw = {"is_flag": True, "help": help_text}
        kw.update(override)
        return click.option(*names, o.name, **kw)
    if o.default_text is not None or unset:
        shown = o.default_text if o.default_text is not None else o.default
        help_text = f"{help_text}  [default: {shown}]"
        kw = {"default": None, "show_default": False}
    else:
        default = o.default / o.cli_scale if o.cli_scale != 1.0 else o.default
        kw = {"default": default, "show_default": True}
    kw.update({"type": _click_type(o), "help": help_text})
    if o.metavar:
        kw["metavar"] = o.metavar
    kw.update(override)
    short = [f"-{o.short}"] if o.short else []
    return click.option(*short, f"-{spelling}", f"--{spelling}", o.name, **kw)


def train_options(trains):
    """A decorator: every schema option of training command `trains` (options.TRAIN or
    DOC2VEC) that has a flag, onto the command, in the schema's order."""
    def decorate(command):
        for o in reversed(opts.SCHEMA):
            if o.flag is not None and trains in o.commands:
                command = schema_option(o.name, unset=o.name in _UNSET)(command)
        return command
    return decorate


def flag_values(values):
    """The API's values of the schema options among a command's parsed flags (minutes to
    seconds, and so on); each checked where the schema has a check and the parser none."""
    out = {}
    for name, value in values.items():
        o = opts.BY_NAME.get(name)
        if o is None or value is None:
            out[name] = value
            continue
        if o.cli_scale != 1.0:
            value = value * o.cli_scale
        if o.group != opts.MODEL and o.check is not None and o.cli_range is None:
            opts.check(name, value)
        out[name] = value
    return out
