"""Kernels of the bounded cycle search, written in the subset of Python numba compiles.

Private module without a numba import: :mod:`flowgraph._cycle_engine` compiles these
functions (:func:`flowgraph._numba.compiled`, the kernels named in ``KERNELS``) for real
work, and runs the very same functions
interpreted for tiny searches (tens of thousands of steps at most), where loading the
compiled code would cost more than the search. The search is resumable, so an interpreted
search that runs out of its step budget continues compiled from the same state.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

BIG = np.int64(1) << 40
KERNELS = ("time_order_cycle", "time_order_many", "search", "hop_reduce")
"""The functions :func:`flowgraph._numba.compiled` compiles."""


class Graph(NamedTuple):
    """The hops as CSR arrays, forward and reverse, and the strong component per vertex."""

    indptr: np.ndarray
    indices: np.ndarray
    rindptr: np.ndarray
    rindices: np.ndarray
    comp: np.ndarray


class HopData(NamedTuple):
    """Per hop (CSR position): amount, known flag, date bounds, and its deals' date ranges
    (``dstart[h]..dend[h]`` into ``dlo``/``dhi``, which are per deal)."""

    amt: np.ndarray
    known: np.ndarray
    minhi: np.ndarray
    maxlo: np.ndarray
    dstart: np.ndarray
    dend: np.ndarray
    dlo: np.ndarray
    dhi: np.ndarray


class Query(NamedTuple):
    """What to search: loops of at most ``max_len`` hops whose smallest vertex is below
    ``s_stop``, through every vertex of ``need``, pruned by amount and time order."""

    max_len: int
    s_stop: int
    need: np.ndarray
    min_on: bool
    time_on: bool
    window: int


class Scratch(NamedTuple):
    """The resumable search state (``state``) and its working arrays."""

    state: np.ndarray
    path_v: np.ndarray
    path_e: np.ndarray
    itpos: np.ndarray
    onpath: np.ndarray
    dist: np.ndarray
    queue: np.ndarray
    rmin: np.ndarray
    nknown: np.ndarray
    ndesc: np.ndarray
    whi: np.ndarray
    wlo: np.ndarray
    tmp: np.ndarray
    choice: np.ndarray


class Output(NamedTuple):
    """The loops found in one call (lengths, hops, round trips) and the running counts per
    vertex and per hop."""

    out_len: np.ndarray
    out_e: np.ndarray
    out_rt: np.ndarray
    vcount: np.ndarray
    vsum: np.ndarray
    vmax: np.ndarray
    ecount: np.ndarray


def hop_reduce(starts, amount, low, high, partly, dlo, dhi, srank, crank, fmask, est, big,
               missing):
    """The exact (integer and yes/no) reductions of each hop's deals in one pass.

    The deals are in hop order; hop ``h`` holds positions ``starts[h]`` up to the next start.
    Per hop: how many of its deals have a known ``amount``, ``low`` and ``high`` (not NaN);
    whether some deal is ``partly`` unknown; the earliest end (``dhi``) and the latest start
    (``dlo``) of its dated deals (``dlo >= 0``; ``big`` and ``-big`` when none is dated) and
    how many are dated; the weakest status and confidence ranks (``missing`` for none); the
    union of the flow-type bits; and whether some deal is an estimate. ``partly``, ``srank``,
    ``crank``, ``fmask`` and ``est`` may be empty (not known), leaving the defaults.
    The sums of the amounts stay with numpy (``np.add.reduceat``), whose order of addition
    the answers keep.
    """
    nh = starts.shape[0]
    m = amount.shape[0]
    n_amount = np.zeros(nh, np.int64)
    n_low = np.zeros(nh, np.int64)
    n_high = np.zeros(nh, np.int64)
    any_partly = np.zeros(nh, np.bool_)
    minhi = np.full(nh, big, np.int64)
    maxlo = np.full(nh, -big, np.int64)
    n_dated = np.zeros(nh, np.int64)
    status = np.full(nh, missing, np.int64)
    conf = np.full(nh, missing, np.int64)
    ftype = np.zeros(nh, np.int64)
    estimate = np.zeros(nh, np.bool_)
    has_partly = partly.shape[0] > 0
    has_info = srank.shape[0] > 0
    for h in range(nh):
        end = starts[h + 1] if h + 1 < nh else m
        for i in range(starts[h], end):
            if not np.isnan(amount[i]):
                n_amount[h] += 1
            if not np.isnan(low[i]):
                n_low[h] += 1
            if not np.isnan(high[i]):
                n_high[h] += 1
            if has_partly and partly[i]:
                any_partly[h] = True
            if dlo[i] >= 0:
                n_dated[h] += 1
                if dhi[i] < minhi[h]:
                    minhi[h] = dhi[i]
                if dlo[i] > maxlo[h]:
                    maxlo[h] = dlo[i]
            if has_info:
                if srank[i] < status[h]:
                    status[h] = srank[i]
                if crank[i] < conf[h]:
                    conf[h] = crank[i]
                ftype[h] |= fmask[i]
                if est[i]:
                    estimate[h] = True
    return (n_amount, n_low, n_high, any_partly, minhi, maxlo, n_dated, status, conf, ftype,
            estimate)


def time_order_cycle(cyc, k, dstart, dend, dlo, dhi, window, tmp, choice, possible):
    """Can one deal per hop be chosen so the dates increase round the loop?

    ``cyc[0:k]`` are the hops of the cycle in order; hop ``h``'s deals are
    ``dstart[h]..dend[h]`` in the deal arrays; ``dlo``/``dhi`` are day numbers of each deal's
    date bounds (``-1`` when the deal has no date). Deal ``a`` comes before deal ``b`` only
    when ``dhi[a] < dlo[b]`` (certainly before: the date intervals do not overlap).
    With ``possible``, the question is weaker: are there days within the deals' date ranges
    that never go back in time round the loop (same-day or overlapping deals allowed)?

    Returns ``(span, start)``: the smallest span in days (``dhi`` of the last deal minus
    ``dlo`` of the first; with ``possible``, the smallest possible elapsed time) over
    rotations and first deals, and the hop position the chain starts at; ``(-1, -1)`` when
    no ordering exists (or none within ``window`` days when ``window >= 0``).
    ``choice[0:k]`` receives the chosen deals.
    """
    best = -1
    best_r = -1
    for r in range(k):
        h0 = cyc[r]
        for f in range(dstart[h0], dend[h0]):
            if dlo[f] < 0:
                continue
            tmp[r] = f
            cur = dlo[f] if possible else dhi[f]
            ok = True
            for j in range(1, k):
                pos = (r + j) % k
                h = cyc[pos]
                bd = -1
                bhi = BIG
                for g in range(dstart[h], dend[h]):
                    if dlo[g] < 0:
                        continue
                    if possible:
                        # earliest day >= cur within g's range
                        if dhi[g] >= cur:
                            t = dlo[g] if dlo[g] > cur else cur
                            if t < bhi:
                                bhi = t
                                bd = g
                    elif dlo[g] > cur and dhi[g] < bhi:
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


def time_order_many(ptr, hops, dstart, dend, dlo, dhi, window, possible):
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
        sp, r = time_order_cycle(cyc, k, dstart, dend, dlo, dhi, window, tmp, choice,
                                 possible)
        span[c] = sp
        start[c] = r
        if sp >= 0:
            for j in range(k):
                chosen[ptr[c] + j] = choice[j]
    return span, start, chosen


def search(graph, hops, query, scratch, output, starts_budget, step_budget):
    """Resumable bounded cycle search (see :mod:`flowgraph._cycle_engine`).

    ``graph`` (:class:`Graph`), ``hops`` (:class:`HopData`), ``query`` (:class:`Query`),
    ``scratch`` (:class:`Scratch`) and ``output`` (:class:`Output`) bundle the arrays.
    Edges are CSR positions ``p`` (``indptr``/``indices``); per-edge arrays are indexed by
    ``p``. ``state = [s, depth, bfs_size, n_found_total, steps]``; ``depth == -1`` means
    the search of start ``s`` has not begun. Returns ``(n_cycles, n_edges, status)`` for the
    cycles written to ``out_len``/``out_e``/``out_rt`` in this call; ``status`` is 1 when the
    search is finished, 0 when the buffer is full or ``starts_budget`` starts were searched,
    2 when ``state[4]`` (edges examined so far) reached ``step_budget``.
    """
    indptr, indices, rindptr, rindices, comp = graph
    amt, known, minhi, maxlo, dstart, dend, dlo, dhi = hops
    max_len, s_stop, need, min_on, time_on, window = query
    (state, path_v, path_e, itpos, onpath, dist, queue, rmin, nknown, ndesc, whi, wlo, tmp,
     choice) = scratch
    out_len, out_e, out_rt, vcount, vsum, vmax, ecount = output
    L = max_len
    cap = out_len.shape[0]
    ecap = out_e.shape[0]
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
            state[4] += tail
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
            if ncyc >= cap or ne + L > ecap:
                state[1] = d
                return ncyc, ne, 0
            if state[4] >= step_budget:
                state[1] = d
                return ncyc, ne, 2
            state[4] += 1
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
                                              choice, False)
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
