"""Atomic output files: write to a temporary file beside the target, rename on success.

A run that fails or is interrupted never leaves a truncated file, and an existing file is
replaced only when the new one is complete (rename within one directory is atomic on POSIX).
An existing target that is not a regular file (`/dev/null`, `/dev/full`, a named pipe) is
written in place: it cannot be replaced, and renaming over a device node would destroy it.
"""
import contextlib
import os
import stat
import sys
import tempfile


class OutputError(OSError):
    """An output file cannot be written; the message names it and the reason."""


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _special(path):
    """Whether `path` exists and is neither a regular file nor a directory (a device, a pipe)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def check_writable(path):
    """Fail early, before hours of training, if `path` cannot be created."""
    if path == "-":
        return
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise OutputError(f"output {path!r} is a directory")
    if _special(path):
        if not os.access(path, os.W_OK):
            raise OutputError(f"cannot write {path!r}: permission denied")
        return
    if not os.path.isdir(directory):
        raise OutputError(f"cannot write {path!r}: directory {directory!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path!r}: no permission to create files in {directory!r}")


def _fsync_directory(directory):
    """Make the rename durable; best effort, as some filesystems refuse."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path):
    """Yield a binary file object; on clean exit it becomes `path`, on error it vanishes.

    `path` "-" yields standard output's binary buffer (nothing to make atomic there).
    """
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = os.fspath(path)
    if _special(path):
        yield from _write_in_place(path)
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except OSError as e:
        raise OutputError(f"cannot write {path!r}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600; give it open()'s mode
        os.replace(tmp, path)
        _fsync_directory(directory)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise OutputError(f"cannot write {path!r}: {e.strerror or e}") from None
        raise


def _write_in_place(path):
    try:
        f = open(path, "wb")
    except OSError as e:
        raise OutputError(f"cannot write {path!r}: {e.strerror or e}") from None
    try:
        with f:
            yield f
            f.flush()
    except OSError as e:
        raise OutputError(f"cannot write {path!r}: {e.strerror or e}") from None
