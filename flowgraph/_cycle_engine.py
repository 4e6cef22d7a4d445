"""Compiled bounded simple-cycle search over CSR arrays.

Private module: imported lazily by :mod:`flowgraph.cycles` so that ``import flowgraph`` stays
fast. Everything here works on integer vertex ids ``0..n-1`` and on *hops* (one per
payer -> payee pair); deal-level detail stays in :mod:`flowgraph.cycles`.

Algorithm (one engine for small and large networks):

1. Self-loops are dropped, hops that cannot be on a qualifying cycle are dropped
   (``min_amount``: hops below the threshold; ``time_ordered``: hops without a dated deal).
2. Strongly connected components of what is left (Tarjan's algorithm,
   :mod:`flowgraph._components_kernels`); cycles live inside one component.
3. For every start vertex ``s`` (in increasing order) the cycles whose smallest vertex is ``s``
   are enumerated by a depth-first search restricted to vertices ``> s`` of the same
   component. Before the search, a backward BFS from ``s`` (over vertices ``> s``, depth
   ``<= L - 1``) gives ``dist[w]``, the fewest hops from ``w`` back to ``s``; the search only
   moves to ``w`` at depth ``d`` when ``dist[w] <= L - d - 1``, so it never walks a path that
   cannot close within the length bound.
4. Time order prunes the search too: along a cycle ordered in time from some rotation, at
   most one pair of consecutive hops (cyclically) can go "backwards" in time, and the date
   window gives a lower bound on the span that only grows along the path. Closed cycles are
   then checked exactly (one deal per hop, any rotation).

The search is resumable: it returns when its output buffer is full or after a given number
of start vertices, so the caller can report progress and keep memory bounded. The kernels
live in :mod:`flowgraph._cycles_kernels` as plain Python in numba's subset; they are compiled
on first real use (:func:`flowgraph._numba.compiled`, the convention of both engines). Tiny
searches (like the bundled datasets) run the same kernels interpreted, within a budget of
examined edges, until a compiled kernel (any engine's) has been loaded in the process
(:func:`flowgraph._numba.warm`); a search that exceeds the
budget continues compiled from where it stopped, so results never depend on the mode.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np

from . import _cycles_kernels as K

BIG = K.BIG
PY_STEPS = 20_000
"""Edges the interpreted search may examine before it switches to compiled code."""
PY_MAX_EDGES = 1_000
"""Graphs with more hops than this go straight to compiled code."""


_JIT: Any = None
_LOCK = threading.Lock()
_WARMING: threading.Thread | None = None


def jitted() -> Any:
    """The kernels compiled with numba (cached on disk; loaded on first use)."""
    global _JIT
    if _JIT is None:
        with _LOCK:
            if _JIT is None:
                from ._numba import compiled

                _JIT = compiled(K)
    return _JIT


def warm_up(search: Any) -> None:
    """Run ``search`` (a tiny search through the compiled kernels) once in a background thread,
    so that loading numba and the cached kernels (the search's and the strong components')
    overlaps work that waits outside the interpreter, such as parsing a large file. Returns at
    once; the first real search then finds the kernels loaded, or waits for them
    (:func:`jitted` holds a lock). Results never depend on it. See
    :func:`flowgraph.cycles.warm_up`."""
    global _WARMING
    if _JIT is not None or _WARMING is not None:
        return

    def load() -> None:
        try:
            search()
        except Exception:  # pragma: no cover - the real search reports any problem itself
            pass

    _WARMING = threading.Thread(target=load, name="flowgraph-warm-up", daemon=True)
    _WARMING.start()


def compiled_reductions(hops: int) -> bool:
    """Whether the per-hop reductions of a network of ``hops`` hops run compiled
    (:func:`flowgraph._cycles_kernels.hop_reduce`) rather than with numpy: by the search's
    rule (:func:`run_search`), for networks the search runs compiled from the start, or once
    numba is loaded (:func:`flowgraph._numba.warm`). Results never depend on it."""
    from ._numba import warm

    return hops > 0 and (hops > PY_MAX_EDGES or warm())


_NONE_B = np.zeros(0, np.bool_)
_NONE_I = np.zeros(0, np.int64)


def hop_reduce(starts: np.ndarray, amount: np.ndarray, low: np.ndarray, high: np.ndarray,
               partly: np.ndarray | None, dlo: np.ndarray, dhi: np.ndarray,
               srank: np.ndarray | None, crank: np.ndarray | None, fmask: np.ndarray | None,
               est: np.ndarray | None, *, big: int, missing: int) -> tuple[np.ndarray, ...]:
    """:func:`flowgraph._cycles_kernels.hop_reduce`, compiled (None for a column not known)."""
    def i64(a: np.ndarray | None) -> np.ndarray:
        return _NONE_I if a is None else np.ascontiguousarray(a, dtype=np.int64)

    def b(a: np.ndarray | None) -> np.ndarray:
        return _NONE_B if a is None else np.ascontiguousarray(a, dtype=np.bool_)

    def f64(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=np.float64)

    return jitted().hop_reduce(i64(starts), f64(amount), f64(low), f64(high), b(partly),
                               i64(dlo), i64(dhi), i64(srank), i64(crank), i64(fmask), b(est),
                               np.int64(big), np.int64(missing))


def time_order_many(ptr: np.ndarray, hops: np.ndarray, dstart: np.ndarray, dend: np.ndarray,
                    dlo: np.ndarray, dhi: np.ndarray, window: int, possible: bool = False,
                    interpreted: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time order of many cycles (see :func:`flowgraph._cycles_kernels.time_order_many`)."""
    fn = K.time_order_many if interpreted else jitted().time_order_many
    return fn(ptr, hops, dstart, dend, dlo, dhi, window, bool(possible))


