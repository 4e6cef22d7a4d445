"""Compiled bounded simple-cycle search over CSR arrays.

Private module: imported lazily by :mod:`flowgraph.cycles` so that ``import flowgraph`` stays
fast. Everything here works on integer vertex ids ``0..n-1`` and on *hops* (one per
payer -> payee pair); deal-level detail stays in :mod:`flowgraph.cycles`.

Algorithm (one engine for small and large networks):

1. Self-loops are dropped, hops that cannot be on a qualifying cycle are dropped
   (``min_amount``: hops below the threshold; ``time_ordered``: hops without a dated deal).
2. Strongly connected components of what is left (scipy); cycles live inside one component.
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
of start vertices, so the caller can report progress and keep memory bounded.
"""
from __future__ import annotations

import os
import sys

import numpy as np


def _configure_numba_cache() -> None:
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


_configure_numba_cache()

from numba import njit  # noqa: E402

BIG = np.int64(1) << 40


@njit(cache=True, nogil=True)
def time_order_cycle(cyc, k, dstart, dend, dlo, dhi, window, tmp, choice):  # pragma: no cover
    """Can one deal per hop be chosen so the dates increase round the loop?

    ``cyc[0:k]`` are the hops of the cycle in order; hop ``h``'s deals are
    ``dstart[h]..dend[h]`` in the deal arrays; ``dlo``/``dhi`` are day numbers of each deal's
    date bounds (``-1`` when the deal has no date). Deal ``a`` comes before deal ``b`` only
    when ``dhi[a] < dlo[b]`` (certainly before: the date intervals do not overlap).

    Returns ``(span, start)``: the smallest certain span in days (``dhi`` of the last deal
    minus ``dlo`` of the first) over rotations and first deals, and the hop position the
    ordered chain starts at; ``(-1, -1)`` when no ordering exists (or none within
    ``window`` days when ``window >= 0``). ``choice[0:k]`` receives the chosen deals.
    """
    best = -1
    best_r = -1
    for r in range(k):
        h0 = cyc[r]
        for f in range(dstart[h0], dend[h0]):
            if dlo[f] < 0:
                continue
            tmp[r] = f
            cur = dhi[f]
            ok = True
            for j in range(1, k):
                pos = (r + j) % k
                h = cyc[pos]
                bd = -1
                bhi = BIG
                for g in range(dstart[h], dend[h]):
                    if dlo[g] >= 0 and dlo[g] > cur and dhi[g] < bhi:
                        bhi = dhi[g]
                        bd = g
                if bd < 0:
                    ok = False
                    break
                tmp[pos] = bd
                cur = bhi
            if not ok:
                continue
            span = cur - dlo[f]
            if window >= 0 and span > window:
                continue
            if best < 0 or span < best:
                best = span
                best_r = r
                for j in range(k):
                    choice[j] = tmp[j]
    return best, best_r


@njit(cache=True, nogil=True)
def time_order_many(ptr, hops, dstart, dend, dlo, dhi, window):  # pragma: no cover
    """:func:`time_order_cycle` for many cycles (``ptr`` offsets into ``hops``).

    Returns ``span`` and ``start`` per cycle and the chosen deal per hop (flat, ``-1`` when
    the cycle is not ordered).
    """
    nc = ptr.shape[0] - 1
    span = np.full(nc, -1, np.int64)
    start = np.full(nc, -1, np.int64)
    chosen = np.full(hops.shape[0], -1, np.int64)
    kmax = 1
    for c in range(nc):
        kmax = max(kmax, ptr[c + 1] - ptr[c])
    tmp = np.empty(kmax, np.int64)
    choice = np.empty(kmax, np.int64)
    cyc = np.empty(kmax, np.int64)
    for c in range(nc):
        k = ptr[c + 1] - ptr[c]
        for j in range(k):
            cyc[j] = hops[ptr[c] + j]
        sp, r = time_order_cycle(cyc, k, dstart, dend, dlo, dhi, window, tmp, choice)
        span[c] = sp
        start[c] = r
        if sp >= 0:
            for j in range(k):
                chosen[ptr[c] + j] = choice[j]
    return span, start, chosen


