"""Array-level solvers behind :mod:`flowgraph.circulation` (imported lazily: OR-tools, scipy).

Everything here works on integer node ids ``0..n-1`` and edge arrays ``src, dst, w`` (float
amounts, all finite and >= 0). The public wrappers in :mod:`flowgraph.circulation` turn graphs
and DataFrames into these arrays and the answers back into tables.

Exactness
---------
OR-tools' solvers work on integers, so amounts are scaled by a *quantum* ``q``: capacities are
``floor(w / q)``. When every amount is a whole multiple of ``q`` (true for data reported in
decimal billions with at most nine decimals, and picked automatically), the integer optimum is
the exact optimum. Otherwise the answer is exact for the amounts rounded down to ``q`` and a
certified bound on what the rounding can miss is computed from LP duality (node potentials
from shortest paths in the residual network), so the result states how far from optimal it can
at most be.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ParameterError, SolverError

#: largest integer total capacity we hand to OR-tools (keeps every sum well inside int64)
_MAX_TOTAL_UNITS = 2.0**52
#: quanta tried, coarsest first, when looking for one that makes every amount a whole number
_EXACT_QUANTA = tuple(10.0**-k for k in range(0, 10))


def choose_quantum(w: np.ndarray) -> tuple[float, bool]:
    """The integer scaling step for amounts ``w`` and whether it is exact.

    Returns the coarsest power of ten (1 down to 1e-9) of which every amount is a whole
    multiple, provided the total stays below 2**52 units; else the finest power of ten that
    keeps the total below 2**52 (then ``exact`` is False).
    """
    w = np.asarray(w, dtype=float)
    total = float(w.sum()) if len(w) else 0.0
    for q in _EXACT_QUANTA:
        if total / q > _MAX_TOTAL_UNITS:
            break
        if _whole(w / q):
            return q, True
    if total <= 0:
        return 1.0, True
    q = 10.0 ** math.ceil(math.log10(total / _MAX_TOTAL_UNITS))
    return max(q, 1e-12), False


def _close_to_whole(units: np.ndarray) -> np.ndarray:
    return np.abs(units - np.rint(units)) <= 1e-6 + 4e-16 * np.abs(units)


def _whole(units: np.ndarray) -> bool:
    return bool(np.all(_close_to_whole(units)))


def to_units(w: np.ndarray, q: float) -> np.ndarray:
    """Amounts in integer units of ``q``, rounded down (exact multiples stay exact)."""
    units = np.asarray(w, dtype=float) / q
    return np.where(_close_to_whole(units), np.rint(units), np.floor(units)).astype(np.int64)


def csr_indptr(n: int, tails: np.ndarray) -> np.ndarray:
    """Where each node's edges start in edges sorted by tail: ``indptr[v]:indptr[v + 1]``."""
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    return indptr


def sort_compiled(m: int) -> bool:
    """Whether a sort or the strong components of ``m`` edges run compiled: for more than
    :data:`SCC_PY_MAX_EDGES` edges, or once any compiled kernel is loaded
    (:func:`flowgraph._numba.warm`). The one rule of both; results never depend on it."""
    from ._numba import warm

    return m > SCC_PY_MAX_EDGES or warm()


