"""The largest loops by round trip within a bounded amount of work.

A listing of the top loops (the HTML graph's panel, the report's findings) must not depend on
enumerating every loop. :func:`largest` first runs the ordinary capped search; when that
stops early, it searches again for the loops whose round trip reaches a threshold, lowering
the threshold until at least ``top`` loops reach it. Every loop at or above the threshold
is then found, so the ``top`` shown are exactly the largest (ties included), while the count
of all loops is a floor ("at least") and says so.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def _hop_amounts(G: Any, weight: str) -> np.ndarray:
    """Known hop amounts (deals of a pair added up), largest first."""
    from .graph import edge_columns, ensure_collapsed, is_graph

    if isinstance(G, pd.DataFrame):
        pair = edge_columns(G)
        if pair is None or weight not in G.columns:
            return np.zeros(0)
        a = pd.to_numeric(G[weight], errors="coerce")
        sums = a.groupby([G[pair[0]], G[pair[1]]]).sum(min_count=1).to_numpy(dtype=float)
    elif is_graph(G):
        H = ensure_collapsed(G, weight=weight)
        key = "amount" if G.is_multigraph() else weight
        sums = np.array([float(d.get(key, math.nan)) for *_, d in H.edges(data=True)],
                        dtype=float)
    else:
        return np.zeros(0)
    sums = sums[np.isfinite(sums) & (sums > 0)]
    return np.sort(sums)[::-1]


def largest(G: Any, *, top: int, weight: str = "amount", max_length: int | None = 6,
            through: Any = None, progress: Callable[[str], None] | None = None,
            max_work: int | None = None) -> Any:
    """The ``top`` loops with the largest round trip, found within bounded work.

    Returns a :class:`~flowgraph.cycles.CycleResult` sorted by round trip. When the plain
    search completes it is returned as is; otherwise the loops come from a threshold search
    (exact top, noted) or, if even that stops early, from the capped search (noted). The
    plain search and the threshold searches together examine at most twice the cap
    (``max_work``, default :data:`~flowgraph.cycles.MAX_WORK`, under the ceiling of
    :func:`~flowgraph.cycles.work_budget`).
    """
    from .cycles import MAX_WORK, find_cycles, listed_note

    cap = MAX_WORK if max_work is None else max_work
    kw: dict[str, Any] = {"weight": weight, "max_length": max_length, "through": through,
                          "sort": "round_trip"}
    res = find_cycles(G, limit=top, progress=progress, max_work=cap, **kw)
    if res.complete or top <= 0:
        return res
    floor = res.n_found
    amounts = _hop_amounts(G, weight)
    if not len(amounts):
        return res
    t = float(amounts[min(len(amounts) - 1, top - 1)])
    smallest = float(amounts[-1])
    left = res.params["max_work"] or MAX_WORK  # the threshold searches share one more cap
    while True:
        if progress is not None:
            progress(f"cycles: the largest loops, round trip of at least {t:g}")
        r = find_cycles(G, limit=top, min_amount=t, describe=True, max_work=max(left, 1), **kw)
        left -= r.work
        if not r.complete:
            return res
        if r.n_found >= top or t <= smallest:
            break
        t = max(t / 1.5, smallest)  # gently: a lower threshold costs more work
    listed = listed_note(r.n_found, kw["sort"], r.limit) if r.limit is not None else None
    notes = [n for n in r.notes if n != listed]
    floor = max(floor, r.n_found)  # both searches' loops are loops: the larger count holds
    notes.append(
        f"The {len(r.cycles):,} loops shown are the largest by round trip: every loop with a "
        f"round trip of at least {t:g} was found. Counting all loops stopped at the work cap: "
        f"there are at least {floor:,} (a smaller --max-length or a --min-amount counts them "
        "all).")
    params = {**r.params, "min_amount": None, "round_trip_floor": t}
    # the counts per company and hop are those of the capped search of all loops (floors,
    # marked incomplete), not those of the loops above the threshold
    return dataclasses.replace(r, n_found=floor, truncated=True,
                               complete=False, notes=tuple(notes), params=params,
                               participation=res.participation,
                               hop_participation=res.hop_participation)
