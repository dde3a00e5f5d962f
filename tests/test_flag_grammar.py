"""One flag grammar for every command (cli/grammar.py).

Every long option of every subcommand is parsed in both spellings, `-name` and `--name`, and
each one-letter option by its letter; a single-dash word that names no option is a usage error
naming it as typed, never bundled short options; a usage error is one stderr line
`w2vfast: error: …` with exit status 2.  The table below is every subcommand x every option,
so a new command or option is covered without a new test.
"""
import click
import pytest
from click.testing import CliRunner

from clitools import assert_no_traceback, run_module  # tests/clitools.py
from w2vfast.cli import main


def _sample_value(param):
    """A valid command-line value for `param` and the value Click must parse it to."""
    t = param.type
    if isinstance(t, click.Choice):
        return t.choices[-1], t.choices[-1]
    if isinstance(t, (click.IntRange, click.FloatRange)):
        low = t.min if t.min is not None else 1
        value = low + 1 if t.min_open or low < 1 else low + 1
        if t.max is not None:
            value = min(value, t.max)
        return str(value), type(value)(value) if isinstance(t, click.IntRange) else float(value)
    if t is click.INT:
        return "3", 3
    if t is click.FLOAT:
        return "0.5", 0.5
    if param.name == "size" and param.callback is not None:  # plot's WxH
        return "800x600", None
    if isinstance(t, click.Path) and t.exists:
        return __file__, __file__
    if t.name == "SIZE":  # a byte size
        return "64K", 65536
    return "some-value", "some-value"


def _required_args(command, skip):
    """Arguments and required options that let `command` parse."""
    args = []
    for p in command.params:
        if p is skip:
            continue
        if isinstance(p, click.Argument) and p.required:
            args.append("x")
        elif isinstance(p, click.Option) and p.required:
            args += [p.opts[-1], _sample_value(p)[0]]
    return args


def _context(command_name, args):
    """The parsed context of `w2vfast COMMAND ARGS`, with the group's settings (Click caches a
    command's help option, so a context made without them would change later runs)."""
    return main.commands[command_name].make_context(command_name, args, **main.context_settings)


def _spellings():
    for cmd_name, command in sorted(main.commands.items()):
        for p in command.params:
            if not isinstance(p, click.Option) or p.name in ("help", "version"):
                continue
            for name in p.opts + p.secondary_opts:
                yield pytest.param(cmd_name, p.name, name, id=f"{cmd_name} {name}")


def test_every_long_option_has_both_spellings():
    for cmd_name, command in main.commands.items():
        for p in command.params:
            if not isinstance(p, click.Option):
                continue
            for names in (p.opts, p.secondary_opts):
                stems = {n.lstrip("-") for n in names if len(n.lstrip("-")) > 1}
                for stem in stems:
                    assert f"-{stem}" in names and f"--{stem}" in names, (cmd_name, names)


@pytest.mark.parametrize("cmd_name, dest, spelled", list(_spellings()))
def test_every_option_parses_in_every_spelling(cmd_name, dest, spelled):
    command = main.commands[cmd_name]
    param = next(p for p in command.params if p.name == dest)
    if param.is_flag:
        args, expected = [spelled], (spelled not in param.secondary_opts)
    else:
        value, expected = _sample_value(param)
        args = [spelled, value]
    ctx = _context(cmd_name, _required_args(command, param) + args)
    if expected is not None:
        got = ctx.params[dest]
        got = got[0] if param.multiple else got
        assert got == expected, (spelled, got)


@pytest.mark.parametrize("command, words", [
    ("plot", ["vec.bin", "king", "-output.png"]),
    ("plot-loss", ["run.json", "-output.png"]),
    ("train", ["c.txt", "-output.bin"]),
    ("similar", ["vec.bin", "-n5"]),
    ("similar", ["vec.bin", "-limitt", "3"]),
    ("vocab", ["c.txt", "-qo", "x"]),
    ("eval", ["vec.bin", "--restrictt", "5"]),
])
def test_a_dash_word_that_is_no_option_is_named_whole(command, words, tmp_path):
    result = CliRunner().invoke(main, [command, *words])
    assert result.exit_code == 2, result.output
    typed = next(w for w in words[1:] if w.startswith("-"))
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"w2vfast: error: no such option {typed}"), result.stderr
    assert f"see 'w2vfast {command} --help'" in result.stderr
    assert not (tmp_path / "utput.png").exists()


def test_suggestions_are_on_the_same_line():
    result = CliRunner().invoke(main, ["train", "c.txt", "-sizee", "5", "-output", "v.txt"])
    assert result.exit_code == 2
    assert result.stderr == ("w2vfast: error: no such option -sizee (did you mean -size or -seed?); "
                             "see 'w2vfast train --help'\n")
    result = CliRunner().invoke(main, ["trian"])
    assert result.exit_code == 2
    assert result.stderr == "w2vfast: error: no such command 'trian' (did you mean train?); see 'w2vfast --help'\n"


@pytest.mark.parametrize("args, needle", [
    (["train", "c.txt", "-output", "v.txt", "-size", "0"], "-size"),
    (["similar"], "VECTORS"),
    (["classes", "vec.bin"], "-k"),
    (["analogy", "vec.bin", "a", "b"], "three words"),
    (["plot-loss", "run.json", "-o", "l.png", "extra"], "extra"),
])
def test_usage_errors_are_one_line(args, needle):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2vfast: error: ") and needle in lines[0], lines


def test_usage_error_in_a_real_process():
    proc = run_module("similar", "vec.bin", "-topnn", "3")
    assert proc.returncode == 2
    assert proc.stderr == (b"w2vfast: error: no such option -topnn (did you mean -topn?); "
                           b"see 'w2vfast similar --help'\n")


def test_a_flag_value_may_start_with_a_dash_and_a_word_after_double_dash(tmp_path):
    """`-output -` is stdout, `-alpha -1` a (bad) value, and after `--` a word is a word."""
    ctx = _context("similar", ["vec.bin", "--", "-odd-word"])
    assert ctx.params["words"] == ("-odd-word",)
    ctx = _context("convert", ["-", "-", "-limit", "5"])
    assert ctx.params["limit"] == 5


def test_help_and_version_in_both_spellings():
    for spelled in ("-h", "-help", "--help"):
        result = CliRunner().invoke(main, ["similar", spelled])
        assert result.exit_code == 0 and "Usage: " in result.output
    for spelled in ("-version", "--version"):
        result = CliRunner().invoke(main, [spelled])
        assert result.exit_code == 0 and "version" in result.output


def test_command_list_shows_whole_first_sentences():
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    listing = result.output.split("Commands:", 1)[1]
    text = " ".join(listing.split())
    assert "..." not in listing
    for name, command in main.commands.items():
        first = command.help.split("\n\n")[0]
        sentence = " ".join(first.split()).split(". ")[0]
        assert sentence.rstrip(".") in text, name