@njit(cache=True, nogil=True)
def search(
    indptr, indices, rindptr, rindices, comp,
    amt, known, minhi, maxlo, dstart, dend, dlo, dhi,
    max_len, s_stop, need, min_on, time_on, window,
    state, path_v, path_e, itpos, onpath, dist, queue,
    rmin, nknown, ndesc, whi, wlo, tmp, choice,
    out_len, out_e, out_rt, starts_budget,
    vcount, vsum, vmax, ecount,
):  # pragma: no cover
    """Resumable bounded cycle search; see the module docstring.

    Edges are CSR positions ``p`` (``indptr``/``indices``); per-edge arrays are indexed by
    ``p``. ``state = [s, depth, bfs_size, n_found_total]``; ``depth == -1`` means the
    search of start ``s`` has not begun. Returns ``(n_cycles, n_edges, finished)`` written to
    ``out_len``/``out_e``/``out_rt`` in this call.
    """
    L = max_len
    cap = out_len.shape[0]
    ncyc = 0
    ne = 0
    starts_done = 0
    n_need = need.shape[0]
    while True:
        s = state[0]
        if s >= s_stop:
            return ncyc, ne, 1
        d = state[1]
        cs = comp[s]
        if d < 0:
            if cs < 0:
                state[0] = s + 1
                continue
            if starts_done >= starts_budget:
                return ncyc, ne, 0
            starts_done += 1
            # backward BFS: dist[w] = fewest hops w -> ... -> s through vertices > s
            dist[s] = 0
            queue[0] = s
            head = 0
            tail = 1
            while head < tail:
                x = queue[head]
                head += 1
                dx = dist[x]
                if dx >= L - 1:
                    continue
                for q in range(rindptr[x], rindptr[x + 1]):
                    y = rindices[q]
                    if y <= s or comp[y] != cs:
                        continue
                    if dist[y] > dx + 1:
                        dist[y] = dx + 1
                        queue[tail] = y
                        tail += 1
            state[2] = tail
            d = 0
            path_v[0] = s
            onpath[s] = 1
            itpos[0] = indptr[s]
            rmin[0] = np.inf
            nknown[0] = 0
            ndesc[0] = 0
            whi[0] = -BIG
            wlo[0] = BIG
        while d >= 0:
            v = path_v[d]
            p = itpos[d]
            if p >= indptr[v + 1]:
                onpath[v] = 0
                d -= 1
                continue
            if ncyc >= cap:
                state[1] = d
                return ncyc, ne, 0
            itpos[d] = p + 1
            w = indices[p]
            if w != s:
                if w < s or onpath[w] == 1 or comp[w] != cs or dist[w] > L - d - 1:
                    continue
            # bookkeeping for the path extended by edge p
            r_new = rmin[d]
            k_new = nknown[d]
            if known[p]:
                k_new += 1
                if amt[p] < r_new:
                    r_new = amt[p]
            nd = ndesc[d]
            hi_new = whi[d]
            lo_new = wlo[d]
            if time_on:
                if d >= 1 and not (minhi[path_e[d - 1]] < maxlo[p]):
                    nd += 1
                    if nd > 1:
                        continue
                if minhi[p] > hi_new:
                    hi_new = minhi[p]
                if maxlo[p] < lo_new:
                    lo_new = maxlo[p]
                if window >= 0 and hi_new - lo_new > window:
                    continue
            if w == s:
                k = d + 1
                if min_on and k_new == 0:
                    continue
                if time_on:
                    if not (minhi[p] < maxlo[path_e[0]]):
                        nd += 1
                        if nd > 1:
                            continue
                ok = True
                for i in range(n_need):
                    if need[i] != s and onpath[need[i]] == 0:
                        ok = False
                        break
                if not ok:
                    continue
                path_e[d] = p
                if time_on:
                    sp, _r = time_order_cycle(path_e, k, dstart, dend, dlo, dhi, window, tmp,
                                             choice)
                    if sp < 0:
                        continue
                rt = r_new if k_new > 0 else np.nan
                out_len[ncyc] = k
                out_rt[ncyc] = rt
                for i in range(k):
                    out_e[ne + i] = path_e[i]
                    ecount[path_e[i]] += 1
                    u = path_v[i]
                    vcount[u] += 1
                    if k_new > 0:
                        vsum[u] += rt
                        if rt > vmax[u]:
                            vmax[u] = rt
                ne += k
                ncyc += 1
                state[3] += 1
                continue
            # push w
            path_e[d] = p
            d += 1
            path_v[d] = w
            onpath[w] = 1
            itpos[d] = indptr[w]
            rmin[d] = r_new
            nknown[d] = k_new
            ndesc[d] = nd
            whi[d] = hi_new
            wlo[d] = lo_new
        # start s finished: reset the BFS marks
        for i in range(state[2]):
            dist[queue[i]] = BIG
        state[0] = s + 1
        state[1] = -1


