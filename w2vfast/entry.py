"""The `w2vfast` program: picks BLAS threading for the command, then runs the Click CLI.

NumPy's OpenBLAS starts one worker thread per core when it is loaded, and each worker
busy-waits for work for about 0.1 s before it sleeps.  The commands below never call BLAS, and
that spin lands on the cores their own threads need (measured: `import numpy` costs 0.24 s of
CPU on this project's 2-core machine, 0.12 s with one BLAS thread).  The variable must be set
before NumPy is first imported, so this module imports nothing heavy and the package's
`__init__` imports NumPy only when its API is used.  A value the user set is kept.
"""
import os
import sys

# commands that do no dense linear algebra (the vector queries, eval, classes and plot do)
NO_BLAS_COMMANDS = {"train", "vocab", "phrases", "convert", "plot-loss"}


def command_of(argv):
    """The subcommand named on a command line (its first argument not starting with '-')."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if command_of(args) in NO_BLAS_COMMANDS and "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from .cli import main as cli_main

    cli_main(args=args, prog_name="w2vfast")


if __name__ == "__main__":
    main()
