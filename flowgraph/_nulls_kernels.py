"""The null model's per-sample work (:mod:`flowgraph.nulls`), in the subset of Python numba
compiles.

Private module without a numba import, the convention of :mod:`flowgraph._numba`:
:func:`flowgraph.nulls.null_model` runs these functions compiled once numba is loaded in the
process (:func:`flowgraph._numba.warm`) or when the samples are many, and interpreted for a
few small samples, where loading compiled code would cost more than the work. Both give the
same numbers to the last bit: the same swaps are tried in the same order, and the sums run
over the edges in the same order (numba's ``numpy.bincount`` is numpy's loop).
"""
from __future__ import annotations

import numpy as np

KERNELS = ("rewire", "fit_strengths")
"""The functions :func:`flowgraph._numba.compiled` compiles."""


def rewire(src: np.ndarray, dst: np.ndarray, kind: np.ndarray, ftype: np.ndarray, n: int,
           picks: np.ndarray, kinds: bool) -> tuple[np.ndarray, int]:
    """Targets after the attempted double-edge swaps ``picks`` (pairs of edge positions, in
    order; sources stay): ``(new dst, swaps done)``.

    A swap of ``a -> b`` and ``c -> d`` into ``a -> d`` and ``c -> b`` is skipped when it
    would make a self-loop or a pair that exists already, or (``kinds``) when ``b`` and
    ``d`` differ in kind or the two edges in flow type.

    Examples
    --------
    >>> import numpy as np
    >>> src, dst = np.array([0, 2]), np.array([1, 3])
    >>> z = np.zeros(4, np.int64)
    >>> new, done = rewire(src, dst, z, z[:2], 4, np.array([[0, 1]]), False)
    >>> new.tolist(), int(done)
    ([3, 1], 1)
    """
    m = src.shape[0]
    out = dst.copy()
    # the pairs, as payer * n + payee; a dict, because numba's compiled sets can hang in a
    # lookup after many removals (numba issues 6543 and 8627; it did on a test network)
    present = {}
    for e in range(m):
        present[src[e] * n + out[e]] = True
    done = 0
    for r in range(picks.shape[0]):
        i = picks[r, 0]
        j = picks[r, 1]
        if i == j:
            continue
        a, b, c, d = src[i], out[i], src[j], out[j]
        if a == d or c == b or b == d:
            continue
        if kinds and (kind[b] != kind[d] or ftype[i] != ftype[j]):
            continue
        ad = a * n + d
        cb = c * n + b
        if ad in present or cb in present:
            continue
        del present[a * n + b]
        del present[c * n + d]
        present[ad] = True
        present[cb] = True
        out[i] = d
        out[j] = b
        done += 1
    return out, done


def fit_strengths(src: np.ndarray, dst: np.ndarray, w: np.ndarray, out_t: np.ndarray,
                  in_t: np.ndarray, n: int, iters: int) -> np.ndarray:
    """Iterative proportional fitting of the edge amounts ``w`` towards the target in- and
    out-strengths ``in_t`` and ``out_t`` (``iters`` rounds; a company with no edge keeps a
    factor of 1).

    Examples
    --------
    >>> import numpy as np
    >>> x = fit_strengths(np.array([0, 0]), np.array([1, 2]), np.array([1.0, 1.0]),
    ...                   np.array([4.0, 0, 0]), np.array([0, 1.0, 3.0]), 3, 20)
    >>> x.round(6).tolist()
    [1.0, 3.0]
    """
    x = w.astype(np.float64)
    for _ in range(iters):
        inn = np.bincount(dst, x, n)
        f = np.where(inn > 0, in_t / np.where(inn > 0, inn, 1.0), 1.0)
        x = x * f[dst]
        out = np.bincount(src, x, n)
        g = np.where(out > 0, out_t / np.where(out > 0, out, 1.0), 1.0)
        x = x * g[src]
    return x