def scc_labels(n: int, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Strong component label per vertex, ``-1`` for vertices alone in their component."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.empty(0, np.int64)
    data = np.ones(indices.shape[0], dtype=np.int8)
    mat = csr_matrix((data, indices, indptr), shape=(n, n))
    _, labels = connected_components(mat, directed=True, connection="strong")
    labels = labels.astype(np.int64)
    sizes = np.bincount(labels)
    labels[sizes[labels] < 2] = -1
    return labels


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
    keep_top,
    progress=None,
    batch_cycles: int = 1 << 16,
):
    """Run :func:`search` over hops sorted by (src, dst); see :mod:`flowgraph.cycles`.

    ``src``/``dst``/``amt``/``minhi``/``maxlo``/``dstart``/``dend`` are per hop (only the
    hops allowed in the search). ``keep_top(lengths, edges, rt)`` is called with the cycles
    gathered so far whenever they exceed the buffer and returns them reduced.

    Returns ``(lengths, edges, rt, n_found, vcount, vsum, vmax, ecount)``; ``edges`` are hop
    positions (indices into the given per-hop arrays).
    """
    m = src.shape[0]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    indices = dst.astype(np.int64)
    rorder = np.argsort(dst, kind="stable")
    rindptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=rindptr[1:])
    rindices = src[rorder].astype(np.int64)
    comp = scc_labels(n, indptr, indices)
    if need.shape[0]:
        cn = comp[need]
        if (cn < 0).any() or (cn != cn[0]).any():
            s_stop = 0
        else:
            s_stop = int(need.min()) + 1
    else:
        s_stop = n
    L = int(max_len)
    known = ~np.isnan(amt)
    state = np.array([0, -1, 0, 0], np.int64)
    path_v = np.zeros(L + 2, np.int64)
    path_e = np.zeros(L + 2, np.int64)
    itpos = np.zeros(L + 2, np.int64)
    onpath = np.zeros(n, np.int8)
    dist = np.full(n, BIG, np.int64)
    queue = np.zeros(max(n, 1), np.int64)
    rmin = np.zeros(L + 2, np.float64)
    nknown = np.zeros(L + 2, np.int64)
    ndesc = np.zeros(L + 2, np.int64)
    whi = np.zeros(L + 2, np.int64)
    wlo = np.zeros(L + 2, np.int64)
    tmp = np.zeros(L + 2, np.int64)
    choice = np.zeros(L + 2, np.int64)
    out_len = np.zeros(batch_cycles, np.int64)
    out_e = np.zeros(batch_cycles * L, np.int64)
    out_rt = np.zeros(batch_cycles, np.float64)
    vcount = np.zeros(n, np.int64)
    vsum = np.zeros(n, np.float64)
    vmax = np.full(n, -np.inf, np.float64)
    ecount = np.zeros(m, np.int64)
    lens: list[np.ndarray] = []
    edges: list[np.ndarray] = []
    rts: list[np.ndarray] = []
    held = 0
    starts_budget = max(64, s_stop // 50) if s_stop else 1
    while True:
        nc, ne, done = search(
            indptr, indices, rindptr, rindices, comp,
            amt, known, minhi, maxlo, dstart, dend, dlo, dhi,
            L, s_stop, need, min_on, time_on, window,
            state, path_v, path_e, itpos, onpath, dist, queue,
            rmin, nknown, ndesc, whi, wlo, tmp, choice,
            out_len, out_e, out_rt, starts_budget,
            vcount, vsum, vmax, ecount,
        )
        if nc:
            lens.append(out_len[:nc].copy())
            edges.append(out_e[:ne].copy())
            rts.append(out_rt[:nc].copy())
            held += nc
        if held > batch_cycles * 2 and keep_top is not None:
            ln, ed, rt = keep_top(np.concatenate(lens), np.concatenate(edges), np.concatenate(rts))
            lens, edges, rts = [ln], [ed], [rt]
            held = ln.shape[0]
        if progress is not None:
            progress(int(min(state[0], s_stop)), int(s_stop), int(state[3]))
        if done:
            break
    if lens:
        ln, ed, rt = np.concatenate(lens), np.concatenate(edges), np.concatenate(rts)
    else:
        ln, ed, rt = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    vmax[np.isinf(vmax)] = np.nan
    return ln, ed, rt, int(state[3]), vcount, vsum, vmax, ecount
