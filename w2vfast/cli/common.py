"""What every `w2vfast` command shares: the flag grammar, the error handling and the exit codes.

Every command follows the same rules: data on stdout, messages on stderr; usage errors exit 2,
runtime failures 1, Ctrl-C 130, SIGTERM 143; a failure prints one line naming the file or flag
and the fix, never a traceback.  The flag grammar is grammar.py's.
"""
import functools
import os
import signal
import sys

import click

from .. import options as opts
from ..atomic import OutputError
from ..corpus import CorpusError
from ..distributed import Cluster, ClusterError
from ..formats import VectorFileError
from ..inference import InferenceError
from ..model_io import ModelFileError
from ..vocab import VocabularyError
from ..errors import TrainingError
from .grammar import BadValue, usage_line

RUNTIME_ERRORS = (CorpusError, VocabularyError, OutputError, VectorFileError, TrainingError, InferenceError,
                  ModelFileError, MemoryError, ClusterError)

class Terminated(Exception):
    """SIGTERM arrived; raised in the main thread so cleanup runs as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise Terminated()


def fail(message, code=1):
    click.echo(f"w2vfast: error: {message}", err=True)
    sys.exit(code)


def _end_rank(cluster, error, message, code):
    """An error in one rank of an MPI job.  One every rank raised together (`collective`) is
    reported by rank 0 alone, and each rank exits; any other is reported with the rank's number
    and ends the whole job, since the other ranks would wait for this one forever."""
    if getattr(error, "collective", False) or cluster.size == 1:
        if cluster.rank == 0:
            click.echo(message, err=True)
        sys.exit(code)
    click.echo(message.replace("w2vfast: ", f"w2vfast (rank {cluster.rank}): ", 1)
               if "w2vfast: " in message else f"rank {cluster.rank}: {message}", err=True)
    sys.stderr.flush()
    cluster.abort(code)


def _exit(error, message, code):
    """Print `message` and exit with `code`; in an MPI job, through _end_rank."""
    if Cluster.current is not None:
        _end_rank(Cluster.current, error, message, code)
    click.echo(message, err=True)
    sys.exit(code)


def handle_errors(fn):
    """Turn the package's errors into one line on stderr and the right exit status."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return fn(*args, **kwargs)
        except (opts.OptionError, click.UsageError) as e:
            if Cluster.current is None:  # the group prints it (grammar.Word2vecGroup)
                if isinstance(e, click.UsageError):
                    raise
                raise BadValue(str(e)) from None
            # in an MPI job, usage errors come from the arguments, the same on every rank (or
            # from rank 0's checks, shared with agree): each rank exits, rank 0 reports
            e.collective = True
            _exit(e, f"w2vfast: error: {usage_line(e) if isinstance(e, click.UsageError) else e}", 2)
        except RUNTIME_ERRORS as e:
            _exit(e, f"w2vfast: error: {e if not isinstance(e, MemoryError) else f'out of memory: {e}'}", 1)
        except KeyboardInterrupt as e:
            _exit(e, "\nw2vfast: interrupted; no output was written", 130)
        except Terminated as e:
            _exit(e, "\nw2vfast: terminated; no output was written", 143)
        except BrokenPipeError:
            # the reader of our stdout went away (e.g. `| head`): not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as e:
            if Cluster.current is None:
                raise
            _exit(e, f"w2vfast: error: {type(e).__name__}: {e}", 1)  # a bug: still end every rank
        finally:
            signal.signal(signal.SIGTERM, previous)
    return wrapper
