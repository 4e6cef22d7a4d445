"""Compiled helpers for :mod:`flowgraph._circulation_engine` (numba, imported lazily)."""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
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
