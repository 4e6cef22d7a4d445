"""Atomic file writes: a temporary file beside the target, then a rename.

A write that fails half-way (a full disk, an interrupted run) leaves the earlier file as it
was, never a truncated one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_path", "write_bytes", "write_text"]


@contextlib.contextmanager
def atomic_path(path: Any) -> Iterator[Path]:
    """A temporary path in the target's folder; renamed onto ``path`` when the block ends
    without an error, removed otherwise.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> open(target).read()
    'hi'
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix,
                                dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        try:
            mode = os.stat(target).st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Any, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (newlines written as given)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())


def write_bytes(path: Any, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
