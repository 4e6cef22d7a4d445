"""Running the heavy analyses on a Dask cluster, with the same answers as on one machine.

The work is split only where the mathematics splits it exactly:

- **cycle search**: every simple cycle has one smallest vertex, so the search is split into
  ranges of start vertices; each task enumerates, on the same compiled kernel, the cycles
  whose smallest vertex is in its range (a range holding a whole strongly connected
  component is that component's task). The CSR arrays and components are computed once and
  broadcast to the workers once; the tasks' cycles are merged and ranked exactly as one
  search ranks them (the order is total, so each task may keep only its own top ``limit``);
- **self-funded amounts** and **keystone impact**: one maximum flow (or one re-routing of
  the optimal circulation) per company, so the companies are split into groups, one task
  each, over the network broadcast once;
- reading: :func:`pair_table` collapses partitioned Parquet or CSV deal files to the
  payer -> payee pair table with :mod:`dask.dataframe` (every partition filtered and summed
  where it lies, then the partial sums added up).

What stays serial: reading the table into one process for the analyses (or
:func:`pair_table` on the cluster), building the hop arrays, the strong components, the one
circulation solve, and ranking and describing the cycles found. See ``benchmarks/README.md``
for how a run scales with workers.

Use it with a running scheduler (``scheduler="tcp://host:8786"``), a Dask ``client``, or
``workers=N`` for a cluster of N local worker processes started (and stopped) for the run::

    from flowgraph import distributed
    res = distributed.find_cycles(deals_table, max_length=4, workers=2)

In the CLI: ``--scheduler ADDRESS`` or ``--workers N`` on ``cycles`` and ``circulation``.
Needs ``pip install 'flowgraph[distributed]'`` (dask and distributed).
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError
import itertools

__all__ = [
    "active",
    "company_circulation",
    "connect",
    "find_cycles",
    "keystones",
    "pair_table",
    "self_funded",
]

TASKS_PER_WORKER = 4
"""Tasks per worker thread for a split search (more, smaller tasks balance uneven ranges)."""

_CLIENT: contextvars.ContextVar[Any] = contextvars.ContextVar("flowgraph_dask_client",
                                                              default=None)


def active() -> Any:
    """The Dask client the analyses run on inside :func:`connect`, else None.

    Examples
    --------
    >>> active() is None
    True
    """
    return _CLIENT.get()


def _dask() -> Any:
    try:
        import dask.distributed as dd
    except ImportError as exc:
        raise ParameterError("running on a cluster needs dask: pip install "
                             f"'flowgraph[distributed]' ({exc})") from None
    return dd


@contextlib.contextmanager
def connect(*, client: Any = None, scheduler: str | None = None, workers: int | None = None,
            ) -> Iterator[Any]:
    """Run the analyses inside the ``with`` block on a Dask cluster.

    Give one of ``client`` (a :class:`dask.distributed.Client`), ``scheduler`` (its address)
    or ``workers`` (start a cluster of that many local worker processes, one thread each,
    stopped at the end of the block). A client this function opens is closed at the end.

    Examples
    --------
    >>> with connect(workers=None, scheduler=None, client=None) as c:  # doctest: +SKIP
    ...     pass
    """
    given = [x is not None for x in (client, scheduler, workers)]
    if sum(given) != 1:
        raise ParameterError("give exactly one of client, scheduler or workers")
    own: list[Any] = []
    if client is None:
        dd = _dask()
        if workers is not None:
            if int(workers) < 1:
                raise ParameterError(f"workers must be at least 1, got {workers}")
            cluster = dd.LocalCluster(n_workers=int(workers), threads_per_worker=1,
                                      processes=True, dashboard_address=None,
                                      silence_logs=logging.ERROR)
            own.append(cluster)
            client = dd.Client(cluster)
        else:
            try:
                client = dd.Client(scheduler, timeout="20s")
            except OSError as exc:
                raise ParameterError(f"cannot reach the Dask scheduler at {scheduler}: "
                                     f"{exc}") from None
        own.insert(0, client)
    token = _CLIENT.set(client)
    try:
        yield client
    finally:
        _CLIENT.reset(token)
        for x in own:
            x.close()


def _threads(client: Any) -> int:
    info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def _ranges(weights: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Split ``0..len(weights)`` into at most ``parts`` consecutive ranges of about equal
    total weight (empty ranges dropped)."""
    n = weights.shape[0]
    if n == 0:
        return []
    total = float(weights.sum())
    if total <= 0 or parts <= 1:
        return [(0, n)]
    cum = np.cumsum(weights)
    cuts = np.searchsorted(cum, total * np.arange(1, parts) / parts, side="left") + 1
    bounds = np.unique(np.concatenate([[0], np.clip(cuts, 0, n), [n]]))
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]


