"""Kernels of :mod:`flowgraph._circulation_engine`, in the subset of Python numba compiles.

Private module without a numba import: the engine compiles the functions named in
``KERNELS`` on first use (:func:`flowgraph._numba.compiled`, the convention of both engines).
"""
from __future__ import annotations

import numpy as np

KERNELS = ("residual_potentials", "residual_csr", "_arc", "_heap_push", "_heap_pop",
           "_zero_arcs", "_global_labels", "circulation_without")
"""The functions :func:`flowgraph._numba.compiled` compiles."""
KERNEL_OPTIONS = {"_arc": {"inline": "always"}}
"""numba options beyond the defaults of :mod:`flowgraph._numba`, per kernel."""


def residual_potentials(n, s, t, cap, flow, budget):  # pragma: no cover - compiled
    """Shortest-path potentials in the residual network of an optimal unit-cost circulation.

    Residual arcs: ``u -> v`` of cost -1 where flow < capacity, ``v -> u`` of cost +1 where
    flow > 0. Distances start at 0 (a virtual source joined to every node) and are relaxed
    with a FIFO queue (Bellman-Ford-Moore). Returns ``(potentials, ok)``; ``ok`` is False when
    more than ``budget`` relaxations were needed.
    """
    m = s.shape[0]
    deg = np.zeros(n + 1, np.int64)
    for e in range(m):
        if flow[e] < cap[e]:
            deg[s[e] + 1] += 1
        if flow[e] > 0:
            deg[t[e] + 1] += 1
    for i in range(n):
        deg[i + 1] += deg[i]
    head = np.empty(deg[n], np.int64)
    cost = np.empty(deg[n], np.int64)
    fill = deg[:n].copy()
    for e in range(m):
        if flow[e] < cap[e]:
            k = fill[s[e]]
            head[k] = t[e]
            cost[k] = -1
            fill[s[e]] += 1
        if flow[e] > 0:
            k = fill[t[e]]
            head[k] = s[e]
            cost[k] = 1
            fill[t[e]] += 1
    dist = np.zeros(n, np.int64)
    queue = np.empty(n, np.int64)
    inq = np.ones(n, np.bool_)
    for i in range(n):
        queue[i] = i
    qh = 0
    qlen = n
    work = 0
    while qlen > 0:
        u = queue[qh]
        qh += 1
        if qh == n:
            qh = 0
        qlen -= 1
        inq[u] = False
        du = dist[u]
        for k in range(deg[u], deg[u + 1]):
            v = head[k]
            nd = du + cost[k]
            if nd < dist[v]:
                dist[v] = nd
                if nd < -n:  # a negative cycle: impossible at an optimum
                    return dist, False
                if not inq[v]:
                    inq[v] = True
                    tail = qh + qlen
                    if tail >= n:
                        tail -= n
                    queue[tail] = v
                    qlen += 1
        work += deg[u + 1] - deg[u] + 1
        if work > budget:
            return dist, False
    return dist, True


