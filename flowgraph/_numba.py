"""The one numba convention of the compiled engines (cycle search and circulation).

Kernels are plain Python in the subset numba compiles, in modules that never import numba
(:mod:`flowgraph._cycles_kernels`, :mod:`flowgraph._circulation_numba`,
:mod:`flowgraph._components_kernels`). Each such module names its kernels in ``KERNELS``
(and per-kernel numba options in ``KERNEL_OPTIONS``);
:func:`compiled` compiles them on first real use (``numba.njit(cache=True, nogil=True)``),
each kernel calling the compiled versions of the others, so ``import flowgraph`` stays fast
and the cycle search can run the very same functions interpreted for tiny inputs. The cache
goes beside the sources, or to a user directory when the install is read-only
(:func:`configure_cache`).
"""
from __future__ import annotations

import os
import sys
import types
from typing import Any

_DEFAULTS: dict[str, Any] = {"cache": True, "nogil": True}
_COMPILED: dict[str, types.SimpleNamespace] = {}


def configure_cache() -> None:
    """Point numba's cache at a writable user directory when the package dir is read-only.

    numba writes its cache next to the source file (``__pycache__``) and falls back to a
    user-wide directory when that is not writable; we make the fallback explicit and stable
    (``$XDG_CACHE_HOME/flowgraph/numba``) unless the user set ``NUMBA_CACHE_DIR``.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    pycache = os.path.join(here, "__pycache__")
    target = pycache if os.path.isdir(pycache) else here
    if os.access(target, os.W_OK):
        return
    if sys.platform == "win32":  # pragma: no cover
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "flowgraph", "numba")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:  # pragma: no cover - nowhere to cache; numba then compiles every run
        return
    os.environ["NUMBA_CACHE_DIR"] = path


def warm() -> bool:
    """Whether some kernels are already compiled in this process: numba and its machinery are
    then loaded, and loading another module's cached kernels costs some tens of
    milliseconds, less than interpreting a small input. The one rule by which the cycle
    search and the strong components stop running interpreted.

    Examples
    --------
    >>> isinstance(warm(), bool)
    True
    """
    return bool(_COMPILED)


def compiled(module: types.ModuleType) -> types.SimpleNamespace:
    """The kernels of ``module`` compiled with numba (loaded from the cache on first use).

    Every name in ``module.KERNELS`` becomes a dispatcher; inside the kernels, calls to the
    other kernels resolve to their dispatchers (the same code objects, with globals in which
    the kernels are compiled).
    """
    done = _COMPILED.get(module.__name__)
    if done is not None:
        return done
    configure_cache()
    import numba

    options = getattr(module, "KERNEL_OPTIONS", {})
    glob = dict(module.__dict__)
    out = {}
    for name in module.KERNELS:
        func = getattr(module, name)
        f = types.FunctionType(func.__code__, glob, func.__name__, func.__defaults__,
                               func.__closure__)
        f.__qualname__ = func.__qualname__
        f.__module__ = func.__module__
        f.__doc__ = func.__doc__
        out[name] = numba.njit(**{**_DEFAULTS, **options.get(name, {})})(f)
    glob.update(out)  # before any compilation: kernels see each other's dispatchers
    done = _COMPILED[module.__name__] = types.SimpleNamespace(**out)
    return done
