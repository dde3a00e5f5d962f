"""How much memory a run may take, and where its large arrays live: the parameter matrices
(on huge pages when large) and the corpus read as word ids (in memory or a temporary file)."""
import os
from dataclasses import dataclass
from typing import Optional

import numpy as np


def _own_cgroups():
    """(mount, path) of this process's cgroups that can limit memory: the v2 one, the v1
    memory one, from /proc/self/cgroup (in a container's namespace, usually "/")."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return [("/sys/fs/cgroup", "/"), ("/sys/fs/cgroup/memory", "/")]
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            found.append(("/sys/fs/cgroup", path))
        elif "memory" in controllers.split(","):
            found.append(("/sys/fs/cgroup/memory", path))
    return found


def _cgroup_memory_left():
    """Bytes the memory cgroups (v2, v1) still allow this process, or None: the least over its
    cgroup and that cgroup's ancestors, each of whose limits applies.  File cache charged to a
    cgroup counts as free: the kernel reclaims it before failing an allocation."""
    names = {"/sys/fs/cgroup": ("memory.max", "memory.current", "file"),
             "/sys/fs/cgroup/memory": ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_cache")}
    left = []
    for mount, path in _own_cgroups():
        limit_name, usage_name, cache_key = names[mount]
        parts = [p for p in path.split("/") if p]
        for depth in range(len(parts), -1, -1):
            directory = os.path.join(mount, *parts[:depth])
            try:
                with open(os.path.join(directory, limit_name)) as f:
                    limit = f.read().strip()
                with open(os.path.join(directory, usage_name)) as f:
                    usage = int(f.read().strip())
            except (OSError, ValueError):
                continue
            if not limit.isdigit() or int(limit) >= 1 << 60:  # "max" or a huge number: no limit
                continue
            cache = 0
            try:
                with open(os.path.join(directory, "memory.stat")) as f:
                    for line in f:
                        key, _, value = line.partition(" ")
                        if key == cache_key:
                            cache = int(value)
                            break
            except (OSError, ValueError):
                pass
            left.append(max(int(limit) - max(usage - cache, 0), 0))
    return min(left) if left else None


def _address_space_left():
    """Bytes the address-space limit (`ulimit -v`) still allows this process, or None."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        return max(soft - used, 0)
    except (ImportError, OSError, ValueError, AttributeError):
        return None


def available_memory():
    """Bytes a new allocation may take: the least of the free memory (MemAvailable), what the
    memory cgroup still allows (containers) and what `ulimit -v` still allows; None if unknown."""
    found = [_cgroup_memory_left(), _address_space_left()]
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
                    break
    except OSError:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            pass
    found = [x for x in found if x is not None]
    return min(found) if found else None


def describe_bytes(n):
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 / 10 else f"{n / 2**20:.1f} MiB"


# Matrices from this size on go on huge pages (measured, BENCHMARKS.md: 1.13 x faster with 200 MB
# matrices; about 1 % with 27 MB ones, where 2 MiB pages also make the rows training never
# touches resident, +19 MB of RSS, so smaller matrices keep 4 KiB pages).
HUGE_PAGE_MIN_BYTES = 64 << 20


def parameter_matrix(rows, dim):
    """A zeroed rows x dim float32 matrix for training; a large one on transparent huge pages
    where the kernel offers them (`madvise` mode, the common default, gives them only to memory
    that asks).  Training reads rows at random: with 4 KiB pages nearly every row is a TLB miss
    once the matrix is far beyond the TLB's reach; 2 MiB pages cover it."""
    size = rows * dim * 4
    if size < HUGE_PAGE_MIN_BYTES:
        return np.zeros((rows, dim), dtype=np.float32)
    import mmap
    # private (a shared anonymous mapping is shmem, which THP leaves alone), anonymous, zeroed;
    # Linux aligns mappings this large to 2 MiB
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        try:
            buf.madvise(mmap.MADV_HUGEPAGE)
        except OSError:
            pass  # no THP in this kernel: ordinary pages
    return np.frombuffer(buf, dtype=np.float32).reshape(rows, dim)


def default_ids_memory():
    """How large the corpus id stream may grow in memory when no temporary file can be made: a
    quarter of the memory available at start (at least 64 MiB; 1 GiB if that is unknown).  The
    rest is left to the matrices, the page cache and the rest of the machine."""
    left = available_memory()
    return 1 << 30 if left is None else max(left // 4, 64 << 20)


@dataclass(frozen=True)
class IdsStorage:
    """Where the corpus, read once as word ids, is kept (csrc/bytebuf.h): in memory up to
    `memory` bytes (None: no limit, never a file), then in an unlinked temporary file in
    `tmp_dir` (None: $TMPDIR or /tmp) read through the page cache; when no file can be made, in
    memory up to `fallback` bytes (None: `memory`)."""
    memory: Optional[int] = None
    fallback: Optional[int] = None
    tmp_dir: Optional[str] = None

    @classmethod
    def for_run(cls, ids_memory=None, tmp_dir=None):
        """A training run's storage for its `ids_memory` option.  By default (None) the ids
        stream from the temporary file from the start, as word2vec.c's text streams from disk
        every epoch: the run holds only the pages around its read positions, and the kernel
        keeps the rest cached or drops it as memory requires.  Where no file can be made, they
        stay in memory up to `default_ids_memory()` (Dictionary.spill_fallback says why).  A
        given size is a plain limit: in memory up to it, then the file (which must then work)."""
        if ids_memory is None:
            return cls(0, default_ids_memory(), tmp_dir)
        return cls(ids_memory, ids_memory, tmp_dir)

    def share(self, parts):
        """The storage of one of `parts` dictionaries that together hold one corpus."""
        def part(limit):
            return None if limit is None else max(limit // parts, 1) if parts > 1 else limit
        return IdsStorage(part(self.memory), part(self.fallback), self.tmp_dir)
