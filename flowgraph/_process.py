"""What counts as a large deals file, and the process-wide settings the command line applies
before it reads one.

The library only asks :func:`is_large_file`; it never calls :func:`keep_freed_memory`, so a
program that imports flowgraph keeps its own allocator settings. The command line owns its
process, runs once and exits, so it can let the C allocator keep freed memory for reuse.
"""
from __future__ import annotations

import os
import sys
from typing import Any

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_SETTINGS = ((_M_MMAP_THRESHOLD, 32 << 20), (_M_TRIM_THRESHOLD, 1 << 30), (_M_TOP_PAD, 256 << 20))
"""Arrays up to 32 MiB come from the heap (not a fresh ``mmap`` each, whose pages are faulted in
again every time), freed memory is kept up to 1 GiB, and the heap grows 256 MiB at a time."""

_applied: bool | None = None

LARGE_FILE_BYTES = 1 << 20
"""Deals files from this size up get the large-file treatment: the compiled cycle search
loaded while they are parsed (:func:`flowgraph.cycles.warm_up`) and, from the command line,
:func:`keep_freed_memory`."""


def is_large_file(path: Any) -> bool:
    """Whether ``path`` names a file of at least :data:`LARGE_FILE_BYTES` (False for anything
    that is not a readable path).

    Examples
    --------
    >>> is_large_file("no-such-file.csv")
    False
    """
    try:
        return os.path.getsize(path) >= LARGE_FILE_BYTES
    except (OSError, TypeError, ValueError):
        return False


def keep_freed_memory() -> bool:
    """Set glibc's allocator so that the many short-lived arrays of reading and searching a
    large table reuse memory instead of mapping and faulting in new pages (on the benchmark
    machine a million-deal ``flowgraph cycles`` spent 3.2-5.1 s of its 12-15 s in the kernel
    without this, 2.1-2.7 s of 10-12 s with it), and pyarrow's buffers come from the
    same allocator (pyarrow's system pool, unless ``ARROW_DEFAULT_MEMORY_POOL`` is set). Once
    per process; nothing on other C libraries or systems, or when the user set any
    ``MALLOC_*`` variable. Results are not affected. Returns whether the settings are in
    force.

    Examples
    --------
    >>> from flowgraph._process import keep_freed_memory
    >>> keep_freed_memory() in (True, False)
    True
    """
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if not sys.platform.startswith("linux") or any(k.startswith("MALLOC_") for k in os.environ):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # glibc only (musl's mallopt does nothing)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _applied = all(mallopt(param, value) == 1 for param, value in _SETTINGS)
    if _applied and "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        # pyarrow's own allocator takes fresh pages too; on the system one, its buffers
        # reuse the memory kept above (buffers made before keep their own pool)
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    return _applied


_quick_exit = False


def allow_quick_exit() -> None:
    """Let :func:`leave` end this process without tearing it down object by object (called by
    the command line before it reads a large file). Never called by the library."""
    global _quick_exit
    _quick_exit = True


def leave(code: Any) -> None:
    """End the process with exit status ``code`` (None: 0) at once, when
    :func:`allow_quick_exit` was called, ``code`` is a status number and no distributed
    client was used; otherwise return, and the caller exits as usual.

    A large run ends holding millions of Python objects; freeing them one by one at exit made
    two 500,000-deal ``flowgraph cycles`` runs on the benchmark machine 0.4 and 0.6 s slower
    than this exit, and the operating system takes the memory back at once anyway. The
    output is complete by then: files are written and closed by the command, and standard
    output and error are flushed here (if that fails, the usual exit reports it). Not taken
    when ``distributed`` was imported, whose clusters and workers are closed by exit handlers.
    """
    if not _quick_exit or "distributed" in sys.modules:
        return
    if code is None:
        code = 0
    if not isinstance(code, int) or isinstance(code, bool):
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return  # a closed or broken pipe: the usual exit handles and reports it
    os._exit(code & 0xFF if code >= 0 else 1)
