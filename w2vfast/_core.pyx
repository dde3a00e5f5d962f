# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The one place where Python meets the C core in csrc/.

Python objects stay on this side: functions here take NumPy arrays and plain values, fill the C
structs of w2v.h once, and release the GIL for everything that walks the corpus.  Threads are
Python threads, each spending its whole life inside one `nogil` call of `w2v_train_thread`; the
main thread only polls the race-free progress counters, so Ctrl-C is seen within one poll.
"""
import os
import threading

import numpy as np

cimport numpy as cnp
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t
from libc.string cimport memset

from w2vfast._csrc cimport *

cnp.import_array()

MAX_EXP = W2V_MAX_EXP
MAX_TOKEN_BYTES = W2V_MAX_TOKEN


class TrainingDiverged(RuntimeError):
    """NaN or infinity appeared in the vectors: the learning rate is too high for this data."""


class TrainingStopped(RuntimeError):
    """The run was stopped (Ctrl-C, SIGTERM) before it finished."""


class SpillError(OSError):
    """The temporary file holding a large id stream could not be created or grown."""


cdef raise_for(int rc, str what, int err=0, str where=None):
    if rc == W2V_EIO:
        # the file the core keeps a large id stream in: errno and directory come along
        raise SpillError(err, os.strerror(err), where)
    if rc == W2V_ENOMEM:
        raise MemoryError(f"out of memory while {what}")
    if rc == W2V_EINVAL:
        raise ValueError(f"invalid input while {what}")
    if rc != W2V_OK:
        raise RuntimeError(f"error {rc} while {what}")


def run_in_threads(work, int n, str name="w2vfast"):
    """work(0) in the calling thread and work(1) .. work(n - 1) in threads of their own (they run
    at once where work releases the GIL), then raise the first exception any of them raised."""
    errors = []

    def guarded(i):
        try:
            work(i)
        except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(e)

    workers = [threading.Thread(target=guarded, args=(i,), name=f"{name}-{i}", daemon=True)
               for i in range(1, n)]
    for t in workers:
        t.start()
    guarded(0)
    for t in workers:
        t.join()
    if errors:
        raise errors[0]


include "dictionary.pxi"
include "tables.pxi"
include "trainer.pxi"
include "probe.pxi"
