"""The flag grammar every `w2vfast` command shares, and how a usage error is printed.

word2vec.c spells its flags `-size 100`, GNU tools `--size 100`, and users carry either habit
to every command.  So each long option of each command answers to both spellings, and a
one-letter option (`-o`, `-n`, `-k`, `-q`) to its letter.  Click alone would read an unknown
`-output.png` as the bundled short option `-o` with the value `utput.png`; here a single-dash
word is matched whole, and one that names no option is a usage error that names it as typed,
with the closest flags as suggestions.  A usage error is one line on stderr,
`w2vfast: error: …`, exit status 2.
"""
import difflib
import sys

import click


def _both_spellings(names):
    """`names` with every long name in both spellings, the single-dash one first."""
    out = []
    for name in names:
        stem = name.lstrip("-")
        for form in ([name] if len(stem) == 1 else [f"-{stem}", f"--{stem}"]):
            if form not in out:
                out.append(form)
    return out


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


class Word2vecCommand(click.Command):
    """A command whose long options answer to `-name` and `--name`, matched whole."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        seen = {}
        for p in self.params:
            if not isinstance(p, click.Option):
                continue
            p.opts = _both_spellings(p.opts)
            p.secondary_opts = _both_spellings(p.secondary_opts)
            for name in p.opts + p.secondary_opts:
                if name in seen:  # two options one spelling: a mistake in this package
                    raise TypeError(f"{self.name}: {name} is both --{seen[name]} and --{p.name}")
                seen[name] = p.name

    def parse_args(self, ctx, args):
        takes_value = {}
        for p in self.get_params(ctx):
            if isinstance(p, click.Option):
                for name in p.opts + p.secondary_opts:
                    takes_value[name] = not (p.is_flag or p.count)
        skip = False
        for arg in args:
            if skip:  # a flag's value, however it looks (`-alpha -1`, `-output -`)
                skip = False
                continue
            if arg == "--":
                break
            if not arg.startswith("-") or arg == "-" or _is_number(arg):
                continue
            name = arg.split("=", 1)[0]
            if name in takes_value:
                skip = takes_value[name] and "=" not in arg
                continue
            same_dashes = [n for n in takes_value if n.startswith("--") == name.startswith("--")]
            raise click.NoSuchOption(name, possibilities=difflib.get_close_matches(name, same_dashes),
                                     ctx=ctx)
        return super().parse_args(ctx, args)


class BadValue(click.UsageError):
    """A bad option value found by the package's checks; its message names the flag and the fix."""


def usage_line(error):
    """The one line a usage error prints, after `w2vfast: error: `."""
    if isinstance(error, click.NoSuchOption):
        text = f"no such option {error.option_name}"
        if error.possibilities:
            text += f" (did you mean {' or '.join(error.possibilities)}?)"
    else:
        text = error.format_message()
        if text[:1].isupper() and not text[1:2].isupper():
            text = text[0].lower() + text[1:]
    text = " ".join(text.split()).rstrip(".")
    if error.ctx is not None and not isinstance(error, (click.BadParameter, BadValue)):
        text += f"; see '{_command_path(error.ctx)} --help'"  # a bad value's message is the fix
    return text


def _command_path(ctx):
    """`w2vfast SUBCOMMAND`, whatever name the program was started by."""
    names = []
    while ctx.parent is not None:
        names.insert(0, ctx.info_name)
        ctx = ctx.parent
    return " ".join(["w2vfast", *names])


class Word2vecGroup(click.Group):
    """The `w2vfast` group: whole first sentences in its command list, one-line usage errors."""

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1 << 16)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name not in self.commands and not name.startswith("-"):
            close = difflib.get_close_matches(name, self.commands)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise click.UsageError(f"no such command '{name}'{hint}", ctx=ctx)
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        try:
            status = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.UsageError as e:
            click.echo(f"w2vfast: error: {usage_line(e)}", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("\nw2vfast: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as e:
            click.echo(f"w2vfast: error: {' '.join(e.format_message().split())}", err=True)
            sys.exit(e.exit_code)
        sys.exit(status if isinstance(status, int) else 0)
