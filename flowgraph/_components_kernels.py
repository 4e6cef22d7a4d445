"""Strongly connected components (Tarjan's algorithm) and the stable counting sorts that build
their CSR arrays, in the subset of Python numba compiles.

Private module without a numba import, the convention of :mod:`flowgraph._numba`: the wrapper
:func:`flowgraph._circulation_engine.csr_components` (the one strong-component rule of both
engines) compiles :func:`strong_components` for large graphs and runs the very same function
interpreted for the first small ones of a process, where loading compiled code would cost
more than the work (past a budget, small graphs go to scipy). The partition never depends on
the routine.

A large cycle search so never imports ``scipy.sparse`` and its graph routines, and neither
does a command on the bundled dataset (about 0.3 s in a fresh process).
"""
from __future__ import annotations

import numpy as np

KERNELS = ("strong_components", "counting_scatter", "stable_order", "pair_order")
"""The functions :func:`flowgraph._numba.compiled` compiles."""


def counting_scatter(keys: np.ndarray, n: int, positions: np.ndarray) -> np.ndarray:
    """``positions`` stably sorted by ``keys[position]`` (integers ``0 <= key < n``): one
    counting pass and one scatter, in time linear in ``len(positions) + n``.

    Examples
    --------
    >>> import numpy as np
    >>> counting_scatter(np.array([2, 0, 2, 1]), 3, np.array([3, 2, 1, 0])).tolist()
    [1, 3, 2, 0]
    """
    m = positions.shape[0]
    start = np.zeros(n + 1, np.int64)
    for j in range(m):
        k = keys[positions[j]]
        if k < 0 or k >= n:
            raise ValueError("a key out of range")
        start[k + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    order = np.empty(m, np.int64)
    for j in range(m):
        i = positions[j]
        k = keys[i]
        order[start[k]] = i
        start[k] += 1
    return order


def stable_order(keys: np.ndarray, n: int) -> np.ndarray:
    """The positions of ``keys`` (integers ``0 <= key < n``) sorted by key, equal keys in
    position order: ``np.argsort(keys, kind="stable")``, by counting.

    Examples
    --------
    >>> import numpy as np
    >>> stable_order(np.array([2, 0, 2, 1]), 3).tolist()
    [1, 3, 0, 2]
    """
    return counting_scatter(keys, n, np.arange(keys.shape[0], dtype=np.int64))


def pair_order(major: np.ndarray, minor: np.ndarray, n: int) -> np.ndarray:
    """The positions sorted by ``(major, minor)`` (integers in ``0..n-1``), ties in position
    order: ``np.argsort(major * n + minor, kind="stable")``, by two counting passes (the
    minor key first, then the major one, each stable).

    Examples
    --------
    >>> import numpy as np
    >>> pair_order(np.array([1, 0, 1, 0]), np.array([0, 1, 0, 0]), 2).tolist()
    [3, 1, 0, 2]
    """
    return counting_scatter(major, n, stable_order(minor, n))


def strong_components(n: int, indptr: np.ndarray, indices: np.ndarray) -> tuple[int, np.ndarray]:
    """``(count, labels)``: the strong component of every vertex of the graph on ``n``
    vertices whose edges out of ``v`` go to ``indices[indptr[v]:indptr[v + 1]]``.

    Tarjan's algorithm without recursion (an explicit stack of vertices and edge positions),
    in time linear in vertices plus edges. Labels are ``0..count-1`` in the order the
    components are completed (a component is completed before any component that reaches
    it). Duplicate edges and self-loops are allowed.

    Examples
    --------
    >>> import numpy as np
    >>> count, labels = strong_components(3, np.array([0, 1, 2, 2]), np.array([1, 0]))
    >>> int(count), labels.tolist()
    (2, [0, 0, 1])
    """
    index = np.full(n, -1, np.int64)
    low = np.zeros(n, np.int64)
    labels = np.full(n, -1, np.int64)
    on_stack = np.zeros(n, np.bool_)
    stack = np.empty(n, np.int64)  # vertices of the components not yet completed
    path = np.empty(n, np.int64)  # the depth-first path
    pos = np.empty(n, np.int64)  # next edge to look at, per depth of the path
    top = 0
    counter = 0
    count = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        depth = -1
        w = root  # the vertex to enter next, -1 for none
        while True:
            if w >= 0:  # enter w: number it, put it on both stacks
                index[w] = counter
                low[w] = counter
                counter += 1
                stack[top] = w
                top += 1
                on_stack[w] = True
                depth += 1
                path[depth] = w
                pos[depth] = indptr[w]
                w = -1
            v = path[depth]
            p = pos[depth]
            if p < indptr[v + 1]:
                pos[depth] = p + 1
                x = indices[p]
                if index[x] < 0:
                    w = x
                elif on_stack[x] and index[x] < low[v]:
                    low[v] = index[x]
                continue
            if low[v] == index[v]:  # v roots a component: pop it
                while True:
                    top -= 1
                    x = stack[top]
                    on_stack[x] = False
                    labels[x] = count
                    if x == v:
                        break
                count += 1
            depth -= 1
            if depth < 0:
                break
            u = path[depth]
            if low[v] < low[u]:
                low[u] = low[v]
    return count, labels