def stable_order(keys: np.ndarray, n: int, *, compiled: bool | None = None) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` of vertex numbers ``0 <= key < n``: a counting
    sort compiled (:func:`flowgraph._components_kernels.stable_order`) when ``compiled``
    (None: by :func:`sort_compiled`), numpy's sort otherwise (the same order)."""
    keys = np.ascontiguousarray(keys, dtype=np.int64)
    if not (sort_compiled(keys.shape[0]) if compiled is None else compiled):
        return np.argsort(keys, kind="stable")
    from . import _components_kernels as CK
    from ._numba import compiled as jit

    return jit(CK).stable_order(keys, np.int64(n))


def pair_order(major: np.ndarray, minor: np.ndarray, n: int, *,
               compiled: bool | None = None) -> np.ndarray:
    """The positions sorted by ``(major, minor)``, vertex numbers ``0..n-1``, ties in position
    order (``np.argsort(major * n + minor, kind="stable")``), as :func:`stable_order`."""
    major = np.ascontiguousarray(major, dtype=np.int64)
    minor = np.ascontiguousarray(minor, dtype=np.int64)
    if not (sort_compiled(major.shape[0]) if compiled is None else compiled):
        if n < (1 << 31):
            return np.argsort(major * max(n, 1) + minor, kind="stable")
        return np.lexsort((minor, major))  # pragma: no cover - more than 2**31 vertices
    from . import _components_kernels as CK
    from ._numba import compiled as jit

    return jit(CK).pair_order(major, minor, np.int64(n))


def csr_arrays(n: int, tails: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, indices)`` of the edges ``tails -> heads`` on ``n`` nodes, each node's heads
    in the order its edges were given (a stable sort by tail)."""
    tails = np.asarray(tails, dtype=np.int64)
    order = stable_order(tails, n)
    return csr_indptr(n, tails), np.asarray(heads, dtype=np.int64)[order]


def strong_components(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[int, np.ndarray]:
    """Strongly connected components of the graph on ``n`` nodes with edges ``src -> dst``
    (:func:`csr_components` of its CSR arrays)."""
    if n == 0:
        return 0, np.zeros(0, dtype=np.int64)
    return csr_components(n, *csr_arrays(n, src, dst))


SCC_PY_MAX_EDGES = 5_000
"""Graphs with more edges than this have their strong components found by the compiled kernel
(loading the first compiled kernel of a process costs about a second; then it is the
quickest)."""
SCC_PY_BUDGET = 20_000
"""Edges a process hands the interpreted kernel in all (some tens of milliseconds): enough for
the one or two small graphs of a command on the bundled dataset, without importing anything.
Past it, while no compiled kernel is loaded, small graphs go to scipy, whose routine is
quicker per call once imported (about 0.3 s)."""
_SCC_PY_USED = [0]  # edges handed to the interpreted kernel so far in this process


def csr_components(n: int, indptr: np.ndarray, indices: np.ndarray, *,
                   compiled: bool | None = None) -> tuple[int, np.ndarray]:
    """:func:`strong_components` of a graph given as CSR arrays (``indices[indptr[v]:
    indptr[v + 1]]`` are the heads of ``v``'s edges); the one strong-component rule of the
    package.

    One partition, found by whichever routine is quickest for this graph in this process:
    the compiled Tarjan kernel (:mod:`flowgraph._components_kernels`) for a graph of more
    than :data:`SCC_PY_MAX_EDGES` edges or once any compiled kernel is loaded
    (:func:`flowgraph._numba.warm`); for smaller graphs the
    same kernel interpreted, within :data:`SCC_PY_BUDGET`, then scipy's
    ``connected_components``. ``compiled`` True forces the compiled kernel, False one of the
    other two. Labels are ``0..count-1``; which number a component gets depends on the
    routine, so callers use only which vertices share a label (the tests hold the three to
    the same partition)."""
    from . import _components_kernels as CK

    if n == 0:
        return 0, np.zeros(0, dtype=np.int64)
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    indices = np.ascontiguousarray(indices, dtype=np.int64)
    m = len(indices)
    if compiled is None:
        compiled = sort_compiled(m)
    if compiled:
        from ._numba import compiled as jit

        count, labels = jit(CK).strong_components(int(n), indptr, indices)
    elif _SCC_PY_USED[0] + m <= SCC_PY_BUDGET:
        _SCC_PY_USED[0] += m
        count, labels = CK.strong_components(int(n), indptr, indices)
    else:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        A = csr_matrix((np.ones(m, dtype=np.int8), indices, indptr), shape=(n, n))
        count, labels = connected_components(A, directed=True, connection="strong")
        labels = labels.astype(np.int64)
    return int(count), labels


@dataclass(frozen=True)
class CirculationArrays:
    """Raw answer of :func:`max_circulation`."""

    circular: np.ndarray  # float, per edge, 0 <= c <= w
    quantum: float
    exact: bool
    gap: float  # certified upper bound on circulation missed through rounding (0 when exact;
    # NaN when it could not be computed within the work budget)
    component: np.ndarray  # strong component label per node (of the positive-amount graph)
    max_imbalance: float
    solve_seconds: float


def _kernels() -> Any:
    """The compiled kernels of :mod:`flowgraph._circulation_numba` (loaded on first use)."""
    from . import _circulation_numba
    from ._numba import compiled

    return compiled(_circulation_numba)


def _residual_potentials(n: int, s: np.ndarray, t: np.ndarray, cap: np.ndarray,
                         flow: np.ndarray, budget: int) -> np.ndarray | None:
    pot, ok = _kernels().residual_potentials(n, s, t, cap, flow, budget)
    return pot if ok else None


def max_circulation(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    *,
    quantum: float | None = None,
    certify: bool = True,
    progress: Callable[[str], None] | None = None,
) -> CirculationArrays:
    """Maximal circulation: maximise sum(c) s.t. 0 <= c <= w and in = out at every node.

    Solved as a min-cost circulation (unit cost -1 per unit on every edge) with OR-tools'
    cost-scaling push-relabel solver, only on edges inside strongly connected components
    (an edge between components lies on no cycle, so it carries no circulation).
    """
    import time

    from ortools.graph.python import min_cost_flow

    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.asarray(w, dtype=float)
    m = len(w)
    c = np.zeros(m, dtype=float)
    pos = w > 0
    ps, pt = src[pos], dst[pos]
    _, comp = strong_components(n, ps, pt)
    if quantum is None:
        q, exact = choose_quantum(w[pos])
    else:
        if not (quantum > 0 and math.isfinite(quantum)):
            raise ParameterError("quantum must be a positive number")
        q = float(quantum)
        exact = _whole(w[pos] / q)
    loop = pos & (src == dst)
    c[loop] = w[loop]
    inner = pos & (src != dst) & (comp[src] == comp[dst]) if n else pos
    idx = np.flatnonzero(inner)
    t0 = time.perf_counter()
    gap = 0.0
    if len(idx):
        # compact node ids to the nodes that carry cyclic edges
        nodes, inv = np.unique(np.concatenate([src[idx], dst[idx]]), return_inverse=True)
        s_c = inv[: len(idx)].astype(np.int32)
        t_c = inv[len(idx):].astype(np.int32)
        cap = to_units(w[idx], q)
        if progress:
            progress(f"circulation: solving {len(idx):,} cyclic edges among {len(nodes):,} "
                     f"companies")
        mcf = min_cost_flow.SimpleMinCostFlow()
        mcf.add_arcs_with_capacity_and_unit_cost(
            s_c, t_c, cap, np.full(len(idx), -1, dtype=np.int64))
        status = mcf.solve()
        if status != mcf.OPTIMAL:
            raise SolverError(f"min-cost circulation solver failed with status {status}")
        flow = np.asarray(mcf.flows(np.arange(len(idx), dtype=np.int32)), dtype=np.int64)
        # verification in exact integer arithmetic
        if np.any(flow < 0) or np.any(flow > cap):
            raise SolverError("solver returned a flow outside the capacities")
        bal = np.zeros(len(nodes), dtype=np.int64)
        np.add.at(bal, s_c, flow)
        np.subtract.at(bal, t_c, flow)
        if np.any(bal != 0):
            raise SolverError("solver returned a circulation that is not balanced")
        c[idx] = np.minimum(flow * q, w[idx])
        if not exact and certify:
            if progress:
                progress("circulation: certifying the rounding error bound")
            pot = _residual_potentials(len(nodes), s_c, t_c, cap, flow, budget=200 * len(idx)
                                       + 10_000)
            if pot is None:
                gap = math.nan
            else:
                y = np.maximum(0.0, 1.0 - pot[s_c] + pot[t_c])
                remainder = np.maximum(w[idx] - cap * q, 0.0)
                gap = float(np.sum(remainder * y))
        elif not exact:
            gap = math.nan
    elapsed = time.perf_counter() - t0
    # float checks of the invariants on the final answer
    imbalance = np.zeros(n, dtype=float)
    np.add.at(imbalance, src, c)
    np.subtract.at(imbalance, dst, c)
    max_imb = float(np.max(np.abs(imbalance))) if n else 0.0
    scale = max(1.0, float(w.max()) if m else 1.0)
    if max_imb > 1e-9 * scale * max(1, m) ** 0.5 + 1e-12:
        raise SolverError(f"circulation is not balanced (max imbalance {max_imb:g})")
    if np.any(c < 0) or np.any(c > w + 1e-12 * scale):
        raise SolverError("circulation exceeds an edge amount")
    return CirculationArrays(
        circular=c, quantum=q, exact=exact, gap=gap, component=comp,
        max_imbalance=max_imb, solve_seconds=elapsed,
    )


def directional_is_acyclic(n: int, src: np.ndarray, dst: np.ndarray, d: np.ndarray,
                           tol: float) -> bool:
    """True when the edges with ``d > tol`` form no directed cycle."""
    keep = d > tol
    if not np.any(keep):
        return True
    s, t = src[keep], dst[keep]
    if np.any(s == t):
        return False
    _, lab = strong_components(n, s, t)
    return not np.any(lab[s] == lab[t])


class MaxFlowSolver:
    """Repeated "money out of v and back into v" maximum flows on one network.

    Every cyclic edge ``u -> x`` is added twice: as itself and as a parallel arc ``u -> T``
    (capacity 0) into an extra sink ``T``. For company ``v`` the in-edges of ``v`` are switched
    to their ``-> T`` twins, which splits ``v`` into a source (its out-edges) and a sink (its
    in-edges); one OR-tools push-relabel max flow then gives the self-funded amount.
    """

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray,
                 q: float) -> None:
        from ortools.graph.python import max_flow

        self.n = n
        self.q = q
        self.src = src.astype(np.int32)
        self.dst = dst.astype(np.int32)
        self.w = w
        self.cap = to_units(w, q)
        self.sink = n
        m = len(w)
        self.solver = max_flow.SimpleMaxFlow()
        if m:
            self.solver.add_arcs_with_capacity(self.src, self.dst, self.cap)
            self.solver.add_arcs_with_capacity(
                self.src, np.full(m, self.sink, dtype=np.int32), np.zeros(m, dtype=np.int64))
        order = np.argsort(self.dst, kind="stable")
        self._in_order = order
        self._in_start = np.searchsorted(self.dst[order], np.arange(n + 1))

    def in_edges(self, v: int) -> np.ndarray:
        return self._in_order[self._in_start[v]:self._in_start[v + 1]]

    def self_funded(self, v: int) -> tuple[float, float]:
        """(amount, certified rounding bound) of the largest flow from ``v`` back to ``v``."""
        m = len(self.w)
        arcs = self.in_edges(v)
        if m == 0 or len(arcs) == 0 or not np.any(self.src == v):
            return 0.0, 0.0
        arcs32 = arcs.astype(np.int32)
        twins = (arcs + m).astype(np.int32)
        zeros = np.zeros(len(arcs), dtype=np.int64)
        self.solver.set_arcs_capacity(arcs32, zeros)
        self.solver.set_arcs_capacity(twins, self.cap[arcs])
        try:
            status = self.solver.solve(int(v), int(self.sink))
            if status != self.solver.OPTIMAL:
                raise SolverError(f"maximum flow solver failed with status {status}")
            value = int(self.solver.optimal_flow())
            # certified bound: capacity (in true amounts) of the minimum cut found
            side = np.zeros(self.n + 1, dtype=bool)
            side[np.asarray(self.solver.get_source_side_min_cut(), dtype=np.int64)] = True
            heads = self.dst.astype(np.int64).copy()
            heads[arcs] = self.sink
            cut = side[self.src] & ~side[heads]
            remainder = self.w - self.cap * self.q
            remainder = np.where(remainder > 1e-9 * self.q, remainder, 0.0)  # float noise
            bound = float(np.sum(remainder[cut]))
        finally:
            self.solver.set_arcs_capacity(arcs32, self.cap[arcs])
            self.solver.set_arcs_capacity(twins, zeros)
        return value * self.q, bound


class KeystoneSolver:
    """Maximal circulation with one company removed, warm-started from the full optimum.

    Built once from an optimal integer circulation ``flow`` of the cyclic edges (the answer
    of :func:`max_circulation`, in units). Potentials proving its optimality are computed
    once (shortest paths in the residual network); removing company ``v`` then only needs the
    money that went through ``v`` to be re-routed or cancelled, a minimum-cost flow from the
    companies that paid ``v`` to those ``v`` paid, solved by a primal-dual method that stays
    near ``v`` (see :func:`flowgraph._circulation_numba.circulation_without`). Every answer is
    verified: bounds, balance, and an optimality certificate (no residual arc of negative
    reduced cost), all in exact integer arithmetic. The answers are those of a full
    re-solve.
    """

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray, cap: np.ndarray,
                 flow: np.ndarray) -> None:
        nb = _kernels()

        self.n = n
        self.src = np.ascontiguousarray(src, dtype=np.int64)
        self.dst = np.ascontiguousarray(dst, dtype=np.int64)
        self.cap = np.ascontiguousarray(cap, dtype=np.int64)
        self.flow = np.ascontiguousarray(flow, dtype=np.int64)
        if np.any(self.flow < 0) or np.any(self.flow > self.cap):
            raise SolverError("the circulation to start from exceeds the capacities")
        self.value = int(self.flow.sum())
        pot, ok = nb.residual_potentials(n, self.src, self.dst, self.cap, self.flow,
                                         np.iinfo(np.int64).max)
        if not ok:
            raise SolverError("the circulation to start from is not optimal")
        self.pot = pot
        self.start, self.arcs = nb.residual_csr(n, self.src, self.dst)
        self._scratch()

    def _scratch(self) -> None:
        n, m = self.n, len(self.cap)
        self._work = np.zeros((7, n + 2), dtype=np.int64)
        self._zarcs = np.zeros(2 * m, dtype=np.int64)
        self._heap = np.zeros((2, n + 2 * m + 1), dtype=np.int64)
        self._stamps = np.zeros((3, n), dtype=np.int64)
        self.counters = np.zeros(8, dtype=np.int64)

    def fork(self) -> KeystoneSolver:
        """A solver sharing this one's (read-only) network and optimum, with its own scratch
        space, so that several companies can be re-routed at once in threads (the compiled
        re-routing releases the GIL)."""
        twin = copy.copy(self)
        twin._scratch()
        return twin

    def value_without(self, v: int) -> int:
        """Maximal circulation (in units) with company ``v`` and its edges removed."""
        nb = _kernels()

        if len(self.cap) == 0 or self.start[v] == self.start[v + 1]:
            return self.value
        value, status = nb.circulation_without(
            int(v), self.src, self.dst, self.cap, self.flow, self.pot, self.start, self.arcs,
            self._work, self._heap, self._zarcs, self._stamps, self.counters)
        if status != 0:
            raise SolverError(f"re-optimised circulation without a company failed "
                              f"verification (status {status})")
        return int(value)