# --------------------------------------------------------------------------- cycles
def _search_range(payload: dict[str, Any], first: int, last: int,
                  ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """One task: the cycles whose smallest vertex is in ``[first, last)``, and how the
    search ended (``steps``, and ``reason`` when it reached a cap)."""
    from . import _cycle_engine as eng
    from .cycles import _keep_top

    p = payload
    hsrc, keep_n, by_length = p["args"][1], p["keep_n"], p["by_length"]
    if p["kw"].get("max_found") is not None:
        keep_n = None  # a loop cap: keep the loops in the order found (at most the cap)
    stopped: dict[str, Any] = {}
    caps = {"stopped": stopped} if "max_steps" in p["kw"] else {}  # a bounded search
    res = eng.run_search(
        *p["args"], **p["kw"], **caps, prepared=p["prepared"], first=first, last=last,
        py_steps=0, keep_top=lambda ln, ed, rt: _keep_top(ln, ed, rt, hsrc, keep_n, by_length))
    return res, stopped


def cycle_searcher(keep_n: int | None, by_length: bool) -> Callable[..., tuple[Any, ...]]:
    """A replacement for :func:`flowgraph._cycle_engine.run_search` that runs the search on
    the active cluster, split by start vertex; same arguments, same result.

    A loop cap (``max_found``) holds overall, as on one machine: each task keeps its first
    ``max_found`` loops in the order found, and the merged loops are cut to the first
    ``max_found`` in start-vertex order, the order of one search (:func:`_first_loops`), so
    the loops, counts per company and hop and the stopped flag are one machine's. A work cap
    (``max_steps``) applies to each task: a search whose tasks together examine more than
    the cap is reported as stopped early (``stopped["reason"]``), as one machine would
    report it; a search within the caps is complete and identical to one machine's."""
    def search(n: int, *arrays: np.ndarray, progress: Any = None, keep_top: Any = None,
               py_steps: int | None = None, stopped: dict[str, Any] | None = None,
               **kw: Any) -> tuple[Any, ...]:
        from . import _cycle_engine as eng

        client = active()
        dd = _dask()
        src, dst = arrays[0], arrays[1]
        prepared = eng.prepare(n, src, dst)
        comp = prepared[4]
        stop = eng.start_limit(n, comp, kw["need"])
        # work grows with a start vertex's hops inside its component
        deg = np.bincount(src, minlength=n).astype(np.float64) + 1.0
        weights = np.where(comp[:stop] >= 0, deg[:stop], 0.0)
        ranges = _ranges(weights, TASKS_PER_WORKER * _threads(client))
        payload = {"args": (n, *arrays), "kw": kw, "prepared": prepared, "keep_n": keep_n,
                   "by_length": by_length}
        [shared] = client.scatter([payload], broadcast=True)
        futures = [client.submit(_search_range, shared, a, b, pure=False) for a, b in ranges]
        where = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        found = steps = 0
        reasons = set()
        stopped = {} if stopped is None else stopped
        for done, fut in enumerate(dd.as_completed(futures), start=1):
            res, how = fut.result()
            results[where[fut.key]] = (res, how)
            found += int(res[3])
            steps += int(how.get("steps", 0))
            stopped["steps"] = steps
            reasons.update([how["reason"]] if "reason" in how else [])
            if progress is not None:  # one line per task done
                progress(done, len(futures), found)
        del shared
        cap, most = kw.get("max_steps"), kw.get("max_found")
        hows = [h for _, h in results]
        results = [r for r, _ in results]
        if most is not None:
            return _first_loops(results, hows, n, src, int(most), cap, keep_top, stopped)
        if "work" in reasons or (cap is not None and steps >= cap):
            stopped["reason"] = "work"
        m = src.shape[0]
        vcount = np.zeros(n, np.int64)
        vsum = np.zeros(n, np.float64)
        vmax = np.full(n, np.nan, np.float64)
        ecount = np.zeros(m, np.int64)
        lens, edges, rts, n_found = [], [], [], 0
        for ln, ed, rt, nf, vc, vs, vm, ec, _ in results:  # in start-vertex order
            lens.append(ln)
            edges.append(ed)
            rts.append(rt)
            n_found += nf
            vcount += vc
            vsum += vs
            vmax = np.fmax(vmax, vm)
            ecount += ec
        ln = np.concatenate(lens) if lens else np.zeros(0, np.int64)
        ed = np.concatenate(edges) if edges else np.zeros(0, np.int64)
        rt = np.concatenate(rts) if rts else np.zeros(0, np.float64)
        if keep_top is not None:
            ln, ed, rt = keep_top(ln, ed, rt)
        return ln, ed, rt, n_found, vcount, vsum, vmax, ecount, False

    return search


def _first_loops(results: list[tuple[Any, ...]], hows: list[dict[str, Any]], n: int,
                 src: np.ndarray, most: int, cap: int | None, keep_top: Any,
                 stopped: dict[str, Any]) -> tuple[Any, ...]:
    """The merged result of a search capped at ``most`` loops, as one search gives it.

    One search enumerates the start vertices in increasing order and stops at its
    ``most``-th loop; the tasks (``results``, ``hows``: in start-vertex order, each with its
    own first ``most`` loops in the order found) hold those loops as a prefix of their
    concatenation. The loops are cut to that prefix, and what derives from them is counted
    again from the loops kept: ``n_found``, the loops per company (``vcount``), their round
    trip sums and maxima (``vsum``, ``vmax``, added in the order found, as the kernel adds
    them), the loops per hop (``ecount``) and the stop, by one search's rule
    (:func:`flowgraph._cycle_engine._drive`): ``"loops"`` once ``most`` loops are kept
    (one search stops at its ``most``-th loop and cannot know whether more exist), unless
    the task of the last start vertices found them all and then ran to its end; ``"work"``
    when the task the cut reaches stopped at the work cap, or the tasks up to it together
    examined ``cap`` hops.
    """
    m = results[0][7].shape[0] if results else src.shape[0]
    lens, edges, rts, steps = [], [], [], 0
    kept = 0
    work = ended = False
    for i, ((ln, ed, rt, _nf, *_), how) in enumerate(zip(results, hows)):
        steps += int(how.get("steps", 0))
        work = how.get("reason") == "work"
        take = min(int(ln.shape[0]), most - kept)
        lens.append(ln[:take])
        edges.append(ed[:int(ln[:take].sum())])
        rts.append(rt[:take])
        kept += take
        # One search stops at its cap unless nothing is left to examine: only a last task
        # that found all the cap's loops itself and then ran to its end says so
        ended = (i == len(results) - 1 and take == most and "reason" not in how)
        if kept >= most or work:
            break
    ln = np.concatenate(lens) if lens else np.zeros(0, np.int64)
    ed = np.concatenate(edges) if edges else np.zeros(0, np.int64)
    rt = np.concatenate(rts) if rts else np.zeros(0, np.float64)
    stopped["steps"] = steps
    if work or (cap is not None and steps >= cap):
        stopped["reason"] = "work"
    elif kept >= most and not ended:
        stopped["reason"] = "loops"
    verts = src[ed]
    rt_at = np.repeat(rt, ln)
    known = ~np.isnan(rt_at)
    vcount = np.bincount(verts, minlength=n).astype(np.int64)
    vsum = np.zeros(n, np.float64)
    np.add.at(vsum, verts[known], rt_at[known])  # in the order found, as the kernel adds
    vmax = np.full(n, np.nan, np.float64)
    np.fmax.at(vmax, verts[known], rt_at[known])
    ecount = np.bincount(ed, minlength=m).astype(np.int64)
    if keep_top is not None:
        ln, ed, rt = keep_top(ln, ed, rt)
    return ln, ed, rt, kept, vcount, vsum, vmax, ecount, False


def _run_on(func: Callable[..., Any], G: Any, client: Any, scheduler: str | None,
            workers: int | None, kwargs: dict[str, Any]) -> Any:
    if client is None and scheduler is None and workers is None and active() is not None:
        return func(G, **kwargs)
    with connect(client=client, scheduler=scheduler, workers=workers):
        return func(G, **kwargs)


def find_cycles(G: Any, *, client: Any = None, scheduler: str | None = None,
                workers: int | None = None, **kwargs: Any) -> Any:
    """:func:`flowgraph.find_cycles` on a Dask cluster (see :func:`connect` for ``client``,
    ``scheduler`` and ``workers``): the same cycles, amounts, counts and order.

    Participation sums (``round_trip_sum``) add the same round trips in another order, so
    they can differ from a one-machine run in the last binary digit.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("A", "B", {"amount": 1.0}), ("B", "A", {"amount": 2.0})])
    >>> find_cycles(G, workers=1).n_found  # doctest: +SKIP
    1
    """
    from .cycles import find_cycles as run

    return _run_on(run, G, client, scheduler, workers, kwargs)


# --------------------------------------------------------------------------- per company
def _groups(items: Sequence[Any], client: Any) -> list[list[int]]:
    """Positions of ``items`` in consecutive groups, a few per worker thread."""
    parts = max(1, min(len(items), TASKS_PER_WORKER * _threads(client)))
    return [list(g) for g in np.array_split(np.arange(len(items)), parts) if len(g)]


def _gather(client: Any, futures: list[Any], groups: list[list[int]], total: int,
            on_done: Callable[[list[int]], None] | None) -> list[Any]:
    dd = _dask()
    where = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * total
    for fut in dd.as_completed(futures):
        g = groups[where[fut.key]]
        for pos, value in zip(g, fut.result()):
            out[pos] = value
        if on_done is not None:
            on_done(g)
    return out


def by_range(rows: Callable[[Any, int, int], np.ndarray], payload: Any, n: int, *,
             what: str = "items", progress: Callable[[str], None] | None = None
             ) -> np.ndarray:
    """``rows(payload, 0, n)`` here, or inside :func:`connect` with :func:`map_rows` on the
    cluster: the one switch for per-sample work that splits exactly (Monte Carlo samples,
    null-model samples).

    Examples
    --------
    >>> import numpy as np
    >>> by_range(lambda p, a, b: np.arange(a, b)[:, None] * p, 2, 3).ravel().tolist()
    [0, 2, 4]
    """
    if active() is not None and n > 1:
        return map_rows(rows, payload, n, what=what, progress=progress)
    return rows(payload, 0, n)


def map_rows(rows: Callable[[Any, int, int], np.ndarray], payload: Any, n: int, *,
             what: str = "items", progress: Callable[[str], None] | None = None
             ) -> np.ndarray:
    """``rows(payload, 0, n)`` on the active cluster: ``payload`` broadcast once, items
    ``0..n-1`` split into consecutive ranges (:func:`_groups`), one task per range, the rows
    put back in order (:func:`_gather`), so the result is the same array as on one machine.

    Used for the per-sample work of :func:`flowgraph.uncertainty` and
    :func:`flowgraph.significance` (one sample's numbers depend only on that sample).
    """
    client = active()
    groups = _groups(range(n), client)
    [shared] = client.scatter([payload], broadcast=True)
    futures = [client.submit(rows, shared, int(g[0]), int(g[-1]) + 1, pure=False)
               for g in groups]
    if progress:
        progress(f"{what}: {n:,} in {len(groups)} tasks on the cluster")
    done = [0]

    def count(g: list[int]) -> None:
        done[0] += len(g)
        if progress:
            progress(f"{what}: {done[0]:,}/{n:,} done")

    return np.vstack(_gather(client, futures, groups, n, count))


def _self_funded_task(net: tuple[Any, ...], nodes: list[int]) -> list[tuple[float, float]]:
    from . import _circulation_engine as eng

    solver = eng.MaxFlowSolver(*net)
    return [solver.self_funded(v) for v in nodes]


def self_funded_values(n: int, s: np.ndarray, t: np.ndarray, w: np.ndarray, q: float,
                       companies: list[int], progress: Callable[[int, int], None] | None,
                       ) -> list[tuple[float, float]]:
    """``MaxFlowSolver(n, s, t, w, q).self_funded(v)`` for each company, on the active
    cluster (the network broadcast once, one task per group of companies)."""
    client = active()
    [net] = client.scatter([(n, s, t, w, q)], broadcast=True)
    groups = _groups(companies, client)
    futures = [client.submit(_self_funded_task, net, [companies[i] for i in g], pure=False)
               for g in groups]

    def done(g: list[int]) -> None:
        if progress:
            for k in g:
                progress(k, companies[k])

    return _gather(client, futures, groups, len(companies), done)


def _without_task(solver: Any, nodes: list[int]) -> list[int]:
    mine = solver.fork()  # scratch space of its own (tasks may share a worker's copy)
    return [mine.value_without(v) for v in nodes]


def values_without(solver: Any, nodes: list[int], progress: Any, names: list[str]) -> list[int]:
    """``solver.value_without(v)`` for each node (keystone re-routing), on the active
    cluster; the answers are exact integers, the same as on one machine."""
    client = active()
    total = len(nodes)
    groups = _groups(nodes, client)
    if progress:
        progress(f"keystones: re-routing {total} compan{'y' if total == 1 else 'ies'} in "
                 f"{len(groups)} tasks on the cluster")
    [shared] = client.scatter([solver], broadcast=True)
    futures = [client.submit(_without_task, shared, [nodes[i] for i in g], pure=False)
               for g in groups]
    count = [0]

    def done(g: list[int]) -> None:
        if progress:
            for k in g:
                count[0] += 1
                progress(f"keystones: {count[0]}/{total} {names[k]}")

    return _gather(client, futures, groups, total, done)


def self_funded(G: Any, companies: Any = None, *, client: Any = None,
                scheduler: str | None = None, workers: int | None = None,
                **kwargs: Any) -> Any:
    """:func:`flowgraph.circulation.self_funded` on a Dask cluster: the same result."""
    from .circulation import self_funded as run

    return _run_on(run, G, client, scheduler, workers, {"companies": companies, **kwargs})


def keystones(G: Any, companies: Any = None, *, client: Any = None,
              scheduler: str | None = None, workers: int | None = None,
              **kwargs: Any) -> Any:
    """:func:`flowgraph.circulation.keystones` on a Dask cluster: the same result."""
    from .circulation import keystones as run

    return _run_on(run, G, client, scheduler, workers, {"companies": companies, **kwargs})


def company_circulation(G: Any, *, client: Any = None, scheduler: str | None = None,
                        workers: int | None = None, **kwargs: Any) -> Any:
    """:func:`flowgraph.circulation.company_circulation` on a Dask cluster: the same result."""
    from .circulation import company_circulation as run

    return _run_on(run, G, client, scheduler, workers, kwargs)


def uncertainty(G: Any, measure: Any = "circulation", *, client: Any = None,
                scheduler: str | None = None, workers: int | None = None,
                **kwargs: Any) -> Any:
    """:func:`flowgraph.uncertainty` on a Dask cluster, one task per range of samples: the
    same table (each sample's numbers depend only on that sample and its seed)."""
    from .sampling import uncertainty as run

    return _run_on(run, G, client, scheduler, workers, {"measure": measure, **kwargs})


# --------------------------------------------------------------------------- reading
def _pairs_of(part: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One partition's deals summed per payer -> payee pair (known amounts only)."""
    from .io import normalize_deals

    d = normalize_deals(part)
    base = d["amount_usd_bn"].to_numpy(dtype=float)
    lo = d["amount_low_usd_bn"].to_numpy(dtype=float)
    hi = d["amount_high_usd_bn"].to_numpy(dtype=float)
    mid = np.where(np.isnan(lo) | np.isnan(hi), np.nan, (lo + hi) / 2)
    amount = np.where(np.isnan(base), mid, base)
    if scenario == "low":
        amount = np.where(np.isnan(lo), amount, lo)
    elif scenario == "high":
        amount = np.where(np.isnan(hi), amount, hi)
    out = pd.DataFrame({"payer": d["payer"].astype(object), "payee": d["payee"].astype(object),
                        "known": ~np.isnan(amount), "amount": np.nan_to_num(amount),
                        "n_deals": np.ones(len(d), np.int64)})
    return out.groupby(["payer", "payee", "known"], sort=False, as_index=False).sum()


def pair_table(paths: Any, *, scenario: str = "base", client: Any = None,
               scheduler: str | None = None, workers: int | None = None) -> pd.DataFrame:
    """Partitioned deal files (Parquet, or CSV) collapsed to one row per payer -> payee pair.

    Each partition is summed where it lies, then the partial sums are added up: columns
    ``payer, payee, amount`` (sum of the known amounts of the ``scenario``) and ``n_deals``,
    sorted by payer then payee; a pair with deals of unknown amount has a second row for
    them with ``amount`` blank, so that analyses still see the amount as partly unknown
    (never as zero). Sums are added in another order than on one machine (they can differ
    in the last binary digit). The table feeds :func:`find_cycles` and the circulation
    functions like a deals table. Rows are taken as
    they are: no validation and no superseded-row or tranche rules (run ``flowgraph
    validate`` on the files, and keep one row per money flow), so use it when the deals do
    not fit one machine.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> p = os.path.join(tempfile.mkdtemp(), "d.parquet")
    >>> pd.DataFrame({"payer": ["A", "A"], "payee": ["B", "B"],
    ...               "amount_usd_bn": [1.0, None]}).to_parquet(p)
    >>> pair_table(p, workers=1)[["amount", "n_deals"]].values.tolist()  # doctest: +SKIP
    [[1.0, 1.0], [nan, 1.0]]
    """
    from . import schema

    if scenario not in schema.SCENARIOS:
        raise ParameterError(f"unknown scenario {scenario!r}; valid: "
                             f"{', '.join(schema.SCENARIOS)}")
    _dask()
    import dask.dataframe as ddf

    def read() -> pd.DataFrame:
        files = [str(p) for p in ([paths] if isinstance(paths, (str, bytes)) or not hasattr(
            paths, "__iter__") else paths)]
        if all(f.lower().endswith(".csv") for f in files):
            frame = ddf.read_csv(files, dtype=str, keep_default_na=False, na_values=[""])
        else:
            frame = ddf.read_parquet(files)
        meta = pd.DataFrame({"payer": pd.Series(dtype=object), "payee": pd.Series(dtype=object),
                             "known": pd.Series(dtype=bool), "amount": pd.Series(dtype=float),
                             "n_deals": pd.Series(dtype=np.int64)})
        parts = frame.map_partitions(_pairs_of, scenario, meta=meta)
        total = parts.groupby(["payer", "payee", "known"]).sum().compute().reset_index()
        total["amount"] = total["amount"].where(total["known"])
        total = total.sort_values(["payer", "payee", "known"], ascending=[True, True, False],
                                  kind="stable")
        return total.drop(columns=["known"]).reset_index(drop=True)

    if client is None and scheduler is None and workers is None and active() is not None:
        return read()
    with connect(client=client, scheduler=scheduler, workers=workers):
        return read()