def residual_csr(n, s, t):  # pragma: no cover - compiled
    """Adjacency of the residual network: arc ``2e`` is edge ``e`` forward (at ``s[e]``),
    arc ``2e + 1`` its reverse (at ``t[e]``). Returns ``(start, arcs)``."""
    m = s.shape[0]
    start = np.zeros(n + 1, np.int64)
    for e in range(m):
        start[s[e] + 1] += 1
        start[t[e] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = start[:n].copy()
    arcs = np.empty(2 * m, np.int64)
    for e in range(m):
        arcs[fill[s[e]]] = 2 * e
        fill[s[e]] += 1
        arcs[fill[t[e]]] = 2 * e + 1
        fill[t[e]] += 1
    return start, arcs


def _arc(a, s, t, cap, fl):  # pragma: no cover - compiled
    e = a >> 1
    if a & 1 == 0:
        return s[e], t[e], cap[e] - fl[e], -1
    return t[e], s[e], fl[e], 1


def _heap_push(hd, hx, size, d, x):  # pragma: no cover - compiled
    i = size
    hd[i] = d
    hx[i] = x
    while i > 0:
        p = (i - 1) >> 1
        if hd[p] <= hd[i]:
            break
        hd[p], hd[i] = hd[i], hd[p]
        hx[p], hx[i] = hx[i], hx[p]
        i = p
    return size + 1


def _heap_pop(hd, hx, size):  # pragma: no cover - compiled
    d = hd[0]
    x = hx[0]
    size -= 1
    hd[0] = hd[size]
    hx[0] = hx[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hd[c + 1] < hd[c]:
            c += 1
        if hd[i] <= hd[c]:
            break
        hd[c], hd[i] = hd[i], hd[c]
        hx[c], hx[i] = hx[i], hx[c]
        i = c
    return d, x, size


def _zero_arcs(v, s, t, pi, start, arcs, zarcs, zend):  # pragma: no cover - compiled
    """Per node, the arcs of zero reduced cost (either direction, any capacity) avoiding
    ``v``: ``zarcs[start[y]:zend[y]]``. An arc and its reverse have opposite reduced costs,
    so one list serves both the forward and the backward search."""
    n = pi.shape[0]
    for y in range(n):
        j = start[y]
        py = pi[y]
        for k in range(start[y], start[y + 1]):
            a = arcs[k]
            e = a >> 1
            if a & 1 == 0:
                h = t[e]
                c = -1
            else:
                h = s[e]
                c = 1
            if h != v and c + py - pi[h] == 0:
                zarcs[j] = a
                j += 1
        zend[y] = j


def _global_labels(v, s, t, cap, fl, pi, start, arcs, zarcs, zend, ex, stack, dist, count,
                   cur, cstamp, ctr):  # pragma: no cover - compiled
    """Exact distances (in arcs of zero reduced cost) to the nearest deficit: backward BFS.

    Labelled nodes get ``cstamp == phase`` (a new stamp, returned with their number ``nlab``)
    and are listed in ``stack``; ``count[d]`` counts them by distance.
    """
    ctr[0] += 1
    phase = ctr[0]
    nlab = 0
    for k in range(start[v], start[v + 1]):
        a = arcs[k]
        e = a >> 1
        u = s[e] if a & 1 == 1 else t[e]
        if ex[u] < 0 and cstamp[u] != phase:
            cstamp[u] = phase
            dist[u] = 0
            stack[nlab] = u
            nlab += 1
    qh = 0
    while qh < nlab:
        y = stack[qh]
        qh += 1
        dy = dist[y] + 1
        for k in range(start[y], zend[y]):
            b = zarcs[k] ^ 1  # the arc into y
            h, _, r, _ = _arc(b, s, t, cap, fl)
            ctr[7] += 1
            if r > 0 and cstamp[h] != phase:
                cstamp[h] = phase
                dist[h] = dy
                stack[nlab] = h
                nlab += 1
    for i in range(nlab + 2):
        count[i] = 0
    for i in range(nlab):
        y = stack[i]
        count[dist[y]] += 1
        cur[y] = start[y]
    return phase, nlab


def circulation_without(v, s, t, cap, flow0, pi0, start, arcs, work, heap, zarcs, stamps,
                        ctr):  # pragma: no cover - compiled
    """Maximal circulation (unit cost -1 per edge) with node ``v`` removed, warm-started.

    ``flow0`` is an optimal circulation of the whole network and ``pi0`` potentials proving it
    (every residual arc has reduced cost ``cost + pi[tail] - pi[head] >= 0``). Removing ``v``
    and its edges leaves the rest of ``flow0`` with an excess at the companies that paid ``v``
    and a deficit at those ``v`` paid; the reduced costs stay >= 0, so routing the excess to
    the deficits by a minimum-cost flow (primal-dual: Dijkstra on reduced costs, then
    augmenting paths along zero reduced-cost arcs) gives an optimal circulation of the network
    without ``v``. Only the part of the network near ``v`` is searched.

    Scratch space, reused between calls: ``work`` a ``(7, n + 2)`` and ``heap`` a
    ``(2, n + 2 * m + 1)`` int64 array, ``zarcs`` a ``2 * m`` int64 array, ``stamps`` a ``(3, n)`` int64 array of phase marks and
    ``ctr`` an int64 array of 8 counters (labellings, relabels, Dijkstra runs,
    augmentations, nodes settled, arcs scanned, gaps, arcs scanned in labellings), which only
    grow. Returns ``(value, status)``: the
    circulation value in units and 0, or a negative status when the result failed
    verification (never expected).
    """
    n = pi0.shape[0]
    m = s.shape[0]
    fl = flow0.copy()
    pi = pi0.copy()
    ex = np.zeros(n, np.int64)
    sources = work[0]
    stack = work[1]
    parent = work[2]
    cur = work[3]
    dist = work[4]
    count = work[5]
    zend = work[6]
    hd = heap[0]
    hx = heap[1]
    cstamp = stamps[0]
    dstamp = stamps[1]
    sstamp = stamps[2]
    value = 0
    for e in range(m):
        value += fl[e]
    nsrc = 0
    for k in range(start[v], start[v + 1]):
        a = arcs[k]
        e = a >> 1
        f = fl[e]
        if f == 0 or s[e] == t[e]:
            continue
        if a & 1 == 0:
            ex[t[e]] -= f
        else:
            ex[s[e]] += f
        value -= f
        fl[e] = 0
    total = 0
    for k in range(start[v], start[v + 1]):
        a = arcs[k]
        e = a >> 1
        u = s[e] if a & 1 == 1 else t[e]
        if ex[u] > 0 and sstamp[u] != -1 - v:  # collect each source once
            sstamp[u] = -1 - v
            sources[nsrc] = u
            nsrc += 1
            total += ex[u]
    # reset the marks used above so they cannot collide with Dijkstra stamps
    for i in range(nsrc):
        sstamp[sources[i]] = 0
    while total > 0:
        # maximum flow along zero reduced-cost arcs: shortest augmenting paths with exact
        # distance labels to the deficits (backward BFS), relabelling and the gap rule
        _zero_arcs(v, s, t, pi, start, arcs, zarcs, zend)
        phase, nlab = _global_labels(v, s, t, cap, fl, pi, start, arcs, zarcs, zend, ex, stack,
                                     dist, count, cur, cstamp, ctr)
        inf = nlab + 1
        since = 0
        for i in range(nsrc):
            x = sources[i]
            if cstamp[x] != phase:
                continue
            sp = 0
            hx[0] = x
            while ex[x] > 0 and dist[x] < inf:
                y = hx[sp]
                if sp > 0 and ex[y] < 0:
                    delta = min(ex[x], -ex[y])
                    for j in range(1, sp + 1):
                        _, _, r, _ = _arc(parent[j], s, t, cap, fl)
                        if r < delta:
                            delta = r
                    for j in range(1, sp + 1):
                        a = parent[j]
                        if a & 1 == 0:
                            fl[a >> 1] += delta
                            value += delta
                        else:
                            fl[a >> 1] -= delta
                            value -= delta
                    ctr[3] += 1
                    ex[x] -= delta
                    ex[y] += delta
                    total -= delta
                    sp = 0
                    continue
                dy = dist[y] - 1
                advanced = False
                while cur[y] < zend[y]:
                    a = zarcs[cur[y]]
                    _, h, r, _ = _arc(a, s, t, cap, fl)
                    ctr[5] += 1
                    if r > 0 and cstamp[h] == phase and dist[h] == dy:
                        sp += 1
                        hx[sp] = h
                        parent[sp] = a
                        advanced = True
                        break
                    cur[y] += 1
                if advanced:
                    continue
                # relabel y
                ctr[1] += 1
                old = dist[y]
                best = inf
                for k in range(start[y], zend[y]):
                    _, h, r, _ = _arc(zarcs[k], s, t, cap, fl)
                    ctr[5] += 1
                    if r > 0 and cstamp[h] == phase and dist[h] + 1 < best:
                        best = dist[h] + 1
                count[old] -= 1
                if count[old] == 0:
                    # gap: no node is left at this distance, so nothing above it reaches a deficit
                    ctr[6] += 1
                    for j in range(nlab):
                        z = stack[j]
                        if dist[z] > old and dist[z] < inf:
                            count[dist[z]] -= 1
                            dist[z] = inf
                    best = inf
                if best >= inf - 1:
                    best = inf
                else:
                    count[best] += 1
                dist[y] = best
                cur[y] = start[y]
                if sp > 0:
                    sp -= 1
                since += 1
                if 4 * since > nlab:
                    # global relabelling: exact distances again
                    phase, nlab = _global_labels(v, s, t, cap, fl, pi, start, arcs, zarcs,
                                                 zend, ex, stack, dist, count, cur, cstamp,
                                                 ctr)
                    inf = nlab + 1
                    since = 0
                    sp = 0
                    if cstamp[x] != phase:
                        break
        if total == 0:
            break
        # Dijkstra on reduced costs from every remaining excess to the nearest deficit
        ctr[2] += 1
        dj = ctr[2]
        size = 0
        for i in range(nsrc):
            x = sources[i]
            if ex[x] > 0:
                dist[x] = 0
                dstamp[x] = dj
                size = _heap_push(hd, hx, size, 0, x)
        reach = -1
        nset = 0
        while size > 0:
            d, y, size = _heap_pop(hd, hx, size)
            if sstamp[y] == dj or d > dist[y]:
                continue
            sstamp[y] = dj
            ctr[4] += 1
            stack[nset] = y
            nset += 1
            if ex[y] < 0:
                reach = d
                break
            py = pi[y]
            for k in range(start[y], start[y + 1]):
                _, h, r, c = _arc(arcs[k], s, t, cap, fl)
                if r > 0 and h != v and sstamp[h] != dj:
                    nd = d + c + py - pi[h]
                    if dstamp[h] != dj or nd < dist[h]:
                        dist[h] = nd
                        dstamp[h] = dj
                        size = _heap_push(hd, hx, size, nd, h)
        if reach < 0:
            return value, -1  # the excess cannot go back: impossible for a circulation
        for i in range(nset):
            y = stack[i]
            pi[y] += dist[y] - reach
    # verification: bounds, balance and optimality (no residual arc of negative reduced cost)
    bal = ex
    check = 0
    for e in range(m):
        if s[e] == v or t[e] == v:
            continue
        f = fl[e]
        if f < 0 or f > cap[e]:
            return value, -2
        if f < cap[e] and pi[s[e]] - pi[t[e]] - 1 < 0:
            return value, -3
        if f > 0 and pi[t[e]] - pi[s[e]] + 1 < 0:
            return value, -3
        bal[s[e]] += f
        bal[t[e]] -= f
        check += f
    for i in range(n):
        if bal[i] != 0:
            return value, -4
    if check != value:
        return value, -5
    return value, 0
