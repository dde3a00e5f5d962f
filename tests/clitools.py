"""Plain helpers for the tests that run the `w2vfast` program: in process with click's CliRunner,
or as `python -m w2vfast` in a subprocess; and the checks on what a run printed and left behind.

The files that test `w2vfast train` alone import `train_cli as cli` and `run_train_module as
run_module`, so their tests read `cli(corpus, "-output", out, *FAST)`.
"""
import os
import sys
import subprocess

from click.testing import CliRunner

from w2vfast.cli import main


# --------------------------------------------------------------------------
# Running the program
# --------------------------------------------------------------------------

def cli(*args, input=None):
    """`w2vfast ARGS` in process (click's CliRunner)."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def train_cli(*args, input=None):
    """Run `w2vfast train ARGS` in process; return click's Result."""
    return cli("train", *args, input=input)


def module_command(*args):
    return [sys.executable, "-m", "w2vfast", *[str(a) for a in args]]


def run_module(*args, prefix=(), timeout=120, **kw):
    """`python -m w2vfast ARGS` in a subprocess, optionally behind a command prefix."""
    return subprocess.run([*prefix, *module_command(*args)], capture_output=True, timeout=timeout, **kw)


def run_train_module(*args, input=None, timeout=60):
    """Run `python -m w2vfast train ARGS` in a subprocess."""
    return run_module("train", *args, input=input, timeout=timeout)


# --------------------------------------------------------------------------
# Checking the result
# --------------------------------------------------------------------------

def assert_ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)


def assert_no_traceback(result):
    # in process, an exception that escaped the command shows up as result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def leftovers(directory, *expected):
    """Files in `directory` other than `expected` names (temporary files included)."""
    return sorted(set(os.listdir(directory)) - set(expected))