def scc_labels(n: int, indptr: np.ndarray, indices: np.ndarray, *,
               compiled: bool | None = None) -> np.ndarray:
    """Strong component label per vertex, ``-1`` for vertices alone in their component
    (``compiled``: see :func:`flowgraph._circulation_engine.csr_components`)."""
    if n == 0:
        return np.empty(0, np.int64)
    from ._circulation_engine import csr_components

    _, labels = csr_components(n, indptr, indices, compiled=compiled)
    sizes = np.bincount(labels)
    labels[sizes[labels] < 2] = -1
    return labels


def prepare(n: int, src: np.ndarray, dst: np.ndarray, *, compiled: bool | None = None
            ) -> tuple[np.ndarray, ...]:
    """The search's CSR arrays (forward and reverse) and strong components of hops sorted by
    (src, dst): ``(indptr, indices, rindptr, rindices, comp)`` (``compiled``: see
    :func:`scc_labels`)."""
    from ._circulation_engine import csr_arrays, csr_indptr

    indptr = csr_indptr(n, src)  # the hops are sorted by src already
    indices = dst.astype(np.int64)
    rindptr, rindices = csr_arrays(n, dst, src)
    comp = scc_labels(n, indptr, indices, compiled=compiled)
    return indptr, indices, rindptr, rindices, comp


def start_limit(n: int, comp: np.ndarray, need: np.ndarray) -> int:
    """One past the largest start vertex worth searching: every cycle through all of ``need``
    has its smallest vertex at or below ``min(need)``, and they must share a component."""
    if need.shape[0]:
        cn = comp[need]
        if (cn < 0).any() or (cn != cn[0]).any():
            return 0
        return int(need.min()) + 1
    return n


def run_search(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    amt: np.ndarray,
    minhi: np.ndarray,
    maxlo: np.ndarray,
    dstart: np.ndarray,
    dend: np.ndarray,
    dlo: np.ndarray,
    dhi: np.ndarray,
    *,
    max_len: int,
    need: np.ndarray,
    min_on: bool,
    time_on: bool,
    window: int,
    keep_top: Any,
    progress: Any = None,
    batch_cycles: int = 1 << 16,
    py_steps: int | None = None,
    prepared: tuple[np.ndarray, ...] | None = None,
    first: int = 0,
    last: int | None = None,
    max_steps: int | None = None,
    max_found: int | None = None,
    stopped: dict[str, Any] | None = None,
) -> tuple[Any, ...]:
    """Run the search over hops sorted by (src, dst); see :mod:`flowgraph.cycles`.

    ``src``/``dst``/``amt``/``minhi``/``maxlo``/``dstart``/``dend`` are per hop (only the
    hops allowed in the search). ``keep_top(lengths, edges, rt)`` is called with the cycles
    gathered so far whenever they exceed the buffer and returns them reduced.
    ``py_steps`` is the interpreted budget (default :data:`PY_STEPS`; 0 = compiled only).
    ``prepared`` is :func:`prepare`'s result for these hops (computed when not given);
    ``first``/``last`` restrict the search to the cycles whose smallest vertex is in
    ``[first, last)`` (how a search is split into independent tasks).
    ``max_steps`` caps the work (edges examined) and ``max_found`` the loops found: the
    search then stops early and ``stopped`` (a dict, when given) gets ``"reason"``
    (``"work"`` or ``"loops"``); it always gets ``"steps"``, the edges examined so far.

    Returns ``(lengths, edges, rt, n_found, vcount, vsum, vmax, ecount, interpreted)``;
    ``edges`` are hop positions (indices into the given per-hop arrays); ``interpreted`` is
    True when no compiled code was needed.
    """
    m = src.shape[0]
    if py_steps is None:  # interpreted only while no compiled kernel is loaded yet
        from ._numba import warm

        py_steps = PY_STEPS if m <= PY_MAX_EDGES and not warm() else 0
    interpreted = py_steps > 0
    if prepared is None:
        prepared = prepare(n, src, dst, compiled=not interpreted)
    graph = K.Graph(*prepared)
    s_stop = start_limit(n, graph.comp, need)
    if last is not None:
        s_stop = min(s_stop, int(last))
    L = int(max_len)
    hops = K.HopData(amt, ~np.isnan(amt), minhi, maxlo, dstart, dend, dlo, dhi)
    query = K.Query(L, s_stop, need, bool(min_on), bool(time_on), int(window))
    scratch = _scratch(n, L, min(int(first), s_stop))
    output = _output(n, m, L, batch_cycles)
    cap = (1 << 62) if max_steps is None else max(int(max_steps), 1)
    if stopped is None:
        stopped = {}
    kept = _Kept(keep_top, batch_cycles)
    interpreted = _drive(graph, hops, query, scratch, output, kept,
                         starts_budget=max(64, s_stop // 50) if s_stop else 1,
                         py_steps=py_steps, cap=cap, max_found=max_found, stopped=stopped,
                         progress=progress)
    ln, ed, rt = kept.all()
    vmax = output.vmax
    vmax[np.isinf(vmax)] = np.nan
    return (ln, ed, rt, int(scratch.state[3]), output.vcount, output.vsum, vmax, output.ecount,
            interpreted)


def _scratch(n: int, L: int, first: int) -> K.Scratch:
    """Fresh search state starting at vertex ``first``, and its working arrays."""
    path = [np.zeros(L + 2, np.int64) for _ in range(3)]
    per_depth = [np.zeros(L + 2, np.int64) for _ in range(6)]
    return K.Scratch(np.array([first, -1, 0, 0, 0], np.int64), *path,
                     np.zeros(n, np.int8), np.full(n, BIG, np.int64),
                     np.zeros(max(n, 1), np.int64), np.zeros(L + 2, np.float64), *per_depth)


def _output(n: int, m: int, L: int, batch_cycles: int) -> K.Output:
    """Buffers for one call's loops and the running counts per vertex and per hop."""
    return K.Output(np.zeros(batch_cycles, np.int64),
                    np.zeros(max(batch_cycles * min(L, 16), L + 2), np.int64),
                    np.zeros(batch_cycles, np.float64), np.zeros(n, np.int64),
                    np.zeros(n, np.float64), np.full(n, -np.inf, np.float64),
                    np.zeros(m, np.int64))


class _Kept:
    """The loops gathered from the calls, reduced by ``keep_top`` when they pass twice the
    buffer."""

    def __init__(self, keep_top: Any, batch_cycles: int) -> None:
        self.keep_top, self.batch = keep_top, batch_cycles
        self.lens: list[np.ndarray] = []
        self.edges: list[np.ndarray] = []
        self.rts: list[np.ndarray] = []
        self.held = 0

    def add(self, output: K.Output, nc: int, ne: int) -> None:
        if nc:
            self.lens.append(output.out_len[:nc].copy())
            self.edges.append(output.out_e[:ne].copy())
            self.rts.append(output.out_rt[:nc].copy())
            self.held += nc
        if self.held > self.batch * 2 and self.keep_top is not None:
            ln, ed, rt = self.keep_top(*self.all())
            self.lens, self.edges, self.rts = [ln], [ed], [rt]
            self.held = ln.shape[0]

    def all(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.lens:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
        return np.concatenate(self.lens), np.concatenate(self.edges), np.concatenate(self.rts)


def _drive(graph: K.Graph, hops: K.HopData, query: K.Query, scratch: K.Scratch,
           output: K.Output, kept: _Kept, *, starts_budget: int, py_steps: int, cap: int,
           max_found: int | None, stopped: dict[str, Any], progress: Any) -> bool:
    """Call the kernel until the search is done or a cap stops it (noted in ``stopped``);
    interpreted within ``py_steps``, then compiled. Returns True when it never compiled.

    The loop cap holds exactly: each call gets an output buffer of at most the loops still
    allowed (the kernel stops when its buffer is full), so the search never finds more than
    ``max_found``; it is noted as stopped (``"loops"``) when it reached the cap before the
    end, and complete when its last loop was the ``max_found``-th."""
    interpreted = py_steps > 0
    search = K.search if interpreted else jitted().search
    step_budget = min(py_steps, cap) if interpreted else cap
    state = scratch.state
    while True:
        out = output
        if max_found is not None:  # room for the loops still allowed, no more
            room = min(output.out_len.shape[0], max_found - int(state[3]))
            out = output._replace(out_len=output.out_len[:room], out_rt=output.out_rt[:room])
        nc, ne, status = search(graph, hops, query, scratch, out, starts_budget, step_budget)
        kept.add(output, nc, ne)
        stopped["steps"] = int(state[4])
        if status == 2 and state[4] >= cap:  # the work cap: stop early
            stopped["reason"] = "work"
            status = 1
        elif status == 2:  # interpreted budget spent: continue compiled from the same state
            interpreted = False
            search = jitted().search
            step_budget = cap
        if status != 1 and max_found is not None and state[3] >= max_found:
            stopped["reason"] = "loops"
            status = 1
        if progress is not None:
            progress(int(min(state[0], query.s_stop)), int(query.s_stop), int(state[3]))
        if status == 1:
            return interpreted
